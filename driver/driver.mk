# driver: build/bin/gocc, the compiler driver with the code generator linked
# in (codegen/*.c, the frontend's parser objects, -ltree-sitter).
DRIVER_SRCS := driver/driver.c driver/ccdiag.c $(wildcard codegen/*.c)
DRIVER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(DRIVER_SRCS))
DRIVER_CFLAGS := -std=gnu11 $(CFLAGS) $(WARN) -Ifrontend

$(BUILD)/obj/driver/%.o: driver/%.c driver/ccdiag.h codegen/codegen.h codegen/buf.h
	@mkdir -p $(@D)
	$(CC) $(DRIVER_CFLAGS) -c $< -o $@

$(BUILD)/obj/codegen/%.o: codegen/%.c $(wildcard codegen/*.h) frontend/gc.h
	@mkdir -p $(@D)
	$(CC) $(DRIVER_CFLAGS) -c $< -o $@

$(BUILD)/bin/gocc: $(DRIVER_OBJS) $(FRONTEND_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ -ltree-sitter

ALL += $(BUILD)/bin/gocc

# real C projects built with every .c as gc (fetches Debian sources)
SUITES += tests/realc/run
SUITES += tests/ccdiag/run
