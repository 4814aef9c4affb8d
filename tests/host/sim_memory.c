/* tests/host/sim_memory.c: simulated physical memory (see sim_memory.h). */
#include "sim_memory.h"
#include "kernel/panic.h"
#include "mm/fail_alloc.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/tlb.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static uint8_t *ram;
static size_t ram_size;
unsigned sim_tlb_invalidations;
size_t sim_free_frames_at_invalidation;

void sim_memory_init(size_t bytes)
{
    free(ram);
    ram = aligned_alloc(PAGE_SIZE, bytes);
    ram_size = bytes;
    struct phys_range all = { SIM_PHYS_BASE, SIM_PHYS_BASE + bytes };
    frame_allocator_init(&all, 1, NULL, 0);
}

void *phys_to_virt(uint64_t phys)
{
    if (phys < SIM_PHYS_BASE || phys - SIM_PHYS_BASE >= ram_size) {
        fprintf(stderr, "phys_to_virt(%#llx): outside the simulated RAM\n", (unsigned long long)phys);
        abort();
    }
    return ram + (phys - SIM_PHYS_BASE);
}

uint64_t virt_to_phys(const void *p)
{
    return (uint64_t)((const uint8_t *)p - ram) + SIM_PHYS_BASE;
}

/* No allocation-failure injection on the host (mm/fail_alloc.c is the kernel's). */
bool fail_alloc_now(void)
{
    return false;
}

void tlb_invalidate(uint64_t root, uint64_t va, uint64_t size)
{
    (void)root, (void)va, (void)size;
    sim_tlb_invalidations++;
    sim_free_frames_at_invalidation = frame_free_count();
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "panic: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}
