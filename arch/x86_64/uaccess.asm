; arch/x86_64/uaccess.asm: the one instruction that touches user memory for the kernel.
;
; uint64_t uaccess_copy(void *dst, const void *src, uint64_t n)
; Copies n bytes between kernel and user memory and returns how many were NOT copied (0:
; all). A page fault on the `rep movsb` goes to trap.c, which either gives the page (the
; copy resumes where it stopped: RCX, RSI, RDI say where) or sends it to the fixup, which
; returns what is left. With SMAP on, user pages are reachable only between stac and clac.

global uaccess_copy, uaccess_copy_insn, uaccess_copy_fixup, uaccess_use_stac

section .text
uaccess_copy:
    mov rcx, rdx
    cmp byte [rel uaccess_use_stac], 0
    je uaccess_copy_insn
    stac
uaccess_copy_insn:
    rep movsb
    xor eax, eax
uaccess_close:
    cmp byte [rel uaccess_use_stac], 0
    je .done
    clac
.done:
    ret
uaccess_copy_fixup:
    mov rax, rcx
    jmp uaccess_close

section .data
uaccess_use_stac: db 0              ; set at boot where the CPU has SMAP (stac is #UD without)
