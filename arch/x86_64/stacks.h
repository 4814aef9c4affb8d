/* arch/x86_64/stacks.h: the kernel's fixed stacks (the boot stack, each CPU's IST stacks),
 * and the questions a backtrace or a fault report asks about stacks. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct stack_range {
    uint64_t low, high;     /* [low, high) */
};

/* Top of CPU cpu_id's stack for IST slot ist (1..IST_COUNT). */
uint64_t ist_stack_top(unsigned cpu_id, int ist);

/* Find the kernel stack that holds [addr, addr + len); false if none does. */
bool kernel_stack_find(uint64_t addr, uint64_t len, struct stack_range *found);

/* Whether addr lies in the unmapped guard page under a kernel stack. */
bool stack_guard_contains(uint64_t addr);
