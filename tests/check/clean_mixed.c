// clean_mixed.c: a busy clean program: malloc/calloc/realloc/free churn, strdup, asprintf,
// printf, fopen/fgets/getline, qsort; everything freed: no report (its stderr line is its own)
// expect: clean
// build: o2
#include "corpus.h"

static unsigned long seed = 12345;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)(seed >> 33) % n;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    enum { SLOTS = 300, ROUNDS = 20000 };
    char *slot[SLOTS] = {0};
    size_t len[SLOTS] = {0};
    unsigned long sum = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int i = rnd(SLOTS);
        switch (rnd(5)) {
        case 0: /* fresh block, or a copy of another slot */
            free(slot[i]);
            len[i] = rnd(600) + 1;
            slot[i] = rnd(2) ? malloc(len[i]) : calloc(len[i], 1);
            memset(slot[i], 'a' + i % 26, len[i]);
            break;
        case 1: /* grow or shrink */
            if (slot[i]) {
                size_t n = rnd(3000) + 1;
                slot[i] = realloc(slot[i], n);
                if (n > len[i])
                    memset(slot[i] + len[i], 'b', n - len[i]);
                len[i] = n;
            }
            break;
        case 2:
            free(slot[i]);
            slot[i] = NULL;
            len[i] = 0;
            break;
        default:
            if (slot[i])
                sum += (unsigned char)slot[i][rnd(len[i])];
        }
    }
    for (int i = 0; i < SLOTS; i++)
        free(slot[i]);

    char *words[64];
    for (int i = 0; i < 64; i++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "w%03u-%d", rnd(1000), i);
        words[i] = strdup(tmp);
    }
    qsort(words, 64, sizeof words[0], cmp);

    FILE *f = fopen("mixed.txt", "w");
    if (!f)
        return 1;
    for (int i = 0; i < 64; i++)
        fprintf(f, "%s %zu\n", words[i], strlen(words[i]));
    fclose(f);
    f = fopen("mixed.txt", "r");
    char *line = NULL;
    size_t cap = 0;
    int lines = 0;
    while (getline(&line, &cap, f) > 0)
        lines++;
    rewind(f);
    char buf[64];
    fgets(buf, sizeof buf, f);
    fclose(f);
    free(line);
    remove("mixed.txt");

    char *msg;
    if (asprintf(&msg, "sum %lu, %d lines, first %s, last %s", sum, lines, words[0], words[63]) < 0)
        return 1;
    printf("%s", msg);
    printf(" (%s)\n", strtok(buf, "\n"));
    fprintf(stderr, "clean_mixed: done\n");
    free(msg);
    for (int i = 0; i < 64; i++)
        free(words[i]);
    return 0;
}
