# tests.mk: build rules for the test tiers. Each tier keeps its own rules in tests/<tier>/*.mk
# and a tests/<tier>/run.sh that prints one line per test: "PASS name", "FAIL name: why" or
# "SKIP name: why". tests/run.sh runs every tier and prints the "N passed, M failed" total.
TESTS_BUILD :=
# The C harness of every tier (PASS/FAIL/SKIP lines), compiled into each C test program.
HARNESS_SRC := tests/harness.c
HARNESS := $(HARNESS_SRC) tests/harness.h
-include $(wildcard tests/*/*.mk)
tests-build: $(TESTS_BUILD)
