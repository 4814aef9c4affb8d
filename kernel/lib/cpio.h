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

struct cpio_entry {
    const char *name;               /* as stored, NUL-terminated, inside the archive */
    uint32_t mode;                  /* CPIO_TYPE_* | permission bits */
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

/* Find path in the archive; a leading "/" or "./" on either name does not matter, so "/init",
 * "init" and "./init" are one file, and "/" is the archive's "." entry. The whole archive is
 * read: if a name appears more than once the last entry wins, as when it is extracted.
 * Returns 0 with *entry filled, -ENOENT if no entry has that name, or -EINVAL when the
 * archive is malformed and *why says how. */
int cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *entry,
              const char **why);
