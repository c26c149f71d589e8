# sys.mk: the soft CPU's system tests (paging, IDT, rings, exits, SMC, counters, translated code, byte bounds).
SYSTEST_SRC := tests/cpu/systest.c tests/cpu/systest_cases.c tests/cpu/systest_jit.c tests/cpu/systest_paging.c tests/cpu/systest_code.S \
    tests/cpu/systest_bounds.c tests/cpu/systest_bounds_code.S
TESTS_BUILD += $(B)/tests/cpu/systest

$(B)/tests/cpu/systest: $(SYSTEST_SRC) $(HARNESS) tests/cpu/systest.h $(B)/libsoftcpu.a $(B)/guest/bootstrap.bin
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isoftcpu -Itests/cpu -Itests -o $@ $(HARNESS_SRC) $(SYSTEST_SRC) \
	    $(B)/libsoftcpu.a
