/* check_xml.c: valgrind's XML output, protocol 4, element for element as memcheck 3.19 writes it
 * (docs/internals/xml-output-protocol4.txt in valgrind's sources): the preamble, pid, ppid, tool,
 * args, a status when the program starts and ends, an <error> per error context (and per loss
 * record shown), the error counts and the suppression counts. */
#include "check_out.h"

#include <string.h>

#include "check_supp.h"
#include <time.h>
#include <unistd.h>

int utf8_len(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                                                               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* no overlong 3- and 4-byte forms, no surrogates, nothing past U+10FFFF */
    if ((n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))) ||
        (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))))
        return 0;
    return n;
}

void text_out(FILE *f, const char *s, const char *not_utf8, void (*ascii)(FILE *f, const char *at))
{
    for (; *s; s++) {
        int n = utf8_len((const unsigned char *)s);
        if (n > 1)
            fwrite(s, 1, (size_t)n, f), s += n - 1;
        else if (n == 0)
            fputs(not_utf8, f);
        else
            ascii(f, s);
    }
}

static void xml_char(FILE *f, const char *at)
{
    unsigned char ch = (unsigned char)*at;
    if (ch == '&')
        fputs("&amp;", f);
    else if (ch == '<')
        fputs("&lt;", f);
    else if (ch == '>')
        fputs("&gt;", f);
    else
        fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
}

void xml_text(FILE *f, const char *s) { text_out(f, s, "?", xml_char); }

/* Inside CDATA: as it is, but control characters (newlines kept) and "]]>". */
static void cdata_char(FILE *f, const char *at)
{
    if (!strncmp(at, "]]>", 3))
        fputs("]]]]><![CDATA[", f);
    fputc((unsigned char)*at < 0x20 && *at != '\n' ? '?' : *at, f);
}

static void element(FILE *f, const char *indent, const char *name, const char *text)
{
    fprintf(f, "%s<%s>", indent, name);
    xml_text(f, text);
    fprintf(f, "</%s>\n", name);
}

static void command_line(FILE *f, const char *tag, char **argv, int argc)
{
    fprintf(f, "  <%s>\n", tag);
    element(f, "    ", "exe", argc > 0 ? argv[0] : "");
    for (int i = 1; i < argc; i++)
        element(f, "    ", "arg", argv[i]);
    fprintf(f, "  </%s>\n", tag);
}

void xml_start(FILE *f, const struct check_run *run)
{
    fprintf(f, "<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n<protocolversion>4</protocolversion>\n"
               "<protocoltool>memcheck</protocoltool>\n\n<preamble>\n");
    element(f, "  ", "line", "BufferVM check, a heap error detector (memcheck's reports)");
    fprintf(f, "  <line>Command:");
    for (int i = run->prog; i < run->argc; i++) {
        fputc(' ', f);
        xml_text(f, run->argv[i]);
    }
    fprintf(f, "</line>\n</preamble>\n\n<pid>%d</pid>\n<ppid>%d</ppid>\n<tool>memcheck</tool>\n\n<args>\n",
            (int)getpid(), (int)getppid());
    command_line(f, "vargv", run->argv, run->prog);
    command_line(f, "argv", run->argv + run->prog, run->argc - run->prog);
    fprintf(f, "</args>\n\n");
    xml_status(f, run, "RUNNING");
}

void xml_status(FILE *f, const struct check_run *run, const char *state)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)now.tv_sec + now.tv_nsec / 1e9 - run->start;
    unsigned long ms = (unsigned long)(s * 1000 + 0.5);
    fprintf(f, "<status>\n  <state>%s</state>\n  <time>%02lu:%02lu:%02lu:%02lu.%03lu </time>\n</status>\n\n", state,
            ms / 86400000, ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

static void stack(FILE *f, const struct ce_stack *s)
{
    fprintf(f, "  <stack>\n");
    for (int i = 0; i < s->n; i++) {
        const struct ce_frame *fr = &s->f[i];
        fprintf(f, "    <frame>\n      <ip>0x%llX</ip>\n", (unsigned long long)fr->ip);
        if (fr->obj)
            element(f, "      ", "obj", fr->obj);
        if (fr->known && fr->s.fn[0])
            element(f, "      ", "fn", fr->s.fn);
        if (fr->known && fr->s.file[0] && fr->s.line > 0) {
            if (fr->s.dir[0])
                element(f, "      ", "dir", fr->s.dir);
            element(f, "      ", "file", fr->s.file);
            fprintf(f, "      <line>%d</line>\n", fr->s.line);
        }
        fprintf(f, "    </frame>\n");
    }
    fprintf(f, "  </stack>\n");
}

/* --gen-suppressions: the entry as elements and as text to paste. */
static void suppression(FILE *f, const struct check_error *e)
{
    char kind[16], entry[16384];
    supp_entry(e, entry, sizeof entry);
    fprintf(f, "  <suppression>\n    <sname>insert_a_suppression_name_here</sname>\n    <skind>Memcheck:%s</skind>\n",
            ce_supp_kind(e, kind));
    if (e->kind >= CE_LEAK)
        fprintf(f, "    <skaux>match-leak-kinds: %s</skaux>\n", ce_leak_name(e->kind - CE_LEAK));
    for (int i = 0; i < e->stack.n; i++) {
        const struct ce_frame *fr = &e->stack.f[i];
        const char *tag = fr->known && fr->s.fn[0] ? "fun" : "obj";
        fprintf(f, "    <sframe> <%s>", tag);
        xml_text(f, fr->known && fr->s.fn[0] ? fr->s.fn : fr->obj ? fr->obj : "*");
        fprintf(f, "</%s> </sframe>\n", tag);
    }
    fputs("    <rawtext>\n<![CDATA[\n", f);
    text_out(f, entry, "?", cdata_char);
    fputs("]]>\n    </rawtext>\n  </suppression>\n", f);
}

void xml_error(FILE *f, const struct check_error *e, int gen)
{
    fprintf(f, "<error>\n  <unique>0x%x</unique>\n  <tid>%u</tid>\n  <kind>%s</kind>\n", e->unique, e->tid ? e->tid : 1,
            ce_kind_name(e->kind));
    if (e->kind >= CE_LEAK) {
        fprintf(f, "  <xwhat>\n");
        element(f, "    ", "text", e->what);
        fprintf(f, "    <leakedbytes>%llu</leakedbytes>\n    <leakedblocks>%llu</leakedblocks>\n  </xwhat>\n",
                (unsigned long long)e->leaked_bytes, (unsigned long long)e->leaked_blocks);
    } else {
        element(f, "  ", "what", e->what);
    }
    stack(f, &e->stack);
    for (int i = 0; i < e->naux; i++) {
        element(f, "  ", "auxwhat", e->aux[i].what);
        if (e->aux[i].stack.n)
            stack(f, &e->aux[i].stack);
    }
    if (gen)
        suppression(f, e);
    fprintf(f, "</error>\n\n");
    if (gen) /* (memcheck writes it again after the error) */
        suppression(f, e);
}

void xml_end(FILE *f, const struct check_totals *t)
{
    fprintf(f, "<errorcounts>\n");
    for (size_t i = 0; i < t->nerrs; i++)
        fprintf(f, "  <pair>\n    <count>%llu</count>\n    <unique>0x%x</unique>\n  </pair>\n",
                (unsigned long long)t->errs[i].count, t->errs[i].unique);
    fprintf(f, "</errorcounts>\n\n<suppcounts>\n");
    for (int i = 0; i < supp_used(); i++) {
        fprintf(f, "  <pair>\n    <count>%llu</count>\n", (unsigned long long)supp_used_count(i));
        element(f, "    ", "name", supp_used_name(i));
        fprintf(f, "  </pair>\n");
    }
    fprintf(f, "</suppcounts>\n\n</valgrindoutput>\n\n");
}
