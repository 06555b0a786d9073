# install.mk - `make install` (PREFIX, DESTDIR) and the build-integration suite.
#
# Installs, under $(DESTDIR)$(PREFIX):
#   bin/gocc                              the driver
#   lib/libgocc.a, lib/libgocc-race.a     the runtime (the -race one if built)
#   include/gocc.h                        the runtime's public header
#   lib/pkgconfig/gocc.pc                 pkg-config file (generated for PREFIX)
#   lib/cmake/gocc/goccConfig.cmake       CMake package: find_package(gocc)
#   lib/cmake/gocc/goccConfigVersion.cmake
#   share/gocc/gocc.mk                    make include with the pattern rules
#   share/gocc/gocc-gdb.py                gdb extension (also embedded in every program)
# Nothing installed holds DESTDIR; gocc.pc is the only file that holds PREFIX
# (the driver, gocc.mk and the CMake package find the rest relative to
# themselves, so a copied or moved prefix keeps working).

BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share

# The version that gocc.pc and goccConfigVersion.cmake announce: what the built
# driver says (`gocc --version`, first line, first dotted number), else this.
GOCC_FALLBACK_VERSION := 0.1.0
gocc_version = $(or $(shell $(BUILD)/bin/gocc --version 2>/dev/null | \
  sed -n '1{s/^[^0-9]*\([0-9][0-9]*\(\.[0-9][0-9]*\)*\).*/\1/p;}'),$(GOCC_FALLBACK_VERSION))

# A directory under PREFIX, spelled ${prefix}/... for gocc.pc.
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

INSTALL      ?= install
INSTALL_DATA := $(INSTALL) -m 644

.PHONY: install uninstall

install: all
	$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBDIR)/pkgconfig' \
	  '$(DESTDIR)$(LIBDIR)/cmake/gocc' '$(DESTDIR)$(INCLUDEDIR)' '$(DESTDIR)$(DATADIR)/gocc'
	$(INSTALL) -m 755 $(BUILD)/bin/gocc '$(DESTDIR)$(BINDIR)/gocc'
	$(INSTALL_DATA) $(BUILD)/lib/libgocc.a '$(DESTDIR)$(LIBDIR)/libgocc.a'
	@if [ -f $(BUILD)/lib/libgocc-race.a ]; then \
	  echo "$(INSTALL_DATA) $(BUILD)/lib/libgocc-race.a '$(DESTDIR)$(LIBDIR)/libgocc-race.a'"; \
	  $(INSTALL_DATA) $(BUILD)/lib/libgocc-race.a '$(DESTDIR)$(LIBDIR)/libgocc-race.a'; \
	else echo "install: note: $(BUILD)/lib/libgocc-race.a not built; -race will not work" >&2; fi
	$(INSTALL_DATA) $(BUILD)/include/gocc.h '$(DESTDIR)$(INCLUDEDIR)/gocc.h'
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_rel,$(LIBDIR))|g' \
	    -e 's|@INCLUDEDIR@|$(call pc_rel,$(INCLUDEDIR))|g' -e 's|@DATADIR@|$(call pc_rel,$(DATADIR))|g' \
	    -e 's|@VERSION@|$(gocc_version)|g' \
	    pkgconfig/gocc.pc.in > '$(DESTDIR)$(LIBDIR)/pkgconfig/gocc.pc.tmp'
	mv -f '$(DESTDIR)$(LIBDIR)/pkgconfig/gocc.pc.tmp' '$(DESTDIR)$(LIBDIR)/pkgconfig/gocc.pc'
	chmod 644 '$(DESTDIR)$(LIBDIR)/pkgconfig/gocc.pc'
	$(INSTALL_DATA) cmake/goccConfig.cmake '$(DESTDIR)$(LIBDIR)/cmake/gocc/goccConfig.cmake'
	sed -e 's|@VERSION@|$(gocc_version)|g' cmake/goccConfigVersion.cmake.in \
	    > '$(DESTDIR)$(LIBDIR)/cmake/gocc/goccConfigVersion.cmake'
	chmod 644 '$(DESTDIR)$(LIBDIR)/cmake/gocc/goccConfigVersion.cmake'
	$(INSTALL_DATA) make/gocc.mk '$(DESTDIR)$(DATADIR)/gocc/gocc.mk'
	$(INSTALL_DATA) runtime/gocc-gdb.py '$(DESTDIR)$(DATADIR)/gocc/gocc-gdb.py'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/gocc' '$(DESTDIR)$(LIBDIR)/libgocc.a' \
	  '$(DESTDIR)$(LIBDIR)/libgocc-race.a' '$(DESTDIR)$(INCLUDEDIR)/gocc.h' \
	  '$(DESTDIR)$(LIBDIR)/pkgconfig/gocc.pc' \
	  '$(DESTDIR)$(LIBDIR)/cmake/gocc/goccConfig.cmake' \
	  '$(DESTDIR)$(LIBDIR)/cmake/gocc/goccConfigVersion.cmake' \
	  '$(DESTDIR)$(DATADIR)/gocc/gocc.mk' '$(DESTDIR)$(DATADIR)/gocc/gocc-gdb.py'
	-rmdir '$(DESTDIR)$(LIBDIR)/cmake/gocc' '$(DESTDIR)$(DATADIR)/gocc' 2>/dev/null

# Installs into a temporary prefix, then builds examples/build/ with make,
# CMake and `make CC=gocc`, with gcc and clang.
SUITES += tests/build/run
