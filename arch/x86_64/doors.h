/* arch/x86_64/doors.h: the system-call doors' CPU setup. */
#pragma once

/* On this CPU: SYSCALL (EFER.SCE, STAR, LSTAR, the flag mask) and SYSENTER (its three
 * MSRs). The int 0x80 gate is in the IDT (idt.c). Needs percpu_init_cpu first. */
void doors_init_cpu(unsigned cpu_id);
