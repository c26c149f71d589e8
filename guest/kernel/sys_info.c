/* sys_info.c: what the system tells about itself: getrandom, uname, sysinfo. */
#include "bvm_linux.h"
#include "hostcall.h"
#include "palloc.h"
#include "syscall.h"
#include "usercopy.h"

int64_t sys_getrandom(SYSARGS)
{
    if (a2 & ~(uint64_t)(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
        return -LINUX_EINVAL;
    return user_io(BVM_HC_GETRANDOM, -1, a0, a1, 0, ACC_WRITE, (uint32_t)a2);
}

int64_t sys_uname(SYSARGS)
{
    int64_t r = hc_out(BVM_HC_UNAME, hc_bounce(), sizeof(struct linux_utsname));
    if (r < 0)
        return r;
    return copy_to_user(a0, hc_bounce(), sizeof(struct linux_utsname)) ? -LINUX_EFAULT : 0;
}

int64_t sys_sysinfo(SYSARGS)
{
    /* Describes the VM: its RAM, the kernel's free pages, one process. */
    struct linux_sysinfo si = {0};
    struct linux_timespec ts;
    if (host_clock(LINUX_CLOCK_BOOTTIME, &ts) == 0)
        si.uptime = ts.tv_sec;
    si.totalram = boot->ram_size;
    si.freeram = palloc_free_pages() * PAGE_SIZE;
    si.procs = 1;
    si.mem_unit = 1;
    return copy_to_user(a0, &si, sizeof(si)) ? -LINUX_EFAULT : 0;
}

