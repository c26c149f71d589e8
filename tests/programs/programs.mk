# programs.mk: test programs, each C program built static with glibc and with musl (and one
# static-pie, and a few dynamic ones loaded through ld.so); raw_*.c freestanding and *.S assembly
# built without any libc.
PROG_DIR := $(B)/tests/programs
PROG_C   := $(filter-out tests/programs/raw_%.c,$(wildcard tests/programs/*.c))
PROG_DYN := hello threads epoll sockets sc_fs sc_io sc_mmap sc_shared sc_proc sc_exec execloop sig_basic sig_fault sig_outside proc_fork proc_share proc_fds thread_names vfork_heap ipc_shm
PROG_RAW := $(wildcard tests/programs/raw_*.c) $(wildcard tests/programs/*.S)
PROG_BINS := $(PROG_C:tests/programs/%.c=$(PROG_DIR)/%.glibc) \
             $(PROG_C:tests/programs/%.c=$(PROG_DIR)/%.musl) \
             $(PROG_DIR)/hello.spie \
             $(addprefix $(PROG_DIR)/,$(addsuffix .dyn,$(PROG_DYN)) $(addsuffix .mdyn,$(PROG_DYN))) \
             $(patsubst tests/programs/%,$(PROG_DIR)/%.raw,$(basename $(PROG_RAW))) \
             $(PROG_DIR)/shebang.sh $(PROG_DIR)/sh_procs.sh $(PROG_DIR)/fifo.sh $(PROG_DIR)/pty_jobs.py $(PROG_DIR)/ps_procs.sh \
             $(PROG_DIR)/make_project.sh $(PROG_DIR)/py_procs.py $(PROG_DIR)/py_threads.py $(PROG_DIR)/py_sockets.py $(PROG_DIR)/py_unix_names.py $(PROG_DIR)/pl_procs.pl \
             $(PROG_DIR)/cxx_threads.cxx $(PROG_DIR)/cxx_threads.cxxs $(PROG_DIR)/go_runtime.gostatic \
             $(PROG_DIR)/segs_ro_rw.elf $(PROG_DIR)/segs_rw_ro.elf $(PROG_DIR)/interp_too_long.elf \
             $(PROG_DIR)/huge_bss.elf $(PROG_DIR)/interp_exec.elf $(PROG_DIR)/odd_ident.elf
TESTS_BUILD += $(PROG_BINS)

$(PROG_DIR)/%.glibc: tests/programs/%.c
	@mkdir -p $(dir $@)
	gcc -static -O1 -g -w -o $@ $< -lm
$(PROG_DIR)/%.musl: tests/programs/%.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O1 -g -w -o $@ $< -lm
$(PROG_DIR)/%.spie: tests/programs/%.c
	@mkdir -p $(dir $@)
	gcc -static-pie -fpie -O1 -g -w -o $@ $<
$(PROG_DIR)/%.dyn: tests/programs/%.c
	@mkdir -p $(dir $@)
	gcc -O1 -g -w -o $@ $<
$(PROG_DIR)/%.mdyn: tests/programs/%.c
	@mkdir -p $(dir $@)
	musl-gcc -O1 -g -w -o $@ $<
$(PROG_DIR)/%.cxx: tests/programs/%.cc
	@mkdir -p $(dir $@)
	g++ -O1 -g -w -o $@ $< -pthread
$(PROG_DIR)/%.cxxs: tests/programs/%.cc
	@mkdir -p $(dir $@)
	g++ -static -O1 -g -w -o $@ $< -pthread
$(PROG_DIR)/%.gostatic: tests/programs/%.go
	@mkdir -p $(dir $@)
	CGO_ENABLED=0 GOCACHE=$(abspath $(B))/gocache GOPATH=$(abspath $(B))/gopath go build -o $@ $<
$(PROG_DIR)/%.raw: tests/programs/%.c
	@mkdir -p $(dir $@)
	gcc -static -nostdlib -ffreestanding -fno-pie -no-pie -fno-stack-protector -O1 -o $@ $<
$(PROG_DIR)/%.raw: tests/programs/%.S
	@mkdir -p $(dir $@)
	gcc -static -nostdlib -no-pie -o $@ $<

# "#!" scripts, run directly: the kernel reads their first line.
$(PROG_DIR)/%.sh: tests/programs/%.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@
$(PROG_DIR)/%.py: tests/programs/%.py
	@mkdir -p $(dir $@)
	install -m 755 $< $@
$(PROG_DIR)/%.pl: tests/programs/%.pl
	@mkdir -p $(dir $@)
	install -m 755 $< $@
# hand-made ELF files for loader corner cases (mkelf.py says which)
$(PROG_DIR)/%.elf: tests/programs/mkelf.py
	@mkdir -p $(dir $@)
	python3 $< $* $@ && chmod 755 $@

# Input files the cases read (copied into each scratch directory before a run).
$(PROG_DIR)/inputs/.stamp: tests/programs/inputs.sh tests/programs/mkelf.py
	bash $< $(PROG_DIR)/inputs && touch $@
TESTS_BUILD += $(PROG_DIR)/inputs/.stamp
