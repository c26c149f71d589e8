# BufferVM: top-level build. Everything goes out of tree into build/.
#   make          build build/buffervm (kernel and bootstrap embedded)
#   make demo     install missing Debian packages (as root), build, run a real program in the VM
#   make test     build and run every test tier; ends with "N passed, M failed"
#   make test-kvm the program tests on the kvm backend inside a nested VM (QEMU TCG + kvm_amd)
#   make bench    print the performance figures quoted in the README

B        := build
CC       ?= gcc
HOST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -MMD -MP
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Iguest/lib \
    -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
    -mgeneral-regs-only -mcmodel=kernel -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -MMD -MP
# The kernel's C is optimised as one program at link time: the heap checker's malloc path crosses
# a dozen small functions in other files (page tables, metadata, signals), each a call and a
# return the soft CPU pays for (bench/check.sh: 12% fewer guest instructions per malloc/free).
GUEST_LTO := -flto=auto
# Switches compile to compare trees, not jump tables: an indirect jump ends the soft CPU's
# translated code (the checker's dispatch by allocator function took two such exits per call).
GUEST_CFLAGS += -fno-jump-tables
GUEST_LINK = $(CC) $(GUEST_CFLAGS) $(GUEST_LTO) -static -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
    -Wl,--build-id=none -T guest/kernel/kernel.ld

SOFTCPU_SRC := $(wildcard softcpu/*.c)
SOFTCPU_OBJ := $(SOFTCPU_SRC:%.c=$(B)/%.o)
# common/: freestanding code built twice, once into each side, with that side's flags.
COMMON_SRC  := $(wildcard common/*.c)
MONITOR_SRC := $(wildcard monitor/*.c)
MONITOR_OBJ := $(MONITOR_SRC:%.c=$(B)/%.o) $(B)/monitor/blobs.o $(B)/monitor/safe_syscall.o \
    $(COMMON_SRC:%.c=$(B)/monitor/%.o)
MONITOR_LIBS := -lZydis -lseccomp -ldw -lelf
KERNEL_SRC  := $(wildcard guest/kernel/*.c guest/kernel/*.S guest/lib/*.c)
KERNEL_OBJ  := $(patsubst %,$(B)/%.o,$(basename $(KERNEL_SRC))) $(COMMON_SRC:%.c=$(B)/guest/%.o)

all: $(B)/buffervm

# ---- soft CPU library (knows nothing of BufferVM) ----
$(B)/softcpu/%.o: softcpu/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isoftcpu -c $< -o $@
$(B)/libsoftcpu.a: $(SOFTCPU_OBJ)
	rm -f $@ && ar rcs $@ $^

# ---- guest: constants for the assembly files, generated from the C headers (asm-offsets) ----
$(B)/guest/asm_offsets.h: guest/asm_offsets.c include/bvm_abi.h include/x86_arch.h guest/kernel/trap.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -Iguest/kernel -S $< -o $(B)/guest/asm_offsets.s
	sed -n 's/.*@@asm-const \([A-Za-z0-9_]*\) [$$]\{0,1\}\(-\{0,1\}[0-9]*\)@@.*/#define \1 \2/p' $(B)/guest/asm_offsets.s >$@.tmp
	mv $@.tmp $@

# ---- guest: 32-bit bootstrap (flat binary at guest address 0) ----
$(B)/guest/bootstrap.bin: guest/boot/bootstrap.S $(B)/guest/asm_offsets.h
	@mkdir -p $(dir $@)
	$(CC) -I$(B)/guest -c $< -o $(B)/guest/bootstrap.o
	ld -nostdlib -Ttext=0 -e 0 -o $(B)/guest/bootstrap.elf $(B)/guest/bootstrap.o
	objcopy -O binary -j .text $(B)/guest/bootstrap.elf $@

# ---- guest: shim kernel (freestanding, its own linker script) ----
$(B)/guest/%.o: guest/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LTO) -c $< -o $@
$(B)/guest/%.o: guest/%.S $(B)/guest/asm_offsets.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -I$(B)/guest -c $< -o $@
$(B)/guest/common/%.o: common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LTO) -c $< -o $@
$(B)/guest/kernel.elf: $(KERNEL_OBJ) guest/kernel/kernel.ld
	$(GUEST_LINK) -o $@ $(KERNEL_OBJ)

# ---- host monitor ----
$(B)/monitor/%.o: monitor/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isoftcpu -Imonitor -c $< -o $@
$(B)/monitor/common/%.o: common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@
$(B)/monitor/safe_syscall.o: monitor/safe_syscall.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@
$(B)/monitor/blobs.o: monitor/blobs.S $(B)/guest/kernel.elf $(B)/guest/bootstrap.bin
	$(CC) -c -DKERNEL_ELF='"$(B)/guest/kernel.elf"' -DBOOTSTRAP_BIN='"$(B)/guest/bootstrap.bin"' $< -o $@
$(B)/buffervm: $(MONITOR_OBJ) $(B)/libsoftcpu.a
	$(CC) -o $@ $(MONITOR_OBJ) $(B)/libsoftcpu.a $(MONITOR_LIBS)

# ---- tests ----
include tests/tests.mk

demo: deps all
	@echo '--- buffervm running busybox (a real static Linux program) inside the VM ---'
	$(B)/buffervm --verbose /bin/busybox echo 'hello from inside BufferVM'
	$(B)/buffervm /bin/busybox sh -c 'echo "sum of 1..10 = $$((1+2+3+4+5+6+7+8+9+10))"'

deps:
	@scripts/deps.sh

test: all tests-build
	@tests/run.sh

# Installs qemu-system-x86, busybox-static, cpio and kmod with apt-get when missing (as root) and
# caches the Debian kernel under $(B)/kvm/; fails, never skips, when the nested kvm run cannot happen.
test-kvm: all tests-build
	@tests/run.sh kvm

bench: all
	@bench/run.sh

clean:
	rm -rf $(B)

.PHONY: all demo deps test bench clean test-kvm tests-build
-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
