/* kernel/fault_cases.c: the faults `fault=NAME` can trigger (see fault_cases.h). */
#include "kernel/fault_cases.h"
#include "arch/x86_64/call_on_stack.h"
#include "kernel/printk.h"
#include "kernel/proc/sched.h"
#include "kernel/spinlock.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include <stdint.h>
#include <string.h>

static void fault_invalid_opcode(void)
{
    __asm__ volatile("ud2");
}

static void fault_write_text(void)
{
    /* Kernel text is mapped read-only and CR0.WP makes that bind the kernel too. */
    *(volatile uint8_t *)(uintptr_t)&fault_write_text = 0xc3;
}

static void fault_execute_data(void)
{
    /* A RET instruction in writable data: NX must refuse to fetch it. */
    static uint8_t ret_instruction[] = { 0xc3 };
    ((void (*)(void))(uintptr_t)ret_instruction)();
}

static void fault_execute_heap(void)
{
    /* The heap lives in the direct map, which is NX. */
    uint8_t *code = kmalloc(16);
    code[0] = 0xc3;
    ((void (*)(void))(uintptr_t)code)();
}

/* Recurse until the stack runs into its guard page; the volatile frame keeps the compiler
 * from turning this into a loop, and the depth test (never true) from calling it infinite. */
static int recurse(volatile int depth)
{
    volatile char frame[256];
    frame[0] = (char)depth;
    if (depth == -1)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static void fault_stack_overflow(void)
{
    recurse(0);
}

static void recurse_from(void *unused)
{
    (void)unused;
    recurse(0);
}

static void fault_kernel_stack_overflow(void)
{
    call_on_stack(recurse_from, NULL, kstack_alloc());
}

/* A switch with a spinlock held: schedule() must refuse it (the lock would stay held by a
 * process that is not running, and the next one to take it would spin for ever). */
static void fault_switch_holding_a_lock(void)
{
    static struct spinlock lock;
    spin_lock(&lock);
    schedule();
}

static const struct {
    const char *name;
    void (*trigger)(void);
} fault_cases[] = {
    { "ud2", fault_invalid_opcode },
    { "write-text", fault_write_text },
    { "exec-data", fault_execute_data },
    { "exec-heap", fault_execute_heap },
    { "stack-overflow", fault_stack_overflow },
    { "kstack-overflow", fault_kernel_stack_overflow },
    { "switch-holding-a-lock", fault_switch_holding_a_lock },
};

void fault_case_run(const char *name)
{
    for (size_t i = 0; i < sizeof fault_cases / sizeof fault_cases[0]; i++)
        if (strcmp(fault_cases[i].name, name) == 0) {
            kprintf("fault=%s: faulting on purpose\n", name);
            fault_cases[i].trigger();
            kprintf("fault=%s: the fault did not happen\n", name);
            return;
        }
    kprintf("fault=%s: unknown; the cases are:", name);
    for (size_t i = 0; i < sizeof fault_cases / sizeof fault_cases[0]; i++)
        kprintf(" %s", fault_cases[i].name);
    kprintf("\n");
}
