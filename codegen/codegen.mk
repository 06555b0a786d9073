# codegen: the lowering from gc to C (linked into build/bin/gocc by
# driver/driver.mk). Tests: golden translations (tests/codegen) and
# end-to-end programs (tests/e2e), both run through build/bin/gocc.
SUITES += tests/codegen/run tests/e2e/run tests/e2e/werror
SUITES += tests/e2e/driver-test
