# common.mk: the build rules every stage includes. A stage's Makefile sets PROG and
# includes this file, so `cd 02-clone-pid && make` builds that stage alone.
#
#   make                      build ./$(PROG) with the default flags
#   make CC=clang             another compiler
#   make CFLAGS='-O0 -g'      other optimisation/debug flags: LAB_CFLAGS below are kept
#   make OUT=/some/dir        put the binary elsewhere (make san uses this)

COMMON := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
OUT    ?= .

# Flags the code needs in order to compile at all: never dropped by CFLAGS=...
LAB_CFLAGS := -std=c11 -D_GNU_SOURCE -I$(COMMON)
# Flags that are a matter of taste, overridable.
CFLAGS ?= -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
          -Wno-format-nonliteral

SRCS := $(PROG).c $(sort $(wildcard $(COMMON)/*.c))
DEPS := $(SRCS) $(COMMON)/common.h $(COMMON)/common.mk

.PHONY: all clean
all: $(OUT)/$(PROG)

$(OUT)/$(PROG): $(DEPS)
	@command -v $(firstword $(CC)) >/dev/null 2>&1 || { echo "$(firstword $(CC)): C compiler not found (apt-get install build-essential)" >&2; exit 1; }
	@mkdir -p $(OUT)
	$(CC) $(LAB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(SRCS)

clean:
	rm -f $(OUT)/$(PROG)
