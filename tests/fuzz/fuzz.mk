# fuzz.mk: the libFuzzer targets (clang -fsanitize=fuzzer with ASan and UBSan), each built from the
# sources it exercises with that instrumentation; tests/fuzz/run.sh runs them. Needs clang and its
# runtime (Debian: clang, libclang-rt-N-dev). The two -Wno-: clang's reading of a KVM header struct
# and libseccomp's SCMP_A* macros, both fine under gcc's -Werror build.
FUZZ_DIR := $(B)/fuzz
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g -Iinclude -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Werror \
    -Wno-gnu-variable-sized-type-not-at-end -Wno-missing-field-initializers
FUZZ_TARGETS := fuzz_hostcall fuzz_prog fuzz_kernel_exec fuzz_softcpu fuzz_check_syms fuzz_gdb_stub
FUZZ_MONITOR_SRC := $(filter-out monitor/main.c,$(MONITOR_SRC)) $(COMMON_SRC)

$(FUZZ_DIR)/fuzz_hostcall: tests/fuzz/fuzz_hostcall.c $(FUZZ_MONITOR_SRC) $(B)/monitor/safe_syscall.o \
    $(B)/monitor/blobs.o $(B)/libsoftcpu.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isoftcpu -Imonitor -o $@ $< $(FUZZ_MONITOR_SRC) $(B)/monitor/safe_syscall.o \
	    $(B)/monitor/blobs.o $(B)/libsoftcpu.a $(MONITOR_LIBS)

$(FUZZ_DIR)/fuzz_gdb_stub: tests/fuzz/fuzz_gdb_stub.c $(FUZZ_MONITOR_SRC) $(B)/monitor/safe_syscall.o \
    $(B)/monitor/blobs.o $(B)/libsoftcpu.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isoftcpu -Imonitor -o $@ $< $(FUZZ_MONITOR_SRC) $(B)/monitor/safe_syscall.o \
	    $(B)/monitor/blobs.o $(B)/libsoftcpu.a $(MONITOR_LIBS)

$(FUZZ_DIR)/fuzz_prog: tests/fuzz/fuzz_prog.c monitor/prog.c $(COMMON_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Imonitor -o $@ $^

$(FUZZ_DIR)/fuzz_check_syms: tests/fuzz/fuzz_check_syms.c monitor/check_syms.c monitor/elf_file.c $(COMMON_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Imonitor -o $@ $^

$(FUZZ_DIR)/fuzz_kernel_exec: tests/fuzz/fuzz_kernel_exec.c guest/kernel/elf.c guest/kernel/vma.c \
    guest/kernel/script.c $(COMMON_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iguest/kernel -o $@ $^

$(FUZZ_DIR)/fuzz_softcpu: tests/fuzz/fuzz_softcpu.c tests/cpu/difftest_soft.c $(SOFTCPU_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isoftcpu -Itests/cpu -o $@ $^ -lpthread

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
TESTS_BUILD += $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
.PHONY: fuzz-build
