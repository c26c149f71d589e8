# hcfuzz.mk: the hostile-kernel hostcall fuzzer (tests/hcfuzz/run.sh): a shim kernel made of the real
# kernel's objects with tests/hcfuzz/*.c in place of guest/kernel/main.c, compiled and linked as the
# kernel is; buffervm boots it with --kernel.
HCFUZZ_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard tests/hcfuzz/*.c))
HCFUZZ_KERNEL_OBJ := $(filter-out $(B)/guest/kernel/main.o,$(KERNEL_OBJ))
TESTS_BUILD += $(B)/tests/hcfuzz/hcfuzz.elf

$(B)/tests/hcfuzz/%.o: tests/hcfuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LTO) -Iguest/kernel -c $< -o $@

$(B)/tests/hcfuzz/hcfuzz.elf: $(HCFUZZ_KERNEL_OBJ) $(HCFUZZ_OBJ) guest/kernel/kernel.ld
	$(GUEST_LINK) -o $@ $(HCFUZZ_KERNEL_OBJ) $(HCFUZZ_OBJ)
