#!/usr/bin/env bash
# build.sh - install what is missing, build, test, install.
#   ./build.sh            install missing Debian packages, then build into build/
#   ./build.sh test       build, then run every test suite; ends with "N passed, N failed"
#   ./build.sh install    build, then install (PREFIX=/usr/local, DESTDIR honoured)
#   ./build.sh bench      build, then run the benchmarks against their Go twins
#   ./build.sh clean
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the build and the tests need (package:file that proves it is there).
deps=(
  libtree-sitter-dev:/usr/include/tree_sitter/api.h
  libboost-context-dev:/usr/lib/x86_64-linux-gnu/libboost_context.a
  libcunit1-dev:/usr/include/CUnit/CUnit.h
  gcc:/usr/bin/gcc
  clang:/usr/bin/clang
  libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
  make:/usr/bin/make
  pkg-config:/usr/bin/pkg-config
  cmake:/usr/bin/cmake
  ninja-build:/usr/bin/ninja
  gdb:/usr/bin/gdb
  npm:/usr/bin/npm
  python3:/usr/bin/python3
  dpkg-dev:/usr/bin/dpkg-source
  debian-archive-keyring:/usr/share/keyrings/debian-archive-keyring.gpg
  tcl:/usr/bin/tclsh
)

ensure_deps() {
  local missing=() d
  for d in "${deps[@]}"; do [ -e "${d#*:}" ] || missing+=("${d%%:*}"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "build.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; }
  else
    echo "build.sh: missing packages; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
}

jobs=$(nproc 2>/dev/null || echo 2)
cmd=${1:-build}
case "$cmd" in
  build)   ensure_deps; make -j"$jobs" all ;;
  test)    ensure_deps; make -j"$jobs" all; make test ;;
  install) ensure_deps; make -j"$jobs" all; make install PREFIX="${PREFIX:-/usr/local}" DESTDIR="${DESTDIR:-}" ;;
  bench)   ensure_deps; make -j"$jobs" all; shift; exec bench/run "$@" ;;
  clean)   make clean ;;
  *) echo "usage: ./build.sh [build|test|install|bench|clean]" >&2; exit 2 ;;
esac
