/* check_sarif.c: buffervm check's SARIF 2.1.0 log for one process, for code-scanning tools: a rule
 * per error kind, a result per error context and loss record, located at its first frame with a
 * source line (the access, the bad free, the leaked block's allocation), with the allocation and
 * free sites as related locations and the whole stacks as SARIF stacks. */
#include "check_out.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

static char cwd[PATH_MAX]; /* SRCROOT: source paths under it are written relative to it */

static const struct {
    const char *text, *level;
} rules[CE_KIND_COUNT] = {
    [CE_INVALID_READ] = {"A read outside any live heap block (overflow, use after free or realloc)", "error"},
    [CE_INVALID_WRITE] = {"A write outside any live heap block (overflow, use after free or realloc)", "error"},
    [CE_INVALID_FREE] = {"free, delete or realloc of a pointer that is no live heap block", "error"},
    [CE_MISMATCHED_FREE] = {"A heap block released through another family than allocated it", "error"},
    [CE_SIZE_MISMATCH] = {"A sized delete given another size than the block's", "error"},
    [CE_ALIGN_MISMATCH] = {"A delete given another alignment than the block's operator new", "error"},
    [CE_LEAK + BVM_LK_DEFINITE] = {"Memory definitely lost: no pointer to the block is left", "warning"},
    [CE_LEAK + BVM_LK_INDIRECT] = {"Memory indirectly lost: only lost blocks point to it", "warning"},
    [CE_LEAK + BVM_LK_POSSIBLE] = {"Memory possibly lost: only interior pointers to it are left", "note"},
    [CE_LEAK + BVM_LK_REACHABLE] = {"Memory still reachable at exit", "note"},
};

/* A path as a JSON string of a URI reference (after scheme, "" or "file://"): percent-encoded but
 * for unreserved characters and '/'. */
static void uri(FILE *f, const char *scheme, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    fprintf(f, "\"%s", scheme);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    fputc('"', f);
}

static int has_source(const struct ce_frame *fr) { return fr->known && fr->s.file[0] && fr->s.line > 0; }

/* A location object of a frame with a source line; more: other members of it (", ..."), or "". */
static void location(FILE *f, const struct ce_frame *fr, const char *more)
{
    char path[2 * PATH_MAX];
    size_t n = strlen(cwd);
    snprintf(path, sizeof path, "%s%s%s", fr->s.dir, fr->s.dir[0] ? "/" : "", fr->s.file);
    fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", f);
    if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/') {
        uri(f, "", path + n + 1);
        fputs(", \"uriBaseId\": \"SRCROOT\"", f);
    } else {
        uri(f, path[0] == '/' ? "file://" : "", path);
    }
    fprintf(f, "}, \"region\": {\"startLine\": %d}}%s", fr->s.line, more);
}

/* One of the allocator's own functions (the program's call of it is the place to show). */
static int allocator_fn(const char *fn)
{
    static const char *const names[] = {"malloc", "free", "calloc", "realloc", "reallocarray", "memalign",
                                        "posix_memalign", "aligned_alloc", "valloc", "pvalloc"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(fn, names[i]))
            return 1;
    return !strncmp(fn, "operator new", 12) || !strncmp(fn, "operator delete", 15);
}

/* The first frame with a source line outside the allocator, or NULL. */
static const struct ce_frame *first_source(const struct ce_stack *s)
{
    for (int i = 0; i < s->n; i++)
        if (has_source(&s->f[i]) && !allocator_fn(s->f[i].s.fn))
            return &s->f[i];
    return NULL;
}

static void sarif_stack(FILE *f, const char *msg, const struct ce_stack *s)
{
    fputs("{\"message\": {\"text\": ", f);
    json_string(f, msg);
    fputs("}, \"frames\": [", f);
    for (int i = 0; i < s->n; i++) {
        const struct ce_frame *fr = &s->f[i];
        char text[3 * SYM_NAME_MAX + 64];
        sym_format(fr->known ? &fr->s : NULL, fr->obj, text, sizeof text);
        fprintf(f, "%s{\"location\": ", i ? ", " : "");
        if (has_source(fr)) {
            location(f, fr, ", \"message\": {\"text\": ");
        } else {
            fputs("{\"message\": {\"text\": ", f);
        }
        json_string(f, text);
        fprintf(f, "}}");
        if (fr->obj)
            fputs(", \"module\": ", f), json_string(f, fr->obj);
        fputc('}', f);
    }
    fputs("]}", f);
}

static void result(FILE *f, const struct check_error *e, int first)
{
    const struct ce_frame *at = first_source(&e->stack);
    fprintf(f, "%s\n        {\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\", \"message\": {\"text\": ",
            first ? "" : ",", ce_kind_name(e->kind), (int)e->kind, rules[e->kind].level);
    char text[3 * CE_TEXT];
    snprintf(text, sizeof text, "%s%s%s", e->what, e->naux ? ". " : "", e->naux ? e->aux[0].what : "");
    json_string(f, text);
    fputs("}, \"locations\": [", f);
    if (at)
        location(f, at, "}");
    fputs("], \"relatedLocations\": [", f);
    int id = 0;
    for (int i = 0; i < e->naux; i++) {
        const struct ce_frame *r = first_source(&e->aux[i].stack);
        if (!r)
            continue;
        fputs(id ? ", " : "", f);
        location(f, r, "");
        fprintf(f, ", \"id\": %d, \"message\": {\"text\": ", ++id);
        json_string(f, i == 0 && e->naux == 2 ? "the block was freed here" : "the block was allocated here");
        fputs("}}", f);
    }
    fputs("], \"stacks\": [", f);
    sarif_stack(f, e->kind >= CE_LEAK ? "allocated at" : "where", &e->stack);
    for (int i = 0; i < e->naux; i++)
        if (e->aux[i].stack.n)
            fputs(", ", f), sarif_stack(f, e->aux[i].what, &e->aux[i].stack);
    fprintf(f, "], \"partialFingerprints\": {\"bufferVmContext/v1\": \"%s:%s\"}}", ce_kind_name(e->kind),
            at ? at->s.fn : "?");
}

void sarif_document(FILE *f, const struct check_run *run, const struct check_totals *t,
                    const struct check_error *leaks, size_t nleaks)
{
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = 0;
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
          "  \"runs\": [\n    {\n      \"tool\": {\"driver\": {\"name\": \"buffervm check\", \"rules\": [",
          f);
    for (int k = 0; k < CE_KIND_COUNT; k++) {
        fprintf(f, "%s\n        {\"id\": \"%s\", \"shortDescription\": {\"text\": ", k ? "," : "", ce_kind_name(k));
        json_string(f, rules[k].text);
        fprintf(f, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}", rules[k].level);
    }
    fputs("]}},\n      \"originalUriBaseIds\": {\"SRCROOT\": {\"uri\": ", f);
    char root[PATH_MAX + 2];
    snprintf(root, sizeof root, "%s/", cwd);
    uri(f, "file://", root);
    fputs("}},\n      \"invocations\": [{\"executionSuccessful\": true, \"arguments\": [", f);
    for (int i = run->prog; i < run->argc; i++) {
        fputs(i > run->prog ? ", " : "", f);
        json_string(f, run->argv[i]);
    }
    fprintf(f, "]}],\n      \"results\": [");
    for (size_t i = 0; i < t->nerrs; i++)
        result(f, &t->errs[i], i == 0);
    for (size_t i = 0; i < nleaks; i++)
        result(f, &leaks[i], t->nerrs == 0 && i == 0);
    fputs("\n      ]\n    }\n  ]\n}\n", f);
}
