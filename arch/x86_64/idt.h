/* arch/x86_64/idt.h: the interrupt descriptor table, one for all CPUs. */
#pragma once

/* Fill every gate: the exceptions (with IST stacks for NMI, #DB, #DF, #MC), the interrupt
 * vectors, and the int 0x80 system-call gate (DPL 3); and load the IDT on this CPU. The
 * first CPU builds it, the others only load it. */
void idt_init_cpu(unsigned cpu_id);
