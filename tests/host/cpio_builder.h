/* tests/host/cpio_builder.h: writing newc archives, well-formed or not, for the tests of the
 * cpio reader and of the initrd unpacker. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct archive {
    uint8_t bytes[8192];
    size_t len;
};

static void pad4(struct archive *a)
{
    while (a->len % 4)
        a->bytes[a->len++] = 0;
}

/* Append a header whose name field says namesize and whose data field says filesize, then
 * the name bytes as given (namesize need not match them: malformed archives lie). */
static void raw_entry(struct archive *a, const char *name, uint32_t namesize, uint32_t mode,
                      uint32_t filesize)
{
    char header[111];
    snprintf(header, sizeof header, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
             7, mode, 0, 0, 1, 0, filesize, 0, 0, 0, 0, namesize, 0);
    memcpy(a->bytes + a->len, header, 110);
    a->len += 110;
    memcpy(a->bytes + a->len, name, strlen(name) + 1);
    a->len += strlen(name) + 1;
}

static void entry(struct archive *a, const char *name, uint32_t mode, const char *data)
{
    raw_entry(a, name, (uint32_t)strlen(name) + 1, mode, (uint32_t)strlen(data));
    pad4(a);
    memcpy(a->bytes + a->len, data, strlen(data));
    a->len += strlen(data);
    pad4(a);
}

/* The trailer entry: its header, "TRAILER!!!" and its NUL, padded to 4. */
enum { TRAILER_SIZE = 124, TRAILER_NAME_END = 110 + sizeof "TRAILER!!!" };

static void trailer(struct archive *a)
{
    entry(a, "TRAILER!!!", 0, "");
}
