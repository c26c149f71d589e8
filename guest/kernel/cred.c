/* cred.c: setuid and its kin. The guest's process is the monitor's host process, so the host
 * decides what may change (as Linux would: CAP_SETUID, or among the ids one has), and the monitor's
 * file accesses follow; the kernel keeps the ids the host reports back for the get calls. */
#include "cred.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "syscall.h"
#include "usercopy.h"

struct bvm_cred cred;

void cred_init(void)
{
    uint32_t u = (uint32_t)boot->uid, e = (uint32_t)boot->euid, g = (uint32_t)boot->gid, eg = (uint32_t)boot->egid;
    cred = (struct bvm_cred){u, e, e, e, g, eg, eg, eg};
}

static int64_t cred_call(int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    static struct bvm_cred after;
    struct bvm_hostcall *r = hc_req(BVM_HC_CRED);
    r->u.cred.nr = nr;
    r->u.cred.args[0] = a0, r->u.cred.args[1] = a1, r->u.cred.args[2] = a2;
    r->u.cred.out_gpa = kva_to_gpa(&after);
    int64_t ret = hc_issue();
    if (ret != -LINUX_EINVAL && ret != -LINUX_EFAULT)
        cred = after;
    return ret;
}

int64_t sys_getuid(SYSARGS) { return cred.uid; }
int64_t sys_geteuid(SYSARGS) { return cred.euid; }
int64_t sys_getgid(SYSARGS) { return cred.gid; }
int64_t sys_getegid(SYSARGS) { return cred.egid; }

/* uid_t arguments are 32 bits: the upper half of the register is not looked at, as on Linux. */
#define ID(x) ((uint64_t)(uint32_t)(x))

int64_t sys_setuid(SYSARGS) { return cred_call(105, ID(a0), 0, 0); }
int64_t sys_setgid(SYSARGS) { return cred_call(106, ID(a0), 0, 0); }
int64_t sys_setreuid(SYSARGS) { return cred_call(113, ID(a0), ID(a1), 0); }
int64_t sys_setregid(SYSARGS) { return cred_call(114, ID(a0), ID(a1), 0); }
int64_t sys_setresuid(SYSARGS) { return cred_call(117, ID(a0), ID(a1), ID(a2)); }
int64_t sys_setresgid(SYSARGS) { return cred_call(119, ID(a0), ID(a1), ID(a2)); }
int64_t sys_setfsuid(SYSARGS) { return cred_call(122, ID(a0), 0, 0); }
int64_t sys_setfsgid(SYSARGS) { return cred_call(123, ID(a0), 0, 0); }

static int64_t get_three(uint64_t p0, uint64_t p1, uint64_t p2, uint32_t v0, uint32_t v1, uint32_t v2)
{
    if (copy_to_user(p0, &v0, 4) || copy_to_user(p1, &v1, 4) || copy_to_user(p2, &v2, 4))
        return -LINUX_EFAULT;
    return 0;
}

int64_t sys_getresuid(SYSARGS) { return get_three(a0, a1, a2, cred.uid, cred.euid, cred.suid); }
int64_t sys_getresgid(SYSARGS) { return get_three(a0, a1, a2, cred.gid, cred.egid, cred.sgid); }

int64_t sys_setgroups(SYSARGS)
{
    static uint32_t list[LINUX_NGROUPS_MAX];
    int64_t n = (int32_t)a0;
    if (n < 0 || n > LINUX_NGROUPS_MAX)
        return -LINUX_EINVAL;
    if (copy_from_user(list, a1, (uint64_t)n * sizeof(list[0])))
        return -LINUX_EFAULT;
    return cred_call(116, (uint64_t)n, kva_to_gpa(list), 0);
}
