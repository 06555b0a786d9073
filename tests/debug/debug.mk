# tests/debug: the SIGQUIT dump, crash reports, panic call chains, GOTRACEBACK,
# the deadlock report's sync waits, the foreign-thread hint and the gdb
# extension (tests/debug/run; docs/debugging.md).
SUITES += tests/debug/run
