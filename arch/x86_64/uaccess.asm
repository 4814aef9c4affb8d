; arch/x86_64/uaccess.asm: the three instructions that touch user memory for the kernel.
;
; uint64_t uaccess_copy(void *dst, const void *src, uint64_t n)
; Copies n bytes between kernel and user memory and returns how many were NOT copied (0:
; all; a fault inside a word may count up to 7 bytes of it that could have been copied). A
; page fault on the `rep movsq` or the `rep movsb` goes to trap.c, which either gives the page
; (the copy resumes where it stopped: RCX, RSI, RDI say where) or sends it to that
; instruction's fixup, which returns what is left. With SMAP on, user pages are reachable
; only between stac and clac.
;
; int uaccess_cmpxchg32(uint32_t *user, uint32_t expected, uint32_t desired, uint32_t *seen)
; If the user word holds expected, stores desired, in one atomic step against every other
; CPU (lock cmpxchg: futex's WAKE_OP and robust lists change words that other threads
; change with their own atomics); *seen gets what the word held. Returns 0, or 1 if the word
; could not be reached: a fault on the cmpxchg goes to trap.c as a copy's does, and its
; fixup returns 1.

global uaccess_copy, uaccess_copy_insn, uaccess_copy_fixup, uaccess_copy_tail_insn, uaccess_copy_tail_fixup
global uaccess_use_stac
global uaccess_cmpxchg32, uaccess_cmpxchg_insn, uaccess_cmpxchg_fixup

section .text
uaccess_copy:
    mov rcx, rdx
    shr rcx, 3                      ; whole words first: a step moves 8 bytes, not 1
    and edx, 7                      ; RDX: the bytes after the last whole word
    cmp byte [rel uaccess_use_stac], 0
    je uaccess_copy_insn
    stac
uaccess_copy_insn:
    rep movsq
    mov ecx, edx
uaccess_copy_tail_insn:
    rep movsb
    xor eax, eax
uaccess_close:
    cmp byte [rel uaccess_use_stac], 0
    je .done
    clac
.done:
    ret
uaccess_copy_fixup:                 ; stopped in the words: RCX words and the RDX-byte tail left
    lea rax, [rcx * 8 + rdx]
    jmp uaccess_close
uaccess_copy_tail_fixup:            ; stopped in the tail: RCX bytes left
    mov rax, rcx
    jmp uaccess_close

uaccess_cmpxchg32:
    mov eax, esi                    ; cmpxchg compares with EAX and leaves the old word there
    cmp byte [rel uaccess_use_stac], 0
    je uaccess_cmpxchg_insn
    stac
uaccess_cmpxchg_insn:
    lock cmpxchg [rdi], edx
    mov [rcx], eax                  ; kernel memory: outside the reach of the fixup's fault
    xor eax, eax
    jmp uaccess_close
uaccess_cmpxchg_fixup:
    mov eax, 1
    jmp uaccess_close

section .data
uaccess_use_stac: db 0              ; set at boot where the CPU has SMAP (stac is #UD without)
