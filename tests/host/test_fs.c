/* tests/host/test_fs.c: the RAM file system (kernel/fs/ramfs.c), path lookup
 * (kernel/fs/path.c) and the initrd unpacker (kernel/fs/initrd.c) on simulated memory: names,
 * links, lookups and their errors, file pages, archives, and every frame back when the files
 * go. */
#include "check.h"
#include "cpio_builder.h"
#include "kernel/errno.h"
#include "kernel/fs/initrd.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/path.h"
#include "mm/frame.h"
#include "sim_memory.h"
#include <stdint.h>

uint64_t time_realtime_ns(void)
{
    return 1700000000ull * 1000000000ull;
}

static int console_lines;              /* what the unpacker said */

int kprintf(const char *format, ...)
{
    (void)format;
    console_lines++;
    return 0;
}

static struct lookup_context ctx;

/* Make name (a NUL-terminated path) with mode, a link to target when given. */
static int make(const char *path, uint32_t mode, const char *target)
{
    struct path_last last;
    int error = path_parent(&ctx, path, &last);
    if (error)
        return error;
    struct inode *node;
    return ramfs_create(last.dir, last.name, last.len, mode, 0, 0, 0, target, target ? strlen(target) : 0, &node);
}

static struct inode *find(const char *path, bool follow)
{
    struct inode *node;
    return path_lookup(&ctx, path, follow, &node) ? NULL : node;
}

static int lookup_error(const char *path)
{
    struct inode *node;
    return path_lookup(&ctx, path, true, &node);
}

static int remove_name(const char *path, bool dir)
{
    struct path_last last;
    int error = path_parent(&ctx, path, &last);
    return error ? error : ramfs_unlink(last.dir, last.name, last.len, dir);
}

static void test_lookup(void)
{
    CHECK(make("/bin", S_IFDIR | 0755, NULL) == 0);
    CHECK(make("/bin/sh", S_IFREG | 0755, NULL) == 0);
    CHECK(make("/bin/ls", S_IFLNK | 0777, "sh") == 0);
    CHECK(make("/sbin", S_IFLNK | 0777, "/bin") == 0);
    CHECK(make("/loop", S_IFLNK | 0777, "loop") == 0);
    CHECK(make("/bin/sh", S_IFREG, NULL) == -EEXIST);
    struct inode *sh = find("/bin/sh", true), *bin = find("/bin", true);
    CHECK(sh && bin && S_IS_TYPE(sh->mode, S_IFREG));
    CHECK(find("bin/./sh", true) == sh);                /* relative to start, the root */
    CHECK(find("//bin///sh", true) == sh);
    CHECK(find("/bin/../bin/sh", true) == sh);
    CHECK(find("/..", true) == ctx.root);               /* the root's parent is itself */
    CHECK(find("/bin/ls", true) == sh);                 /* a relative link, from its directory */
    CHECK(find("/bin/ls", false) != sh && S_IS_TYPE(find("/bin/ls", false)->mode, S_IFLNK));
    CHECK(find("/sbin/ls", true) == sh);                /* a link in the middle */
    CHECK(find("/sbin", false) != bin && find("/sbin/", false) == bin);   /* a slash follows */
    CHECK(lookup_error("") == -ENOENT);
    CHECK(lookup_error("/nope") == -ENOENT);
    CHECK(lookup_error("/bin/sh/x") == -ENOTDIR);
    CHECK(lookup_error("/bin/sh/") == -ENOTDIR);
    CHECK(lookup_error("/loop") == -ELOOP);
    char long_name[NAME_MAX + 3] = "/";
    memset(long_name + 1, 'a', NAME_MAX + 1);
    CHECK(lookup_error(long_name) == -ENAMETOOLONG);
    CHECK(make(long_name, S_IFREG, NULL) == -ENAMETOOLONG);
    long_name[NAME_MAX + 1] = '\0';                     /* exactly NAME_MAX is a name */
    CHECK(lookup_error(long_name) == -ENOENT);

    ctx.start = bin;                                    /* a working directory */
    CHECK(find("sh", true) == sh && find("..", true) == ctx.root);
    ctx.start = ctx.root;

    /* Search permission: uid 0 passes, others need x. */
    CHECK(make("/locked", S_IFDIR | 0700, NULL) == 0);
    CHECK(make("/locked/f", S_IFREG | 0644, NULL) == 0);
    ctx.uid = 1000;
    CHECK(lookup_error("/locked/f") == -EACCES);
    CHECK(lookup_error("/bin/sh") == 0);
    ctx.uid = 0;
    CHECK(lookup_error("/locked/f") == 0);
}

static void test_parent_and_remove_name(void)
{
    struct path_last last;
    CHECK(path_parent(&ctx, "/", &last) == 0 && last.kind == LAST_ROOT);
    CHECK(path_parent(&ctx, "/bin/.", &last) == 0 && last.kind == LAST_DOT);
    CHECK(path_parent(&ctx, "/bin/..", &last) == 0 && last.kind == LAST_DOTDOT);
    CHECK(path_parent(&ctx, "/bin/new/", &last) == 0 && last.kind == LAST_NAME && last.trailing_slash
          && last.len == 3 && memcmp(last.name, "new", 3) == 0 && last.dir == find("/bin", true));
    CHECK(path_parent(&ctx, "/nope/new", &last) == -ENOENT);
    CHECK(path_parent(&ctx, "/bin/sh/new", &last) == -ENOTDIR);

    CHECK(remove_name("/bin", true) == -ENOTEMPTY);
    CHECK(remove_name("/bin", false) == -EISDIR);
    CHECK(remove_name("/bin/sh", true) == -ENOTDIR);
    CHECK(remove_name("/bin/none", false) == -ENOENT);
    struct inode *bin = find("/bin", true);
    uint32_t links = ctx.root->nlink;
    CHECK(make("/bin/sub", S_IFDIR | 0755, NULL) == 0);
    CHECK(bin->nlink == 3 && find("/bin/sub", true)->nlink == 2);
    CHECK(remove_name("/bin/sub", true) == 0 && bin->nlink == 2 && ctx.root->nlink == links);

    /* A directory removed while it is the working directory: "." still works, nothing else. */
    CHECK(make("/gone", S_IFDIR | 0755, NULL) == 0);
    struct inode *gone = find("/gone", true);
    inode_get(gone);
    ctx.start = gone;
    CHECK(remove_name("/gone", true) == 0);
    CHECK(find(".", true) == gone);
    CHECK(lookup_error("..") == -ENOENT);
    CHECK(make("x", S_IFREG, NULL) == -ENOENT);
    char buf[64];
    CHECK(path_of(&ctx, gone, buf, sizeof buf) == -ENOENT);
    ctx.start = ctx.root;
    inode_put(gone);
}

static void test_path_of(void)
{
    char buf[64];
    CHECK(path_of(&ctx, ctx.root, buf, sizeof buf) == 2);
    CHECK_STREQ(buf, "/");
    CHECK(make("/bin/deep", S_IFDIR | 0755, NULL) == 0);
    CHECK(path_of(&ctx, find("/bin/deep", true), buf, sizeof buf) == 10);
    CHECK_STREQ(buf, "/bin/deep");
    CHECK(path_of(&ctx, find("/bin/deep", true), buf, 10) == 10);
    CHECK(path_of(&ctx, find("/bin/deep", true), buf, 9) == -ERANGE);
    CHECK(path_of(&ctx, ctx.root, buf, 1) == -ERANGE);
    CHECK(remove_name("/bin/deep", true) == 0);
}

static void test_rename(void)
{
    CHECK(make("/a", S_IFDIR | 0755, NULL) == 0);
    CHECK(make("/a/f", S_IFREG | 0644, NULL) == 0);
    CHECK(make("/b", S_IFDIR | 0755, NULL) == 0);
    struct inode *a = find("/a", true), *b = find("/b", true), *f = find("/a/f", true);
    CHECK(ramfs_rename(ctx.root, "a", 1, a, "x", 1, false) == -EINVAL);         /* under itself */
    CHECK(ramfs_rename(a, "f", 1, b, "g", 1, false) == 0 && find("/b/g", true) == f && !find("/a/f", true));
    CHECK(f->nlink == 1);
    CHECK(ramfs_rename(ctx.root, "a", 1, ctx.root, "b", 1, false) == -ENOTEMPTY);   /* b holds g */
    uint32_t links = ctx.root->nlink;
    CHECK(ramfs_rename(ctx.root, "a", 1, b, "a", 1, false) == 0 && find("/b/a", true) == a);
    CHECK(a->parent == b && ctx.root->nlink == links - 1 && b->nlink == 3);
    CHECK(find("/b/a/..", true) == b);
    CHECK(ramfs_rename(b, "g", 1, b, "a", 1, false) == -EISDIR);
    CHECK(make("/b/h", S_IFREG | 0644, NULL) == 0);
    CHECK(ramfs_rename(b, "h", 1, b, "g", 1, false) == 0 && find("/b/g", true) != f);  /* f replaced */
    CHECK(ramfs_link(b, "g2", 2, find("/b/g", true)) == 0 && find("/b/g", true)->nlink == 2);
    CHECK(ramfs_rename(b, "g", 1, b, "g2", 2, false) == 0 && find("/b/g", true));    /* one node: no-op */
    CHECK(remove_name("/b/g", false) == 0 && remove_name("/b/g2", false) == 0);
    CHECK(remove_name("/b/a", true) == 0 && remove_name("/b", true) == 0);
}

static void test_pages_and_space(void)
{
    size_t frames = frame_free_count();
    CHECK(make("/data", S_IFREG | 0644, NULL) == 0);
    struct inode *data = find("/data", true);
    int error;
    CHECK(ramfs_page(data, 3, false, &error) == NULL);                  /* a hole */
    uint8_t *page = ramfs_page(data, 600, true, &error);                /* second leaf table */
    CHECK(page && page[0] == 0 && page[4095] == 0);
    page[100] = 7;
    CHECK(ramfs_page(data, 600, false, &error) == page && ramfs_pages_used() == 1);
    CHECK(ramfs_page(data, 512 * 512, true, &error) == NULL && error == -EFBIG);
    data->size = 601 * 4096;
    CHECK(ramfs_truncate(data, 600 * 4096 + 50) == 0 && page[100] == 0);   /* zeroed past the end */
    CHECK(ramfs_truncate(data, RAMFS_MAX_FILE_SIZE + 1) == -EFBIG);
    ramfs_set_limit(2);
    CHECK(ramfs_page(data, 0, true, &error) != NULL);
    CHECK(ramfs_page(data, 1, true, &error) == NULL && error == -ENOSPC);
    ramfs_set_limit(UINT64_MAX);
    /* Held open, the file outlives its name; the last reference frees every frame. */
    inode_get(data);
    CHECK(remove_name("/data", false) == 0 && ramfs_page(data, 0, false, &error) != NULL);
    inode_put(data);
    CHECK(ramfs_pages_used() == 0 && frame_free_count() == frames);

    /* A link target too long for kmalloc takes a frame, and gives it back. */
    char target[PATH_MAX + 1];
    memset(target, 'x', PATH_MAX);
    target[PATH_MAX] = '\0';
    CHECK(make("/long", S_IFLNK | 0777, target) == -ENAMETOOLONG);
    target[PATH_MAX - 1] = '\0';
    CHECK(make("/long", S_IFLNK | 0777, target) == 0 && find("/long", false)->size == PATH_MAX - 1);
    CHECK(remove_name("/long", false) == 0 && frame_free_count() == frames);
}

static void test_initrd_unpack(void)
{
    size_t frames = frame_free_count();
    static struct archive a;
    entry(&a, ".", S_IFDIR | 0700, "");
    entry(&a, "etc", S_IFDIR | 0755, "");
    entry(&a, "/etc/motd", S_IFREG | 0644, "hello");        /* "/", "./" or neither: one name */
    entry(&a, "./etc/link", S_IFLNK | 0777, "motd");
    entry(&a, "etc/motd", S_IFREG | 0600, "second");        /* the last of a name wins */
    entry(&a, "etc", S_IFDIR | 0750, "");                   /* a directory again keeps its files */
    entry(&a, "etc/null", S_IFCHR | 0666, "");              /* left out: a device */
    entry(&a, "nodir/x", S_IFREG | 0644, "x");              /* left out: no such directory */
    trailer(&a);
    console_lines = 0;
    CHECK(initrd_unpack_archive(a.bytes, a.len) == 2 && console_lines == 2);
    CHECK(ctx.root->mode == (S_IFDIR | 0700));
    struct inode *motd = find("/etc/link", true);
    int error;
    CHECK(motd && motd == find("/etc/motd", true) && motd->mode == (S_IFREG | 0600) && motd->size == 6);
    CHECK(motd && memcmp(ramfs_page(motd, 0, false, &error), "second", 6) == 0);
    CHECK(find("/etc", true)->mode == (S_IFDIR | 0750) && !find("/etc/null", false));

    /* A malformed archive: what came before the damage is there, and the console says so. */
    a.len -= 5;                             /* into the trailer's name */
    console_lines = 0;
    CHECK(remove_name("/etc/link", false) == 0);
    CHECK(initrd_unpack_archive(a.bytes, a.len) == -EINVAL && console_lines == 3);
    CHECK(find("/etc/link", false) != NULL);

    ctx.root->mode = S_IFDIR | 0755;
    CHECK(remove_name("/etc/link", false) == 0 && remove_name("/etc/motd", false) == 0);
    CHECK(remove_name("/etc", true) == 0);
    CHECK(frame_free_count() == frames);
}

/* A RAM file system mounted on /m: walks cross into it and ".." out of it, path_of goes up
 * through its point, a reference inside keeps it mounted, and its umount frees it all. */
static void test_mounts(void)
{
    size_t frames = frame_free_count();
    CHECK(make("/m", S_IFDIR | 0755, NULL) == 0 && make("/m/covered", S_IFREG | 0644, NULL) == 0);
    struct inode *point = find("/m", true);
    int error;
    struct mount *fs = mount_new("tmpfs", &error);
    CHECK(fs && !error && mount_attach(fs, point, "none") == 0);
    CHECK(mount_attach(fs, point, "none") == -EBUSY);                 /* mounted already */
    CHECK(find("/m", true) == fs->root && lookup_error("/m/covered") == -ENOENT);
    CHECK(make("/m/d", S_IFDIR | 0755, NULL) == 0 && make("/m/d/f", S_IFREG | 0644, NULL) == 0);
    struct inode *d = find("/m/d", true), *f = find("/m/d/f", true);
    CHECK(d->mount == fs && f->mount == fs && find("/m/d/../..", true) == ctx.root);
    CHECK(find("/m/..", true) == ctx.root);
    char buf[64];
    CHECK(path_of(&ctx, f, buf, sizeof buf) == 7 && strcmp(buf, "/m/d/f") == 0);
    CHECK(path_of(&ctx, fs->root, buf, sizeof buf) == 3 && strcmp(buf, "/m") == 0);
    CHECK(remove_name("/m", true) == -EBUSY);                         /* its point */
    CHECK(ramfs_rename(fs->root, "d", 1, ctx.root, "d", 1, false) == -EXDEV);
    CHECK(ramfs_link(ctx.root, "f", 1, f) == -EXDEV);
    inode_get(d);                                                       /* a working directory */
    CHECK(mount_detach(fs->root) == -EBUSY);
    inode_put(d);
    CHECK(mount_detach(ctx.root) == -EINVAL && mount_detach(d) == -EINVAL);
    CHECK(mount_detach(fs->root) == 0 && find("/m/covered", true) != NULL);
    CHECK(mount_new("nosuchfs", &error) == NULL && error == -ENODEV);
    CHECK(remove_name("/m/covered", false) == 0 && remove_name("/m", true) == 0);
    CHECK(frame_free_count() == frames);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    sim_memory_init(16 << 20);
    size_t frames = frame_free_count();
    ctx.root = ctx.start = fs_root();
    test_lookup();
    test_parent_and_remove_name();
    test_path_of();
    test_rename();
    test_pages_and_space();
    test_initrd_unpack();
    test_mounts();
    const char *made[] = { "/bin/ls", "/bin/sh", "/sbin", "/loop", "/locked/f" };
    for (size_t i = 0; i < sizeof made / sizeof *made; i++)
        CHECK(remove_name(made[i], false) == 0);
    CHECK(remove_name("/bin", true) == 0 && remove_name("/locked", true) == 0);
    CHECK(ctx.root->nlink == 2 && !ctx.root->dir.entries);
    /* Everything but the root and the kmalloc slab it lives in is back. */
    CHECK(frame_free_count() + 1 == frames);
    return check_report();
}
