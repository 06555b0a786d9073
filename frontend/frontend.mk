# frontend: the tree-sitter grammar of gc (frontend/grammar.js). The generated
# parser (frontend/src) is committed, so building needs no node; regenerate it
# with frontend/tools/generate (see frontend/README.md).
# FRONTEND_OBJS: link these (plus -ltree-sitter) to get tree_sitter_gc().
FRONTEND_OBJDIR := $(BUILD)/obj/frontend
FRONTEND_OBJS   := $(FRONTEND_OBJDIR)/parser.o $(FRONTEND_OBJDIR)/scanner.o
FRONTEND_CFLAGS := -std=c11 -O2 -g -fPIC -Ifrontend/src

$(FRONTEND_OBJDIR)/parser.o: frontend/src/parser.c frontend/src/tree_sitter/parser.h
	@mkdir -p $(@D)
	$(CC) $(FRONTEND_CFLAGS) -w -c $< -o $@

$(FRONTEND_OBJDIR)/scanner.o: frontend/src/scanner.c frontend/src/tree_sitter/parser.h
	@mkdir -p $(@D)
	$(CC) $(FRONTEND_CFLAGS) $(WARN) -c $< -o $@

ALL    += $(FRONTEND_OBJS)
SUITES += frontend/test/run

# The translator's robustness: crash/time/memory regressions and a short
# libFuzzer run (tests/fuzz/README.md).
SUITES += tests/fuzz/run
