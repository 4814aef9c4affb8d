; arch/x86_64/exceptions.asm: the entry stubs of the 32 CPU exception vectors.
;
; Each stub makes the stack look the same whatever the vector (an error code slot, then the
; vector number) and joins exception_common, which saves every general register in the
; order of struct trap_frame (arch/x86_64/trap.h) and calls trap_dispatch(frame).
; The stubs live in .entry.text: the part of the kernel that every address space maps.

extern trap_dispatch
global exception_stubs

; Vectors for which the CPU pushes an error code itself.
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .entry.text progbits alloc exec nowrite align=16

%assign vec 0
%rep 32
exception_stub_%+vec:
%if !HAS_ERROR_CODE(vec)
    push 0                      ; the missing error code: every frame has the slot
%endif
    push vec
    jmp exception_common
%assign vec vec + 1
%endrep

exception_common:
    ; The CPU aligned RSP to 16 before pushing its 5 words; with the 2 above and the 15
    ; below (22 words in all) RSP is 16-byte aligned again at the call, as the ABI asks.
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld                         ; the C code assumes DF = 0
    mov rdi, rsp
    call trap_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                 ; drop the vector and the error code
    iretq

section .rodata
align 8
exception_stubs:
%assign vec 0
%rep 32
    dq exception_stub_%+vec
%assign vec vec + 1
%endrep
