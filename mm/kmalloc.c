/* mm/kmalloc.c: slab allocation in size classes (see kmalloc.h).
 *
 * A slab is one frame, seen through the direct map: a header, then objects of one class.
 * Each class keeps a doubly linked list of its slabs that have a free object; a slab's free
 * objects form a list through their first word. A full slab is on no list.
 */
#include "mm/kmalloc.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/fail_alloc.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include <stdint.h>
#include <string.h>

struct slab {
    struct slab *prev, *next;       /* in its class's list of slabs with a free object */
    void *free;                     /* first free object */
    uint32_t magic;
    uint16_t class_index;
    uint16_t in_use;
};

#define SLAB_MAGIC 0x51ab51abu
#define SLAB_HEADER 32              /* sizeof(struct slab), rounded to the 16-byte alignment */
_Static_assert(sizeof(struct slab) <= SLAB_HEADER, "slab header outgrew its space");

/* The largest two are what 4 and 2 objects leave of a frame after the header. */
static const uint16_t class_sizes[] = { 16, 32, 64, 128, 256, 512, 1008, 2032 };
enum { CLASS_COUNT = sizeof class_sizes / sizeof class_sizes[0] };
_Static_assert(2 * 2032 + SLAB_HEADER <= PAGE_SIZE, "two of the largest class must fit a slab");

/* kmalloc_lock protects partial[] and every slab's list links, free list and count. Lock
 * order: it, then the frame allocator's. */
static struct slab *partial[CLASS_COUNT];
static struct spinlock kmalloc_lock;

static void list_remove(struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        partial[s->class_index] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

static void list_push(struct slab *s)
{
    s->prev = NULL;
    s->next = partial[s->class_index];
    if (s->next)
        s->next->prev = s;
    partial[s->class_index] = s;
}

static struct slab *slab_new(int class_index)
{
    uint64_t frame = frame_alloc();
    if (!frame)
        return NULL;
    struct slab *s = phys_to_virt(frame);
    *s = (struct slab){ .magic = SLAB_MAGIC, .class_index = (uint16_t)class_index };
    uint16_t size = class_sizes[class_index];
    for (char *obj = (char *)s + SLAB_HEADER; obj + size <= (char *)s + PAGE_SIZE; obj += size) {
        *(void **)obj = s->free;
        s->free = obj;
    }
    list_push(s);
    return s;
}

void *kmalloc(size_t size)
{
    int c = 0;
    while (c < CLASS_COUNT && class_sizes[c] < size)
        c++;
    if (c == CLASS_COUNT || fail_alloc_now())
        return NULL;
    uint64_t flags = spin_lock(&kmalloc_lock);
    struct slab *s = partial[c] ? partial[c] : slab_new(c);
    void *obj = NULL;
    if (s) {
        obj = s->free;
        s->free = *(void **)obj;
        s->in_use++;
        if (!s->free)
            list_remove(s);
    }
    spin_unlock(&kmalloc_lock, flags);
    return obj;
}

void *kzalloc(size_t size)
{
    void *obj = kmalloc(size);
    if (obj)
        memset(obj, 0, size);
    return obj;
}

void kfree(void *ptr)
{
    if (!ptr)
        return;
    uint64_t flags = spin_lock(&kmalloc_lock);
    struct slab *s = (struct slab *)((uintptr_t)ptr & ~(uintptr_t)(PAGE_SIZE - 1));
    uintptr_t offset = (uintptr_t)ptr - (uintptr_t)s;
    if (s->magic != SLAB_MAGIC || s->class_index >= CLASS_COUNT || offset < SLAB_HEADER
        || (offset - SLAB_HEADER) % class_sizes[s->class_index] || s->in_use == 0)
        panic("kfree(%p): not an object from kmalloc", ptr);
    if (!s->free)
        list_push(s);               /* it was full: it has a free object again */
    *(void **)ptr = s->free;
    s->free = ptr;
    if (--s->in_use == 0) {
        list_remove(s);
        s->magic = 0;
        frame_free(virt_to_phys(s));
    }
    spin_unlock(&kmalloc_lock, flags);
}
