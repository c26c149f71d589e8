# cpu.mk: the CPU differential tester (host CPU vs soft CPU), linked against libsoftcpu.a.
CPU_TEST_DIR := $(B)/tests/cpu
DIFFTEST_SRC := $(wildcard tests/cpu/difftest*.c)
TESTS_BUILD += $(CPU_TEST_DIR)/difftest

$(CPU_TEST_DIR)/difftest: $(DIFFTEST_SRC) $(HARNESS) tests/cpu/difftest.h $(B)/libsoftcpu.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isoftcpu -Itests/cpu -Itests -o $@ $(HARNESS_SRC) $(DIFFTEST_SRC) \
	    $(B)/libsoftcpu.a -lZydis -lm
