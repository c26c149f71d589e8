/* fuzz_check_syms.c: libFuzzer target for buffervm check's symbol-table reader (monitor/check_syms.c on
 * common/elf_check.c): the input is a whole file, read through a memfd with pread as the monitor
 * reads a library the guest maps. Every entry found must lie in the file, name a known function
 * and come sorted, distinct. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check_syms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("fuzz_check_syms", MFD_CLOEXEC)) < 0)
        abort();
    if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();
    struct bvm_check_sym out[BVM_CHECK_MAX_SYMS];
    int n = check_syms_scan(fd, size, out, BVM_CHECK_MAX_SYMS);
    if (n < 0 || n > BVM_CHECK_MAX_SYMS)
        abort();
    for (int i = 0; i < n; i++)
        if (out[i].offset + 3 > size || out[i].fn == BVM_CF_NONE || out[i].fn >= BVM_CF_COUNT ||
            (i && out[i - 1].offset >= out[i].offset))
            abort();
    return 0;
}
