# cc.mk - the example with gocc as the C compiler, the way `make CC=gocc`
# builds work: the rules are cc's own, and gocc compiles .gc and .c files alike
# and links the runtime in.
#
#   make -f cc.mk CC=gocc      # or CC=/opt/gocc/bin/gocc
#   make -f cc.mk CC=gocc check
CC       = gocc
CPPFLAGS = -Iinclude
CFLAGS   = -O2 -g
OUT      = cc-out
OBJS     = $(OUT)/main.o $(OUT)/worker.o $(OUT)/stats.o

$(OUT)/pipeline: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/%.o: src/%.gc
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MD -MP -c $< -o $@

$(OUT)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MD -MP -c $< -o $@

-include $(OBJS:.o=.d)

.PHONY: check clean
check: $(OUT)/pipeline
	./$(OUT)/pipeline | diff -u expected.txt -

clean:
	rm -rf $(OUT)
