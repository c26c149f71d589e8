// clean_reachable.c: blocks still pointed at from globals at exit (still reachable: not errors),
// with an exit status of its own that the checker must keep: no report
// expect: clean
#include "corpus.h"

struct table {
    char *names[8];
};

static char *banner;
struct table *table;

int main(void)
{
    banner = malloc(100);
    strcpy(banner, "still reachable at exit");
    table = calloc(1, sizeof *table);
    for (int i = 0; i < 8; i++) {
        table->names[i] = malloc(16);
        snprintf(table->names[i], 16, "name%d", i);
    }
    printf("%s, %s\n", banner, table->names[7]);
    return 7;
}
