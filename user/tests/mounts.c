/* user/tests/mounts.c: mount(2) and umount2(2): a RAM file system on a directory, which it
 * covers until its umount; path walks, "..", getcwd and st_dev across it; what keeps it
 * mounted (an open file, a working directory) and what a mount point refuses (rmdir, rename,
 * links across); /proc/mounts; the types and flags Twofold lacks; and every frame back after
 * an umount. Each case works on a fresh directory under /tmp. On Linux they need the right to
 * mount (root, as `make test` runs them here) and skip without it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "utest.h"

static char point[64];

/* A fresh directory under /tmp, holding a file "under" that a mount on it covers. */
static void make_point(void)
{
    strcpy(point, "/tmp/mounts-XXXXXX");
    EXPECT(mkdtemp(point) != NULL);
    char under[80];
    snprintf(under, sizeof under, "%s/under", point);
    int fd = open(under, O_WRONLY | O_CREAT, 0644);
    EXPECT(fd >= 0);
    close(fd);
}

static void remove_point(void)
{
    char under[80];
    snprintf(under, sizeof under, "%s/under", point);
    EXPECT_EQ(unlink(under), 0);
    EXPECT_EQ(rmdir(point), 0);
}

/* point/name, in a buffer of the caller's. */
static const char *inside(const char *name, char buf[128])
{
    snprintf(buf, 128, "%s/%s", point, name);
    return buf;
}

/* Whether the mount table (mounts: /proc/mounts, or where proc is) has a line for point
 * with type. */
static bool listed(const char *mounts, const char *type)
{
    char line[256], want[128];
    snprintf(want, sizeof want, " %s %s ", point, type);
    FILE *f = fopen(mounts, "r");
    bool found = false;
    while (f && fgets(line, sizeof line, f))
        found |= strstr(line, want) != NULL;
    if (f)
        fclose(f);
    return found;
}

UTEST(a_ram_file_system_covers_its_directory_until_umount)
{
    make_point();
    if (mount("none", point, "tmpfs", 0, NULL) != 0) {
        EXPECT_EQ(errno, EPERM);
        remove_point();
        SKIP("this process may not mount");
    }
    char a[128], b[128], cwd[PATH_MAX];
    struct stat top, tmp;
    EXPECT_EQ(stat(point, &top), 0);
    EXPECT_EQ(stat("/tmp", &tmp), 0);
    EXPECT(top.st_dev != tmp.st_dev);
    EXPECT(listed("/proc/mounts", "tmpfs"));
    EXPECT_EQ(access(inside("under", a), F_OK), -1);    /* covered */
    EXPECT_EQ(errno, ENOENT);

    int fd = open(inside("f", a), O_RDWR | O_CREAT, 0600);
    EXPECT(fd >= 0);
    EXPECT_EQ(write(fd, "mounted", 7), 7);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT(st.st_dev == top.st_dev);
    EXPECT_EQ(umount2(point, 0), -1);                   /* an open file keeps it */
    EXPECT_EQ(errno, EBUSY);
    EXPECT_EQ(close(fd), 0);

    EXPECT_EQ(mkdir(inside("d", a), 0755), 0);
    EXPECT_EQ(chdir(a), 0);
    EXPECT(getcwd(cwd, sizeof cwd) != NULL);
    EXPECT_STREQ(cwd, a);
    EXPECT_EQ(umount2(point, 0), -1);                   /* so does a working directory */
    EXPECT_EQ(errno, EBUSY);
    EXPECT_EQ(chdir("../.."), 0);                       /* ".." out of it, to /tmp */
    EXPECT(getcwd(cwd, sizeof cwd) != NULL);
    EXPECT_STREQ(cwd, "/tmp");

    EXPECT_EQ(rmdir(point), -1);
    EXPECT_EQ(errno, EBUSY);
    snprintf(b, sizeof b, "%s-moved", point);
    EXPECT_EQ(rename(point, b), -1);
    EXPECT_EQ(errno, EBUSY);
    snprintf(b, sizeof b, "%s-f", point);
    EXPECT_EQ(rename(inside("f", a), b), -1);           /* names stay in their file system */
    EXPECT_EQ(errno, EXDEV);
    EXPECT_EQ(link(inside("f", a), b), -1);
    EXPECT_EQ(errno, EXDEV);

    EXPECT_EQ(chdir("/"), 0);
    EXPECT_EQ(umount2(point, 0), 0);
    EXPECT(!listed("/proc/mounts", "tmpfs"));
    EXPECT_EQ(access(inside("f", a), F_OK), -1);        /* gone with it */
    EXPECT_EQ(access(inside("under", a), F_OK), 0);     /* and what it covered is back */
    EXPECT_EQ(umount2(point, 0), -1);                   /* no longer a mount point */
    EXPECT_EQ(errno, EINVAL);
    remove_point();
}

UTEST(mount_refuses_what_it_cannot_do)
{
    make_point();
    char a[128];
    if (mount("none", point, "nosuchfs", 0, NULL) == 0 || errno == EPERM) {
        umount2(point, 0);
        remove_point();
        SKIP("this process may not mount");
    }
    EXPECT_EQ(errno, ENODEV);
    EXPECT_EQ(mount("none", inside("under", a), "tmpfs", 0, NULL), -1);     /* a file */
    EXPECT_EQ(errno, ENOTDIR);
    EXPECT_EQ(mount("none", inside("missing", a), "tmpfs", 0, NULL), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(mount("none", point, "tmpfs", 0, (void *)8), -1);             /* a bad option pointer */
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(umount2(point, 0), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(umount2(point, MNT_DETACH | MNT_EXPIRE), -1);
    EXPECT_EQ(errno, EINVAL);
    remove_point();
}

UTEST(what_twofold_does_not_mount)
{
    TWOFOLD_ONLY();
    make_point();
    EXPECT_EQ(mount("none", point, "tmpfs", MS_RDONLY, NULL), -1);          /* no read-only mounts */
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mount("none", point, "tmpfs", 0, "size=1m"), -1);             /* no options */
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(mount("proc", point, "proc", 0, NULL), -1);                   /* one proc, on /proc */
    EXPECT_EQ(errno, EBUSY);
    EXPECT_EQ(mount("none", "/proc/self", "tmpfs", 0, NULL), -1);           /* /proc's names are its own */
    EXPECT_EQ(errno, EPERM);
    EXPECT_EQ(mkdir("/proc/x", 0755), -1);
    EXPECT_EQ(errno, EPERM);
    EXPECT_EQ(unlink("/proc/self/stat"), -1);
    EXPECT_EQ(errno, EPERM);
    remove_point();
}

UTEST(proc_moves_to_another_directory)
{
    TWOFOLD_ONLY();                                     /* Linux's /proc is not this test's to move */
    make_point();
    char a[128], link[32], want[32];
    EXPECT_EQ(umount2("/proc", 0), 0);
    EXPECT_EQ(access("/proc/self", F_OK), -1);
    EXPECT_EQ(mount("proc", point, "proc", 0, NULL), 0);
    ssize_t n = readlink(inside("self", a), link, sizeof link - 1);
    EXPECT(n > 0);
    link[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof want, "%d", getpid());
    EXPECT_STREQ(link, want);
    EXPECT(listed(inside("mounts", a), "proc"));
    EXPECT_EQ(umount2(point, 0), 0);
    EXPECT_EQ(mount("proc", "/proc", "proc", 0, NULL), 0);
    EXPECT_EQ(access("/proc/self/stat", R_OK), 0);
    remove_point();
}

UTEST(an_umount_gives_every_frame_back)
{
    TWOFOLD_ONLY();
    make_point();
    static char chunk[64 << 10];
    memset(chunk, 'm', sizeof chunk);                   /* its own frames, before the count */
    char a[128];
    for (int round = 0; round < 2; round++) {           /* the first warms kmalloc's caches */
        long frames = free_frames();
        EXPECT_EQ(mount("none", point, "ramfs", 0, NULL), 0);
        EXPECT_EQ(mkdir(inside("d", a), 0755), 0);
        int fd = open(inside("d/f", a), O_WRONLY | O_CREAT, 0644);
        EXPECT_EQ(write(fd, chunk, sizeof chunk), (ssize_t)sizeof chunk);
        close(fd);
        EXPECT_EQ(umount2(point, 0), 0);
        if (round == 1)
            EXPECT_EQ(free_frames(), frames);
    }
    remove_point();
}
