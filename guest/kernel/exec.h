/* exec.h: loading the program named by the boot info and entering it. */
#ifndef EXEC_H
#define EXEC_H

#include "kernel.h"

/* Loads the ELF (and its PT_INTERP interpreter) at boot->exec_path into the current address space, builds the initial
 * stack from boot->argv/envp and enters user mode. On failure it ends the run with a message. */
_Noreturn void exec_boot_program(void);

struct elf_info;
/* interp_base: where the ELF interpreter was loaded (AT_BASE), 0 for none.
 * Writes the initial stack as Linux lays it out (strings at the top, then platform string, 16
 * random bytes, auxv, envp, argv, argc) and returns the 16-byte aligned RSP pointing at argc. */
uint64_t exec_build_stack(const struct elf_info *info, uint64_t interp_base, const char *execfn);

#endif
