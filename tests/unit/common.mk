# common.mk: the unit test of common/ (code built into both the monitor and the kernel), host-built
# with sanitizers.
COMMON_UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Itests \
    -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/tests/unit/common_elf: tests/unit/common_elf.c common/elf_check.c include/bvm_elf.h $(HARNESS)
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_UNIT_CFLAGS) -o $@ tests/unit/common_elf.c $(HARNESS_SRC) common/elf_check.c

TESTS_BUILD += $(B)/tests/unit/common_elf
