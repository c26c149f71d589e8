/* main.c: kernel_main, the shim kernel's entry from the bootstrap: set up the CPU, memory, and exec. */
#include "bvm_linux.h"
#include "cpu.h"
#include "cred.h"
#include "exec.h"
#include "fd.h"
#include "filewin.h"
#include "fmt.h"
#include "fpu.h"
#include "hostcall.h"
#include "mm.h"
#include "pagetable.h"
#include "palloc.h"
#include "signal.h"
#include "task.h"
#include "string.h"
#include "trap.h"

#define KSTACK_SIZE (64u << 10)

/* Checked by the monitor when it loads the kernel ELF. */
__attribute__((section(".bvm_abi"), used)) static const struct bvm_abi_note abi_note = {BVM_BOOT_MAGIC,
                                                                                        BVM_ABI_VERSION};

const struct bvm_bootinfo *boot;
static uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));

static void check_bootinfo(void)
{
    char msg[96];
    if (boot->magic == BVM_BOOT_MAGIC && boot->abi_version == BVM_ABI_VERSION &&
        boot->ram_size >= BVM_MIN_RAM)
        return;
    ksnprintf(msg, sizeof(msg), "bad boot info: magic %#x abi %u (kernel abi %u) ram %#lx", boot->magic,
              boot->abi_version, BVM_ABI_VERSION, (unsigned long)boot->ram_size);
    hc_exit_panic(msg);
}

static _Noreturn void kernel_start(void)
{
    uint64_t ktop = (uint64_t)(uintptr_t)(kstack + KSTACK_SIZE);
    check_bootinfo();
    gdt_init(ktop);
    idt_init();
    syscall_init();
    palloc_init(boot);
    fw_init(boot);
    uint64_t root = pt_root();
    pt_drop_identity(root);
    mm_init(cur_as, root);
    fd_init();
    cred_init();
    task_init();
    cur->kstack_top = ktop;
    signal_init();
    fpu_init();
    if (boot->flags & BVM_BOOT_VERBOSE)
        kprintf("shim kernel: %lu MiB RAM, %lu free pages, exec %s", (unsigned long)(boot->ram_size >> 20),
                (unsigned long)palloc_free_pages(), (const char *)(uintptr_t)boot->exec_path);
    exec_boot_program();
}

/* Called by the bootstrap on its boot stack; arguments are also in the boot info, which is what
 * the kernel uses. */
_Noreturn void kernel_main(uint64_t entry, uint64_t stack_max, uint64_t tss, uint64_t argc, uint64_t argv,
                           uint64_t envp)
{
    /* The bss is zero: the monitor loads the kernel into fresh RAM (kernel_load.c) and nothing
     * has written it since; clearing its 8 MiB here would only make the host fault every page in. */
    boot = P2V(BVM_BOOTINFO_GPA);
    /* Move to the kernel's own stack (in the image) so nothing depends on the boot area's mapping. */
    run_on_stack((uint64_t)(uintptr_t)(kstack + KSTACK_SIZE), kernel_start);
}
