# bench.mk: `make bench`, included by the top-level Makefile.
#
#   make bench                           time a launch of /bin/true through each stage's
#                                        program, beside util-linux unshare doing the same
#                                        isolation and a plain fork+exec floor
#   make bench BENCH_ARGS='-r 20 -n 20'  rounds, runs per round (-w: warm-up runs)
#   .bench/bench 'CMD ARG' 'CMD2 ARG'    time any commands, each against the first
#
# The timer (tools/bench.c) and the floor it holds stage 00 against (tools/floor.c) are
# built into .bench/ (git-ignored) with the stages' own flags, so the floor is built as
# stage 00 is. Run it as root: without root the rows that need it are skipped. Figures
# move by a few per cent from run to run, more on a busy machine.

BENCH_DIR    := .bench
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
                -Wno-format-nonliteral
BENCH_ARGS   ?=

.PHONY: bench

$(BENCH_DIR)/%: tools/%.c tools/bench.mk
	@mkdir -p $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

bench: all $(BENCH_DIR)/bench $(BENCH_DIR)/floor
	@$(BENCH_DIR)/bench -C $(CURDIR) -F $(CURDIR)/$(BENCH_DIR)/floor $(BENCH_ARGS)
