; arch/x86_64/call_on_stack.asm: run a function on another stack and come back.
;
; void call_on_stack(void (*fn)(void *arg), void *arg, uint64_t stack_top)
; Tests use it to run code on a stack from mm/kstack.c, and to overflow one.

global call_on_stack

section .text
call_on_stack:
    push rbp
    mov rbp, rsp                ; [rbp] = caller's RBP, [rbp + 8] = return address
    push rbx
    mov rbx, rsp                ; the old stack, in a register fn must preserve
    mov rsp, rdx
    ; A copy of our frame record on the new stack, and RBP pointing at it: a backtrace
    ; taken inside fn walks from the new stack back to our caller on the old one.
    push qword [rbp + 8]
    push qword [rbp]
    mov rbp, rsp
    mov rax, rdi
    mov rdi, rsi
    call rax                    ; RSP = stack_top - 16: aligned as the ABI wants
    mov rsp, rbx
    pop rbx
    pop rbp
    ret
