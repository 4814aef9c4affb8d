; arch/x86_64/switch.asm: switching kernel stacks between processes.
;
; void context_switch(uint64_t *save_rsp, uint64_t next_rsp)
; Saves the callee-saved registers on this stack and its RSP in *save_rsp, then resumes the
; stack next_rsp as it was saved (or as process.c laid out a new one: six register slots and
; a return address, trap_return, under its first trap frame).

global context_switch

section .text
context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
