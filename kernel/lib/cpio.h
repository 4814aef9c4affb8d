/* kernel/lib/cpio.h: reading a cpio "newc" archive, the format of the initrd (what
 * `cpio -o -H newc` and Linux's initramfs use).
 *
 * An entry is a 110-byte header of ASCII text ("070701", then thirteen 8-digit hex fields),
 * its NUL-terminated name padded so that header and name end 4-aligned, then its data padded
 * to 4 bytes. The entry named "TRAILER!!!" ends the archive; whatever follows it is ignored.
 * Pure code, built for the host too: every field is checked against the bytes the archive
 * has, and nothing outside them is read. Entries point into the archive, never copy it.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* The file type in an entry's mode: the st_mode values of Linux. */
#define CPIO_TYPE_MASK 0170000u
#define CPIO_TYPE_DIR  0040000u
#define CPIO_TYPE_FILE 0100000u
#define CPIO_TYPE_LINK 0120000u             /* a symbolic link: its data is the target */

struct cpio_entry {
    const char *name;               /* as stored, NUL-terminated, inside the archive */
    uint32_t mode;                  /* CPIO_TYPE_* | permission bits */
    uint32_t uid, gid;
    uint32_t mtime;                 /* seconds since 1970 */
    const uint8_t *data;            /* size bytes inside the archive */
    size_t size;
};

struct cpio_iter {
    const uint8_t *archive;
    size_t size;
    size_t offset;                  /* of the next header */
};

/* Start reading the size bytes at archive from its first entry. */
void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size);

/* Read the next entry into *entry. Returns 1, or 0 once the trailer is reached, or -EINVAL
 * when the archive is malformed and *why says how. A finished iterator keeps returning what
 * it returned last. */
int cpio_next(struct cpio_iter *it, struct cpio_entry *entry, const char **why);
