# tests.mk: build rules for the test tiers. Each tier keeps its own rules in tests/<tier>/*.mk
# and a tests/<tier>/run.sh that prints one line per test: "PASS name", "FAIL name: why" or
# "SKIP name: why". tests/run.sh runs every tier and prints the "N passed, M failed" total.
TESTS_BUILD :=
-include $(wildcard tests/*/*.mk)
tests-build: $(TESTS_BUILD)
