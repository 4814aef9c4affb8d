/* tests/fuzz/fuzz_cpio.c: libFuzzer on kernel/lib/cpio.c. Whatever the bytes, the reader must
 * stay inside them (ASan), give a reason when it refuses them, return only entries that lie
 * inside them, and cpio_find must agree with a walk of cpio_next. */
#include "kernel/lib/cpio.h"
#include "kernel/errno.h"
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond) ((cond) ? (void)0 : abort())

/* [p, p + len) lies inside [base, base + size). */
static int inside(const uint8_t *base, size_t size, const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)base, at = (uintptr_t)p;
    return at >= start && len <= size && at - start <= size - len;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    struct cpio_iter it;
    struct cpio_entry e, last = { 0 };
    const char *why = NULL;
    int status;
    cpio_iter_init(&it, bytes, size);
    while ((status = cpio_next(&it, &e, &why)) > 0) {
        REQUIRE(inside(bytes, size, e.name, strlen(e.name) + 1));
        REQUIRE(inside(bytes, size, e.data, e.size));
        REQUIRE((const char *)e.data > e.name);
        last = e;
    }
    REQUIRE(status == 0 || (status == -EINVAL && why && *why));
    REQUIRE(cpio_next(&it, &e, &why) == status);        /* a finished walk stays finished */

    /* The last entry is the last of its name, so cpio_find must return it exactly. */
    struct cpio_entry found;
    int find_status = cpio_find(bytes, size, last.name ? last.name : "absent", &found, &why);
    if (status < 0)
        REQUIRE(find_status == status);
    else if (!last.name)
        REQUIRE(find_status == -ENOENT);                /* an empty archive */
    else
        REQUIRE(find_status == 0 && found.data == last.data && found.size == last.size);
    return 0;
}
