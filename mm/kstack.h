/* mm/kstack.h: kernel stacks in their own virtual area, each with an unmapped guard page
 * below it, so an overflow faults (and becomes a "kernel stack overflow" panic through the
 * #DF handler's own stack) instead of overwriting a neighbour. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum { KSTACK_PAGES = 4, KSTACK_SIZE = KSTACK_PAGES * 4096 };

/* A new stack's top (its first push lands just below); 0 when out of memory or slots. */
uint64_t kstack_alloc(void);

/* Unmap a stack from kstack_alloc and give its frames back. */
void kstack_free(uint64_t top);

/* If [addr, addr + len) lies on one allocated kernel stack, that stack's [*low, *high). */
bool kstack_find(uint64_t addr, uint64_t len, uint64_t *low, uint64_t *high);

/* Whether addr lies in the guard page of a kernel stack slot. */
bool kstack_guard_contains(uint64_t addr);
