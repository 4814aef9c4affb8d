; arch/x86_64/smp_trampoline.asm: where a started CPU begins, and its way to long mode.
;
; A startup IPI starts a CPU in real mode at CS:IP = (TRAMPOLINE_PHYS >> 4):0, with nothing
; set up. These bytes are only data in the image: smp.c copies them to TRAMPOLINE_PHYS and
; writes struct trampoline_params (smp.h) at trampoline_params before each start, so every
; address below is where the copy lies, TRAMPOLINE_PHYS + (label - trampoline_start): that is
; what T() computes. The CPU goes real mode -> 32-bit protected mode (this file's GDT) ->
; long mode on boot_cr3, which maps this page where it is and the kernel half as every CR3
; does, and jumps to the higher half with its own stack and its index in EDI.

%include "boot/boot.inc"

%define T(x) (TRAMPOLINE_PHYS + (x) - trampoline_start)

TRAMP_CODE32    equ 0x08
TRAMP_DATA      equ 0x10
TRAMP_CODE64    equ 0x18

global trampoline_start, trampoline_end, trampoline_params

section .rodata
bits 16
trampoline_start:
    cli                                 ; nothing could take an interrupt yet
    cld
    xor ax, ax
    mov ds, ax                          ; T() addresses are below 64 KiB: DS 0 reaches them
    o32 lgdt [T(trampoline_gdtr)]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp dword TRAMP_CODE32:T(protected_mode)   ; a far jump loads CS from the new GDT

bits 32
protected_mode:
    mov ax, TRAMP_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, CR4_PAE                     ; long mode requires PAE-format tables
    mov cr4, eax
    mov eax, [T(trampoline_params) + TRAMPOLINE_BOOT_CR3]
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME | EFER_NXE         ; NXE before paging: the kernel half has NX pages
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP             ; compatibility mode now, still on this page
    mov cr0, eax
    jmp TRAMP_CODE64:T(long_mode)       ; a 64-bit CS enters 64-bit mode

bits 64
long_mode:
    mov rsp, [T(trampoline_params) + TRAMPOLINE_STACK]
    mov edi, [T(trampoline_params) + TRAMPOLINE_CPU]
    mov rax, [T(trampoline_params) + TRAMPOLINE_ENTRY]
    jmp rax                             ; to the higher half: smp_ap_main(cpu) never returns

align 8
trampoline_gdt:
    dq 0
    dq 0x00cf9a000000ffff               ; TRAMP_CODE32: 32-bit code, base 0, 4 GiB
    dq 0x00cf92000000ffff               ; TRAMP_DATA: data, base 0, 4 GiB
    dq 0x00af9a000000ffff               ; TRAMP_CODE64: 64-bit code
trampoline_gdtr:
    dw trampoline_gdtr - trampoline_gdt - 1
    dd T(trampoline_gdt)

align 8
trampoline_params:
    times TRAMPOLINE_PARAMS_SIZE db 0
trampoline_end:
