/* sc_exec.c: execve and execveat: the error paths, then a chain of images, each checking what the
 * new image sees: argv, envp, AT_EXECFN, comm, fds across exec, signal dispositions, #! rewrites. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sc_common.h"

extern char **environ;
static char self[4096]; /* this program's path, from /proc/self/exe */
static char *noargs[] = {"x", NULL}, *noenv[] = {NULL};

static void put_file(const char *name, const char *text, mode_t mode)
{
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, mode);
    write(fd, text, strlen(text));
    close(fd);
    chmod(name, mode);
}

static long execveat_(int dirfd, const char *path, char **argv, char **envp, int flags)
{
    return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

static void file_errors(void)
{
    put_file("noexec.txt", "echo hi\n", 0644);
    put_file("garbage", "\001\002\003 garbage\n", 0755);
    put_file("empty", "", 0755);
    put_file("nointerp.sh", "#!/nonexistent/interp -x\n", 0755);
    put_file("blank.sh", "#!   \t \n", 0755);
    put_file("loop.sh", "#!./loop.sh\n", 0755);
    T("execve ENOENT", execve("./does-not-exist", noargs, noenv));
    T("execve ENOENT empty path", execve("", noargs, noenv));
    T("execve ENOTDIR", execve("noexec.txt/x", noargs, noenv));
    T("execve EACCES not executable", execve("./noexec.txt", noargs, noenv));
    T("execve EACCES directory", execve(".", noargs, noenv));
    T("execve ENOEXEC garbage", execve("./garbage", noargs, noenv));
    T("execve ENOEXEC empty file", execve("./empty", noargs, noenv));
    T("execve ENOEXEC #! blank", execve("./blank.sh", noargs, noenv));
    T("execve #! interp missing", execve("./nointerp.sh", noargs, noenv));
    T("execve ELOOP #! loop", execve("./loop.sh", noargs, noenv));
}

static void arg_errors(void)
{
    static char path[5000];
    memset(path, 'a', sizeof path - 1);
    T("execve ENAMETOOLONG", execve(path, noargs, noenv));
    T("execve EFAULT path", execve((char *)1, noargs, noenv));
    T("execve EFAULT argv", execve(self, (char **)1, noenv));
    T("execve EFAULT argv[0]", execve(self, (char *[]){(char *)1, NULL}, noenv));
    T("execve EFAULT envp", execve(self, noargs, (char **)1));
    char *one = malloc(200000), *many[40];
    memset(one, 'b', 199999);
    one[199999] = 0;
    T("execve E2BIG one string", execve(self, (char *[]){"x", one, NULL}, noenv));
    one[100000] = 0;
    for (int i = 0; i < 39; i++)
        many[i] = one;
    many[39] = NULL;
    T("execve E2BIG total", execve(self, many, noenv));
    free(one);
}

static void at_errors(void)
{
    int fd = open("noexec.txt", O_RDONLY);
    symlink(self, "selflink");
    T("execveat EINVAL flags", execveat_(AT_FDCWD, self, noargs, noenv, 0x4));
    T("execveat EBADF", execveat_(99, "x", noargs, noenv, 0));
    T("execveat ENOENT no AT_EMPTY_PATH", execveat_(fd, "", noargs, noenv, 0));
    T("execveat EACCES fd", execveat_(fd, "", noargs, noenv, AT_EMPTY_PATH));
    T("execveat ENOTDIR relative to file", execveat_(fd, "x", noargs, noenv, 0));
    T("execveat ELOOP nofollow", execveat_(AT_FDCWD, "selflink", noargs, noenv, AT_SYMLINK_NOFOLLOW));
    close(fd);
}

static void handler(int sig) {}

/* State that must (or must not) survive the exec: fds, dispositions, mask, altstack, name. */
static void prepare_state(char *fds)
{
    static char alt[1 << 16];
    int keep = open("keep.txt", O_CREAT | O_RDWR | O_TRUNC, 0644), p[2];
    write(keep, "kept\n", 5);
    lseek(keep, 0, SEEK_SET);
    int drop = open("drop.txt", O_CREAT | O_RDWR | O_CLOEXEC, 0644), dupd = dup(drop);
    int setfd = dup(keep);
    fcntl(setfd, F_SETFD, FD_CLOEXEC);
    pipe(p);
    write(p[1], "through the pipe\n", 17);
    sprintf(fds, "%d,%d,%d,%d,%d", keep, drop, dupd, setfd, p[0]);
    signal(SIGUSR1, handler);
    signal(SIGUSR2, SIG_IGN);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    stack_t st = {.ss_sp = alt, .ss_size = sizeof alt};
    sigaltstack(&st, NULL);
    prctl(PR_SET_NAME, "renamed");
}

static void print_file(const char *what, const char *path)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    for (long i = 0; i < n; i++)
        buf[i] = buf[i] ? buf[i] : '|';
    printf("%s: %.*s", what, (int)(n > 0 ? n : 0), buf);
    printf(n > 0 && buf[n - 1] == '\n' ? "" : "\n");
    if (fd >= 0)
        close(fd);
}

static void print_image(int argc, char **argv)
{
    char name[16] = "", exe[4096];
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] '%s'\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        printf("env '%s'\n", *e);
    printf("AT_EXECFN '%s'\n", (char *)getauxval(AT_EXECFN));
    long n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    printf("exe '%s'\n", strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
    print_file("cmdline", "/proc/self/cmdline");
    prctl(PR_GET_NAME, name);
    printf("PR_GET_NAME '%s'\n", name);
    print_file("comm", "/proc/self/comm");
}

static void check_fd(const char *what, int fd)
{
    char buf[64];
    long flags = fcntl(fd, F_GETFD), n = flags < 0 ? -1 : read(fd, buf, sizeof buf);
    printf("%s fd: F_GETFD %ld, read '%.*s'\n", what, flags, (int)(n > 0 ? n - 1 : 0), buf);
}

static void check_state(const char *fds)
{
    int keep, drop, dupd, setfd, pipe_r;
    sscanf(fds, "%d,%d,%d,%d,%d", &keep, &drop, &dupd, &setfd, &pipe_r);
    check_fd("kept", keep);
    check_fd("O_CLOEXEC", drop);
    check_fd("dup of O_CLOEXEC", dupd);
    check_fd("F_SETFD FD_CLOEXEC", setfd);
    check_fd("pipe", pipe_r);
    struct sigaction a1, a2;
    sigaction(SIGUSR1, NULL, &a1);
    sigaction(SIGUSR2, NULL, &a2);
    printf("SIGUSR1 caught -> default: %d, SIGUSR2 ignored stays: %d\n", a1.sa_handler == SIG_DFL,
           a2.sa_handler == SIG_IGN);
    sigset_t s;
    sigprocmask(SIG_BLOCK, NULL, &s);
    printf("SIGTERM still blocked: %d\n", sigismember(&s, SIGTERM));
    stack_t st;
    sigaltstack(NULL, &st);
    printf("sigaltstack disabled: %d\n", (st.ss_flags & SS_DISABLE) != 0);
}

/* Stage 1: errors, then exec of /proc/self/exe with the state to check. */
static void stage1(void)
{
    char fds[64];
    file_errors();
    arg_errors();
    at_errors();
    prepare_state(fds);
    fflush(stdout);
    char *argv[] = {"stage2", fds, NULL}, *envp[] = {"E1=one", "E2=two words", NULL};
    T("execve /proc/self/exe", execve("/proc/self/exe", argv, envp));
}

/* Stage 2: what came through; then a #! script whose interpreter is another #! script. */
static void stage2(int argc, char **argv)
{
    char line[4200];
    print_image(argc, argv);
    check_state(argv[1]);
    snprintf(line, sizeof line, "#!  %s  script-arg with spaces \t\n", self);
    put_file("args.sh", line, 0755);
    put_file("nested.sh", "#! ./args.sh\nignored\n", 0755);
    fflush(stdout);
    T("execve nested script", execve("./nested.sh", (char *[]){"ignored", "n1", "n 2", NULL}, environ));
}

/* Stage 3: argv after two #! rewrites; then execveat of an fd with an empty argv and envp. */
static void stage3(int argc, char **argv)
{
    print_image(argc, argv);
    int fd = open(self, O_RDONLY);
    fflush(stdout);
    T("execveat AT_EMPTY_PATH", execveat_(fd, "", NULL, NULL, AT_EMPTY_PATH));
}

/* Stage 4: argv[0] is "" (Linux adds it to an empty argv), no environment. */
static void stage4(int argc, char **argv)
{
    printf("argc %d argv[0] '%s' env %s\n", argc, argv[0], environ[0] ? environ[0] : "(none)");
    printf("AT_EXECFN starts with /dev/fd/: %d\n", strncmp((char *)getauxval(AT_EXECFN), "/dev/fd/", 8) == 0);
}

int main(int argc, char **argv)
{
    long n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    struct rlimit r;
    getrlimit(RLIMIT_STACK, &r);
    r.rlim_cur = r.rlim_max < (8 << 20) ? r.rlim_max : 8 << 20; /* E2BIG's limit: a quarter of it */
    setrlimit(RLIMIT_STACK, &r);
    if (argc == 1 && argv[0][0] == 0)
        stage4(argc, argv);
    else if (argc == 2 && strcmp(argv[0], "stage2") == 0)
        stage2(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "script-arg with spaces") == 0)
        stage3(argc, argv);
    else
        stage1();
    return 0;
}
