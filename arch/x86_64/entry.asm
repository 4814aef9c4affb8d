; arch/x86_64/entry.asm: every way into the kernel and back out.
;
; Doors: the 32 CPU exceptions, the interrupt vectors (`int 0x80` among them, a DPL-3 gate),
; SYSCALL (from 64-bit mode, and from 32-bit compatibility mode) and SYSENTER. Each one
; builds the same struct trap_frame (arch/x86_64/trap.h) on the current process's kernel
; stack and calls C; the way back restores the frame.
;
; Once the frame is saved, every entry sets RFLAGS to its reserved bit alone or clears the
; flags the CPU left (DF, which C assumes clear; AC, which with SMAP would open every user
; page to the kernel) and zeroes the general registers (Linux's PUSH_AND_CLEAR_REGS): C
; reads the user's values from the frame, and none of them sits in a register for a
; speculative gadget to use.
;
; Coming from user mode, the entry swaps GS (user GS base <-> this CPU's struct cpu) and
; loads the kernel CR3 from struct cpu; going back it loads the user CR3 and swaps GS back.
; The two CR3 values are per process and equal unless page-table isolation gives them
; different tables: when equal, CR3 is not written at all (a write flushes the TLB).
; Like XNU's L_dispatch, one common path decides from the saved CS whether the trap came
; from user mode. NMI, #DB, #DF and #MC can arrive anywhere, even between an entry's first
; instruction and its swapgs, or in the few instructions that run on the user CR3, so they
; decide from the GS base MSR and from CR3 itself ("paranoid").
;
; A user CR3 maps only the entry area: this code, struct cpu (with its trampoline stack),
; the GDT, IDT, TSS and IST stacks. So an interrupt or exception from user mode lands on the
; trampoline stack (TSS.RSP0), and the entry moves its frame to the process's kernel stack
; once the kernel CR3 is loaded; the way back copies the IRET frame to the trampoline before
; it loads the user CR3. Until CR3 is switched, these stubs touch nothing but GS and the
; stack they are on.
;
; This file lives in .entry.text: the code that every address space maps.

; struct cpu and struct trap_frame offsets, selectors, flags, vectors: generated from the C
; headers (arch/x86_64/asm_constants.c), so they cannot drift apart.
%include "asm_constants.inc"

MSR_GS_BASE     equ 0xc0000101

extern trap_dispatch, syscall_dispatch
global exception_stubs, interrupt_stubs, syscall_entry, syscall32_entry, sysenter_entry
global trap_return, trap_return_iret, syscall_sysret, sysenter_flags_clear

; Paranoid vectors: NMI, #DB, #DF, #MC (the ones on IST stacks). #DB and #MC from user mode
; take the common path instead: it leaves the IST stack for the process's kernel stack, where
; the handler may switch to another process or kill this one (on the IST stack, a second #DB
; would overwrite the first one's frame).
%define PARANOID(v) ((v) == 1 || (v) == 2 || (v) == 8 || (v) == 18)
%define USER_TAKES_COMMON_PATH(v) ((v) == 1 || (v) == 18)
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

; Save the general registers in struct trap_frame order (rax highest, r15 at RSP).
%macro PUSH_REGS 0
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
%endmacro

%macro POP_REGS_BUT_RAX 0
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
%endmacro

; After PUSH_REGS: RFLAGS = 2 (its reserved bit alone). Clears DF and AC, which neither an
; interrupt gate nor SYSENTER clears, and which user mode may have set; IF stays clear.
; (`clac` would need SMAP: it is #UD on CPUs without it.)
%macro CLEAR_FLAGS 0
    push 2
    popfq
%endmacro

; After PUSH_REGS: zero every general register but RSP (32-bit writes zero the upper half).
; RDI is set to the frame next.
%macro CLEAR_REGS 0
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
%endmacro

; Load the CR3 held at [gs:%1] unless it equals [gs:%2]. Clobbers %3.
%macro SWITCH_CR3 3
    mov %3, [gs:%1]
    cmp %3, [gs:%2]
    je %%same
    mov cr3, %3
%%same:
%endmacro

; The way out: load the user CR3. With PCIDs, the value may lack the no-flush bit because
; the kernel changed user mappings (a deferred flush of the user PCID, arch/x86_64/tlb.c):
; the load flushes, and later loads keep the entries again. Clobbers %1.
%macro SWITCH_TO_USER_CR3 1
    SWITCH_CR3 CPU_EXIT_CR3, CPU_ENTRY_CR3, %1
    mov %1, [gs:CPU_CR3_NOFLUSH]
    or [gs:CPU_EXIT_CR3], %1
%endmacro

section .entry.text progbits alloc exec nowrite align=16

; ---- exceptions and interrupts --------------------------------------------------------
%assign vec 0
%rep 32
exception_stub_%+vec:
%if !HAS_ERROR_CODE(vec)
    push 0                          ; every frame has an error code slot
%endif
    push vec
%if USER_TAKES_COMMON_PATH(vec)
    test byte [rsp + FRAME_CS - FRAME_VECTOR], 3    ; the saved CS: from user mode?
    jnz trap_entry
%endif
%if PARANOID(vec)
    jmp paranoid_entry
%else
    jmp trap_entry
%endif
%assign vec vec + 1
%endrep

; Vectors 32..255: device interrupts, the APIC's spurious vector, and int 0x80 (a gate
; user mode may use). The CPU pushes no error code for any of them.
%assign vec 32
%rep 224
interrupt_stub_%+vec:
    push 0
    push vec
    jmp trap_entry
%assign vec vec + 1
%endrep

; The common path: error code and vector pushed, the CPU's frame above them.
trap_entry:
    test byte [rsp + FRAME_CS - FRAME_VECTOR], 3    ; the saved CS: from user mode?
    jnz .from_user
    cmp qword [rsp + FRAME_RIP - FRAME_VECTOR], trap_return_iret
    je .from_user                   ; the IRET to user mode faulted: GS and CR3 are the user's
    lfence                          ; no speculative GS use down a mispredicted path (CVE-2019-1125)
    jmp .save
.from_user:
    swapgs
    lfence
    mov [gs:CPU_SCRATCH], rdi
    SWITCH_CR3 CPU_ENTRY_CR3, CPU_EXIT_CR3, rdi
    ; Move vector, error code and the CPU's frame (7 words) from the trampoline stack to
    ; the top of the process's kernel stack, and go on there.
    mov rdi, rsp
    mov rsp, [gs:CPU_KERNEL_STACK_TOP]
    push qword [rdi + 48]
    push qword [rdi + 40]
    push qword [rdi + 32]
    push qword [rdi + 24]
    push qword [rdi + 16]
    push qword [rdi + 8]
    push qword [rdi]
    mov rdi, [gs:CPU_SCRATCH]
.save:
    PUSH_REGS
    CLEAR_FLAGS
    CLEAR_REGS
    mov rdi, rsp
    call trap_dispatch

; Return through the frame at RSP (also where a new process starts).
trap_return:
    POP_REGS_BUT_RAX
    pop rax
    add rsp, 16                     ; the vector and error code
    test byte [rsp + 8], 3          ; the saved CS: back to user mode?
    jz trap_return_iret
    inc qword [gs:CPU_EXITS_IRET]
    ; Copy the IRET frame (5 words) to the trampoline stack, which the user CR3 maps.
    mov [gs:CPU_SCRATCH], rdi
    mov rdi, rsp
    mov rsp, [gs:CPU_SELF]
    add rsp, CPU_TRAMPOLINE_TOP     ; the top of this CPU's trampoline stack
    push qword [rdi + 32]
    push qword [rdi + 24]
    push qword [rdi + 16]
    push qword [rdi + 8]
    push qword [rdi]
    SWITCH_TO_USER_CR3 rdi
    mov rdi, [gs:CPU_SCRATCH]
    swapgs
trap_return_iret:
    iretq

; NMI, #DB, #DF, #MC: interrupted code may have any GS and any CR3. A kernel GS base is a
; kernel (upper half, negative) address; anything else means swapgs now and again on the
; way out. CR3 is saved as it was, the kernel CR3 loaded, and the saved one put back.
paranoid_entry:
    PUSH_REGS
    CLEAR_FLAGS
    CLEAR_REGS
    mov ecx, MSR_GS_BASE
    rdmsr
    xor ebx, ebx                    ; RBX (callee-saved): 1 if we swapped GS
    test edx, edx
    js .kernel_gs
    swapgs
    mov ebx, 1
.kernel_gs:
    lfence
    mov r12, cr3                    ; R12 (callee-saved): the CR3 to put back
    mov rax, [gs:CPU_ENTRY_CR3]
    cmp rax, r12
    je .kernel_cr3
    mov cr3, rax
.kernel_cr3:
    mov rdi, rsp
    call trap_dispatch
    mov rax, cr3
    cmp rax, r12
    je .cr3_back
    or r12, [gs:CPU_CR3_NOFLUSH]    ; put it back without flushing its PCID
    mov cr3, r12
.cr3_back:
    test ebx, ebx
    jz .done
    swapgs
.done:
    POP_REGS_BUT_RAX
    pop rax
    add rsp, 16
    iretq

; ---- SYSCALL ----------------------------------------------------------------------------
; The CPU left RCX = user RIP, R11 = user RFLAGS, and cleared the flags in MSR_SYSCALL_MASK
; (IF among them: nothing interrupts us before the stack is ours). RSP is still the user's.
syscall_entry:
    swapgs
    mov [gs:CPU_USER_RSP], rsp
    SWITCH_CR3 CPU_ENTRY_CR3, CPU_EXIT_CR3, rsp     ; RSP is the one free register
    mov rsp, [gs:CPU_KERNEL_STACK_TOP]
    push USER_DS                    ; the frame an interrupt from user mode would have made
    push qword [gs:CPU_USER_RSP]
    push r11
    push USER_CS
    push rcx
    push 0
    push VEC_SYSCALL
    PUSH_REGS
    CLEAR_REGS                      ; the flag mask has cleared DF and AC already
    mov rdi, rsp
    call syscall_dispatch

    ; SYSRET only when it restores exactly this frame (RCX and R11 hold RIP and RFLAGS, as
    ; the CPU left them), to a canonical user RIP (a non-canonical one would fault in ring 0
    ; on the user's stack: CVE-2012-0217), without TF or RF (SYSRET cannot restore RF, and
    ; TF would trap at once), and to the 64-bit user segments. Anything else takes IRET,
    ; counted by why (struct exit_counts).
    mov rcx, [rsp + FRAME_RIP]
    cmp rcx, [rsp + FRAME_RCX]
    jne syscall_iret_frame_changed
    mov r11, [rsp + FRAME_RFLAGS]
    cmp r11, [rsp + FRAME_R11]
    jne syscall_iret_frame_changed
    mov rax, USER_RIP_LIMIT
    cmp rcx, rax
    jae syscall_iret_rip
    test r11, RFLAGS_TF | RFLAGS_RF
    jnz syscall_iret_tf_rf
    cmp qword [rsp + FRAME_CS], USER_CS
    jne syscall_iret_segments
    cmp qword [rsp + FRAME_SS], USER_DS
    jne syscall_iret_segments
    inc qword [gs:CPU_EXITS_SYSRET]
    POP_REGS_BUT_RAX
    pop rax
    mov rsp, [rsp + FRAME_RSP - FRAME_VECTOR]   ; the user's stack: nothing of the kernel's left
    mov [gs:CPU_SCRATCH], rax
    SWITCH_TO_USER_CR3 rax
    mov rax, [gs:CPU_SCRATCH]
    swapgs
syscall_sysret:                     ; a label for GDB: the CR3 here is the one user mode gets
    o64 sysret
syscall_iret_frame_changed:
    inc qword [gs:CPU_EXITS_IRET_FRAME_CHANGED]
    jmp trap_return
syscall_iret_rip:
    inc qword [gs:CPU_EXITS_IRET_RIP]
    jmp trap_return
syscall_iret_tf_rf:
    inc qword [gs:CPU_EXITS_IRET_TF_RF]
    jmp trap_return
syscall_iret_segments:
    inc qword [gs:CPU_EXITS_IRET_SEGMENTS]
    jmp trap_return

; ---- SYSENTER ---------------------------------------------------------------------------
; Twofold's 64-bit SYSENTER convention: RAX = number, arguments as for SYSCALL, RCX = the
; user RSP to return with, R11 = the return RIP (the two registers SYSCALL clobbers too).
; The CPU cleared only IF (and VM); RSP is this CPU's small sysenter stack (MSR).
sysenter_entry:
    pushfq                          ; the user's RFLAGS, but for IF
    push 0
    popfq                           ; clear TF, NT, AC, DF before anything else runs
sysenter_flags_clear:               ; with TF set, each instruction until here traps (#DB)
    swapgs
    mov [gs:CPU_USER_RSP], rcx
    pop rcx                         ; the user's RFLAGS
    or rcx, RFLAGS_IF
    SWITCH_CR3 CPU_ENTRY_CR3, CPU_EXIT_CR3, rsp
    mov rsp, [gs:CPU_KERNEL_STACK_TOP]
    push USER_DS
    push qword [gs:CPU_USER_RSP]
    push rcx
    push USER_CS
    push r11
    push 0
    push VEC_SYSENTER
    PUSH_REGS
    CLEAR_REGS                      ; the popfq above has cleared DF and AC
    mov rdi, rsp
    call syscall_dispatch
    jmp trap_return                 ; always IRET: it restores every register

; ---- SYSCALL from 32-bit compatibility mode ---------------------------------------------
; Any process can far-jump to the 32-bit user code segment (USER32_CS, which STAR's layout
; fixes) and execute SYSCALL there; the CPU then comes here (MSR_CSTAR), in 64-bit ring 0,
; with the user's RSP and GS. Twofold has no 32-bit system calls, so, as Linux does without
; IA32 emulation, answer -ENOSYS at once and go back, touching no memory and no stack. The
; 32-bit SYSRET loads CS = USER32_CS, SS = USER_DS, EIP = ECX (32 bits: always canonical)
; and RFLAGS = R11, and leaves every other register as the user had it.
syscall32_entry:
    mov eax, -ENOSYS
    sysret

section .rodata
align 8
exception_stubs:
%assign vec 0
%rep 32
    dq exception_stub_%+vec
%assign vec vec + 1
%endrep
interrupt_stubs:
%assign vec 32
%rep 224
    dq interrupt_stub_%+vec
%assign vec vec + 1
%endrep
