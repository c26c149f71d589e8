/* fuzz_hostcall.c: libFuzzer target for the monitor's hostcall decoder and every handler, in
 * process: each input is one request (the first 192 bytes, struct bvm_hostcall) and the guest RAM
 * after it (the rest, up to 64 KiB at gpa 0x10000), served by hc_serve against a real 16 MiB guest memory.
 * A crash, a sanitizer report or a hang is a finding; the answers are not checked here (the
 * hostile-kernel fuzzer, tests/hcfuzz, checks them against its model).
 *
 * Hostile input does real host calls: run it as an unprivileged user in a scratch directory
 * without network, with -close_fd_mask=3 (the guest's stdout and stderr are then /dev/null and
 * libFuzzer's own output, sanitizer reports included, goes to a descriptor the guest cannot name:
 * the guest may seek, truncate or replace its stdio). tests/fuzz/run.sh does all that; the target
 * refuses root. FUZZ_SANDBOX=1 runs it under
 * --sandbox --rw . (the policy and the monitor's Landlock rules in force).
 * Left out, as in tests/hcfuzz: FORK (processes), KILL and STOP (act on processes), and the PROC
 * operations that change the fuzzer's own limits, title or threads. Between inputs the descriptors
 * the guest got are closed, its stdio (the fuzzer's own) put back, the directory, umask and the
 * queued events reset. A call that waits is
 * cut short after 10 ms by a signal (as one from outside would), so a hang is a real finding. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "hostcall.h"
#include "policy.h"

#define RAM (16ull << 20)
#define REQ_GPA 0x8000ull
#define DATA_GPA 0x10000ull
#define DATA_MAX 65536

static struct guestmem gm;
static struct hc_ctx hc;
static int home_fd, stdio_copy[3];
static timer_t watchdog;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (geteuid() == 0) {
        fprintf(stderr, "fuzz_hostcall: refusing to run as root (hostile input makes real host calls)\n");
        exit(2);
    }
    if (gm_init(&gm, RAM) < 0) {
        fprintf(stderr, "fuzz_hostcall: cannot reserve guest RAM\n");
        exit(2);
    }
    events_install(NULL);
    signal(SIGPIPE, SIG_IGN); /* as the monitor (run.c): a write to a closed pipe is EPIPE */
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 4};
    if (timer_create(CLOCK_MONOTONIC, &sev, &watchdog) < 0)
        exit(2);
    if (getenv("FUZZ_SANDBOX")) {
        static struct policy_opts po = {.sandbox = 1, .ngrants = 1, .grant = {"."}, .grant_rw = {1}};
        policy_init(&po, "/bin/true");
    }
    home_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    hc_init(&hc, &gm, -1);
    return 0;
}

/* Whether the request is one this target leaves out. */
static int left_out(const struct bvm_hostcall *r)
{
    if (r->nr == BVM_HC_FORK || r->nr == BVM_HC_KILL || r->nr == BVM_HC_STOP)
        return 1;
    if (r->nr != BVM_HC_PROC)
        return 0;
    switch (r->u.proc.op) {
    case BVM_PROC_SETRLIMIT: case BVM_PROC_SET_TITLE: case BVM_PROC_THREAD_NEW: case BVM_PROC_THREAD_END:
    case BVM_PROC_PDEATHSIG:
        return 1;
    default:
        return 0;
    }
}

static void reset(void)
{
    for (int i = 0; i < HC_MAX_FD / 64; i++) { /* the guest's fds, 64 at a time: most words are 0 */
        uint64_t w;
        memcpy(&w, hc.guest_fd + i * 8, 8);
        for (int fd = i * 64; w; fd++, w >>= 1)
            if ((w & 1) && fd > 2 && fd != home_fd)
                close(fd);
    }
    for (int fd = 0; fd < 3; fd++) /* the guest may have dup'ed a pipe onto them */
        if (stdio_copy[fd] > 0)
            dup2(stdio_copy[fd], fd);
    hc_init(&hc, &gm, -1);
    if (fchdir(home_fd) < 0)
        abort();
    umask(022);
    struct bvm_event e;
    while (events_take(&e))
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bvm_hostcall req;
    if (size < sizeof req)
        return 0;
    memcpy(&req, data, sizeof req);
    if (left_out(&req))
        return 0;
    if (!stdio_copy[0]) /* first input: libFuzzer has moved its own output off fd 1 and 2 by now */
        for (int fd = 0; fd < 3; fd++)
            stdio_copy[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 100);
    static const uint8_t zero[DATA_MAX];
    size_t rest = size - sizeof req;
    if (rest > DATA_MAX)
        rest = DATA_MAX;
    gm_write(&gm, DATA_GPA, data + sizeof req, rest);
    gm_write(&gm, REQ_GPA, &req, sizeof req);
    struct itimerspec cut = {.it_value = {.tv_nsec = 10 * 1000 * 1000}}, off = {{0, 0}, {0, 0}};
    timer_settime(watchdog, 0, &cut, NULL);
    hc_serve(&hc, REQ_GPA);
    timer_settime(watchdog, 0, &off, NULL);
    gm_write(&gm, DATA_GPA, zero, rest); /* the next input starts from the same RAM */
    reset();
    return 0;
}
