# gdb.mk: the programs the gdb tests debug (tests/gdb/run.sh), at -O0 with full debug information:
# each tests/gdb/NAME.c as NAME.glibc (static) or NAME.dyn (dynamic), as the tests want them.
GDB_DIR := $(B)/tests/gdb
GDB_BINS := $(addprefix $(GDB_DIR)/,target.glibc target.dyn spin.glibc forks.glibc execs.glibc execs.dyn threads.dyn \
    heap_errors.dyn)
$(GDB_DIR)/%.glibc: tests/gdb/%.c
	@mkdir -p $(dir $@)
	gcc -static -g -O0 -pthread -o $@ $<
$(GDB_DIR)/%.dyn: tests/gdb/%.c
	@mkdir -p $(dir $@)
	gcc -g -O0 -pthread -o $@ $<
TESTS_BUILD += $(GDB_BINS)
