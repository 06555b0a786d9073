# runtime/runtime.mk - the runtime library (libgocc.a, libgocc-race.a), its
# header, and the runtime test suites (tests/runtime).
RT_SRC      := $(wildcard runtime/*.c)
# No runtime file is instrumented in the race build (like Go's runtime): its
# internal locks and hand-offs must not order goroutines for TSan, which would
# hide real races. With -DGOCC_RACE=1 it announces only the edges a program is
# entitled to (go statement, channel send->recv and close->recv, select, mutex
# unlock->lock, WaitGroup Done->Wait, once, cond, atomic value, sync map) by
# __tsan_acquire/__tsan_release (runtime/race.h, GOCC_RACE_* in chan.h) and
# keeps TSan's fibers in step with goroutine switches.
RT_BASE     := -I$(BUILD)/obj/backtrace/include -DGOCC_GDB_PY='"$(abspath runtime/gocc-gdb.py)"' -fno-omit-frame-pointer -D_GNU_SOURCE -std=gnu11 -pthread $(WARN) -MMD -MP
RT_CFLAGS   := -O2 -g $(RT_BASE)
RT_RFLAGS   := -O1 -g $(RT_BASE) -DGOCC_RACE=1
RT_ASM      := $(wildcard runtime/*.S)
RT_OBJ      := $(patsubst runtime/%.c,$(BUILD)/obj/runtime/%.o,$(RT_SRC)) $(patsubst runtime/%.S,$(BUILD)/obj/runtime/%.o,$(RT_ASM))
RT_ROBJ     := $(patsubst runtime/%.c,$(BUILD)/obj/runtime-race/%.o,$(RT_SRC)) $(patsubst runtime/%.S,$(BUILD)/obj/runtime/%.o,$(RT_ASM))
BOOST_A     := /usr/lib/x86_64-linux-gnu/libboost_context.a
BOOST_OBJ   := $(addprefix $(BUILD)/obj/boost/,make_x86_64_sysv_elf_gas.o jump_x86_64_sysv_elf_gas.o ontop_x86_64_sysv_elf_gas.o)
# Tracebacks symbolize with GCC's libbacktrace (Debian's libgcc-12-dev ships it with
# its header, for gcc's own use): its objects go into libgocc.a like Boost's, so
# programs still link nothing but libc and pthreads. The header is copied into
# build/ so that clang, which does not search gcc's directory, finds it too.
# Its list of shared objects goes through gocc_tb_iterate_phdr (traceback.c),
# which leaves out the system's libraries: reading libc's separate debug info,
# where it is installed, costs a quarter of a second per report.
BT_A        := $(shell gcc -print-file-name=libbacktrace.a)
BT_INC      := $(BUILD)/obj/backtrace/include
BT_STAMP    := $(BUILD)/obj/backtrace/stamp
BT_OBJ      := $(addprefix $(BUILD)/obj/backtrace/,atomic.o dwarf.o fileline.o posix.o print.o sort.o state.o backtrace.o simple.o elf.o mmapio.o mmap.o)

ALL += $(BUILD)/lib/libgocc.a $(BUILD)/lib/libgocc-race.a $(BUILD)/include/gocc.h

$(BOOST_OBJ): $(BOOST_A)
	@mkdir -p $(BUILD)/obj/boost
	cd $(BUILD)/obj/boost && ar x $(BOOST_A) $(notdir $@) && touch $(notdir $@)

$(BT_STAMP): $(BT_A)
	@mkdir -p $(BT_INC)
	cd $(BUILD)/obj/backtrace && ar x $(BT_A)
	objcopy --redefine-sym dl_iterate_phdr=gocc_tb_iterate_phdr $(BUILD)/obj/backtrace/elf.o
	cp $(dir $(BT_A))include/backtrace.h $(dir $(BT_A))include/backtrace-supported.h $(BT_INC)/
	touch $@

$(BT_OBJ): $(BT_STAMP)

$(BUILD)/obj/runtime/%.o: runtime/%.c $(BT_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c $< -o $@

# The goroutine switch (ctxjump.S); the race library links the same object.
$(BUILD)/obj/runtime/%.o: runtime/%.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(BUILD)/obj/runtime-race/%.o: runtime/%.c runtime/runtime.mk $(BT_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(RT_RFLAGS) -c $< -o $@

$(BUILD)/lib/libgocc.a: $(RT_OBJ) $(BOOST_OBJ) $(BT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libgocc-race.a: $(RT_ROBJ) $(BOOST_OBJ) $(BT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/include/gocc.h: runtime/include/gocc.h
	@mkdir -p $(dir $@)
	cp $< $@

# traceback.c embeds the gdb script (.incbin): rebuild it when the script changes.
$(BUILD)/obj/runtime/traceback.o $(BUILD)/obj/runtime-race/traceback.o: runtime/gocc-gdb.py

-include $(RT_OBJ:.o=.d) $(RT_ROBJ:.o=.d)

# --- tests/runtime ----------------------------------------------------------
# Each tests/runtime/test_*.c defines GOCC_TEST(name) and GOCC_HELPER(name)
# functions; the registry is generated from those lines. test_stress_*.c
# also run under TSan; test_stress_race_*.c run only there.
RTT_SRC     := $(filter-out tests/runtime/test_stress_race_%,$(wildcard tests/runtime/test_*.c))
RTT_STRESS  := $(wildcard tests/runtime/test_stress_*.c)
RTT_DIR     := $(BUILD)/tests/runtime
RTT_CFLAGS  := -O1 -g -fno-omit-frame-pointer -D_GNU_SOURCE -std=gnu11 -pthread $(WARN) -iquote runtime -iquote tests/runtime -MMD -MP
RTT_OBJ     := $(patsubst tests/runtime/%.c,$(RTT_DIR)/%.o,$(RTT_SRC) tests/runtime/runner.c) $(RTT_DIR)/registry.o
RTT_ROBJ    := $(patsubst tests/runtime/%.c,$(RTT_DIR)/race/%.o,$(RTT_STRESS) tests/runtime/runner.c) $(RTT_DIR)/race/registry.o

ALL += $(RTT_DIR)/runner $(RTT_DIR)/runner-race
SUITES += "$(RTT_DIR)/runner --name runtime" "$(RTT_DIR)/runner-race --name runtime-race"

define rtt_registry
	@mkdir -p $(dir $@)
	{ echo '#include "gtest.h"'; \
	  for f in $(1); do sed -n 's/^GOCC_\(TEST\|HELPER\)(\([A-Za-z0-9_]*\)).*/GTEST_DECL(\1, \2)/p' $$f; done; \
	  echo 'const gtest_entry gtest_registry[] = {'; \
	  for f in $(1); do sed -n 's/^GOCC_\(TEST\|HELPER\)(\([A-Za-z0-9_]*\)).*/GTEST_ENTRY(\1, \2)/p' $$f; done; \
	  echo '{0, 0, 0}};'; } > $@.$$$$.tmp && mv $@.$$$$.tmp $@
endef

$(RTT_DIR)/registry.c: $(RTT_SRC) runtime/runtime.mk
	$(call rtt_registry,$(RTT_SRC))

$(RTT_DIR)/race/registry.c: $(RTT_STRESS) runtime/runtime.mk
	$(call rtt_registry,$(RTT_STRESS))

$(RTT_DIR)/%.o: tests/runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RTT_CFLAGS) -c $< -o $@

$(RTT_DIR)/registry.o: $(RTT_DIR)/registry.c
	$(CC) $(RTT_CFLAGS) -c $< -o $@

$(RTT_DIR)/race/%.o: tests/runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RTT_CFLAGS) -fsanitize=thread -DGOCC_RACE=1 -c $< -o $@

$(RTT_DIR)/race/registry.o: $(RTT_DIR)/race/registry.c
	$(CC) $(RTT_CFLAGS) -fsanitize=thread -c $< -o $@

$(RTT_DIR)/runner: $(RTT_OBJ) $(BUILD)/lib/libgocc.a
	$(CC) -pthread -o $@ $(RTT_OBJ) $(BUILD)/lib/libgocc.a -lcunit

$(RTT_DIR)/runner-race: $(RTT_ROBJ) $(BUILD)/lib/libgocc-race.a
	$(CC) -pthread -fsanitize=thread -o $@ $(RTT_ROBJ) $(BUILD)/lib/libgocc-race.a -lcunit

-include $(RTT_OBJ:.o=.d) $(RTT_ROBJ:.o=.d)
