// clean_strings.c: string functions on heap strings of every length 0..200, at odd offsets inside
// exactly-sized blocks: libc's vectorised strlen/strchr/strcpy/memcpy... read whole aligned words
// that may run past a block's last byte (never past its page); none of that is a bug: no report
// expect: clean
// build: o2
#include "corpus.h"

int main(void)
{
    unsigned long sum = 0;
    for (size_t n = 0; n <= 200; n++) {
        for (size_t off = 0; off < 4; off += 3) {
            char *block = malloc(off + n + 1), *s = block + off;
            for (size_t k = 0; k < n; k++)
                s[k] = 'a' + (char)((k * 7 + n) % 23);
            s[n] = 0;
            sum += strlen(s);
            sum += strchr(s, 'z') != NULL; /* 'z' never occurs: scans to the end */
            sum += strchr(s, 0) - s;
            char *r = strrchr(s, 'a');
            sum += r ? (size_t)(r - s) : 0;
            sum += memchr(s, 'y', n + 1) != NULL;
            sum += strspn(s, "abcdefg") + strcspn(s, "xy");

            char *copy = malloc(n + 1);
            strcpy(copy, s);
            sum += strcmp(copy, s) == 0;
            sum += strncmp(copy, s, n + 5) == 0;
            char *dup = strdup(s), *ndup = strndup(s, n / 2 + 1);
            sum += strlen(dup) + strlen(ndup);
            sum += strstr(dup, "bcd") != NULL;

            char *cat = malloc(2 * n + 1);
            cat[0] = 0;
            strcat(cat, s);
            strcat(cat, copy);
            sum += strlen(cat);
            char *mem = malloc(n + 1);
            memcpy(mem, s, n + 1);
            memmove(mem + (n > 2), mem, n - (n > 2));
            sum += memcmp(mem, s, n / 2) == 0;
            char line[256];
            snprintf(line, sizeof line, "%s", cat);
            sum += strlen(line);

            free(block);
            free(copy);
            free(dup);
            free(ndup);
            free(cat);
            free(mem);
        }
    }
    printf("strings: %lu\n", sum);
    return 0;
}
