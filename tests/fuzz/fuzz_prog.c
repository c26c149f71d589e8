/* fuzz_prog.c: libFuzzer target for the monitor's checks of PROG before it boots anything
 * (monitor/prog.c on common/elf_check.c): the input is the start of a file; its last 8 bytes say
 * how long the whole file is claimed to be (the checks see only what they were given, as with a
 * file whose headers lie past the first MiB). The verdict must come with a reason when it refuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    uint64_t claimed = size;
    if (size >= 8) {
        memcpy(&claimed, data + size - 8, 8);
        size -= 8;
        if (claimed < size)
            claimed = size;
    }
    unsigned char *img = malloc(size ? size : 1); /* exactly size bytes: a read past them is ASan's */
    memcpy(img, data, size);
    why[0] = 0;
    int rc = prog_check_image(img, size, (size_t)claimed, why, sizeof why);
    if (rc < 0 && !why[0])
        abort(); /* refused without a reason: the user would see an empty line */
    free(img);
    return 0;
}
