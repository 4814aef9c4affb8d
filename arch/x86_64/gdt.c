/* arch/x86_64/gdt.c: each CPU's GDT and 64-bit TSS. */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/stacks.h"

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];                /* stack for an interrupt from ring 0..2 into ring 0 */
    uint64_t reserved1;
    uint64_t ist[7];                /* IST1..IST7 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;            /* past the limit: no I/O permission bitmap */
};

struct cpu_descriptors {
    uint64_t gdt[10];
    struct tss64 tss;
};

/* In the entry area: the CPU reads the GDT and TSS on every entry from user mode. */
static struct cpu_descriptors descriptors[MAX_CPUS]
    __attribute__((section(".entry.data"), aligned(64)));

enum {
    SEG_ACCESSED = 1ull << 40,
    SEG_RW = 1ull << 41,            /* writable data / readable code */
    SEG_CODE = 1ull << 43,
    SEG_NOT_SYSTEM = 1ull << 44,
    SEG_PRESENT = 1ull << 47,
    SEG_LONG = 1ull << 53,          /* 64-bit code */
    SEG_DB = 1ull << 54,            /* 32-bit default operand size */
    SEG_GRANULARITY_4K = 1ull << 55,
    SEG_LIMIT_4G = 0x000f00000000ffffull,
    TSS_AVAILABLE = 9ull << 40,
};
#define SEG_DPL(n) ((uint64_t)(n) << 45)

static const uint64_t flat_segments[TSS_SEL / 8] = {
    [KERNEL_CS / 8] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_CODE | SEG_RW | SEG_ACCESSED | SEG_LONG,
    [KERNEL_DS / 8] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_RW | SEG_ACCESSED | SEG_DB | SEG_GRANULARITY_4K
                    | SEG_LIMIT_4G,
    [USER32_CS / 8] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_CODE | SEG_RW | SEG_ACCESSED | SEG_DPL(3) | SEG_DB
                    | SEG_GRANULARITY_4K | SEG_LIMIT_4G,
    [USER_DS / 8] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_RW | SEG_ACCESSED | SEG_DPL(3) | SEG_DB
                  | SEG_GRANULARITY_4K | SEG_LIMIT_4G,
    [USER_CS / 8] = SEG_PRESENT | SEG_NOT_SYSTEM | SEG_CODE | SEG_RW | SEG_ACCESSED | SEG_DPL(3) | SEG_LONG,
};
_Static_assert(KERNEL_DS == KERNEL_CS + 8 && USER_DS == USER32_CS + 8 && USER_CS == USER32_CS + 16,
               "the order SYSCALL and SYSRET take the selectors in");

void gdt_init_cpu(unsigned cpu_id)
{
    struct cpu_descriptors *d = &descriptors[cpu_id];
    for (int i = 0; i < TSS_SEL / 8; i++)
        d->gdt[i] = flat_segments[i];

    for (int ist = 1; ist <= IST_COUNT; ist++)
        d->tss.ist[ist - 1] = ist_stack_top(cpu_id, ist);
    d->tss.iomap_base = sizeof(struct tss64);

    uint64_t base = (uint64_t)&d->tss;
    uint64_t limit = sizeof(struct tss64) - 1;
    d->gdt[TSS_SEL / 8] = SEG_PRESENT | TSS_AVAILABLE | (limit & 0xffff) | (base & 0xffffff) << 16
                        | ((base >> 24) & 0xff) << 56;
    d->gdt[TSS_SEL / 8 + 1] = base >> 32;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = {
        sizeof(d->gdt) - 1, (uint64_t)d->gdt };
    __asm__ volatile(
        "lgdt %[gdtr]\n\t"
        /* CS can only be reloaded by a far transfer: return to the next line through it. */
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %[ds], %%eax\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "movl %%eax, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movl %%eax, %%fs\n\t"     /* FS and GS bases come from MSRs in 64-bit mode */
        "movl %%eax, %%gs\n\t"
        "ltr %w[tss]\n\t"
        /* A null LDT: LDTR otherwise keeps whatever the firmware and boot loader left (a
         * table at linear address 0, which a user mapping there would control), and user
         * code could load its selectors. */
        "lldt %%ax"
        :
        : [gdtr] "m"(gdtr), [cs] "i"(KERNEL_CS), [ds] "i"(KERNEL_DS), [tss] "r"(TSS_SEL)
        : "rax", "memory");
}

void tss_set_kernel_stack(unsigned cpu_id, uint64_t stack_top)
{
    descriptors[cpu_id].tss.rsp[0] = stack_top;
}
