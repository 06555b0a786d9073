# Shared by tests/examples/run and tests/examples/race. Sourced, not run.
# Counters and result lines in the form the aggregator expects.
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# Indent and cap a file's content for a failure message.
show() { sed -n '1,15s/^/     | /p' "$1"; }

# run_prog BIN PROCS OUTDIR: runs BIN with GOMAXPROCS=PROCS ("default": unset),
# leaving OUTDIR/out, OUTDIR/err and OUTDIR/status.
run_prog() {
  local bin=$1 procs=$2 dir=$3 st
  if [ "$procs" = default ]; then
    (unset GOMAXPROCS; exec timeout 30 "$bin" >"$dir/out" 2>"$dir/err" </dev/null); st=$?
  else
    GOMAXPROCS=$procs timeout 30 "$bin" >"$dir/out" 2>"$dir/err" </dev/null; st=$?
  fi
  echo "$st" >"$dir/status"
}

# The C compilers to build with: gcc and clang, those that are installed.
compilers() {
  local c
  for c in ${EXAMPLES_CC:-gcc clang}; do command -v "$c" >/dev/null && echo "$c"; done
}
