# kernel.mk: host-side unit tests of the shim kernel's pure-logic pieces (VMA tree, user-range
# checks and segment lists, placing an ELF image, #! lines, the checker's CFI reader), compiled for the host
# from the kernel sources.
KERN_UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Iguest/kernel \
    -Itests -fsanitize=address,undefined -fno-sanitize-recover=all
KERN_UNIT_HDRS := tests/unit/kern_test.h $(HARNESS)
KERN_UNIT_TESTS := kern_vma kern_usercopy kern_elf kern_script kern_cfi

$(B)/tests/unit/kern_vma: tests/unit/kern_vma.c guest/kernel/vma.c $(KERN_UNIT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_UNIT_CFLAGS) -o $@ tests/unit/kern_vma.c $(HARNESS_SRC) guest/kernel/vma.c

$(B)/tests/unit/kern_usercopy: tests/unit/kern_usercopy.c guest/kernel/usercopy.c $(KERN_UNIT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_UNIT_CFLAGS) -o $@ tests/unit/kern_usercopy.c $(HARNESS_SRC) guest/kernel/usercopy.c

$(B)/tests/unit/kern_elf: tests/unit/kern_elf.c guest/kernel/elf.c guest/kernel/vma.c common/elf_check.c \
    $(KERN_UNIT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_UNIT_CFLAGS) -o $@ tests/unit/kern_elf.c $(HARNESS_SRC) guest/kernel/elf.c guest/kernel/vma.c \
	    common/elf_check.c

$(B)/tests/unit/kern_script: tests/unit/kern_script.c guest/kernel/script.c $(KERN_UNIT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_UNIT_CFLAGS) -o $@ tests/unit/kern_script.c $(HARNESS_SRC) guest/kernel/script.c

$(B)/tests/unit/kern_cfi: tests/unit/kern_cfi.c guest/kernel/check_cfi.c guest/kernel/check_cfi.h $(KERN_UNIT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KERN_UNIT_CFLAGS) -o $@ tests/unit/kern_cfi.c $(HARNESS_SRC) guest/kernel/check_cfi.c

TESTS_BUILD += $(KERN_UNIT_TESTS:%=$(B)/tests/unit/%)
