/* check_json.c: buffervm check's JSON document for one process (its schema, with every field
 * explained: doc/check-report.schema.json). */
#include "check_out.h"

#include <unistd.h>

static void json_char(FILE *f, const char *at)
{
    unsigned char ch = (unsigned char)*at;
    if (ch == '"' || ch == '\\')
        fprintf(f, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f)
        fprintf(f, "\\u%04x", ch);
    else
        fputc(ch, f);
}

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    text_out(f, s, "\\ufffd", json_char);
    fputc('"', f);
}

static void json_stack(FILE *f, const struct ce_stack *s)
{
    fputc('[', f);
    for (int i = 0; i < s->n; i++) {
        const struct ce_frame *fr = &s->f[i];
        fprintf(f, "%s{\"ip\": \"0x%llx\"", i ? ", " : "", (unsigned long long)fr->ip);
        if (fr->obj)
            fputs(", \"object\": ", f), json_string(f, fr->obj);
        if (fr->known && fr->s.fn[0])
            fputs(", \"function\": ", f), json_string(f, fr->s.fn);
        if (fr->known && fr->s.file[0] && fr->s.line > 0) {
            if (fr->s.dir[0])
                fputs(", \"dir\": ", f), json_string(f, fr->s.dir);
            fputs(", \"file\": ", f), json_string(f, fr->s.file);
            fprintf(f, ", \"line\": %d", fr->s.line);
        }
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_error(FILE *f, const struct check_error *e, int first)
{
    fprintf(f, "%s\n    {\"unique\": %u, \"thread\": %u, \"kind\": \"%s\", \"what\": ", first ? "" : ",", e->unique,
            e->tid ? e->tid : 1, ce_kind_name(e->kind));
    json_string(f, e->what);
    if (e->kind >= CE_LEAK)
        fprintf(f, ", \"leaked_bytes\": %llu, \"leaked_blocks\": %llu", (unsigned long long)e->leaked_bytes,
                (unsigned long long)e->leaked_blocks);
    else
        fprintf(f, ", \"count\": %llu, \"address\": \"0x%llx\"", (unsigned long long)e->count,
                (unsigned long long)e->addr);
    if (e->kind == CE_INVALID_READ || e->kind == CE_INVALID_WRITE)
        fprintf(f, ", \"size\": %u", e->size);
    fputs(", \"stack\": ", f);
    json_stack(f, &e->stack);
    fputs(", \"aux\": [", f);
    for (int i = 0; i < e->naux; i++) {
        fprintf(f, "%s{\"what\": ", i ? ", " : "");
        json_string(f, e->aux[i].what);
        fputs(", \"stack\": ", f);
        json_stack(f, &e->aux[i].stack);
        fputc('}', f);
    }
    fputs("]}", f);
}

void json_document(FILE *f, const struct check_run *run, const struct check_totals *t,
                   const struct check_error *leaks, size_t nleaks)
{
    fprintf(f, "{\n  \"format\": \"buffervm-check\",\n  \"version\": 1,\n  \"pid\": %d,\n  \"ppid\": %d,\n  \"command\": [",
            (int)getpid(), (int)getppid());
    for (int i = run->prog; i < run->argc; i++) {
        fputs(i > run->prog ? ", " : "", f);
        json_string(f, run->argv[i]);
    }
    fprintf(f, "],\n  \"error_count\": %llu,\n  \"context_count\": %llu,\n  \"errors\": [",
            (unsigned long long)t->errors, (unsigned long long)t->contexts);
    for (size_t i = 0; i < t->nerrs; i++)
        json_error(f, &t->errs[i], i == 0);
    fputs(t->nerrs ? "\n  ],\n  \"leaks\": [" : "],\n  \"leaks\": [", f);
    for (size_t i = 0; i < nleaks; i++)
        json_error(f, &leaks[i], i == 0);
    fputs(nleaks ? "\n  ]\n}\n" : "]\n}\n", f);
}
