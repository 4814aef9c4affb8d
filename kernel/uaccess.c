/* kernel/uaccess.c: user memory access with checks and fault recovery (see uaccess.h). */
#include "kernel/uaccess.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/fs/path.h"
#include "kernel/proc/process.h"
#include "mm/vm.h"
#include <string.h>

uint64_t uaccess_copy(void *dst, const void *src, uint64_t n);
int uaccess_cmpxchg32(uint32_t *user, uint32_t expected, uint32_t desired, uint32_t *seen);
extern char uaccess_copy_insn[], uaccess_copy_fixup[], uaccess_copy_tail_insn[], uaccess_copy_tail_fixup[];
extern char uaccess_cmpxchg_insn[], uaccess_cmpxchg_fixup[];
extern uint8_t uaccess_use_stac;

void uaccess_init(int use_stac)
{
    uaccess_use_stac = use_stac != 0;
}

int copy_from_user(void *dst, uint64_t user_src, size_t len)
{
    if (!user_range_ok(user_src, len) || uaccess_copy(dst, (const void *)user_src, len))
        return -EFAULT;
    return 0;
}

int copy_to_user(uint64_t user_dst, const void *src, size_t len)
{
    if (!user_range_ok(user_dst, len) || uaccess_copy((void *)user_dst, src, len))
        return -EFAULT;
    return 0;
}

int cmpxchg_user(uint64_t user_word, uint32_t expected, uint32_t desired, uint32_t *seen)
{
    if (user_word % sizeof(uint32_t) || !user_range_ok(user_word, sizeof(uint32_t))
        || uaccess_cmpxchg32((uint32_t *)user_word, expected, desired, seen))
        return -EFAULT;
    return 0;
}

int clear_user(uint64_t user_dst, size_t len)
{
    static const uint8_t zeros[PAGE_SIZE];
    for (size_t done = 0; done < len; done += PAGE_SIZE) {
        size_t n = len - done < PAGE_SIZE ? len - done : PAGE_SIZE;
        if (copy_to_user(user_dst + done, zeros, n))
            return -EFAULT;
    }
    return 0;
}

/* Strings come in STRING_CHUNK bytes at a time, each looked through for the NUL: a path is
 * mostly far shorter than what is left of its page (copying to the page's end was 4,000
 * bytes for a short path near a page's start). */
enum { STRING_CHUNK = 64 };

long copy_string_from_user(char *dst, uint64_t user_src, size_t max)
{
    size_t done = 0;
    while (done < max) {
        /* A page is readable as a whole or not at all: a chunk never crosses a page's end. */
        size_t chunk = PAGE_SIZE - (user_src + done) % PAGE_SIZE;
        if (chunk > STRING_CHUNK)
            chunk = STRING_CHUNK;
        if (chunk > max - done)
            chunk = max - done;
        if (copy_from_user(dst + done, user_src + done, chunk))
            return -EFAULT;
        char *nul = memchr(dst + done, '\0', chunk);
        if (nul)
            return nul - dst;
        done += chunk;
    }
    return -ENAMETOOLONG;
}

char *copy_path_from_user(uint64_t user_path, long *error)
{
    char *path = path_buffer_alloc();
    long len = path ? copy_string_from_user(path, user_path, PAGE_SIZE) : -ENOMEM;
    if (len < 0) {
        path_buffer_free(path);
        *error = len;
        return NULL;
    }
    return path;
}

int uaccess_fault(struct trap_frame *frame, uint64_t address)
{
    const char *fixup = frame->rip == (uint64_t)uaccess_copy_insn ? uaccess_copy_fixup
                      : frame->rip == (uint64_t)uaccess_copy_tail_insn ? uaccess_copy_tail_fixup
                      : frame->rip == (uint64_t)uaccess_cmpxchg_insn ? uaccess_cmpxchg_fixup : NULL;
    if (!fixup)
        return 0;
    int access = frame->error_code & PF_WRITE ? VM_ACCESS_WRITE : VM_ACCESS_READ;
    int error = address < USER_LIMIT ? vm_fault(current_process()->vm, address, access) : -EFAULT;
    if (error == -ENOMEM)
        process_out_of_memory();            /* the copy fails; the process dies on its way out */
    if (error)
        frame->rip = (uint64_t)fixup;
    return 1;
}
