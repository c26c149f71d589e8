/* binprm.c: execve's strings, kept as Linux keeps them on the new stack: growing down from the top
 * of a window, in kernel pages taken as the strings need them (the old image is still mapped). */
#include "binprm.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "palloc.h"
#include "string.h"
#include "usercopy.h"

#define STK_LIM (8ull << 20) /* Linux's _STK_LIM */

static struct binprm the_bprm;

static void close_fd(int *fd)
{
    if (*fd >= 0)
        hc_close(*fd);
    *fd = -1;
}

struct binprm *binprm_begin(void)
{
    struct binprm *b = &the_bprm;
    b->p = b->exec = ARGS_WINDOW;
    b->argmin = 0;
    b->argc = b->envc = 0;
    b->path_inaccessible = b->comm_from_file = false;
    b->fd = b->prog.fd = b->elf_interp.fd = -1;
    b->filename[0] = b->interp[0] = 0;
    return b;
}

void binprm_end(struct binprm *b)
{
    for (size_t i = 0; i < ARRAY_SIZE(b->page); i++) {
        if (b->page[i])
            palloc_unref(b->page[i]);
        b->page[i] = 0;
    }
    close_fd(&b->fd);
    close_fd(&b->prog.fd);
    close_fd(&b->elf_interp.fd);
}

int binprm_stack_limits(struct binprm *b, uint64_t rlim_stack)
{
    uint64_t limit = MAX(MIN(STK_LIM / 4 * 3, rlim_stack / 4), ARG_MAX_BYTES);
    uint64_t ptr_size = (MAX(b->argc, 1) + b->envc) * sizeof(uint64_t);
    if (limit <= ptr_size)
        return -LINUX_E2BIG;
    b->argmin = b->p - (limit - ptr_size);
    return 0;
}

/* The kernel address of window offset off; its page is taken first when alloc. NULL when there
 * is no page. */
static char *window_at(struct binprm *b, uint64_t off, bool alloc)
{
    uint64_t *pg = &b->page[off / PAGE_SIZE];
    if (!*pg && alloc)
        *pg = palloc_alloc();
    return *pg ? (char *)P2V(*pg) + off % PAGE_SIZE : NULL;
}

static const char *window_peek(const struct binprm *b, uint64_t off)
{
    kassert(b->page[off / PAGE_SIZE]);
    return (const char *)P2V(b->page[off / PAGE_SIZE]) + off % PAGE_SIZE;
}

/* Copies len bytes from src (user memory when user, else kernel) to window offset off. */
static int window_fill(struct binprm *b, uint64_t off, uint64_t src, uint64_t len, bool user)
{
    while (len) {
        uint64_t n = MIN(len, PAGE_SIZE - off % PAGE_SIZE);
        char *dst = window_at(b, off, true);
        if (!dst)
            return -LINUX_ENOMEM;
        if (!user)
            memcpy(dst, (const void *)(uintptr_t)src, n);
        else if (copy_from_user(dst, src, n))
            return -LINUX_EFAULT;
        off += n, src += n, len -= n;
    }
    return 0;
}

static int vec_get(uint64_t vec, uint64_t i, bool user, uint64_t *s)
{
    if (!user) {
        *s = ((const uint64_t *)(uintptr_t)vec)[i];
        return 0;
    }
    return copy_from_user(s, vec + i * sizeof(uint64_t), sizeof(uint64_t)) ? -LINUX_EFAULT : 0;
}

/* Linux's copy_strings for one string: length checks, then the bytes below p. */
static int copy_one(struct binprm *b, uint64_t s, bool user)
{
    int64_t len = user ? strnlen_user(s, MAX_ARG_STRLEN)
                       : (int64_t)strnlen((const char *)(uintptr_t)s, MAX_ARG_STRLEN) + 1;
    if (len < 0)
        return (int)len;
    if ((uint64_t)len > MAX_ARG_STRLEN || b->p - b->argmin < (uint64_t)len)
        return -LINUX_E2BIG;
    b->p -= (uint64_t)len;
    int err = window_fill(b, b->p, s, (uint64_t)len, user);
    if (!err)
        *window_at(b, b->p + (uint64_t)len - 1, false) = 0; /* even if the string changed meanwhile */
    return err;
}

int64_t binprm_count(uint64_t vec, bool user)
{
    uint64_t s;
    for (uint64_t i = 0; vec; i++) {
        if (vec_get(vec, i, user, &s))
            return -LINUX_EFAULT;
        if (!s)
            return (int64_t)i;
        if (i >= MAX_ARG_STRINGS)
            return -LINUX_E2BIG;
    }
    return 0;
}

int binprm_copy_strings(struct binprm *b, uint64_t vec, uint64_t n, bool user)
{
    while (n--) {
        uint64_t s;
        int err = vec_get(vec, n, user, &s);
        if (!err)
            err = copy_one(b, s, user);
        if (err)
            return err;
    }
    return 0;
}

int binprm_copy_kernel(struct binprm *b, const char *s)
{
    return copy_one(b, (uint64_t)(uintptr_t)s, false);
}

uint64_t binprm_strlen(const struct binprm *b, uint64_t off)
{
    uint64_t start = off;
    while (off < ARGS_WINDOW) {
        uint64_t n = PAGE_SIZE - off % PAGE_SIZE, l = strnlen(window_peek(b, off), n);
        off += l;
        if (l < n)
            return off - start + 1;
    }
    panic("binprm: string at %#lx has no NUL", (unsigned long)start);
}

void binprm_remove_arg0(struct binprm *b)
{
    if (!b->argc)
        return;
    b->p += binprm_strlen(b, b->p);
    b->argc--;
}

int binprm_copy_out(const struct binprm *b, uint64_t dst)
{
    for (uint64_t off = b->p; off < ARGS_WINDOW;) {
        uint64_t n = MIN(ARGS_WINDOW - off, PAGE_SIZE - off % PAGE_SIZE);
        if (copy_to_user(dst + (off - b->p), window_peek(b, off), n))
            return -LINUX_EFAULT;
        off += n;
    }
    return 0;
}
