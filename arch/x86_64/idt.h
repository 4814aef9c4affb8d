/* arch/x86_64/idt.h: the interrupt descriptor table, one for all CPUs. */
#pragma once

/* Fill the exception gates (with IST stacks for NMI, #DB, #DF, #MC) and the int 0x80
 * system-call gate (DPL 3), and load the IDT on this CPU; the first CPU builds it, the
 * others only load it. */
void idt_init_cpu(unsigned cpu_id);
