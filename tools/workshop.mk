# workshop.mk: the workshop tools, included by the top-level Makefile.
#
#   make diff N [FROM=M]        diff -u of stage N-1's program (or stage M's) and stage N's;
#                               stage 02 is compared with 00 (01 was a detour without fork)
#   make trace N [ARGS='...']   stage N's demo under strace -f, only the calls it teaches
#                [BIN=path]     ...or your own program's run of that demo
#                [RAW=1]        ...with every traced call, unfiltered
#   make doctor                 pre-flight of this machine: kernel, namespaces, privileges, tools
#   make invite [URL= DATE= CONTACT=]  the participants' set-up email, Markdown on stdout
#   make apparmor [BIN=path]    (sudo) Ubuntu 23.10+: root-owned copies of the lab's five programs
#                               (or of BIN) that may create user namespaces, and nothing they run
#                               [LIBDIR=/usr/local/lib/containers-lab] [DESTDIR=staging dir]
#   make apparmor-remove        (sudo) unload that AppArmor profile, delete it and the copies
#   make container-test         build the devcontainer; make test in it (root, user), make doctor
#                               in it unprivileged [CONTAINER_ENGINE=, CONTAINER_FLAGS='...']
#
# N is read as in `make stage N` (3, 03, diff-3, N=3): see NUM_GOALS in the Makefile.

.PHONY: diff trace doctor invite apparmor apparmor-remove container-test

# The stage directory FROM=M names (3 or 03), or nothing.
FROM_DIR = $(patsubst %/,%,$(firstword $(wildcard $(FROM)-*/ 0$(FROM)-*/)))

# diff exits 1 when the files differ: that is the normal case here, so only 2 (trouble) fails
# (141, SIGPIPE, is `make diff 3 | head` and no trouble either).
# Colour when stdout is a terminal, if this diff knows --color (GNU diffutils 3.4+).
diff:
	@if [ -z "$(N)" ]; then \
		echo "Which stage? make diff N, N = 1..4: what stage N adds to the one before" >&2; exit 2; fi
	@if [ -z "$(DIR)" ]; then \
		echo "No stage '$(N)'. Stages here: $(STAGE_NUMS) (e.g. make diff 3: what stage 03 adds to 02)" >&2; \
		exit 2; fi
	@if [ -n "$(FROM)" ] && [ -z "$(FROM_DIR)" ]; then \
		echo "No stage '$(FROM)' for FROM. Stages here: $(STAGE_NUMS) (e.g. make diff 2 FROM=0)" >&2; \
		exit 2; fi
	@from='$(FROM_DIR)'; \
	if [ -z "$$from" ] && [ '$(NN)' = 02 ]; then \
		from=$(firstword $(STAGE_DIRS)); \
		echo "note: stage 02 is stage 00 with fork() become clone(); stage 01 was a detour without fork (make diff 2 FROM=1 compares with it)." >&2; \
	elif [ -z "$$from" ]; then \
		for d in $(STAGE_DIRS); do [ "$$d" = '$(DIR)' ] && break; from=$$d; done; \
		if [ -z "$$from" ]; then \
			echo "Stage $(NN) is the first stage: nothing before it to compare with. Try make diff 1." >&2; \
			exit 2; fi; \
	fi; \
	color=; diff --color=auto /dev/null /dev/null >/dev/null 2>&1 && color=--color=auto; \
	diff -u $$color "$$from/$$(echo "$$from" | cut -d- -f2-).c" '$(DIR)/$(PROG).c'; \
	rc=$$?; [ $$rc -le 1 ] || [ $$rc -eq 141 ] || exit $$rc

trace: need-stage $(DIR)
	@LAB_CMD="$(if $(BIN),$(BIN),./$(DIR)/$(PROG)) $${LAB_ARGS:-$$(tools/demo.sh $(NN) 2>/dev/null)}" \
		tools/trace.sh

doctor:
	@tools/doctor.sh

# The invitation: tools/invite.sh (URL, DATE, CONTACT; warnings on stderr, the text on stdout).
invite: export INVITE_URL = $(URL)
invite: export INVITE_DATE = $(DATE)
invite: export INVITE_CONTACT = $(CONTACT)
invite:
	@tools/invite.sh

# LIBDIR and DESTDIR reach tools/apparmor.sh through the environment (make exports variables
# set on its command line).
apparmor:
	@tools/apparmor.sh install '$(BIN)'

apparmor-remove:
	@tools/apparmor.sh remove

# Not part of make test: it builds an image and runs the suite twice in containers.
container-test:
	@tools/container-test.sh
