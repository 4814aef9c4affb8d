/* arch/x86_64/call_on_stack.h: run a function on another stack (call_on_stack.asm). */
#pragma once
#include <stdint.h>

void call_on_stack(void (*fn)(void *arg), void *arg, uint64_t stack_top);
