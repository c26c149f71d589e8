/* symbolize.c: file offsets to function, source file and line (elfutils libdwfl, offline). */
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS 16
#define NAME_MEMO 64 /* per module: a libc frame's name costs a walk of its symbol table */

/* One file as libdwfl sees it, at its link-time addresses (bias 0 for ET_DYN too). */
struct module {
    char path[PATH_MAX]; /* as the guest named it: the cache key */
    char real[PATH_MAX]; /* what frames show */
    Dwfl *dwfl;          /* NULL: the file could not be used (remembered, not retried) */
    Dwfl_Module *mod;
    GElf_Addr bias;
    uint64_t used; /* for eviction: the least recently used goes */
    struct {
        Dwarf_Addr start;
        const char *name; /* libdw's string, alive with dwfl */
    } best[NAME_MEMO];    /* symbol_name's answers, by the symbol's start */
};

static struct module cache[CACHE_SLOTS];
static uint64_t clock_now;
static char debug_root[PATH_MAX] = "/usr/lib/debug";

void sym_set_debug_root(const char *dir) { snprintf(debug_root, sizeof debug_root, "%s", dir); }

static int open_file(const char *path)
{
    /* O_NONBLOCK: a FIFO under that name must not hang the monitor; only regular files are read. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int open_debug(const char *path, char **name)
{
    int fd = open_file(path);
    if (fd >= 0)
        *name = strdup(path);
    return fd;
}

/*
 * Separate debug info, from the local disk only (dwfl_standard_find_debuginfo would also ask
 * debuginfod servers when DEBUGINFOD_URLS is set: network from inside a report). Called for the
 * module's own debug file (debuglink_file NULL or its .gnu_debuglink name with a CRC): by build-id;
 * and for a dwz file (.gnu_debugaltlink: crc 0, usually an absolute path): by that path.
 */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                          const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                          char **debuginfo_file_name)
{
    char path[PATH_MAX + 128];
    if (debuglink_file && debuglink_crc == 0)
        return debuglink_file[0] == '/' ? open_debug(debuglink_file, debuginfo_file_name) : -1;
    const unsigned char *id;
    GElf_Addr vaddr;
    int n = dwfl_module_build_id(mod, &id, &vaddr);
    if (n < 2)
        return -1;
    int k = snprintf(path, sizeof path, "%s/.build-id/%02x/", debug_root, id[0]);
    for (int i = 1; i < n && k < (int)sizeof path - 8; i++)
        k += snprintf(path + k, sizeof path - (size_t)k, "%02x", id[i]);
    snprintf(path + k, sizeof path - (size_t)k, ".debug");
    return open_debug(path, debuginfo_file_name);
}

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_build_id_find_elf, /* not used: every module comes with its fd */
    .find_debuginfo = find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static void module_open(struct module *m, const char *path)
{
    snprintf(m->path, sizeof m->path, "%s", path);
    if (!realpath(path, m->real))
        snprintf(m->real, sizeof m->real, "%s", path);
    m->dwfl = dwfl_begin(&callbacks);
    int fd = m->dwfl ? open_file(path) : -1;
    m->mod = fd >= 0 ? dwfl_report_elf(m->dwfl, path, path, fd, 0, true) : NULL; /* takes fd on success */
    if (!m->mod && fd >= 0)
        close(fd);
    if (m->dwfl)
        dwfl_report_end(m->dwfl, NULL, NULL);
    if (!m->mod || !dwfl_module_getelf(m->mod, &m->bias)) {
        if (m->dwfl)
            dwfl_end(m->dwfl);
        m->dwfl = NULL, m->mod = NULL;
    }
}

static void module_close(struct module *m)
{
    if (m->dwfl)
        dwfl_end(m->dwfl);
    memset(m, 0, sizeof *m);
}

void sym_reset(void)
{
    for (int i = 0; i < CACHE_SLOTS; i++)
        module_close(&cache[i]);
}

static struct module *module_of(const char *path)
{
    struct module *victim = &cache[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct module *m = &cache[i];
        if (m->used && !strcmp(m->path, path)) {
            m->used = ++clock_now;
            return m;
        }
        if (m->used < victim->used)
            victim = m;
    }
    module_close(victim);
    module_open(victim, path);
    victim->used = ++clock_now;
    return victim;
}

const char *sym_object_name(const char *path) { return path ? module_of(path)->real : NULL; }

/* The module address of file offset off: through the PT_LOAD holding it, an executable one first. */
static int offset_to_addr(const struct module *m, uint64_t off, Dwarf_Addr *addr)
{
    GElf_Addr bias;
    Elf *e = dwfl_module_getelf(m->mod, &bias);
    size_t n;
    if (!e || elf_getphdrnum(e, &n) != 0)
        return -1;
    for (int want_x = 1; want_x >= 0; want_x--) {
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || (want_x && !(ph.p_flags & PF_X)))
                continue;
            if (off >= ph.p_offset && off - ph.p_offset < ph.p_filesz) {
                *addr = ph.p_vaddr + (off - ph.p_offset) + bias;
                return 0;
            }
        }
    }
    return -1;
}

static const char *die_name(Dwarf_Die *d)
{
    Dwarf_Attribute a;
    return dwarf_formstring(dwarf_attr_integrate(d, DW_AT_name, &a));
}

/* An inlined call's site: its file (from the CU's file table) and line. */
static const char *call_site(Dwarf_Die *cu, Dwarf_Die *d, int *line)
{
    Dwarf_Attribute a;
    Dwarf_Word idx, l;
    Dwarf_Files *files;
    size_t nf;
    *line = dwarf_formudata(dwarf_attr(d, DW_AT_call_line, &a), &l) == 0 ? (int)l : 0;
    if (dwarf_formudata(dwarf_attr(d, DW_AT_call_file, &a), &idx) != 0 || dwarf_getsrcfiles(cu, &files, &nf) != 0 ||
        idx >= nf)
        return NULL;
    return dwarf_filesrc(files, idx, NULL, NULL);
}

/* The scopes holding pc, innermost first, through the concrete DIEs that contain an inlined
 * instance (dwarf_getscopes goes on from one into its abstract origin's scopes instead). */
static int concrete_scopes(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **scopes)
{
    Dwarf_Die *first = NULL, inner;
    int n = cu ? dwarf_getscopes(cu, pc, &first) : 0;
    if (n <= 0) {
        free(first);
        return 0;
    }
    inner = first[0];
    free(first);
    n = dwarf_getscopes_die(&inner, scopes);
    return n > 0 ? n : 0;
}

/* comp_dir: the compilation's directory, which a relative file name is relative to (or NULL). */
static void set_frame(struct sym_frame *f, const char *fn, const char *file, int line, const char *comp_dir)
{
    const char *base = file ? strrchr(file, '/') : NULL;
    size_t cn = comp_dir ? strlen(comp_dir) : 0;
    /* (a name already under the compilation's directory, as glibc's "./malloc/malloc.c" in "./malloc") */
    int rel = file && file[0] != '/' && cn && !(base && !strncmp(file, comp_dir, cn) && file[cn] == '/');
    snprintf(f->fn, sizeof f->fn, "%s", fn ? fn : "");
    snprintf(f->file, sizeof f->file, "%s", base ? base + 1 : file ? file : "");
    snprintf(f->dir, sizeof f->dir, "%s%s%.*s", rel ? comp_dir : "", rel && base ? "/" : "",
             base ? (int)(base - file) : 0, base ? file : "");
    f->line = file ? line : 0;
}

/* Of the names a function goes by, the one memcheck would show: fewest leading underscores
 * (malloc, not __libc_malloc or __GI___libc_malloc), then global before weak before local, then
 * the shortest. */
static int better_name(const char *a, int abind, const char *b, int bbind)
{
    static const int rank[3] = {[STB_GLOBAL] = 0, [STB_WEAK] = 1, [STB_LOCAL] = 2};
    size_t ua = strspn(a, "_"), ub = strspn(b, "_");
    if (ua != ub)
        return ua < ub;
    int ra = abind < 3 ? rank[abind] : 3, rb = bbind < 3 ? rank[bbind] : 3;
    if (ra != rb)
        return ra < rb;
    return strlen(a) < strlen(b);
}

/* The symbol holding addr, by its best name (better_name) among those at its start. */
static const char *symbol_name(struct module *m, Dwarf_Addr addr)
{
    GElf_Off off;
    GElf_Sym sym;
    const char *best = dwfl_module_addrinfo(m->mod, addr, &off, &sym, NULL, NULL, NULL);
    if (!best || best[0] != '_') /* a plain name: nothing better to find */
        return best;
    Dwarf_Addr start = addr - off;
    unsigned slot = (unsigned)(start >> 4) % NAME_MEMO;
    if (m->best[slot].name && m->best[slot].start == start)
        return m->best[slot].name;
    int bind = GELF_ST_BIND(sym.st_info), n = dwfl_module_getsymtab(m->mod);
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr a;
        const char *name = dwfl_module_getsym_info(m->mod, i, &s, &a, NULL, NULL, NULL);
        int type = GELF_ST_TYPE(s.st_info);
        if (name && name[0] && a == start && (type == STT_FUNC || type == STT_GNU_IFUNC) &&
            better_name(name, GELF_ST_BIND(s.st_info), best, bind))
            best = name, bind = GELF_ST_BIND(s.st_info);
    }
    m->best[slot].start = start, m->best[slot].name = best;
    return best;
}

/* The scopes holding addr, innermost first: each inlined call is a frame whose location is the
 * line table's (innermost) or the call site of the frame inside it; the subprogram ends the list. */
static int frames_at(struct module *m, Dwarf_Addr addr, struct sym_frame *out, int max)
{
    const char *symname = symbol_name(m, addr);
    Dwfl_Line *l = dwfl_module_getsrc(m->mod, addr);
    int line = 0;
    const char *file = l ? dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
    Dwarf_Addr dbias;
    Dwarf_Die *cu = dwfl_module_addrdie(m->mod, addr, &dbias), *scopes = NULL;
    int ns = concrete_scopes(cu, addr - dbias, &scopes), n = 0;
    Dwarf_Attribute cd;
    const char *comp_dir = cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &cd)) : NULL;
    for (int i = 0; i < ns && n < max; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
            continue;
        /* The function itself by its symbol, as memcheck, unless that is a C++ mangled one. */
        const char *name = die_name(&scopes[i]);
        if (tag == DW_TAG_subprogram && symname && (strncmp(symname, "_Z", 2) || !name))
            name = symname;
        set_frame(&out[n++], name, file, line, comp_dir);
        if (tag == DW_TAG_subprogram)
            break;
        file = call_site(cu, &scopes[i], &line);
    }
    free(scopes);
    if (n == 0)
        set_frame(&out[n++], symname, file, line, comp_dir);
    return n;
}

int sym_lookup(const char *path, uint64_t off, int is_return, struct sym_frame *out, int max)
{
    Dwarf_Addr addr;
    if (!path || max < 1 || (is_return && off == 0))
        return 0;
    struct module *m = module_of(path);
    if (!m->mod || offset_to_addr(m, is_return ? off - 1 : off, &addr) < 0)
        return 0;
    return frames_at(m, addr, out, max < SYM_MAX_INLINE ? max : SYM_MAX_INLINE);
}

void sym_format(const struct sym_frame *f, const char *obj, char *buf, size_t len)
{
    const char *fn = f && f->fn[0] ? f->fn : "???";
    if (f && f->file[0] && f->line > 0)
        snprintf(buf, len, "%s (%s:%d)", fn, f->file, f->line);
    else if (obj)
        snprintf(buf, len, "%s (in %s)", fn, obj);
    else
        snprintf(buf, len, "%s", fn);
}
