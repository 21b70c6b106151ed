# bench.mk: `make bench`, included by the top-level Makefile.
#
#   make bench                           time a launch of /bin/true through each stage's
#                                        program, beside its floor (the least C program
#                                        doing the same isolation) and util-linux unshare,
#                                        under the environment's locale and LC_ALL=C
#   make bench BENCH_ARGS='-r 20 -n 20'  rounds, runs per round (-w: warm-up runs)
#   .bench/bench 'CMD ARG' 'CMD2 ARG'    time any commands, each against the first
#
# The timer (tools/bench.c) and the floors it holds the stages against (tools/floor.c
# for stage 00, tools/floor-02.c .. floor-04.c) are built into .bench/ (git-ignored) with
# the stages' own flags, so each floor is built as its stage is. Run it as root: without
# root the rows that need it are skipped. Figures move by a few per cent from run to run,
# more on a busy machine.

BENCH_DIR    := .bench
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
                -Wno-format-nonliteral
BENCH_ARGS   ?=

.PHONY: bench

$(BENCH_DIR)/%: tools/%.c tools/bench.mk
	@mkdir -p $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

bench: all $(addprefix $(BENCH_DIR)/,bench floor floor-02 floor-03 floor-04)
	@$(BENCH_DIR)/bench -C $(CURDIR) -F $(CURDIR)/$(BENCH_DIR)/floor $(BENCH_ARGS)
