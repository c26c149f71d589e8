#!/usr/bin/env python3
"""mkelf.py: hand-made static ELF executables for loader corner cases no linker produces.

mkelf.py NAME OUT writes the program NAME:
  segs_ro_rw  two PT_LOAD segments share a page, read-only first, then read-write: Linux maps
              them in order (MAP_FIXED), so the page ends up read-write and the store works
  segs_rw_ro  the same page, read-write first, then read-only: the page ends up read-only and
              the store is SIGSEGV
  interp_too_long  its PT_INTERP names a path with a 300-byte component: execve fails with
              ENAMETOOLONG (a shell's 126, not the 127 of a missing file)
  huge_bss    a read-write segment of 1 TiB, nearly all bss: more than the machine could ever
              back, so Linux's overcommit check refuses it and the exec ends in SIGSEGV
  interp_exec its PT_INTERP names "exec_interp.elf" (relative: the current directory's), an ET_EXEC
              linked at 0x20000000 (exec_interp): Linux loads such an interpreter where it was
              linked and starts it, which exits with 43 (the program itself would exit 42)
  odd_ident   the exit-42 program with the class byte saying 32-bit and the data byte big-endian:
              Linux's x86-64 loader reads neither, so it runs
The segs_ programs have their code in a page of their own; they store 42 into the shared page,
read it back and exit with it.
"""
import struct
import sys

BASE = 0x400000
PF_X, PF_W, PF_R = 1, 2, 4

# mov dword [0x400810], 42; mov edi, [0x400810]; mov eax, 60; syscall
CODE = (bytes.fromhex("c7042510084000") + struct.pack("<I", 42) + bytes.fromhex("8b3c2510084000") +
        bytes.fromhex("b83c000000") + bytes.fromhex("0f05"))


PT_LOAD, PT_INTERP = 1, 3


def elf(segments, entry, size):
    """segments: (file offset, vaddr, filesz, memsz, flags[, type]) in file order."""
    image = bytearray(size)
    phoff, phnum = 64, len(segments)
    image[0:64] = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 62, 1, entry, phoff, 0,
                              0, 64, 56, phnum, 0, 0, 0)
    for k, seg in enumerate(segments):
        off, va, filesz, memsz, flags = seg[:5]
        kind = seg[5] if len(seg) > 5 else PT_LOAD
        image[phoff + 56 * k:phoff + 56 * (k + 1)] = struct.pack("<IIQQQQQQ", kind, flags, off, va, va, filesz,
                                                                 memsz, 0x1000 if kind == PT_LOAD else 1)
    return image


def with_interp(path):
    """The exit-42 program with a PT_INTERP naming path (NUL-terminated)."""
    segs = [(0x200, BASE + 0x200, len(path), len(path), PF_R, PT_INTERP),
            (0, BASE, 0x1000 + len(CODE), 0x1000 + len(CODE), PF_R | PF_X)]
    image = elf(segs, BASE + 0x1000, 0x1000 + len(CODE))
    image[0x200:0x200 + len(path)] = path
    image[0x1000:0x1000 + len(CODE)] = CODE
    return image


def interp_too_long():
    return with_interp(b"/" + b"a" * 300 + b"\0")


def shared_page(first, second):
    segs = [(0, BASE, 0x800, 0x800, first), (0x800, BASE + 0x800, 0x800, 0x800, second),
            (0x1000, BASE + 0x1000, len(CODE), len(CODE), PF_R | PF_X)]
    image = elf(segs, BASE + 0x1000, 0x1000 + len(CODE))
    image[0x1000:0x1000 + len(CODE)] = CODE
    return image


def huge_bss():
    segs = [(0, BASE, 0x1000 + len(CODE), 0x1000 + len(CODE), PF_R | PF_X),
            (0x1000, 0x10000000, len(CODE), 1 << 40, PF_R | PF_W)]
    image = elf(segs, BASE + 0x1000, 0x1000 + len(CODE))
    image[0x1000:0x1000 + len(CODE)] = CODE
    return image


def interp_exec():
    return with_interp(b"exec_interp.elf\0")


def exec_interp():
    exit43 = bytes.fromhex("bf2b000000b83c0000000f05")  # mov edi, 43; mov eax, 60; syscall
    at = 0x20000000
    # The segment ends on a page boundary: Linux before 6.7 zero-fills the rest of an interpreter's
    # last file page, which fails (SIGSEGV) on a read-only one.
    image = elf([(0, at, 0x2000, 0x2000, PF_R | PF_X)], at + 0x1000, 0x2000)
    image[0x1000:0x1000 + len(exit43)] = exit43
    return image


def odd_ident():
    # one writable segment: the code's store to 0x400810 lands in it, and the exit status is 42
    image = elf([(0, BASE, 0x1000 + len(CODE), 0x1000 + len(CODE), PF_R | PF_W | PF_X)], BASE + 0x1000,
                0x1000 + len(CODE))
    image[0x1000:0x1000 + len(CODE)] = CODE
    image[4], image[5] = 1, 2  # EI_CLASS 32-bit, EI_DATA big-endian
    return image


PROGRAMS = {
    "segs_ro_rw": lambda: shared_page(PF_R, PF_R | PF_W),
    "segs_rw_ro": lambda: shared_page(PF_R | PF_W, PF_R),
    "interp_too_long": interp_too_long,
    "huge_bss": huge_bss,
    "odd_ident": odd_ident,
    "interp_exec": interp_exec,
    "exec_interp": exec_interp,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in PROGRAMS:
        sys.exit("usage: mkelf.py {%s} OUT" % "|".join(PROGRAMS))
    with open(sys.argv[2], "wb") as f:
        f.write(PROGRAMS[sys.argv[1]]())
