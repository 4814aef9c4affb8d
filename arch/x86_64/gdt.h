/* arch/x86_64/gdt.h: segment selectors, and each CPU's GDT and TSS.
 *
 * The order is fixed by SYSCALL/SYSRET: STAR[47:32] = KERNEL_CS gives SS = KERNEL_CS + 8;
 * STAR[63:48] = 0x20 gives SYSRET's 32-bit CS 0x23, SS 0x2b and 64-bit CS 0x33. The values
 * are Linux's (its __KERNEL_CS, __USER32_CS, __USER_DS, __USER_CS), which user programs can
 * see and some count on (Linux's sysret_ss_attrs selftest far-returns to 0x23); slot 1 is
 * left empty, where Linux keeps a 32-bit kernel code segment.
 */
#pragma once
#include <stdint.h>

#define KERNEL_CS  0x10
#define KERNEL_DS  0x18
#define USER32_CS  0x23
#define USER_DS    0x2b
#define USER_CS    0x33
#define TSS_SEL    0x40     /* a 16-byte descriptor: slots 8 and 9 */

/* Interrupt stack table slots (1-based, as the IDT gate's IST field counts). */
enum { IST_DOUBLE_FAULT = 1, IST_NMI = 2, IST_MACHINE_CHECK = 3, IST_DEBUG = 4, IST_COUNT = 4 };

#define MAX_CPUS 16

/* Load this CPU's GDT, TSS and a null LDT, and reload every segment register. */
void gdt_init_cpu(unsigned cpu_id);

/* The stack the CPU switches to on an interrupt or exception from user mode (TSS.RSP0). */
void tss_set_kernel_stack(unsigned cpu_id, uint64_t stack_top);
