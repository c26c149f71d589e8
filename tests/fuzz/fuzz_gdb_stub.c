/* fuzz_gdb_stub.c: libFuzzer target for buffervm's gdb stub (monitor/gdb_rsp.c, gdb_stub.c,
 * gdb_target.c), in process: each input is the byte stream gdb would send (packets, acks, interrupt
 * bytes, noise), written into one end of a socket pair whose other end is the stub's connection,
 * then closed. A stand-in kernel serves the stub's GDB hostcalls from a real guest memory: the
 * first stop, then each action's result (memory bytes, registers, threads, auxv; at times results
 * larger than asked, which the stub must clamp) and a new stop after each resume, until the stub
 * lets the program go (detach, kill, gdb gone). A crash, a sanitizer report or a hang is a finding. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdb_stub.h"
#include "hostcall.h"

#define RAM (16ull << 20)
#define REQ_GPA 0x8000ull
#define XFER_GPA 0x10000ull
#define MAX_CALLS 300 /* GDB hostcalls per input (a resume without packets between: no loop forever) */

static struct guestmem gm;
static struct hc_ctx hc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (gm_init(&gm, RAM) < 0) {
        fprintf(stderr, "fuzz_gdb_stub: cannot reserve guest RAM\n");
        exit(2);
    }
    signal(SIGPIPE, SIG_IGN);
    hc_init(&hc, &gm, -1);
    return 0;
}

/* The stand-in kernel's answer to action a: the result, data in x (seed: varies the answers). */
static int64_t kernel_act(struct bvm_gdb_xfer *x, uint32_t seed)
{
    int64_t big = (seed & 7) == 0; /* now and then more than asked */
    switch (x->action) {
    case BVM_GDB_READ_MEM:
        if (x->addr >= 0x800000000000ull)
            return -EFAULT;
        memset(x->data, (int)seed, BVM_GDB_DATA);
        return big ? (int64_t)1 << 40 : x->len;
    case BVM_GDB_GET_REGS:
        memset(x->data, (int)(seed >> 3), sizeof(struct bvm_gdb_regs));
        return x->arg_tid > 0x10000 ? -ESRCH : 0;
    case BVM_GDB_THREADS: {
        struct bvm_gdb_thread t[3] = {{100, "prog"}, {101, "wor<ker&\"\x01"}, {102, ""}};
        memset(t[2].name, 'x', sizeof t[2].name); /* not NUL-terminated */
        memcpy(x->data, t, sizeof t);
        return big ? 100000 : 3;
    }
    case BVM_GDB_AUXV:
    case BVM_GDB_SIGINFO:
        memset(x->data, 0x5a, 512);
        return big ? (int64_t)1 << 33 : 368;
    case BVM_GDB_WATCH_SET:
        return (seed & 3) ? 0 : -ENOSPC;
    default:
        return (seed & 15) ? 0 : -EINVAL;
    }
}

/* One GDB hostcall: 1 while the stub holds the program, 0 when it let it go or there is no gdb. */
static int gdb_call(uint32_t *seed)
{
    struct bvm_hostcall req = {.nr = BVM_HC_GDB};
    req.u.out.out_gpa = XFER_GPA;
    req.u.out.out_len = sizeof(struct bvm_gdb_xfer);
    gm_write(&gm, REQ_GPA, &req, sizeof req);
    hc_serve(&hc, REQ_GPA);
    gm_read(&gm, REQ_GPA, &req, sizeof req);
    if (req.ret < 0)
        return 0;
    struct bvm_gdb_xfer *x = (struct bvm_gdb_xfer *)gm_ptr_w(&gm, XFER_GPA, sizeof *x);
    *seed = *seed * 1103515245u + 12345u;
    switch (x->action) {
    case BVM_GDB_DETACH:
    case BVM_GDB_KILL:
        return 0;
    case BVM_GDB_RESUME: /* the program ran: a new stop, of one kind or another */
        x->why = (*seed >> 8) % 4 + BVM_GDB_TRAP;
        x->signo = (int32_t)((*seed >> 12) % 70);
        x->tid = 100 + (int32_t)((*seed >> 20) % 3);
        x->flags = (*seed >> 24) & 7;
        x->stop_addr = 0x401000;
        return 1;
    default:
        x->result = kernel_act(x, *seed);
        x->why = BVM_GDB_DONE;
        return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    int big = 1 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big); /* the stub's replies, never read */
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    fcntl(sv[0], F_SETFL, O_NONBLOCK); /* (a reply that would not fit: the stub's gdb is gone) */
    if (write(sv[1], data, size) != (ssize_t)size)
        abort();
    shutdown(sv[1], SHUT_WR);
    gdb_stub_use_fd(sv[0], "/bin/true");
    struct bvm_gdb_xfer *x = (struct bvm_gdb_xfer *)gm_ptr_w(&gm, XFER_GPA, sizeof *x);
    memset(x, 0, sizeof *x);
    x->why = BVM_GDB_START;
    x->signo = 5;
    x->tid = 100;
    uint32_t seed = (uint32_t)size;
    for (int calls = 0; calls < MAX_CALLS && gdb_call(&seed); calls++)
        ;
    gdb_stub_fork_child(); /* (closes the stub's end) */
    close(sv[1]);
    return 0;
}
