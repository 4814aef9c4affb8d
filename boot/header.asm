; boot/header.asm: the Multiboot2 header that makes GRUB load Twofold.
;
; GRUB looks for it in the first 32 KiB of the file, 8-byte aligned: linker.ld keeps this
; section first in the image. GRUB loads the ELF segments at their physical addresses and,
; because of the entry-address tag, jumps to _start32's physical address in 32-bit mode.

%include "boot/boot.inc"

MB2_HEADER_MAGIC    equ 0xe85250d6
MB2_ARCH_I386       equ 0           ; "i386" here means 32-bit protected mode entry
MB2_TAG_END         equ 0
MB2_TAG_ENTRY       equ 3

extern _start32

section .multiboot2 progbits alloc noexec nowrite align=8
header_start:
    dd MB2_HEADER_MAGIC
    dd MB2_ARCH_I386
    dd header_end - header_start
    dd -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (header_end - header_start))  ; sum of the four is 0

    ; The ELF entry is a higher-half virtual address, useless before paging: name the
    ; physical one instead.
    align 8
    dw MB2_TAG_ENTRY, 0
    dd 12
    dd PHYS(_start32)

    align 8
    dw MB2_TAG_END, 0
    dd 8
header_end:
