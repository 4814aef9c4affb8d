/* tests/fuzz/fuzz_cpio.c: libFuzzer on kernel/lib/cpio.c and the initrd unpacker
 * (kernel/fs/initrd.c) on simulated memory. Whatever the bytes, the reader must stay inside
 * them (ASan), give a reason when it refuses them and return only entries that lie inside
 * them; the unpacker must say the same of them, and once the tree it made is removed every
 * frame must be back. */
#include "kernel/lib/cpio.h"
#include "../host/sim_memory.h"
#include "kernel/errno.h"
#include "kernel/fs/initrd.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "mm/frame.h"
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond) ((cond) ? (void)0 : abort())

uint64_t time_realtime_ns(void)
{
    return 0;
}

int kprintf(const char *format, ...)
{
    (void)format;
    return 0;
}

/* [p, p + len) lies inside [base, base + size). */
static int inside(const uint8_t *base, size_t size, const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)base, at = (uintptr_t)p;
    return at >= start && len <= size && at - start <= size - len;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    struct cpio_iter it;
    struct cpio_entry e;
    const char *why = NULL;
    int status;
    cpio_iter_init(&it, bytes, size);
    while ((status = cpio_next(&it, &e, &why)) > 0) {
        REQUIRE(inside(bytes, size, e.name, strlen(e.name) + 1));
        REQUIRE(inside(bytes, size, e.data, e.size));
        REQUIRE((const char *)e.data > e.name);
    }
    REQUIRE(status == 0 || (status == -EINVAL && why && *why));
    REQUIRE(cpio_next(&it, &e, &why) == status);        /* a finished walk stays finished */

    static size_t frames;
    if (!frames) {
        sim_memory_init(32 << 20);
        fs_root();
        frames = frame_free_count();
    }
    int unpacked = initrd_unpack_archive(bytes, size);
    REQUIRE(status < 0 ? unpacked == -EINVAL : unpacked >= 0);
    ramfs_empty(fs_root());
    REQUIRE(frame_free_count() == frames);
    return 0;
}
