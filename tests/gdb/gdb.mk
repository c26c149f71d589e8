# gdb.mk: the programs the gdb tests debug (tests/gdb/run.sh): target, static (.glibc) and
# dynamic (.dyn), spin (static) and threads (dynamic), at -O0 with full debug information.
GDB_DIR := $(B)/tests/gdb
$(GDB_DIR)/target.glibc: tests/gdb/target.c
	@mkdir -p $(dir $@)
	gcc -static -g -O0 -o $@ $<
$(GDB_DIR)/target.dyn: tests/gdb/target.c
	@mkdir -p $(dir $@)
	gcc -g -O0 -o $@ $<
$(GDB_DIR)/spin.glibc: tests/gdb/spin.c
	@mkdir -p $(dir $@)
	gcc -static -g -O0 -o $@ $<
$(GDB_DIR)/threads.dyn: tests/gdb/threads.c
	@mkdir -p $(dir $@)
	gcc -g -O0 -pthread -o $@ $<
TESTS_BUILD += $(GDB_DIR)/threads.dyn
TESTS_BUILD += $(GDB_DIR)/target.glibc $(GDB_DIR)/target.dyn $(GDB_DIR)/spin.glibc
