#!/usr/bin/env python3
"""mkelf.py: hand-made static ELF executables for loader corner cases no linker produces.

mkelf.py NAME OUT writes the program NAME:
  segs_ro_rw  two PT_LOAD segments share a page, read-only first, then read-write: Linux maps
              them in order (MAP_FIXED), so the page ends up read-write and the store works
  segs_rw_ro  the same page, read-write first, then read-only: the page ends up read-only and
              the store is SIGSEGV
Each has its code in a page of its own; it stores 42 into the shared page, reads it back and
exits with it.
"""
import struct
import sys

BASE = 0x400000
PF_X, PF_W, PF_R = 1, 2, 4

# mov dword [0x400810], 42; mov edi, [0x400810]; mov eax, 60; syscall
CODE = (bytes.fromhex("c7042510084000") + struct.pack("<I", 42) + bytes.fromhex("8b3c2510084000") +
        bytes.fromhex("b83c000000") + bytes.fromhex("0f05"))


def elf(segments, entry, size):
    """segments: (file offset, vaddr, filesz, memsz, flags) in file order."""
    image = bytearray(size)
    phoff, phnum = 64, len(segments)
    image[0:64] = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 62, 1, entry, phoff, 0,
                              0, 64, 56, phnum, 0, 0, 0)
    for k, (off, va, filesz, memsz, flags) in enumerate(segments):
        image[phoff + 56 * k:phoff + 56 * (k + 1)] = struct.pack("<IIQQQQQQ", 1, flags, off, va, va, filesz,
                                                                 memsz, 0x1000)
    return image


def shared_page(first, second):
    segs = [(0, BASE, 0x800, 0x800, first), (0x800, BASE + 0x800, 0x800, 0x800, second),
            (0x1000, BASE + 0x1000, len(CODE), len(CODE), PF_R | PF_X)]
    image = elf(segs, BASE + 0x1000, 0x1000 + len(CODE))
    image[0x1000:0x1000 + len(CODE)] = CODE
    return image


PROGRAMS = {
    "segs_ro_rw": lambda: shared_page(PF_R, PF_R | PF_W),
    "segs_rw_ro": lambda: shared_page(PF_R | PF_W, PF_R),
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in PROGRAMS:
        sys.exit("usage: mkelf.py {%s} OUT" % "|".join(PROGRAMS))
    with open(sys.argv[2], "wb") as f:
        f.write(PROGRAMS[sys.argv[1]]())
