/* fileio.c: create, write, read back, seek, stat and unlink files in the current directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    FILE *f = fopen("out.txt", "w");
    if (!f)
        return 1;
    for (int i = 0; i < 1000; i++)
        fprintf(f, "record %04d %s\n", i, i % 2 ? "odd" : "even");
    fclose(f);
    int fd = open("out.txt", O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    char buf[64];
    lseek(fd, 17 * 10, SEEK_SET);
    ssize_t n = read(fd, buf, 17);
    printf("read %zd [%.*s]\n", n, (int)n - 1, buf);
    n = pread(fd, buf, 16, 17 * 999);
    printf("pread %zd [%.*s]\n", n, (int)n, buf);
    printf("lseek end %lld\n", (long long)lseek(fd, 0, SEEK_END));
    close(fd);
    printf("read closed fd: %zd errno %d\n", read(fd, buf, 1), errno);
    fd = open("temp.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    printf("write temp %zd\n", write(fd, "gone\n", 5));
    close(fd);
    printf("unlink %d\n", unlink("temp.txt"));
    printf("open missing %d errno %d\n", open("missing/none", O_RDONLY), errno);
    printf("stat temp %d errno %d\n", stat("temp.txt", &st), errno);
    return 0;
}
