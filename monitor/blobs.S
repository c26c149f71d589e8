/* blobs.S: the shim kernel ELF and the 32-bit bootstrap, embedded in the buffervm binary. */
    .section .rodata
    .balign 16
    .globl bvm_kernel_elf, bvm_kernel_elf_end
bvm_kernel_elf:
    .incbin KERNEL_ELF
bvm_kernel_elf_end:
    .balign 16
    .globl bvm_bootstrap_bin, bvm_bootstrap_bin_end
bvm_bootstrap_bin:
    .incbin BOOTSTRAP_BIN
bvm_bootstrap_bin_end:
    .section .note.GNU-stack,"",@progbits
