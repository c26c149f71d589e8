# fpu.mk: the x87/SSE special-value test (tests/cpu/fputest.c), host CPU vs soft CPU through the
# differential tester's host and soft runners (difftest_host.c, difftest_soft.c).
FPU_TEST := $(B)/tests/cpu/fputest
TESTS_BUILD += $(FPU_TEST)

$(FPU_TEST): tests/cpu/fputest.c tests/cpu/fputest_ctl.c tests/cpu/difftest_host.c \
             tests/cpu/difftest_soft.c \
             tests/cpu/difftest.h $(HARNESS) $(B)/libsoftcpu.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(HOST_CFLAGS)) -Isoftcpu -Itests/cpu -Itests -o $@ \
	    $(HARNESS_SRC) tests/cpu/fputest.c tests/cpu/fputest_ctl.c \
	    tests/cpu/difftest_host.c tests/cpu/difftest_soft.c $(B)/libsoftcpu.a
