/* kernel/fs/initrd.c: the initrd module (see initrd.h). */
#include "kernel/fs/initrd.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "mm/phys.h"
#include <string.h>

/* Set by initrd_init at boot; the archive is read-only after. */
static const void *archive;
static size_t archive_size;

void initrd_init(const struct boot_info *info)
{
    for (size_t i = 0; i < info->module_count; i++)
        if (i == 0 || strcmp(info->modules[i].cmdline, "initrd") == 0) {
            archive = phys_to_virt(info->modules[i].start);
            archive_size = info->modules[i].end - info->modules[i].start;
        }
}

int initrd_find(const char *path, struct cpio_entry *entry)
{
    const char *why;
    int error = archive ? cpio_find(archive, archive_size, path, entry, &why) : -ENOENT;
    if (error == -EINVAL) {
        kprintf("initrd: malformed archive: %s\n", why);
        return -EIO;
    }
    return error;
}
