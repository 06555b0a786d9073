# examples/: one .gc program per example of the Go concurrency notes
# (shared/seeds/), each run with its expected output, and the race detector
# tried on the racy ones and their fixes. See examples/README.md.
SUITES += tests/examples/run tests/examples/race
