# Containers from scratch, in C: the lab's top-level Makefile. `make help` lists every
# target and what it does: that list is the one place they are described. The workshop
# tools' targets are in tools/workshop.mk, the benchmark's in tools/bench.mk, the deck's and the
# handout's in tools/slides.mk; each stage's build rules in common/common.mk.

SHELL := /bin/bash
STAGE_DIRS := $(sort $(patsubst %/,%,$(wildcard [0-9][0-9]-*/)))
STAGE_NUMS = $(foreach d,$(STAGE_DIRS),$(patsubst 0%,%,$(call nn,$(d))))

nn   = $(firstword $(subst -, ,$(1)))#             03-multi-ns -> 03
prog = $(patsubst $(call nn,$(1))-%,%,$(1))#    03-multi-ns -> multi-ns

# For `make help`: each stage's idea, and whether it needs root.
IDEA_00 := fork + exec + wait: how every process starts
IDEA_01 := exec replaces the program; the PID stays
IDEA_02 := clone(CLONE_NEWPID): the child is PID 1 of a new namespace
IDEA_03 := one clone flag per namespace: UTS, IPC, net, mount (+user)
IDEA_04 := parent writes ID maps, a pipe releases the child: rootless
ROOT_00 := no
ROOT_01 := no
ROOT_02 := yes
ROOT_03 := yes, or -U
ROOT_04 := no

# `make stage 3`, `make stage 03`, `make stage-3` and `make stage N=3` all mean stage 03.
NUM_GOALS := stage check diff trace
ifneq ($(filter $(NUM_GOALS),$(firstword $(MAKECMDGOALS))),)
  ifeq ($(origin N),undefined)
    N := $(word 2,$(MAKECMDGOALS))
    ifneq ($(N),)
      $(eval $(N): ; @:)
    endif
  endif
endif
DIR  := $(patsubst %/,%,$(firstword $(wildcard $(N)-*/ 0$(N)-*/)))
NN   := $(call nn,$(DIR))
PROG := $(call prog,$(DIR))

.PHONY: all clean help stage check test test-bootstrap test-grader stress lint san mutants need-stage build-strict
.DEFAULT_GOAL := all

# Each stage directory is a target of its own, so `make -j` builds them side by side and
# `make -k` goes on past one that fails.
.PHONY: $(STAGE_DIRS)
all: $(STAGE_DIRS)
$(STAGE_DIRS):
	@$(MAKE) -s --no-print-directory -C $@

stage-% check-% diff-% trace-%:
	@$(MAKE) --no-print-directory $(firstword $(subst -, ,$@)) N=$*

need-stage:
	@if [ -z "$(DIR)" ]; then \
		echo "No stage '$(N)'. Stages here: $(STAGE_NUMS) (e.g. make $(firstword $(MAKECMDGOALS)) 0)" >&2; \
		exit 2; fi

# The command `make stage N` shows, then runs: the stage's binary with ARGS, or with the
# arguments of its demo (tools/demo.sh). `make trace N` traces the same command.
stage trace: export LAB_ARGS = $(ARGS)
stage: need-stage $(DIR)
	@LAB_CMD="./$(DIR)/$(PROG) $${LAB_ARGS:-$$(tools/demo.sh $(NN))}" && \
		printf '$$ %s\n' "$$LAB_CMD" >&2 && eval "$$LAB_CMD"

# `make check N`: the fast set, stopping at the first failure, contained (tools/run-tests.sh);
# CHECKS=slow: only the slow remainder (strace fault injection, repeated runs); CHECKS=all:
# every check. `make test` runs them all, to the end.
CHECKS ?= fast
check: need-stage $(DIR)
	@LAB_CHECKS=$(CHECKS) LAB_CONTAIN=1 tools/run-tests.sh tests/$(DIR).bats

# The stages' checks in stage order, then the rest (tools, robustness). The long runs
# (tests/stress.bats) are `make stress`; the bootstrap checks (how bats is brought in) and
# the deck's checks reach the npm registry: `make test-bootstrap`, `make test-slides`; the
# grader's own checks (eight hostile programs, each contained) are `make test-grader`. All
# are kept out of `make test`, so it stays short and offline; CI runs each.
STAGE_TESTS := $(wildcard $(foreach d,$(STAGE_DIRS),tests/$(d).bats))
OWN_TARGET_TESTS := tests/stress.bats tests/bootstrap.bats tests/slides.bats tests/answers.bats \
                    tests/handout.bats tests/grader.bats
ALL_TESTS   := $(STAGE_TESTS) $(filter-out $(STAGE_TESTS) $(OWN_TARGET_TESTS),$(wildcard tests/*.bats))

# make test: every check, to the end, in two halves at once (tools/test-all.sh).
test: all
	@tools/test-all.sh $(ALL_TESTS)

stress: all
	@tools/run-tests.sh tests/stress.bats

test-bootstrap:
	@tools/run-tests.sh tests/bootstrap.bats

test-grader: all
	@tools/run-tests.sh tests/grader.bats

# Static checks: warnings fail.
CPPCHECK_FLAGS := --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	--std=c11 -D_GNU_SOURCE -Icommon --inline-suppr --suppress=missingIncludeSystem
lint:
	@tools/deps.sh lint
	cppcheck $(CPPCHECK_FLAGS) $(wildcard [0-9][0-9]-*/*.c tools/*.c) common/*.c
	shellcheck -x .ci/run tools/*.sh .devcontainer/*.sh tests/*.bash tests/*.bats
	@# clang's static analyser, each stage built afresh into a scratch directory
	@for d in $(STAGE_DIRS); do \
		scan-build --status-bugs -o .lint/reports --use-cc=clang \
			$(MAKE) -s --no-print-directory -B -C $$d OUT=$(CURDIR)/.lint/$$d WERROR=1 \
			| grep -v '^scan-build: \(Using\|Removing\|Analysis run\)'; \
		[ "$${PIPESTATUS[0]}" = 0 ] || exit 1; done; rm -rf .lint

# What CI builds first: every stage with warnings as errors, with gcc and with clang, each
# into a scratch directory (a laptop's build, `make`, keeps warnings as warnings).
build-strict:
	@for cc in gcc clang; do for d in $(STAGE_DIRS); do \
		$(MAKE) -s --no-print-directory -B -C $$d CC=$$cc WERROR=1 OUT=$(CURDIR)/.strict/$$cc/$$d \
			|| exit 1; done; echo "built every stage with $$cc -Werror"; done; rm -rf .strict

# Sanitizer build (ASan + UBSan) into .san/, then the whole suite and the long runs against it.
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror
san:
	@for d in $(STAGE_DIRS); do \
		$(MAKE) -s --no-print-directory -C $$d OUT=$(CURDIR)/.san/$$d CFLAGS='$(SAN_CFLAGS)' || exit 1; done
	@LAB_BIN_ROOT=$(CURDIR)/.san tools/run-tests.sh $(ALL_TESTS) tests/stress.bats

# Mutation testing of the checks: each mistake in tools/mutants.txt, planted in a scratch
# copy of the tree, must fail a named check (tools/mutants.sh; MUTANT_JOBS=N, M=ID-REGEX).
mutants:
	@tools/mutants.sh $(if $(M),'$(M)')

clean:
	@for d in $(STAGE_DIRS); do $(MAKE) -s --no-print-directory -C $$d clean || exit 1; done
	rm -rf .san .bench .lint .strict slides/deck.html slides/deck.pdf

help:
	@echo "Containers from scratch, in C. Stages:"
	@echo
	@printf '  %-3s %-62s %-30s %s\n' N idea binary 'root?'
	@$(foreach d,$(STAGE_DIRS),printf '  %-3s %-62s %-30s %s\n' '$(call nn,$(d))' \
		'$(IDEA_$(call nn,$(d)))' '$(d)/$(call prog,$(d))' '$(ROOT_$(call nn,$(d)))';)
	@echo
	@echo "Targets:"
	@echo "  make stage N [ARGS='...']  build stage N and run its demo (the command is shown first)"
	@echo "  make check N [BIN=path]    run stage N's fast checks, against BIN if given (your own program);"
	@echo "                             CHECKS=slow: the slow remainder (make test runs all)"
	@echo "  make test                  run every stage's checks"
	@echo "  make stress                the long runs: 300 launches, more signal trials, valgrind"
	@echo "  make test-grader           the grader's own checks: eight hostile programs, each contained (root)"
	@echo "  make test-bootstrap        check how make test brings in bats (git, npm: needs the network)"
	@echo "  make lint                  cppcheck, shellcheck, clang's scan-build; warnings fail"
	@echo "  make build-strict          build every stage with gcc and clang, warnings as errors (CI)"
	@echo "  make WERROR=1              build with warnings as errors"
	@echo "  make san                   ASan + UBSan build, then the whole suite against it"
	@echo "  make mutants [M=REGEX]     plant each mistake of tools/mutants.txt in a copy: a check must catch it"
	@echo "  make diff N [FROM=M]       what stage N adds: diff -u of stage N-1's (or M's) C file and N's"
	@echo "  make trace N [ARGS='...']  stage N's demo under strace -f, only the calls it teaches (RAW=1: all)"
	@echo "  make doctor                pre-flight of this machine; which stages run here"
	@echo "  make invite [URL= DATE=]   the participants' set-up email (Markdown): make invite > invite.md"
	@echo "  sudo make apparmor [BIN=]  Ubuntu 23.10+: root-owned copies of the lab's programs (or BIN) in"
	@echo "                             /usr/local/lib/containers-lab that may create user namespaces, and"
	@echo "                             nothing they run; sudo make apparmor-remove takes it all away"
	@echo "  make container-test        build the devcontainer (.devcontainer/), run make test in it as root"
	@echo "                             and as its user, make doctor in it unprivileged (podman or docker)"
	@echo "  make bench                 launch cost of each stage vs its floor and util-linux unshare (root)"
	@echo "  make slides                the instructor's deck to slides/deck.html (and .pdf with Chromium)"
	@echo "  make test-slides           render the deck and check it (brings marp-cli from npm)"
	@echo "  make handout | test-answers  the instructor's one-page handout | run the answer sheet's commands"
	@echo "  make / make clean          build every stage / remove build output"
	@echo "make stage 3, make stage 03 and make stage-3 all mean stage 03."
	@echo "Run a binary directly: sudo ./02-clone-pid/clone-pid -v sh"

# The workshop tools (make diff/trace/doctor) and the benchmark (make bench).
include tools/workshop.mk tools/bench.mk tools/slides.mk
