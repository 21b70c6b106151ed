# common.mk: the build rules every stage includes. A stage's Makefile sets PROG and
# includes this file, so `cd 02-clone-pid && make` builds that stage alone.
#
#   make                      build ./$(PROG) with the default flags
#   make CC=clang             another compiler
#   make CFLAGS='-O0 -g'      other optimisation/debug flags: LAB_CFLAGS below are kept
#   make WERROR=1             warnings are errors (CI and make lint do this)
#   make OUT=/some/dir        put the binary elsewhere (make san uses this)
#
# common/*.c is built into a static library, libcommon.a, one per stage build (in
# $(OUT)/.obj), so a binary links only the parts of common/ that it calls.

COMMON := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
OUT    ?= .
OBJDIR := $(OUT)/.obj

# Flags the code needs in order to compile at all: never dropped by CFLAGS=...
LAB_CFLAGS := -std=c11 -D_GNU_SOURCE -I$(COMMON) $(if $(WERROR),-Werror)
# Flags that are a matter of taste, overridable. No -Werror here: a newer compiler on a
# participant's laptop may warn about something new, and must still build the lab.
CFLAGS ?= -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral

COMMON_SRCS := $(sort $(wildcard $(COMMON)/*.c))
COMMON_OBJS := $(patsubst $(COMMON)/%.c,$(OBJDIR)/%.o,$(COMMON_SRCS))
HEADERS     := $(COMMON)/common.h $(COMMON)/internal.h
LIB         := $(OBJDIR)/libcommon.a

.PHONY: all clean check-cc
all: $(OUT)/$(PROG)

$(OUT)/$(PROG): $(PROG).c $(LIB) $(COMMON)/common.h $(COMMON)/common.mk | check-cc
	$(CC) $(LAB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(PROG).c $(LIB)

$(LIB): $(COMMON_OBJS)
	$(AR) rcs $@ $^

$(OBJDIR)/%.o: $(COMMON)/%.c $(HEADERS) $(COMMON)/common.mk | check-cc
	@mkdir -p $(OBJDIR)
	$(CC) $(LAB_CFLAGS) $(CFLAGS) -c -o $@ $<

check-cc:
	@command -v $(firstword $(CC)) >/dev/null 2>&1 || { echo "$(firstword $(CC)): C compiler not found (apt-get install build-essential)" >&2; exit 1; }

clean:
	rm -rf $(OUT)/$(PROG) $(OBJDIR)
