# The one build. Each component adds its outputs to ALL and its test suites
# to SUITES (commands run by tests/run-suites from the project root).
# Outputs: build/bin/gocc, build/lib/libgocc.a (+ libgocc-race.a),
# build/include/gocc.h; the driver finds the last two relative to itself.
BUILD    := build
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wno-unused-parameter
PREFIX   ?= /usr/local
DESTDIR  ?=

ALL    :=
SUITES :=

.PHONY: all test install clean
.DEFAULT_GOAL := all

include runtime/runtime.mk
include frontend/frontend.mk
include codegen/codegen.mk
include driver/driver.mk
include examples/examples.mk
include tests/debug/debug.mk
include install.mk

all: $(ALL)

test: all
	@tests/run-suites $(SUITES)

clean:
	rm -rf $(BUILD)
