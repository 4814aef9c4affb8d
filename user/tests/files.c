/* user/tests/files.c: the file system calls: making, reading, writing, seeking, listing,
 * renaming, linking and removing files and directories, path lookup and its errors, the
 * working directory, descriptors sharing an open file, and /dev's memory devices. Every case
 * works in a fresh directory under /tmp, removed after, so the same cases pass on Linux. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "remove_tree.h"
#include "utest.h"

static char scratch[64];

/* Make a fresh directory under /tmp and work in it. */
static void enter_scratch(void)
{
    strcpy(scratch, "/tmp/files-XXXXXX");
    EXPECT(mkdtemp(scratch) != NULL);
    EXPECT_EQ(chdir(scratch), 0);
}

static void leave_scratch(void)
{
    EXPECT_EQ(chdir("/"), 0);
    EXPECT_EQ(remove_tree(scratch), 0);
}

/* Make path holding text. */
static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT(fd >= 0);
    EXPECT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    EXPECT_EQ(close(fd), 0);
}

/* Expect path to hold exactly text. */
static void expect_contents(const char *path, const char *text)
{
    char buf[256] = { 0 };
    int fd = open(path, O_RDONLY);
    EXPECT(fd >= 0);
    EXPECT_EQ(read(fd, buf, sizeof buf - 1), (ssize_t)strlen(text));
    EXPECT_STREQ(buf, text);
    close(fd);
}

/* The raw call's errno for a path call (SYSCALL returns -errno). */
#define EXPECT_ERRNO(call, error) EXPECT_EQ(call, -(error))

UTEST(a_file_made_written_and_read_back)
{
    enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0600);
    EXPECT(fd >= 0);
    EXPECT_EQ(write(fd, "hello, ", 7), 7);
    EXPECT_EQ(write(fd, "world", 5), 5);
    char buf[32] = { 0 };
    EXPECT_EQ(read(fd, buf, sizeof buf), 0);            /* the offset is at the end */
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(read(fd, buf, sizeof buf), 12);
    EXPECT_STREQ(buf, "hello, world");
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600 && st.st_size == 12 && st.st_nlink == 1);
    EXPECT_EQ(close(fd), 0);
    EXPECT_ERRNO(SYSCALL(SYS_open, "f", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    leave_scratch();
}

UTEST(lseek_pread_and_pwrite_use_offsets)
{
    enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    EXPECT_EQ(write(fd, "0123456789", 10), 10);
    EXPECT_EQ(lseek(fd, -3, SEEK_END), 7);
    EXPECT_EQ(lseek(fd, 1, SEEK_CUR), 8);
    char buf[8] = { 0 };
    EXPECT_EQ(pread(fd, buf, 3, 2), 3);
    EXPECT_STREQ(buf, "234");
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 8);               /* pread leaves the offset */
    EXPECT_EQ(pwrite(fd, "ab", 2, 0), 2);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 8);
    EXPECT_ERRNO(SYSCALL(SYS_lseek, fd, -20, SEEK_CUR), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_lseek, fd, 0, 99), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_pread64, fd, buf, 1, -1), EINVAL);
    close(fd);
    expect_contents("f", "ab23456789");
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    EXPECT_ERRNO(SYSCALL(SYS_lseek, p[0], 0, SEEK_SET), ESPIPE);
    EXPECT_ERRNO(SYSCALL(SYS_pread64, p[0], buf, 1, 0), ESPIPE);
    close(p[0]);
    close(p[1]);
    leave_scratch();
}

UTEST(a_write_past_the_end_leaves_a_hole_of_zeros)
{
    enter_scratch();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    EXPECT_EQ(pwrite(fd, "x", 1, 10000), 1);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_size, 10001);
    char buf[10001];
    memset(buf, 1, sizeof buf);
    EXPECT_EQ(pread(fd, buf, sizeof buf, 0), 10001);
    int nonzero = 0;
    for (int i = 0; i < 10000; i++)
        nonzero += buf[i] != 0;
    EXPECT_EQ(nonzero, 0);
    EXPECT_EQ(buf[10000], 'x');
    /* Shrinking then growing reads zeros where the bytes were. */
    EXPECT_EQ(ftruncate(fd, 5000), 0);
    EXPECT_EQ(ftruncate(fd, 10001), 0);
    EXPECT_EQ(pread(fd, buf, 1, 10000), 1);
    EXPECT_EQ(buf[0], 0);
    EXPECT_EQ(truncate("f", 3), 0);
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_size, 3);
    EXPECT_ERRNO(SYSCALL(SYS_ftruncate, fd, -1), EINVAL);
    close(fd);
    fd = open("f", O_RDONLY);
    EXPECT_ERRNO(SYSCALL(SYS_ftruncate, fd, 0), EINVAL);     /* not open for writing */
    close(fd);
    EXPECT_ERRNO(SYSCALL(SYS_truncate, ".", 0), EISDIR);
    leave_scratch();
}

UTEST(append_truncate_and_the_access_mode)
{
    enter_scratch();
    put("f", "abc");
    int fd = open("f", O_WRONLY | O_APPEND);
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(write(fd, "def", 3), 3);                  /* O_APPEND writes at the end */
    char c;
    EXPECT_ERRNO(SYSCALL(SYS_read, fd, &c, 1), EBADF);   /* write-only */
    close(fd);
    expect_contents("f", "abcdef");
    fd = open("f", O_RDONLY);
    EXPECT_ERRNO(SYSCALL(SYS_write, fd, "x", 1), EBADF); /* read-only */
    close(fd);
    fd = open("f", O_WRONLY | O_TRUNC);
    close(fd);
    expect_contents("f", "");
    leave_scratch();
}

UTEST(lookup_errors_are_linuxs)
{
    enter_scratch();
    put("file", "x");
    EXPECT_EQ(mkdir("dir", 0755), 0);
    EXPECT_ERRNO(SYSCALL(SYS_open, "missing", O_RDONLY), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_open, "missing/x", O_RDONLY | O_CREAT, 0644), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_open, "file/x", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_open, "file/", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_open, "", O_RDONLY), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_open, "dir", O_WRONLY), EISDIR);
    EXPECT_ERRNO(SYSCALL(SYS_open, "dir", O_RDWR | O_CREAT, 0644), EISDIR);
    EXPECT_ERRNO(SYSCALL(SYS_open, "file", O_RDONLY | O_DIRECTORY), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_open, (char *)1, O_RDONLY), EFAULT);
    char name[NAME_MAX + 2];
    memset(name, 'n', NAME_MAX + 1);
    name[NAME_MAX + 1] = '\0';
    EXPECT_ERRNO(SYSCALL(SYS_open, name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
    static char path[PATH_MAX + 1];
    memset(path, 'a', PATH_MAX);
    EXPECT_ERRNO(SYSCALL(SYS_open, path, O_RDONLY), ENAMETOOLONG);
    int fd = open("dir", O_RDONLY | O_DIRECTORY);
    EXPECT(fd >= 0);
    char c;
    EXPECT_ERRNO(SYSCALL(SYS_read, fd, &c, 1), EISDIR);
    close(fd);
    leave_scratch();
}

UTEST(directories_are_made_listed_and_removed)
{
    enter_scratch();
    EXPECT_EQ(mkdir("d", 0755), 0);
    EXPECT_ERRNO(SYSCALL(SYS_mkdir, "d", 0755), EEXIST);
    EXPECT_ERRNO(SYSCALL(SYS_mkdir, ".", 0755), EEXIST);
    EXPECT_EQ(mkdir("d/sub/", 0755), 0);                /* a trailing slash is fine */
    put("d/a", "1");
    put("d/b", "2");
    struct stat st;
    EXPECT_EQ(stat("d", &st), 0);
    EXPECT(S_ISDIR(st.st_mode) && st.st_nlink == 3);   /* ".", its entry, sub's ".." */
    DIR *dir = opendir("d");
    EXPECT(dir != NULL);
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            seen |= 1;
        else if (!strcmp(e->d_name, "a") && e->d_type == DT_REG)
            seen |= 2;
        else if (!strcmp(e->d_name, "sub") && e->d_type == DT_DIR)
            seen |= 4;
        else if (!strcmp(e->d_name, "b"))
            seen |= 8;
        else
            seen |= 16;
    }
    closedir(dir);
    EXPECT_EQ(seen, 15);
    EXPECT_ERRNO(SYSCALL(SYS_rmdir, "d"), ENOTEMPTY);
    EXPECT_ERRNO(SYSCALL(SYS_rmdir, "d/a"), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_unlink, "d/sub"), EISDIR);
    EXPECT_ERRNO(SYSCALL(SYS_rmdir, "d/sub/."), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_unlink, "d/missing"), ENOENT);
    EXPECT_EQ(SYSCALL(SYS_unlinkat, AT_FDCWD, "d/sub", AT_REMOVEDIR), 0);
    EXPECT_ERRNO(SYSCALL(SYS_unlinkat, AT_FDCWD, "d/a", 0x4000), EINVAL);
    EXPECT_EQ(stat("d", &st), 0);
    EXPECT_EQ(st.st_nlink, 2);
    leave_scratch();
}

/* getdents64's record. */
struct linux_dirent64 {
    uint64_t ino;
    int64_t off;
    unsigned short len;
    unsigned char type;
    char name[];
};

UTEST(getdents64_continues_where_it_stopped)
{
    enter_scratch();
    enum { FILES = 40 };
    for (int i = 0; i < FILES; i++) {
        char name[16];
        snprintf(name, sizeof name, "file%02d", i);
        put(name, "");
    }
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    char buf[64];                                       /* two or three records a call */
    int found = 0, calls = 0;
    long n;
    while ((n = SYSCALL(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        calls++;
        for (long at = 0; at < n;) {
            const struct linux_dirent64 *d = (const void *)(buf + at);
            found += strncmp(d->name, "file", 4) == 0;
            EXPECT(d->len % 8 == 0 && d->len > 0);
            at += d->len;
        }
    }
    EXPECT_EQ(n, 0);
    EXPECT_EQ(found, FILES);
    EXPECT(calls > 10);
    EXPECT_EQ(SYSCALL(SYS_getdents64, fd, buf, 8), 0);          /* the end stays the end */
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_ERRNO(SYSCALL(SYS_getdents64, fd, buf, 8), EINVAL);   /* not even "." fits */
    close(fd);
    fd = open("file00", O_RDONLY);
    EXPECT_ERRNO(SYSCALL(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
    close(fd);
    leave_scratch();
}

/* A buffer that runs into an inaccessible page: each call gives the records that landed
 * before it, -EFAULT only when none did, and the offset moves past exactly the records given. */
UTEST(getdents64_into_a_faulting_buffer_skips_no_entry)
{
    enter_scratch();
    enum { FILES = 200, ROOM = 100 };       /* four 24-byte records fit before the hole */
    for (int i = 0; i < FILES; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%03d", i);
        put(name, "");
    }
    char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED || mprotect(pages + 4096, 4096, PROT_NONE)) {
        EXPECT(!"two pages mapped, the second made inaccessible");
        leave_scratch();
        return;
    }
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    EXPECT_ERRNO(SYSCALL(SYS_getdents64, fd, pages + 4096, 4096), EFAULT);
    char *buf = pages + 4096 - ROOM, seen[FILES] = { 0 };
    int calls = 0;
    long n;
    while ((n = SYSCALL(SYS_getdents64, fd, buf, 4096)) > 0) {
        calls++;
        EXPECT(n <= ROOM);
        for (long at = 0; at < n;) {
            const struct linux_dirent64 *d = (const void *)(buf + at);
            int i;
            if (sscanf(d->name, "f%03d", &i) == 1 && i >= 0 && i < FILES)
                seen[i]++;
            at += d->len;
        }
    }
    EXPECT_EQ(n, 0);
    EXPECT(calls >= FILES / 4);
    for (int i = 0; i < FILES; i++)
        EXPECT_EQ(seen[i], 1);
    close(fd);
    munmap(pages, 8192);
    leave_scratch();
}

UTEST(an_unlinked_open_file_lives_until_closed)
{
    enter_scratch();
    put("f", "still here");
    int fd = open("f", O_RDONLY);
    EXPECT_EQ(unlink("f"), 0);
    EXPECT_ERRNO(SYSCALL(SYS_open, "f", O_RDONLY), ENOENT);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_nlink, 0);
    char buf[16] = { 0 };
    EXPECT_EQ(read(fd, buf, sizeof buf), 10);
    EXPECT_STREQ(buf, "still here");
    close(fd);
    leave_scratch();
}

UTEST(rename_moves_and_replaces)
{
    enter_scratch();
    put("a", "A");
    put("b", "B");
    EXPECT_EQ(mkdir("d", 0755), 0);
    EXPECT_EQ(mkdir("e", 0755), 0);
    EXPECT_EQ(rename("a", "b"), 0);                     /* replaces b */
    expect_contents("b", "A");
    EXPECT_ERRNO(SYSCALL(SYS_open, "a", O_RDONLY), ENOENT);
    EXPECT_EQ(rename("b", "d/c"), 0);
    expect_contents("d/c", "A");
    EXPECT_ERRNO(SYSCALL(SYS_rename, "d/c", "e"), EISDIR);
    EXPECT_ERRNO(SYSCALL(SYS_rename, "e", "d/c"), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_rename, "e", "d"), ENOTEMPTY);
    EXPECT_ERRNO(SYSCALL(SYS_rename, "d", "d/x"), EINVAL);  /* under itself */
    EXPECT_ERRNO(SYSCALL(SYS_rename, "missing", "x"), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_renameat2, AT_FDCWD, "d/c", AT_FDCWD, "d/c2", 8), EINVAL);  /* no such flag */
    put("x", "X");
    EXPECT_ERRNO(SYSCALL(SYS_renameat2, AT_FDCWD, "x", AT_FDCWD, "d/c", 1), EEXIST);  /* NOREPLACE */
    EXPECT_EQ(rename("d", "e/moved"), 0);
    expect_contents("e/moved/c", "A");
    EXPECT_EQ(chdir("e/moved/.."), 0);                  /* ".." follows the move */
    struct stat here, e;
    EXPECT_EQ(stat(".", &here), 0);
    EXPECT_EQ(chdir(scratch), 0);
    EXPECT_EQ(stat("e", &e), 0);
    EXPECT_EQ(here.st_ino, e.st_ino);
    leave_scratch();
}

UTEST(hard_links_share_one_file)
{
    enter_scratch();
    put("a", "shared");
    EXPECT_EQ(link("a", "b"), 0);
    struct stat sa, sb;
    EXPECT_EQ(stat("a", &sa), 0);
    EXPECT_EQ(stat("b", &sb), 0);
    EXPECT(sa.st_ino == sb.st_ino && sa.st_nlink == 2);
    EXPECT_ERRNO(SYSCALL(SYS_link, "a", "b"), EEXIST);
    EXPECT_ERRNO(SYSCALL(SYS_link, ".", "dirlink"), EPERM);
    EXPECT_EQ(unlink("a"), 0);
    expect_contents("b", "shared");
    EXPECT_EQ(stat("b", &sb), 0);
    EXPECT_EQ(sb.st_nlink, 1);
    leave_scratch();
}

UTEST(symbolic_links_are_followed_or_read)
{
    enter_scratch();
    put("target", "T");
    EXPECT_EQ(mkdir("dir", 0755), 0);
    EXPECT_EQ(symlink("target", "rel"), 0);
    EXPECT_EQ(symlink("../target", "dir/up"), 0);       /* relative to the link's directory */
    EXPECT_EQ(symlink("dir", "dirlink"), 0);
    EXPECT_EQ(symlink("missing", "dangling"), 0);
    EXPECT_EQ(symlink("loop", "loop"), 0);
    expect_contents("rel", "T");
    expect_contents("dir/up", "T");
    expect_contents("dirlink/up", "T");
    char buf[16] = { 0 };
    EXPECT_EQ(readlink("dir/up", buf, sizeof buf), 9);
    EXPECT_STREQ(buf, "../target");
    EXPECT_EQ(readlink("dir/up", buf, 2), 2);           /* cut short, no NUL */
    EXPECT_ERRNO(SYSCALL(SYS_readlink, "target", buf, sizeof buf), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_readlink, "rel", buf, 0), EINVAL);
    struct stat st;
    EXPECT_EQ(lstat("rel", &st), 0);
    EXPECT(S_ISLNK(st.st_mode) && st.st_size == 6);
    EXPECT_EQ(stat("rel", &st), 0);
    EXPECT(S_ISREG(st.st_mode));
    EXPECT_ERRNO(SYSCALL(SYS_open, "dangling", O_RDONLY), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_open, "loop", O_RDONLY), ELOOP);
    EXPECT_ERRNO(SYSCALL(SYS_open, "rel", O_RDONLY | O_NOFOLLOW), ELOOP);
    EXPECT_ERRNO(SYSCALL(SYS_symlink, "", "empty"), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_symlink, "x", "rel"), EEXIST);
    EXPECT_EQ(unlink("dirlink"), 0);                    /* the link, not the directory */
    EXPECT_EQ(stat("dir", &st), 0);
    leave_scratch();
}

UTEST(the_working_directory_and_getcwd)
{
    enter_scratch();
    EXPECT_EQ(mkdir("a", 0755), 0);
    EXPECT_EQ(mkdir("a/b", 0755), 0);
    EXPECT_EQ(chdir("a/b"), 0);
    char cwd[PATH_MAX], want[PATH_MAX];
    snprintf(want, sizeof want, "%s/a/b", scratch);
    EXPECT(getcwd(cwd, sizeof cwd) != NULL);
    EXPECT_STREQ(cwd, want);
    EXPECT_EQ(SYSCALL(SYS_getcwd, cwd, sizeof cwd), (long)strlen(want) + 1);
    EXPECT_ERRNO(SYSCALL(SYS_getcwd, cwd, strlen(want)), ERANGE);
    EXPECT_ERRNO(SYSCALL(SYS_getcwd, (char *)8, sizeof cwd), EFAULT);
    int up = open("..", O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(fchdir(up), 0);
    EXPECT(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(want, sizeof want, "%s/a", scratch);
    EXPECT_STREQ(cwd, want);
    put("f", "");
    int f = open("f", O_RDONLY);
    EXPECT_ERRNO(SYSCALL(SYS_fchdir, f), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_chdir, "f"), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_chdir, "nope"), ENOENT);
    close(f);
    close(up);
    /* A working directory that is removed: "." still names it, nothing can be made in it. */
    EXPECT_EQ(chdir("b"), 0);
    EXPECT_EQ(rmdir("../b"), 0);
    EXPECT_ERRNO(SYSCALL(SYS_open, "new", O_CREAT | O_WRONLY, 0644), ENOENT);
    struct stat st;
    EXPECT_EQ(stat(".", &st), 0);
    EXPECT_EQ(st.st_nlink, 0);
    leave_scratch();
}

UTEST(at_calls_start_at_their_directory)
{
    enter_scratch();
    EXPECT_EQ(mkdir("d", 0755), 0);
    int d = open("d", O_RDONLY | O_DIRECTORY);
    int fd = openat(d, "f", O_WRONLY | O_CREAT, 0644);
    EXPECT(fd >= 0);
    close(fd);
    expect_contents("d/f", "");
    struct stat st;
    EXPECT_EQ(fstatat(d, "f", &st, 0), 0);
    EXPECT_EQ(mkdirat(d, "sub", 0755), 0);
    EXPECT_EQ(symlinkat("f", d, "l"), 0);
    char buf[8] = { 0 };
    EXPECT_EQ(readlinkat(d, "l", buf, sizeof buf), 1);
    EXPECT_EQ(renameat(d, "f", d, "g"), 0);
    EXPECT_EQ(linkat(d, "g", AT_FDCWD, "h", 0), 0);
    EXPECT_EQ(faccessat(d, "g", R_OK | W_OK, 0), 0);
    EXPECT_EQ(unlinkat(d, "g", 0), 0);
    EXPECT_EQ(unlinkat(d, "l", 0), 0);
    EXPECT_EQ(unlinkat(d, "sub", AT_REMOVEDIR), 0);
    EXPECT_EQ(fstatat(d, "", &st, AT_EMPTY_PATH), 0);  /* d itself */
    EXPECT(S_ISDIR(st.st_mode));
    EXPECT_ERRNO(SYSCALL(SYS_newfstatat, d, "", &st, 0), ENOENT);
    int f = open("h", O_RDONLY);
    EXPECT_ERRNO(SYSCALL(SYS_openat, f, "x", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO(SYSCALL(SYS_openat, 99, "x", O_RDONLY), EBADF);
    EXPECT(openat(99, "/tmp", O_RDONLY) >= 0);          /* an absolute path ignores dirfd */
    close(f);
    close(d);
    leave_scratch();
}

UTEST(descriptors_and_forks_share_an_offset)
{
    enter_scratch();
    put("f", "abcdef");
    int fd = open("f", O_RDONLY), copy = dup(fd);
    char c;
    EXPECT_EQ(read(fd, &c, 1), 1);
    EXPECT_EQ(read(copy, &c, 1), 1);
    EXPECT_EQ(c, 'b');                                  /* one open file, one offset */
    pid_t child = fork();
    if (child == 0)
        _exit(read(fd, &c, 1) == 1 && c == 'c' ? 0 : 1);
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(read(fd, &c, 1), 1);
    EXPECT_EQ(c, 'd');                                  /* the child moved it */
    int other = open("f", O_RDONLY);                    /* a second open: its own offset */
    EXPECT_EQ(read(other, &c, 1), 1);
    EXPECT_EQ(c, 'a');
    close(other);
    close(copy);
    close(fd);
    leave_scratch();
}

UTEST(rename_exchange_swaps_two_names)
{
    enter_scratch();
    put("a", "A");
    EXPECT_EQ(mkdir("d", 0755), 0);
    put("d/b", "B");
    struct stat top, d;
    EXPECT_EQ(stat(".", &top), 0);
    EXPECT_EQ(SYSCALL(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "d/b", 2), 0);    /* RENAME_EXCHANGE */
    expect_contents("a", "B");
    expect_contents("d/b", "A");
    EXPECT_EQ(SYSCALL(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "d", 2), 0);      /* a file and a directory */
    expect_contents("d", "B");
    expect_contents("a/b", "A");
    struct stat after;
    EXPECT_EQ(stat(".", &after), 0);
    EXPECT_EQ(after.st_nlink, top.st_nlink);            /* the directory is still here */
    EXPECT_EQ(stat("a", &d), 0);
    EXPECT(S_ISDIR(d.st_mode));
    EXPECT_EQ(chdir("a/.."), 0);                        /* ".." of the moved directory */
    EXPECT_EQ(stat(".", &after), 0);
    EXPECT(after.st_ino == top.st_ino);
    EXPECT_ERRNO(SYSCALL(SYS_renameat2, AT_FDCWD, "d", AT_FDCWD, "missing", 2), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_renameat2, AT_FDCWD, "d", AT_FDCWD, "a", 3), EINVAL);    /* with NOREPLACE */
    EXPECT_ERRNO(SYSCALL(SYS_renameat2, AT_FDCWD, ".", AT_FDCWD, "a/x", 2), EBUSY);
    put("a/x", "X");
    EXPECT_ERRNO(SYSCALL(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "a/x", 2), EINVAL);  /* under itself */
    leave_scratch();
}

UTEST(sendfile_copies_a_file_to_any_descriptor)
{
    enter_scratch();
    static char text[6000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    int in = open("in", O_RDWR | O_CREAT, 0644);
    EXPECT_EQ(write(in, text, sizeof text), (ssize_t)sizeof text);
    int out = open("out", O_WRONLY | O_CREAT, 0644);
    off_t offset = 10;
    EXPECT_EQ(sendfile(out, in, &offset, 5000), 5000);  /* from offset, which moves */
    EXPECT_EQ(offset, 5010);
    EXPECT_EQ(lseek(in, 0, SEEK_CUR), (off_t)sizeof text);  /* the file's own stays */
    EXPECT_EQ(lseek(in, 5990, SEEK_SET), 5990);
    EXPECT_EQ(sendfile(out, in, NULL, 100), 10);        /* from the file's offset, to the end */
    EXPECT_EQ(lseek(in, 0, SEEK_CUR), (off_t)sizeof text);
    EXPECT_EQ(sendfile(out, in, NULL, 100), 0);
    close(out);
    static char back[6000];
    int check = open("out", O_RDONLY);
    EXPECT_EQ(read(check, back, sizeof back), 5010);
    EXPECT(memcmp(back, text + 10, 5000) == 0 && memcmp(back + 5000, text + 5990, 10) == 0);
    close(check);

    int ends[2];
    EXPECT_EQ(pipe(ends), 0);
    offset = 0;
    EXPECT_EQ(sendfile(ends[1], in, &offset, 26), 26);  /* into a pipe */
    EXPECT_EQ(read(ends[0], back, sizeof back), 26);
    EXPECT(memcmp(back, text, 26) == 0);
    EXPECT_ERRNO(SYSCALL(SYS_sendfile, in, ends[0], NULL, 1), EINVAL);        /* from a pipe */
    int append = open("out", O_WRONLY | O_APPEND);
    EXPECT_ERRNO(SYSCALL(SYS_sendfile, append, in, NULL, 1), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_sendfile, ends[0], in, NULL, 1), EBADF);         /* not open for writing */
    EXPECT_ERRNO(SYSCALL(SYS_sendfile, ends[1], in, (void *)8, 1), EFAULT);
    close(append);
    close(ends[0]);
    close(ends[1]);
    close(in);
    leave_scratch();
}

UTEST(a_nonblocking_pipe_never_waits)
{
    int ends[2];
    EXPECT_EQ(pipe2(ends, O_NONBLOCK), 0);
    EXPECT(fcntl(ends[0], F_GETFL) & O_NONBLOCK);
    char byte = 'x';
    EXPECT_ERRNO(SYSCALL(SYS_read, ends[0], &byte, 1), EAGAIN);     /* empty */
    static char chunk[1 << 16];
    long n, total = 0;
    while ((n = SYSCALL(SYS_write, ends[1], chunk, sizeof chunk)) > 0)
        total += n;                                     /* what fits goes in */
    EXPECT_EQ(n, -EAGAIN);
    EXPECT(total > 0);
    EXPECT_EQ(SYSCALL(SYS_read, ends[0], chunk, 100), 100);
    EXPECT_ERRNO(SYSCALL(SYS_write, ends[1], chunk, 4096), EAGAIN);   /* atomic: all or nothing */
    EXPECT_EQ(fcntl(ends[0], F_SETFL, 0), 0);           /* blocking again, with data: it reads */
    EXPECT_EQ(SYSCALL(SYS_read, ends[0], chunk, sizeof chunk), total - 100);
    EXPECT_EQ(fcntl(ends[0], F_SETFL, O_NONBLOCK), 0);
    EXPECT_ERRNO(SYSCALL(SYS_read, ends[0], chunk, 1), EAGAIN);
    close(ends[1]);
    EXPECT_EQ(SYSCALL(SYS_read, ends[0], chunk, 1), 0); /* no writer: the end, not EAGAIN */
    close(ends[0]);
}

/* RLIMIT_NOFILE's 1024 descriptors, most of them past the table's first chunk: each open
 * takes the lowest free one, dup2, F_DUPFD and /proc/self/fd reach the far ones, a child
 * inherits them, and the 1025th is EMFILE. */
UTEST(a_thousand_descriptors)
{
    enum { LIMIT = 1024 };
    static int fds[LIMIT];
    struct rlimit old, limit;
    EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);       /* Linux's default too, but a host's may differ */
    limit = (struct rlimit){ LIMIT, old.rlim_max };
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
    int open_before = 0;
    for (int fd = 0; fd < LIMIT; fd++)
        open_before += fcntl(fd, F_GETFD) >= 0;
    int n = 0;
    while (n < LIMIT && (fds[n] = SYSCALL(SYS_open, "/dev/null", O_RDONLY)) >= 0)
        n++;
    EXPECT_ERRNO(fds[n], EMFILE);
    EXPECT_EQ(n, LIMIT - open_before);
    EXPECT_EQ(fds[n - 1], LIMIT - 1);
    for (int i = 1; i < n; i++)
        EXPECT(fds[i] > fds[i - 1]);                    /* each the lowest free */
    EXPECT_EQ(close(fds[500]), 0);
    EXPECT_EQ(close(fds[900]), 0);
    EXPECT_EQ(open("/dev/null", O_RDONLY), fds[500]);
    EXPECT_EQ(fcntl(fds[0], F_DUPFD_CLOEXEC, fds[600]), fds[900]);
    EXPECT_EQ(fcntl(fds[900], F_GETFD), FD_CLOEXEC);
    EXPECT_ERRNO(SYSCALL(SYS_dup2, fds[0], LIMIT), EBADF);
    EXPECT_ERRNO(SYSCALL(SYS_fcntl, fds[0], F_DUPFD, LIMIT), EINVAL);
    char buf[32] = "";
    char link[32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", LIMIT - 1);
    EXPECT_EQ(readlink(link, buf, sizeof buf), 9);
    EXPECT_STREQ(buf, "/dev/null");
    pid_t pid = fork();
    if (pid == 0)
        _exit(fcntl(LIMIT - 1, F_GETFD) == 0 && fcntl(fds[900], F_GETFD) == FD_CLOEXEC
              && close(LIMIT - 1) == 0 ? 0 : 1);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(fcntl(LIMIT - 1, F_GETFD), 0);            /* the child closed its own */
    for (int i = 0; i < n; i++)
        EXPECT_EQ(close(fds[i]), 0);
    EXPECT_ERRNO(SYSCALL(SYS_close, LIMIT - 1), EBADF);
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
}

UTEST(fcntl_and_dup3_flags)
{
    enter_scratch();
    put("f", "");
    int fd = open("f", O_RDWR | O_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_SETFD, 0), 0);
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR);
    EXPECT_EQ(fcntl(fd, F_SETFL, O_APPEND | O_RDONLY), 0);   /* the access mode stays */
    EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR | O_APPEND);
    int high = fcntl(fd, F_DUPFD, 20);
    EXPECT(high >= 20);
    EXPECT_EQ(fcntl(high, F_GETFD), 0);
    int high2 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    EXPECT(high2 > high);
    EXPECT_EQ(fcntl(high2, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(dup3(fd, 30, O_CLOEXEC), 30);
    EXPECT_EQ(fcntl(30, F_GETFD), FD_CLOEXEC);
    EXPECT_ERRNO(SYSCALL(SYS_dup3, fd, fd, 0), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_dup3, fd, 31, 1), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_fcntl, 99, F_GETFD), EBADF);
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    EXPECT_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    EXPECT_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    struct stat st;
    EXPECT_EQ(fstat(p[0], &st), 0);
    EXPECT(S_ISFIFO(st.st_mode));
    close(p[0]);
    close(p[1]);
    close(30);
    close(high2);
    close(high);
    close(fd);
    leave_scratch();
}

UTEST(modes_umask_and_access)
{
    enter_scratch();
    mode_t old = umask(027);
    put("f", "");
    struct stat st;
    EXPECT_EQ(stat("f", &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640);
    EXPECT_EQ(umask(old), 027);
    EXPECT_EQ(chmod("f", 0755), 0);
    EXPECT_EQ(stat("f", &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755);
    int fd = open("f", O_RDONLY);
    EXPECT_EQ(fchmod(fd, 0600), 0);
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600);
    close(fd);
    EXPECT_EQ(access("f", F_OK), 0);
    EXPECT_EQ(access("f", R_OK | W_OK), 0);
    EXPECT_ERRNO(SYSCALL(SYS_access, "f", X_OK), EACCES);    /* no execute bit, even for root */
    EXPECT_ERRNO(SYSCALL(SYS_access, "f", 8), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_access, "missing", F_OK), ENOENT);
    EXPECT_EQ(chown("f", 0, 0), 0);
    leave_scratch();
}

UTEST(utimensat_sets_and_keeps_times)
{
    enter_scratch();
    put("f", "");
    struct timespec times[2] = { { 1000, 5 }, { 2000, 6 } };
    EXPECT_EQ(utimensat(AT_FDCWD, "f", times, 0), 0);
    struct stat st;
    EXPECT_EQ(stat("f", &st), 0);
    EXPECT(st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 5);
    EXPECT(st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 6);
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_nsec = UTIME_NOW;
    EXPECT_EQ(utimensat(AT_FDCWD, "f", times, 0), 0);
    EXPECT_EQ(stat("f", &st), 0);
    EXPECT(st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec > 2000);
    int fd = open("f", O_RDONLY);
    EXPECT_EQ(futimens(fd, NULL), 0);                   /* both now */
    EXPECT_EQ(fstat(fd, &st), 0);
    EXPECT(st.st_atim.tv_sec > 1000);
    close(fd);
    times[0].tv_nsec = 1000000000;
    EXPECT_ERRNO(SYSCALL(SYS_utimensat, AT_FDCWD, "f", times, 0), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_utimensat, AT_FDCWD, "missing", NULL, 0), ENOENT);
    leave_scratch();
}

/* Linux's struct statx (musl 1.2.3 has no statx of its own). */
struct statx_k {
    uint32_t mask, block_size;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad;
    uint64_t ino, size, blocks, attributes_mask;
    struct { int64_t sec; uint32_t nsec, pad; } atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
enum { STATX_BASIC = 0x7ff };

UTEST(statx_agrees_with_stat)
{
    enter_scratch();
    put("f", "twelve bytes");
    EXPECT_EQ(symlink("f", "l"), 0);
    struct stat st;
    struct statx_k x;
    EXPECT_EQ(stat("f", &st), 0);
    EXPECT_EQ(SYSCALL(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC, &x), 0);
    EXPECT((x.mask & STATX_BASIC) == STATX_BASIC);
    EXPECT(x.size == 12 && x.ino == st.st_ino && x.mode == st.st_mode && x.nlink == 1);
    EXPECT(x.mtime.sec == st.st_mtim.tv_sec && x.mtime.nsec == (uint32_t)st.st_mtim.tv_nsec);
    EXPECT_EQ(SYSCALL(SYS_statx, AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC, &x), 0);
    EXPECT(S_ISLNK(x.mode) && x.size == 1);
    EXPECT_ERRNO(SYSCALL(SYS_statx, AT_FDCWD, "f", 0, 0x80000000u, &x), EINVAL);
    EXPECT_ERRNO(SYSCALL(SYS_statx, AT_FDCWD, "missing", 0, STATX_BASIC, &x), ENOENT);
    leave_scratch();
}

UTEST(statfs_describes_the_file_system)
{
    struct statfs fs;
    EXPECT_EQ(statfs("/tmp", &fs), 0);
    EXPECT(fs.f_bsize > 0 && fs.f_blocks > 0 && fs.f_bfree <= fs.f_blocks && fs.f_namelen == 255);
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    struct statfs again;
    EXPECT_EQ(fstatfs(fd, &again), 0);
    EXPECT_EQ(again.f_type, fs.f_type);
    close(fd);
    EXPECT_EQ(statfs("/proc", &fs), 0);
    EXPECT_EQ(fs.f_type, 0x9fa0);                      /* PROC_SUPER_MAGIC */
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    EXPECT_EQ(fstatfs(p[0], &fs), 0);
    EXPECT_EQ(fs.f_type, 0x50495045);                  /* PIPEFS_MAGIC */
    close(p[0]);
    close(p[1]);
    EXPECT_ERRNO(SYSCALL(SYS_statfs, "/missing", &fs), ENOENT);
    EXPECT_ERRNO(SYSCALL(SYS_statfs, "/tmp", 8), EFAULT);
}

UTEST(dev_null_zero_and_full)
{
    char buf[8] = "xxxxxxx";
    int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDONLY), full = open("/dev/full", O_WRONLY);
    EXPECT(null >= 0 && zero >= 0 && full >= 0);
    EXPECT_EQ(write(null, "gone", 4), 4);
    EXPECT_EQ(read(null, buf, sizeof buf), 0);
    EXPECT_EQ(read(zero, buf, sizeof buf), 8);
    EXPECT(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
    EXPECT_ERRNO(SYSCALL(SYS_write, full, "x", 1), ENOSPC);
    struct stat st;
    EXPECT_EQ(fstat(null, &st), 0);
    EXPECT(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    close(null);
    close(zero);
    close(full);
}

/* Execute a program by a path relative to the working directory. */
UTEST(exec_finds_programs_by_relative_path)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        strcpy(self, "/tests/files");                   /* Twofold has no /proc yet */
    else
        self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    EXPECT_EQ(chdir(self), 0);
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = { "files", "exit7", NULL };
        execv("./files", argv);
        _exit(100 + errno);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 7);
    EXPECT_ERRNO(SYSCALL(SYS_execve, ".", (char *[]){ NULL }, (char *[]){ NULL }), EACCES);
    EXPECT_EQ(chdir("/"), 0);
}

UTEST(a_full_file_system_is_enospc_and_gives_every_frame_back)
{
    TWOFOLD_ONLY();
    enter_scratch();
    static char chunk[1 << 20];
    memset(chunk, 'z', sizeof chunk);                   /* its own frames, before the count */
    long frames = free_frames();
    int fd = open("big", O_WRONLY | O_CREAT, 0644);
    long n, total = 0;
    while ((n = SYSCALL(SYS_write, fd, chunk, sizeof chunk)) > 0)
        total += n;
    EXPECT_EQ(n, -ENOSPC);
    EXPECT(total > 0);
    close(fd);
    EXPECT_EQ(unlink("big"), 0);
    EXPECT_EQ(free_frames(), frames);
    leave_scratch();
}

int utest_reexec(int argc, char **argv)
{
    (void)argc;
    return strcmp(argv[1], "exit7") == 0 ? 7 : 1;
}
