/* kernel/lib/cpio.c: the cpio "newc" archive reader (see cpio.h). */
#include "kernel/lib/cpio.h"
#include "kernel/errno.h"
#include <stdbool.h>
#include <string.h>

enum {
    MAGIC_SIZE = 6,
    FIELD_DIGITS = 8,
    FIELD_COUNT = 13,
    HEADER_SIZE = MAGIC_SIZE + FIELD_COUNT * FIELD_DIGITS,     /* 110 */
    /* The fields, in order: ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
     * devminor, rdevmajor, rdevminor, namesize (with the NUL), check. */
    FIELD_MODE = 1,
    FIELD_UID = 2,
    FIELD_GID = 3,
    FIELD_MTIME = 5,
    FIELD_FILESIZE = 6,
    FIELD_NAMESIZE = 11,
};

static const char magic[MAGIC_SIZE] = "070701";
static const char trailer[] = "TRAILER!!!";

/* The value of the 8 hex digits at p (either case), or -1 if one is something else. */
static int64_t hex_field(const uint8_t *p)
{
    uint32_t value = 0;
    for (int i = 0; i < FIELD_DIGITS; i++) {
        uint8_t c = p[i], digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return -1;
        value = value << 4 | digit;
    }
    return value;
}

/* Bytes that bring n to a multiple of 4 (offsets count from the archive's start). */
static size_t pad4(size_t n)
{
    return -n & 3;
}

/* Read the entry at it->offset into *entry and move it->offset past it, or set *at_trailer.
 * Returns NULL, or what is malformed. At the trailer or an error it->offset stays, so the
 * next call says the same. it->offset may move past it->size (when the last data's padding
 * is missing); the next call then finds no trailer. */
static const char *read_entry(struct cpio_iter *it, struct cpio_entry *entry, bool *at_trailer)
{
    size_t left = it->offset < it->size ? it->size - it->offset : 0;
    if (left < HEADER_SIZE)
        return left ? "archive ends inside an entry header"
                    : "archive ends without its TRAILER!!! entry";
    const uint8_t *header = it->archive + it->offset;
    if (memcmp(header, magic, MAGIC_SIZE) != 0)
        return "entry header does not start with the newc magic 070701";
    uint32_t field[FIELD_COUNT];
    for (int i = 0; i < FIELD_COUNT; i++) {
        int64_t value = hex_field(header + MAGIC_SIZE + i * FIELD_DIGITS);
        if (value < 0)
            return "entry header field is not 8 hex digits";
        field[i] = (uint32_t)value;
    }

    uint32_t namesize = field[FIELD_NAMESIZE];
    const char *name = (const char *)header + HEADER_SIZE;
    if (namesize > left - HEADER_SIZE)
        return "entry name runs past the end of the archive";
    if (namesize < 2 || memchr(name, '\0', namesize) != name + namesize - 1)
        return "entry name is not a non-empty string of its stated size";
    if (strcmp(name, trailer) == 0) {
        *at_trailer = true;
        return NULL;
    }

    size_t name_end = it->offset + HEADER_SIZE + namesize;
    size_t data = name_end + pad4(name_end);
    uint32_t filesize = field[FIELD_FILESIZE];
    if (data > it->size || filesize > it->size - data)
        return "entry data runs past the end of the archive";
    entry->name = name;
    entry->mode = field[FIELD_MODE];
    entry->uid = field[FIELD_UID];
    entry->gid = field[FIELD_GID];
    entry->mtime = field[FIELD_MTIME];
    entry->data = it->archive + data;
    entry->size = filesize;
    it->offset = data + filesize + pad4(data + filesize);
    return NULL;
}

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size)
{
    *it = (struct cpio_iter){ .archive = archive, .size = size };
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *entry, const char **why)
{
    bool at_trailer = false;
    const char *error = read_entry(it, entry, &at_trailer);
    if (error) {
        *why = error;
        return -EINVAL;
    }
    return at_trailer ? 0 : 1;
}
