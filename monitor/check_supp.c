/* check_supp.c: suppression files in valgrind's format:
 *
 *   {
 *      name
 *      Memcheck:Leak                 (tools, comma-separated, a colon, the error kind)
 *      match-leak-kinds: definite    (Leak only, optional: definite,indirect,possible,reachable,all)
 *      fun:malloc                    (a frame's function, with * and ? wildcards)
 *      obj:/usr/lib/libfoo.so*       (a frame's object file)
 *      ...                           (any number of frames, none included)
 *      fun:main
 *   }
 *
 * Comments (#) and blank lines between entries. The frame lines match the error's stack from its
 * first frame on; frames past the last line are not looked at. Kinds: Addr1..Addr32 (invalid read
 * or write of that size), Free (invalid and mismatched frees), SizeMismatch (a sized delete's
 * size), AlignMismatch (a delete's alignment), Leak. */
#include "check_supp.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

#define SUPP_MAX_FRAMES 64

struct supp {
    char *name;
    int memcheck;          /* the tools include Memcheck */
    char kind[32];         /* "Addr4", "Free", "Leak", ... */
    unsigned leak_kinds;   /* 1 << enum bvm_leak_kind; all of them when not given */
    int nframes;
    char *frame[SUPP_MAX_FRAMES]; /* "fun:pat", "obj:pat", "..." */
    uint64_t count;
    int used_at;           /* its place among the used ones (supp_used_*), or -1 */
};

static struct supp *supps;
static int nsupps, cap_supps, nused;
static int *used; /* indices of supps, in first-use order */

static char *dup_str(const char *s)
{
    char *d = strdup(s);
    if (!d)
        fail("memory", "out of memory");
    return d;
}

/* Trims leading and trailing blanks in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static unsigned leak_kinds(const char *s, const char *path, int line)
{
    unsigned mask = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        t = trim(t);
        int k = ce_leak_kind(t, strlen(t));
        if (!strcmp(t, "all"))
            return (1u << BVM_LK_COUNT) - 1;
        if (k < 0)
            fail("check", "%s:%d: bad match-leak-kinds '%s'", path, line, t);
        mask |= 1u << k;
    }
    return mask;
}

/* The line after "Tool,Tool:Kind": the tools and the kind. */
static void tools_and_kind(struct supp *s, char *t, const char *path, int line)
{
    char *colon = strchr(t, ':');
    if (!colon || !colon[1])
        fail("check", "%s:%d: expected TOOL:KIND (e.g. Memcheck:Leak), got '%s'", path, line, t);
    *colon = 0;
    for (char *save = NULL, *tool = strtok_r(t, ",", &save); tool; tool = strtok_r(NULL, ",", &save))
        s->memcheck |= !strcmp(trim(tool), "Memcheck");
    snprintf(s->kind, sizeof s->kind, "%s", colon + 1);
}

/* One line inside an entry, its n'th (0: the name). */
static void entry_line(struct supp *s, int n, char *t, const char *path, int line)
{
    if (n == 0) {
        s->name = dup_str(t);
    } else if (n == 1) {
        tools_and_kind(s, t, path, line);
    } else if (n == 2 && !strncmp(t, "match-leak-kinds:", 17)) {
        s->leak_kinds = leak_kinds(t + 17, path, line);
    } else if (!strcmp(t, "...") || !strncmp(t, "fun:", 4) || !strncmp(t, "obj:", 4) || !strncmp(t, "src:", 4)) {
        if (s->nframes == SUPP_MAX_FRAMES)
            fail("check", "%s:%d: more than %d frame lines", path, line, SUPP_MAX_FRAMES);
        s->frame[s->nframes++] = dup_str(t);
    } else if (n == 2 && !strcmp(s->kind, "Param")) {
        /* a Param's syscall parameter name: kept out of the frames (no such error here) */
    } else {
        fail("check", "%s:%d: expected fun:, obj:, src: or ..., got '%s'", path, line, t);
    }
}

void supp_load(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    int line = 0, in = 0, n = 0;
    struct supp s;
    if (!f)
        fail("check", "cannot read the suppressions file '%s': %s", path, strerror(errno));
    while (fgets(buf, sizeof buf, f)) {
        char *t = trim(buf);
        line++;
        if (!in && (!*t || *t == '#'))
            continue;
        if (!in) {
            if (strcmp(t, "{"))
                fail("check", "%s:%d: expected '{' to start a suppression, got '%s'", path, line, t);
            memset(&s, 0, sizeof s);
            s.leak_kinds = (1u << BVM_LK_COUNT) - 1;
            s.used_at = -1;
            in = 1, n = 0;
        } else if (!strcmp(t, "}")) {
            if (n < 2)
                fail("check", "%s:%d: a suppression needs a name and a TOOL:KIND line", path, line);
            if (nsupps == cap_supps) {
                cap_supps = cap_supps ? 2 * cap_supps : 16;
                if (!(supps = realloc(supps, (size_t)cap_supps * sizeof *supps)))
                    fail("memory", "out of memory");
            }
            supps[nsupps++] = s;
            in = 0;
        } else if (*t) {
            entry_line(&s, n++, t, path, line);
        }
    }
    fclose(f);
    if (in)
        fail("check", "%s: the last suppression has no closing '}'", path);
}

/* ---- matching ---- */

static int frame_matches(const char *pat, const struct ce_frame *f)
{
    char src[SYM_NAME_MAX + 16];
    if (!strncmp(pat, "fun:", 4))
        return fnmatch(pat + 4, f->known && f->s.fn[0] ? f->s.fn : "???", 0) == 0;
    if (!strncmp(pat, "obj:", 4))
        return fnmatch(pat + 4, f->obj ? f->obj : "???", 0) == 0;
    snprintf(src, sizeof src, "%s:%d", f->known ? f->s.file : "???", f->known ? f->s.line : 0);
    return fnmatch(pat + 4, src, 0) == 0; /* src:file.c:12 */
}

/* Frame lines p[i..] against the stack from frame j on ("..." takes any number of frames). */
static int frames_match(const struct supp *s, int i, const struct ce_stack *st, int j)
{
    if (i == s->nframes)
        return 1;
    if (!strcmp(s->frame[i], "...")) {
        for (int k = j; k <= st->n; k++)
            if (frames_match(s, i + 1, st, k))
                return 1;
        return 0;
    }
    return j < st->n && frame_matches(s->frame[i], &st->f[j]) && frames_match(s, i + 1, st, j + 1);
}

static int kind_matches(const struct supp *s, const struct check_error *e)
{
    char kind[16];
    if (!s->memcheck || strcmp(s->kind, ce_supp_kind(e, kind)))
        return 0;
    return e->kind < CE_LEAK || (s->leak_kinds >> (e->kind - CE_LEAK) & 1);
}

int supp_match(const struct check_error *e)
{
    for (int i = 0; i < nsupps; i++) {
        struct supp *s = &supps[i];
        if (!kind_matches(s, e) || !frames_match(s, 0, &e->stack, 0))
            continue;
        if (s->used_at < 0) {
            if (!(used = realloc(used, (size_t)(nused + 1) * sizeof *used)))
                fail("memory", "out of memory");
            s->used_at = nused;
            used[nused++] = i;
        }
        s->count++;
        return i;
    }
    return -1;
}

void supp_count_again(int i)
{
    if (i >= 0 && i < nsupps)
        supps[i].count++;
}

int supp_used(void) { return nused; }
const char *supp_used_name(int i) { return supps[used[i]].name; }
uint64_t supp_used_count(int i) { return supps[used[i]].count; }

void supp_after_fork(void)
{
    for (int i = 0; i < nsupps; i++)
        supps[i].count = 0, supps[i].used_at = -1;
    nused = 0;
}

/* ---- --gen-suppressions ---- */

void supp_entry(const struct check_error *e, char *buf, unsigned size)
{
    char kind[16];
    unsigned k = (unsigned)snprintf(buf, size, "{\n   <insert_a_suppression_name_here>\n   Memcheck:%s\n",
                                    ce_supp_kind(e, kind));
    if (e->kind >= CE_LEAK && k < size)
        k += (unsigned)snprintf(buf + k, size - k, "   match-leak-kinds: %s\n", ce_leak_name(e->kind - CE_LEAK));
    for (int i = 0; i < e->stack.n && k < size; i++) {
        const struct ce_frame *f = &e->stack.f[i];
        if (f->known && f->s.fn[0])
            k += (unsigned)snprintf(buf + k, size - k, "   fun:%s\n", f->s.fn);
        else
            k += (unsigned)snprintf(buf + k, size - k, "   obj:%s\n", f->obj ? f->obj : "*");
    }
    if (k < size)
        snprintf(buf + k, size - k, "}\n");
}
