# gocc.mk - build .gc sources from a GNU Makefile, with gocc as a preprocessor.
#
#   include /usr/local/share/gocc/gocc.mk     # or: $(shell pkg-config --variable=gocc_mk gocc)
#   GC_OBJS := $(call gocc_objects,src/main.gc src/worker.gc)
#   prog: $(GC_OBJS) src/other.o
#   	$(CC) $(LDFLAGS) $^ $(GOCC_LIBS) -o $@
#
# What it defines:
#   $(GOCC_OUTDIR)/DIR/NAME.gc/gc.c  <- DIR/NAME.gc   translate (gocc --translate);
#                                     the quoted headers the .gc file includes are
#                                     translated into the same directory
#   $(GOCC_OUTDIR)/DIR/NAME.o        <- that gc.c      compile with $(CC)
# and reads the depfiles both steps write, so touching a header rebuilds exactly
# the objects whose sources include it. Each .gc file gets a directory of its own,
# so parallel translations never write the same translated header.
#
# Variables (all have defaults; set GOCC and GOCC_OUTDIR before the include,
# the others anywhere):
#   GOCC         the driver            (default: bin/gocc of this file's install prefix)
#   GOCC_CFLAGS  flags the generated C needs  (-std=gnu11 -I<prefix>/include)
#   GOCC_LIBS    link flags for the runtime   (-L<prefix>/lib -lgocc -pthread)
#   GOCC_OUTDIR  where generated files and objects go (default: gocc-out)
#   GOCC_RACE    non-empty: the race detector (as gocc -race): GOCC_CFLAGS and
#                GOCC_LIBS get -fsanitize=thread (and -g, for the race reports
#                to name .gc lines) and libgocc-race.a (make clean
#                when switching; compile plain .c files with $(GOCC_CFLAGS) too
#                for their accesses to be checked)
#   GOCC_FLAGS   extra flags for the translate step; the -I, -D and -U flags of
#                CPPFLAGS are passed too (write them as -Idir, without a space)
#   CC, CPPFLAGS, CFLAGS as usual for the compile step.

ifndef gocc_mk_included
gocc_mk_included := 1

# This file lives in PREFIX/share/gocc/, so the prefix is two levels up.
gocc_mk_prefix := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)

GOCC        ?= $(gocc_mk_prefix)/bin/gocc
GOCC_RACE   ?=
GOCC_CFLAGS ?= -std=gnu11 -I$(gocc_mk_prefix)/include $(if $(GOCC_RACE),-fsanitize=thread -g)
GOCC_LIBS   ?= -L$(gocc_mk_prefix)/lib $(if $(GOCC_RACE),-lgocc-race -fsanitize=thread,-lgocc) -pthread
GOCC_OUTDIR ?= gocc-out
GOCC_FLAGS  ?=

# gocc_objects: the objects for a list of .gc files ($(GOCC_OUTDIR)/DIR/NAME.o).
gocc_objects = $(patsubst %.gc,$(GOCC_OUTDIR)/%.o,$(1))

# A rebuilt driver re-translates (when GOCC names a file, not a PATH lookup).
$(GOCC_OUTDIR)/%.gc/gc.c: %.gc $(wildcard $(GOCC))
	@mkdir -p $(@D)
	$(GOCC) --translate $(GOCC_FLAGS) $(filter -I% -D% -U%,$(CPPFLAGS)) \
	  -MD -MF $@.d -MT $@ $< -o $@

$(GOCC_OUTDIR)/%.o: $(GOCC_OUTDIR)/%.gc/gc.c
	$(CC) $(GOCC_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@ -c $< -o $@

# Keep the generated C (make would delete it as an intermediate file).
.PRECIOUS: $(GOCC_OUTDIR)/%.gc/gc.c

# Depfiles from earlier runs: translate steps (*.gc/gc.c.d) and compiles (*.d).
# Their targets must not become the makefile's default goal.
gocc_mk_goal := $(.DEFAULT_GOAL)
-include $(shell find '$(GOCC_OUTDIR)' -name '*.d' -type f 2>/dev/null)
.DEFAULT_GOAL := $(gocc_mk_goal)

endif
