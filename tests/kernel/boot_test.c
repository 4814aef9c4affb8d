/* tests/kernel/boot_test.c: the machine state boot/start.asm and kmain() leave behind. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/stacks.h"
#include "kernel/kernel.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"

extern char boot_stack_guard[];
void kmain(uint32_t);

KTEST(boot_control_registers)
{
    KEXPECT(read_cr0() & CR0_WP);
    KEXPECT(read_cr4() & (1u << 5));            /* PAE */
    KEXPECT(rdmsr(MSR_EFER) & EFER_NXE);
    KEXPECT(rdmsr(MSR_EFER) & (1u << 10));      /* LMA: long mode active */
}

KTEST(boot_segments_are_the_kernel_gdt)
{
    uint16_t cs, ss, tr;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1; str %2" : "=r"(cs), "=r"(ss), "=r"(tr));
    KEXPECT_EQ(cs, KERNEL_CS);
    KEXPECT_EQ(ss, KERNEL_DS);
    KEXPECT_EQ(tr, TSS_SEL);
}

KTEST(boot_idt_sends_nmi_df_mc_db_to_ist_stacks)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    KEXPECT_EQ(idtr.limit, 256 * 16 - 1);
    const uint8_t *gates = (const uint8_t *)idtr.base;
    KEXPECT_EQ(gates[8 * 16 + 4], IST_DOUBLE_FAULT);
    KEXPECT_EQ(gates[2 * 16 + 4], IST_NMI);
    KEXPECT_EQ(gates[18 * 16 + 4], IST_MACHINE_CHECK);
    KEXPECT_EQ(gates[1 * 16 + 4], IST_DEBUG);
    KEXPECT_EQ(gates[14 * 16 + 4], 0);          /* #PF stays on the current stack */
    KEXPECT_EQ(*(const uint16_t *)(gates + 14 * 16 + 2), KERNEL_CS);
}

KTEST(boot_info_was_read)
{
    KEXPECT(boot_info.memory_region_count > 0);
    uint64_t available = 0;
    for (size_t i = 0; i < boot_info.memory_region_count; i++)
        if (boot_info.memory[i].type == MB2_MEMORY_AVAILABLE)
            available += boot_info.memory[i].length;
    KEXPECT(available >= 32ull << 20);
    KEXPECT(kernel_options.test);               /* we run because the command line said so */
    KEXPECT(boot_info.loader_name[0] != '\0');
}

KTEST(boot_stack_has_a_guard_page)
{
    struct stack_range stack;
    uint64_t rsp = (uint64_t)__builtin_frame_address(0);
    KEXPECT(kernel_stack_find(rsp, 16, &stack));
    KEXPECT(stack_guard_contains((uint64_t)boot_stack_guard));
    KEXPECT(!kernel_stack_find((uint64_t)boot_stack_guard, 8, &stack));
    KEXPECT_EQ((uint64_t)boot_stack_guard + 4096, stack.low);  /* the guard lies right below */
}

KTEST(ksyms_names_kernel_functions)
{
    const char *name = "";
    uint64_t offset = 99;
    KEXPECT(ksym_lookup((uint64_t)kmain + 5, &name, &offset));
    KEXPECT_STREQ(name, "kmain");
    KEXPECT_EQ(offset, 5);
    KEXPECT(ksym_lookup((uint64_t)ktest_run_all, &name, &offset));
    KEXPECT_STREQ(name, "ktest_run_all");
    KEXPECT_EQ(offset, 0);
    KEXPECT(!ksym_lookup((uint64_t)&boot_info, &name, &offset));     /* data is not text */
}
