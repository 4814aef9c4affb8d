; boot/start.asm: from GRUB's 32-bit protected mode to kmain() in 64-bit long mode.
;
; GRUB leaves us with paging off, interrupts off, flat 32-bit segments, EAX = the Multiboot2
; magic and EBX = the physical address of the boot information. This file zeroes the BSS,
; checks the CPU, builds the boot page tables, enables long mode with NX and write protection,
; and jumps to the higher half. Everything before that jump runs at physical addresses, so
; every absolute reference goes through PHYS().
;
; Boot page tables (replaced by mm/ once it runs):
;   PML4[0]   -> identity map of the first 1 GiB, 2 MiB pages: only so that the instruction
;                after "enable paging" still has a mapping; kmain drops it.
;   PML4[256] -> direct map of the first 1 GiB at 0xffff800000000000, 2 MiB pages, NX.
;   PML4[511] -> the kernel image at KERNEL_VMA + phys, 4 KiB pages with the permissions of
;                its ELF segment (text R-X, rodata R, data and bss RW-NX); the page under the
;                boot stack is left unmapped as a guard.

%include "boot/boot.inc"

MB2_BOOT_MAGIC  equ 0x36d76289

PTE_P           equ 1 << 0
PTE_W           equ 1 << 1
PTE_PS          equ 1 << 7          ; 2 MiB page in a page directory entry
PTE_NX_HIGH     equ 1 << 31         ; bit 63, as seen in the entry's upper dword

COM1            equ 0x3f8
DEBUG_EXIT_PORT equ 0xf4            ; QEMU isa-debug-exit (tests attach it)

BOOT_STACK_SIZE equ 16384

extern kmain
extern __bss_start, __bss_end
extern __text_start, __text_end, __rodata_start, __rodata_end, __data_start, __kernel_end

global _start32
global boot_pml4, boot_stack_guard, boot_stack_top

section .text.boot progbits alloc exec nowrite align=16
bits 32
_start32:
    cld
    ; The boot information is outside the image; remember where before anything else.
    ; .data is not zeroed below, so it survives.
    mov [PHYS(boot_mb2_info_phys)], ebx
    mov ebp, eax                        ; the magic; rep stosd leaves EBP alone

    ; Zero the BSS: the page tables and the stack below live there and must start empty.
    mov edi, PHYS(__bss_start)
    mov ecx, PHYS(__bss_end)
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd

    mov esp, PHYS(boot_stack_top)
    call serial_init32

    mov esi, PHYS(msg_bad_magic)
    cmp ebp, MB2_BOOT_MAGIC
    jne fail32

    ; CPUID exists if EFLAGS.ID (bit 21) can be toggled.
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd                               ; put the flags back as they were
    mov esi, PHYS(msg_no_cpuid)
    cmp eax, ecx
    je fail32

    mov esi, PHYS(msg_no_long_mode)
    mov eax, 0x80000000                 ; highest extended leaf
    cpuid
    cmp eax, 0x80000001
    jb fail32
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29                   ; LM
    jz fail32
    mov esi, PHYS(msg_no_nx)
    test edx, 1 << 20                   ; NX: W^X needs it, and EFER.NXE faults without it
    jz fail32

    call build_page_tables

    mov eax, PHYS(boot_pml4)
    mov cr3, eax
    mov eax, cr4
    or eax, CR4_PAE                     ; long mode requires PAE-format tables
    mov cr4, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME | EFER_NXE         ; NXE before paging: NX bits are reserved without it
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP             ; WP: read-only pages bind the kernel too
    mov cr0, eax                        ; now in compatibility mode, on the identity map

    lgdt [PHYS(boot_gdtr)]
    jmp BOOT_CS:PHYS(long_mode_low)     ; loading a 64-bit CS enters 64-bit mode

; build_page_tables: fill the (zeroed) boot tables described at the top of this file.
build_page_tables:
    mov dword [PHYS(boot_pml4) + 0 * 8], PHYS(boot_pdpt_identity) + (PTE_P | PTE_W)
    mov dword [PHYS(boot_pml4) + 256 * 8], PHYS(boot_pdpt_direct) + (PTE_P | PTE_W)
    mov dword [PHYS(boot_pml4) + 511 * 8], PHYS(boot_pdpt_kernel) + (PTE_P | PTE_W)
    mov dword [PHYS(boot_pdpt_identity)], PHYS(boot_pd_identity) + (PTE_P | PTE_W)
    mov dword [PHYS(boot_pdpt_direct)], PHYS(boot_pd_direct) + (PTE_P | PTE_W)
    ; KERNEL_VMA is slot 510 of the last PML4 slot's PDPT (-2 GiB).
    mov dword [PHYS(boot_pdpt_kernel) + 510 * 8], PHYS(boot_pd_kernel) + (PTE_P | PTE_W)
    mov dword [PHYS(boot_pd_kernel) + 0 * 8], PHYS(boot_pt_kernel) + (PTE_P | PTE_W)
    mov dword [PHYS(boot_pd_kernel) + 1 * 8], PHYS(boot_pt_kernel) + 4096 + (PTE_P | PTE_W)

    xor ecx, ecx                        ; 512 2 MiB pages = 1 GiB
.two_mib:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_P | PTE_W | PTE_PS
    mov [PHYS(boot_pd_identity) + ecx * 8], eax
    mov [PHYS(boot_pd_direct) + ecx * 8], eax
    mov dword [PHYS(boot_pd_direct) + ecx * 8 + 4], PTE_NX_HIGH
    inc ecx
    cmp ecx, 512
    jb .two_mib

    mov eax, PHYS(__text_start)
    mov edx, PHYS(__text_end)
    mov ebx, PTE_P
    xor edi, edi
    call map_image_range
    mov eax, PHYS(__rodata_start)
    mov edx, PHYS(__rodata_end)
    mov edi, PTE_NX_HIGH
    call map_image_range
    mov eax, PHYS(__data_start)
    mov edx, PHYS(__kernel_end)
    mov ebx, PTE_P | PTE_W
    call map_image_range

    ; Unmap the page under the boot stack: an overflow then faults instead of
    ; silently overwriting whatever lies below.
    mov eax, PHYS(boot_stack_guard)
    shr eax, 12
    mov dword [PHYS(boot_pt_kernel) + eax * 8], 0
    ret

; map_image_range: map physical [EAX, EDX) at KERNEL_VMA + physical with 4 KiB pages.
; EBX = low flag bits, EDI = upper dword (NX). boot_pt_kernel's entries are indexed by
; physical page number, since its two tables cover the first 4 MiB. Clobbers EAX, ECX.
map_image_range:
.next:
    cmp eax, edx
    jae .done
    mov ecx, eax
    shr ecx, 12
    mov [PHYS(boot_pt_kernel) + ecx * 8], eax
    or [PHYS(boot_pt_kernel) + ecx * 8], ebx
    mov [PHYS(boot_pt_kernel) + ecx * 8 + 4], edi
    add eax, 4096
    jmp .next
.done:
    ret

; serial_init32: COM1 at 115200 8N1, so fail32 can say why the boot stopped. The C driver
; (arch/x86_64/drivers/serial.c) programs it again the same way once in 64-bit mode.
serial_init32:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                          ; no UART interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                          ; DLAB on: the next two ports are the divisor
    mov dx, COM1 + 0
    mov al, 1
    out dx, al                          ; divisor 1 = 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                          ; 8 data bits, no parity, 1 stop bit, DLAB off
    ret

; fail32: print the NUL-terminated message at ESI, ask QEMU to exit, halt for good.
fail32:
.char:
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20                       ; transmit holding register empty?
    jz .wait
    lodsb
    test al, al
    jz .halt
    mov dx, COM1
    out dx, al
    jmp .char
.halt:
    mov dx, DEBUG_EXIT_PORT
    mov eax, STATUS_UNSUPPORTED_CPU
    out dx, eax                         ; ends QEMU when the test device is present
.forever:
    cli
    hlt
    jmp .forever

bits 64
long_mode_low:
    ; Still running at a physical address; continue in the higher half (this same section,
    ; at its linked address: one section keeps NASM's line table whole for GDB).
    mov rax, long_mode_high
    jmp rax

long_mode_high:
    mov ax, BOOT_DS
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                        ; a zero frame pointer ends every backtrace
    mov edi, [rel boot_mb2_info_phys]
    call kmain
.forever:                               ; kmain does not return; if it did, stop here
    cli
    hlt
    jmp .forever

section .rodata
; Only for the jump into long mode: arch/x86_64/gdt.c loads the real GDT from kmain.
BOOT_CS equ 0x08
BOOT_DS equ 0x10
align 8
boot_gdt:
    dq 0
    dq 0x00af9a000000ffff               ; 64-bit code: present, DPL 0, L=1
    dq 0x00cf92000000ffff               ; data: present, DPL 0, writable
boot_gdt_end:
boot_gdtr:
    dw boot_gdt_end - boot_gdt - 1
    dd PHYS(boot_gdt)

msg_bad_magic:      db "Twofold: not started by a Multiboot2 boot loader (bad magic in EAX); halting.", 13, 10, 0
msg_no_cpuid:       db "Twofold: this CPU has no CPUID instruction; halting.", 13, 10, 0
msg_no_long_mode:   db "Twofold: this CPU has no long mode (x86-64); halting.", 13, 10, 0
msg_no_nx:          db "Twofold: this CPU has no NX (no-execute) bit; halting.", 13, 10, 0

section .data
boot_mb2_info_phys: dd 0

section .bss nobits alloc noexec write align=4096
boot_pml4:          resb 4096
boot_pdpt_identity: resb 4096
boot_pdpt_direct:   resb 4096
boot_pdpt_kernel:   resb 4096
boot_pd_identity:   resb 4096
boot_pd_direct:     resb 4096
boot_pd_kernel:     resb 4096
boot_pt_kernel:     resb 2 * 4096
boot_stack_guard:   resb 4096
boot_stack:         resb BOOT_STACK_SIZE
boot_stack_top:
