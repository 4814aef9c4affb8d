; arch/x86_64/switch.asm: switching kernel stacks between processes.
;
; void context_switch(uint64_t *save_rsp, uint64_t next_rsp, struct process *from)
; Saves the callee-saved registers on this stack and its RSP in *save_rsp, then resumes the
; stack next_rsp as it was saved (or as process.c laid out a new one: six register slots and
; a return address, trap_return, under its first trap frame). Before the resumed context
; runs, sched_switch_finish(from) runs on its stack: from, the context just left, is off
; this CPU only from there on (kernel/proc/sched.c's protocol).

global context_switch
extern sched_switch_finish

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
    ; Every saved RSP is 8 below a 16-byte boundary, as here after the six pushes (a new
    ; stack's layout keeps it so): realign for the call as the ABI wants.
    sub rsp, 8
    mov rdi, rdx
    call sched_switch_finish
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
