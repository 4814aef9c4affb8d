/* kernel/fs/procfs.c: the proc file system (see procfs.h).
 *
 * Its tree is made of the RAM file system's nodes whose files are made of text when they are
 * opened: the node names what to show (struct proc_file) and whose (proc_pid), and open
 * writes that text into a file of its own that no directory names, which the open file then
 * reads (a snapshot, as Linux's seq_file gives one a page at a time). /proc/PID is made with
 * the process (its entries when it is first looked in) and removed when it is reaped. The
 * links self, cwd and fd/N get their targets as they are read, and fd/ its entries as it is
 * looked in.
 */
#include "kernel/fs/procfs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/smp.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/path.h"
#include "kernel/lib/format.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "mm/kmalloc.h"
#include "mm/frame.h"
#include "mm/layout.h"
#include "mm/ptdump.h"
#include "mm/vm.h"
#include <string.h>

/* Text on its way into a snapshot file, a chunk at a time. */
struct text {
    struct inode *file;
    int error;
    bool fs_locked;                 /* what shows it holds fs_lock (else flushing takes it) */
    size_t used;
    char chunk[256];
};

/* Append the chunk to the file. */
static void flush_text(struct text *t)
{
    uint64_t flags = t->fs_locked ? 0 : spin_lock(&fs_lock);
    for (size_t done = 0; done < t->used && !t->error;) {
        uint64_t at = t->file->size;
        int error;
        uint8_t *page = ramfs_page(t->file, at / PAGE_SIZE, true, &error);
        if (!page) {
            t->error = error;
            break;
        }
        size_t n = PAGE_SIZE - at % PAGE_SIZE < t->used - done ? PAGE_SIZE - at % PAGE_SIZE : t->used - done;
        memcpy(page + at % PAGE_SIZE, t->chunk + done, n);
        t->file->size += n;
        done += n;
    }
    if (!t->fs_locked)
        spin_unlock(&fs_lock, flags);
    t->used = 0;
}

static void text_sink(void *ctx, char c)
{
    struct text *t = ctx;
    t->chunk[t->used++] = c;
    if (t->used == sizeof t->chunk)
        flush_text(t);
}

__attribute__((format(printf, 2, 3))) static void out(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_v(text_sink, t, fmt, ap);
    va_end(ap);
}

/* ---- the system's files ---------------------------------------------------------------- */

static void show_meminfo(struct text *t, struct process *p)
{
    (void)p;
    uint64_t total = frame_managed_count() * 4, free = frame_free_count() * 4;
    uint64_t cached = ramfs_pages_used() * 4;           /* files in memory, as tmpfs counts */
    out(t, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
           "Buffers:        %8lu kB\nCached:         %8lu kB\nSwapCached:     %8lu kB\n"
           "SwapTotal:      %8lu kB\nSwapFree:       %8lu kB\nShmem:          %8lu kB\n",
        total, free, free, 0ul, cached, 0ul, 0ul, 0ul, cached);
}

static void show_uptime(struct text *t, struct process *p)
{
    (void)p;
    uint64_t centi = time_monotonic_ns() / (NS_PER_SECOND / 100);
    out(t, "%lu.%02lu 0.00\n", centi / 100, centi % 100);
}

static void show_cpuinfo(struct text *t, struct process *p)
{
    (void)p;
    struct cpuid_regs v = cpuid(0, 0);
    char vendor[13];
    memcpy(vendor, &v.ebx, 4), memcpy(vendor + 4, &v.edx, 4), memcpy(vendor + 8, &v.ecx, 4);
    vendor[12] = '\0';
    char brand[49] = "unknown";
    if (cpuid(0x80000000, 0).eax >= 0x80000004) {
        for (uint32_t leaf = 0; leaf < 3; leaf++) {
            struct cpuid_regs r = cpuid(0x80000002 + leaf, 0);
            memcpy(brand + 16 * leaf, &r, 16);
        }
        brand[48] = '\0';
    }
    struct cpuid_regs one = cpuid(1, 0);
    /* Every CPU has what the boot CPU has (arch/x86_64/smp.h): one description, n times. */
    for (unsigned cpu = 0; cpu < smp_cpu_count(); cpu++)
        out(t, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
               "apicid\t\t: %u\nflags\t\t: fpu pae%s%s%s%s\n\n",
            cpu, vendor, (one.eax >> 8) & 0xf, (one.eax >> 4) & 0xf, brand, smp_apic_id(cpu), pcid_on ? " pcid" : "",
            invpcid_on ? " invpcid" : "", one.ecx & (1u << 30) ? " rdrand" : "", " lm nx");
}

/* /proc/stat: each CPU's ticks (user, nice, system, idle and six Linux has and Twofold does
 * not keep) and their sum, then the switches, the boot time, the processes made, running
 * and blocked (none: Twofold has no uninterruptible sleep). */
static void show_stat_system(struct text *t, struct process *p)
{
    (void)p;
    uint64_t sum[3] = { 0 }, switches = 0;
    for (unsigned cpu = 0; cpu < smp_cpu_count(); cpu++) {
        const struct cpu_ticks *k = &cpus[cpu].ticks;
        sum[0] += k->user, sum[1] += k->system, sum[2] += k->idle;
        switches += k->switches;
    }
    out(t, "cpu  %lu 0 %lu %lu 0 0 0 0 0 0\n", sum[0], sum[1], sum[2]);
    for (unsigned cpu = 0; cpu < smp_cpu_count(); cpu++) {
        const struct cpu_ticks *k = &cpus[cpu].ticks;
        out(t, "cpu%u %lu 0 %lu %lu 0 0 0 0 0 0\n", cpu, k->user, k->system, k->idle);
    }
    struct process_counts counts;
    process_counts_locked(&counts);              /* procfs_snapshot holds process_lock */
    unsigned long average[3];
    unsigned runnable = sched_load(average);
    out(t, "intr 0\nctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %u\nprocs_blocked 0\n", switches,
        (uint64_t)((time_realtime_ns() - time_monotonic_ns()) / NS_PER_SECOND), counts.made, runnable);
}

/* /proc/loadavg: the three averages, running/all processes, the last pid. */
static void show_loadavg(struct text *t, struct process *p)
{
    (void)p;
    struct process_counts counts;
    process_counts_locked(&counts);              /* procfs_snapshot holds process_lock */
    unsigned long average[3];
    unsigned runnable = sched_load(average);
    for (int i = 0; i < 3; i++)
        out(t, "%lu.%02lu ", average[i] / SCHED_LOAD_ONE, average[i] % SCHED_LOAD_ONE * 100 / SCHED_LOAD_ONE);
    out(t, "%u/%d %d\n", runnable, counts.live, counts.last_pid);
}

static void show_mounts(struct text *t, struct process *p)
{
    (void)p;
    char *path = path_buffer_alloc();
    if (!path) {
        t->error = -ENOMEM;
        return;
    }
    uint64_t flags = spin_lock(&fs_lock);
    t->fs_locked = true;
    struct lookup_context ctx = { .root = fs_root() };
    for (const struct mount *m = mount_table(); m; m = m->next) {
        long len = m->point ? path_of(&ctx, m->point, path, PATH_MAX) : 0;
        if (len >= 0)
            out(t, "%s %s %s rw 0 0\n", m->source, m->point ? path : "/", m->type->name);
    }
    flush_text(t);
    t->fs_locked = false;
    spin_unlock(&fs_lock, flags);
    path_buffer_free(path);
}

static void show_filesystems(struct text *t, struct process *p)
{
    (void)p;
    for (size_t i = 0; i < fs_type_count; i++)
        out(t, "nodev\t%s\n", fs_types[i].name);
}

/* ---- a process's files ------------------------------------------------------------------ */

static char state_letter(const struct process *p)
{
    switch (p->state) {
    case PROCESS_RUNNABLE:
    case PROCESS_RUNNING: return 'R';
    case PROCESS_BLOCKED: return 'S';
    case PROCESS_STOPPED: return 'T';
    default: return 'Z';
    }
}

/* p's address space, locked against its users on other CPUs, or NULL once p has exited
 * (process_lock held: p->vm cannot change meanwhile). fs_lock is taken first: the text's
 * flushes need it, and it comes before a vm's lock. unlock_vm undoes both. */
struct vm_hold {
    struct vm *vm;
    uint64_t fs_flags, vm_flags;
};

static struct vm *lock_vm(struct text *t, const struct process *p, struct vm_hold *hold)
{
    hold->fs_flags = spin_lock(&fs_lock);
    t->fs_locked = true;
    hold->vm = p->vm;
    if (hold->vm)
        hold->vm_flags = vm_lock(hold->vm);
    return hold->vm;
}

static void unlock_vm(struct text *t, struct vm_hold *hold)
{
    if (hold->vm)
        vm_unlock(hold->vm, hold->vm_flags);
    flush_text(t);
    t->fs_locked = false;
    spin_unlock(&fs_lock, hold->fs_flags);
}

/* The bytes p's regions span. */
static uint64_t vm_size(struct text *t, const struct process *p)
{
    struct vm_hold hold;
    uint64_t size = 0;
    for (const struct vma *r = lock_vm(t, p, &hold) ? hold.vm->regions : NULL; r; r = r->next)
        size += r->end - r->start;
    unlock_vm(t, &hold);
    return size;
}

/* The pid of p's process's parent (0 for init's). */
static int parent_pid(const struct process *p)
{
    return p->leader->parent ? p->leader->parent->pid : 0;
}

static void show_stat(struct text *t, struct process *p)
{
    uint64_t tick = NS_PER_SECOND / HZ;
    /* Linux's 52 fields; those Twofold does not keep are 0. */
    out(t, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %lu %lu %lu %lu 20 0 %d 0 %lu %lu 0 %lu",
        p->pid, p->name, state_letter(p), parent_pid(p), p->pgid, p->sid,
        p->user_ticks, p->system_ticks, p->children.user_ticks, p->children.system_ticks, p->leader->live_threads,
        p->start_ns / tick, vm_size(t, p), (uint64_t)RLIM_INFINITY);
    for (int i = 26; i <= 52; i++)
        out(t, " %u", i == 39 ? p->cpu : 0);     /* 39: the CPU it runs or ran on last */
    out(t, "\n");
}

static void show_status(struct text *t, struct process *p)
{
    static const char *const states[] = { "R (running)", "R (running)", "S (sleeping)", "T (stopped)", "Z (zombie)" };
    const struct signal_state *s = p->signals;
    uint64_t ignored = 0, caught = 0;
    for (int sig = 1; s && sig <= SIGNAL_MAX; sig++) {
        uint64_t handler = s->actions[sig].handler;
        if (handler == SIG_IGN)
            ignored |= SIGNAL_BIT(sig);
        else if (handler != SIG_DFL)
            caught |= SIGNAL_BIT(sig);
    }
    out(t, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
           "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\nVmSize:\t%8lu kB\nThreads:\t%d\n"
           "SigPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
        p->name, p->leader->umask, states[p->state], p->tgid, p->pid, parent_pid(p), MAX_FDS,
        vm_size(t, p) / 1024, p->leader->live_threads, s ? s->pending : 0, s ? s->blocked : 0, ignored, caught);
}

static void show_cmdline(struct text *t, struct process *p)
{
    /* The bytes where exec put the arguments' strings, each ending in its NUL, read from p's
     * memory as Linux reads them: what the program wrote there since shows (a zombie has no
     * memory, and shows nothing). */
    char chunk[256];
    struct vm_hold hold;
    struct vm *vm = lock_vm(t, p, &hold);
    for (uint64_t at = p->arguments.start; vm && at < p->arguments.end;) {
        size_t want = p->arguments.end - at < sizeof chunk ? p->arguments.end - at : sizeof chunk;
        size_t got = vm_copy_out(vm, at, chunk, want);
        for (size_t i = 0; i < got; i++)
            text_sink(t, chunk[i]);
        if (got < want)
            break;
        at += got;
    }
    unlock_vm(t, &hold);
}

static void show_comm(struct text *t, struct process *p)
{
    out(t, "%s\n", p->name);
}

static void show_maps(struct text *t, struct process *p)
{
    struct vm_hold hold;
    for (const struct vma *r = lock_vm(t, p, &hold) ? hold.vm->regions : NULL; r; r = r->next)
        out(t, "%08lx-%08lx %c%c%cp 00000000 00:00 0\n", r->start, r->end, r->prot & VM_READ ? 'r' : '-',
            r->prot & VM_WRITE ? 'w' : '-', r->prot & VM_EXEC ? 'x' : '-');
    unlock_vm(t, &hold);
}

/* A CR3 value decoded: the top-level table and the PCID (its low 12 bits). */
static void show_one_cr3(struct text *t, const char *which, uint64_t cr3)
{
    out(t, "%s CR3 0x%016lx: table 0x%lx, PCID %lu\n", which, cr3, (uint64_t)(cr3 & ~0xfffull & ~CR3_NOFLUSH),
        cr3 & 0xfff);
}

static void show_cr3(struct text *t, struct process *p)
{
    show_one_cr3(t, "kernel", p->kernel_cr3);
    show_one_cr3(t, "user", p->user_cr3);
}

/* The kernel root's tables (user: the user root's). */
static void show_tables(struct text *t, const struct process *p, bool user)
{
    struct vm_hold hold;
    struct vm *vm = lock_vm(t, p, &hold);
    if (vm)
        ptdump(user ? vm->user_root : vm->root, text_sink, t);
    unlock_vm(t, &hold);
}

static void show_ptdump(struct text *t, struct process *p)
{
    show_tables(t, p, false);
}

static void show_ptdump_user(struct text *t, struct process *p)
{
    show_tables(t, p, true);
}


/* ---- links and a directory made as they are read ----------------------------------------- */

/* What the link to node shows: its path, or "(deleted)" once the name it had is gone. */
static long node_target(const struct lookup_context *ctx, const struct inode *node, char *buf)
{
    long len = path_of(ctx, node, buf, PATH_MAX);
    return len > 0 ? len - 1 : ksnprintf(buf, PATH_MAX, "(deleted)");
}

/* /proc/self: the pid of whoever looks. */
static long self_target(const struct lookup_context *ctx, const struct inode *node, char *buf)
{
    (void)node;
    return ksnprintf(buf, PATH_MAX, "%d", ctx->pid);
}

/* /proc/PID/cwd: the working directory (none once the process has exited). */
static long cwd_target(const struct lookup_context *ctx, const struct inode *node, char *buf)
{
    const struct inode *cwd = node->proc_owner->leader->cwd;
    return cwd ? node_target(ctx, cwd, buf) : -ENOENT;
}

/* /proc/PID/fd/N: what descriptor N is open on; a file with no node is a pipe. Under the
 * table's lock: a file in the table cannot go meanwhile (its threads may close it). */
static long fd_target(const struct lookup_context *ctx, const struct inode *node, char *buf)
{
    struct process *p = node->proc_owner;
    uint64_t flags = spin_lock(&p->fds.lock);
    const struct file *f = fd_at(&p->fds, node->proc_fd);
    long result = !f ? -ENOENT
                : f->node ? node_target(ctx, f->node, buf) : ksnprintf(buf, PATH_MAX, "pipe:[%lu]", f->ino);
    spin_unlock(&p->fds.lock, flags);
    return result;
}

static const struct proc_file self_link = { "self", .link = self_target };
static const struct proc_file cwd_link = { "cwd", .link = cwd_target };
static const struct proc_file fd_link = { "fd/N", .link = fd_target };

/* "/proc/PID"'s name, or fd/N's. */
static size_t number_name(int n, char name[12])
{
    return (size_t)ksnprintf(name, 12, "%d", n);
}

/* /proc/PID/fd: a link named N for each descriptor N its owner has open, whose mode says how
 * (Linux's: r-x reading, -wx writing, rwx both). */
static int fd_refresh(struct inode *dir)
{
    static const uint32_t modes[4] = { 0500, 0300, 0700, 0 };      /* by O_ACCMODE */
    struct process *p = dir->proc_owner;
    uint64_t flags = spin_lock(&p->fds.lock);       /* as fd_target */
    for (struct dir_entry *e = dir->dir.entries, *next; e; e = next) {
        next = e->next;
        if (!fd_at(&p->fds, e->node->proc_fd))
            ramfs_unlink(dir, e->name, e->name_len, false);
    }
    int error = 0;
    for (int fd = 0; fd < MAX_FDS && !error; fd++) {
        const struct file *f = fd_at(&p->fds, fd);
        if (!f)
            continue;
        char name[12];
        size_t len = number_name(fd, name);
        struct dir_entry *e = ramfs_find(dir, name, len);
        struct inode *link = e ? e->node : NULL;
        error = link ? 0 : ramfs_create(dir, name, len, S_IFLNK, 0, 0, 0, NULL, 0, &link);
        if (error)
            break;
        link->mode = S_IFLNK | modes[f->flags & O_ACCMODE];
        link->proc = &fd_link;
        link->proc_pid = dir->proc_pid;
        link->proc_owner = p;
        link->proc_fd = fd;
    }
    spin_unlock(&p->fds.lock, flags);
    return error;
}

static const struct proc_file fd_dir = { "fd", .refresh = fd_refresh };

/* ---- the tree ---------------------------------------------------------------------------- */

static const struct proc_file system_files[] = {
    { "meminfo", .show = show_meminfo }, { "uptime", .show = show_uptime },
    { "cpuinfo", .show = show_cpuinfo }, { "mounts", .show = show_mounts },
    { "filesystems", .show = show_filesystems }, { "stat", .show = show_stat_system },
    { "loadavg", .show = show_loadavg },
};

/* What /proc/PID/task/TID shows of each thread: the first of process_files. */
enum { THREAD_FILES = 3 };

static const struct proc_file process_files[] = {
    { "stat", .show = show_stat }, { "status", .show = show_status }, { "cmdline", .show = show_cmdline },
    { "comm", .show = show_comm }, { "maps", .show = show_maps }, { "cr3", .show = show_cr3 },
    { "ptdump", .show = show_ptdump }, { "ptdump-user", .show = show_ptdump_user },
};

#define COUNT(array) (sizeof(array) / sizeof *(array))

/* The proc file system, and its root, made by procfs_init; fs_lock guards what they hold. */
static struct mount *proc_fs;
static struct inode *proc_dir;

/* Make what f describes, of p (NULL: the system's), in dir: a file of mode, a link or a
 * directory. fs_lock held. */
static int add_node(struct inode *dir, const struct proc_file *f, uint32_t mode, struct process *p)
{
    struct inode *node;
    int error = ramfs_create(dir, f->name, strlen(f->name), mode, 0, 0, 0, NULL, 0, &node);
    if (!error) {
        node->proc = f;
        node->proc_pid = p ? p->pid : 0;
        node->proc_owner = p;
    }
    return error;
}

int procfs_init(void)
{
    uint64_t flags = spin_lock(&fs_lock);
    int error;
    if ((proc_fs = mount_new("proc", &error))) {
        proc_dir = proc_fs->root;
        proc_dir->mode = S_IFDIR | 0555;
        error = add_node(proc_dir, &self_link, S_IFLNK | 0777, NULL);
    }
    for (size_t i = 0; !error && i < COUNT(system_files); i++)
        error = add_node(proc_dir, &system_files[i], S_IFREG | 0444, NULL);
    spin_unlock(&fs_lock, flags);
    return error;
}

/* /proc/PID/exe of pid, or NULL. fs_lock held. */
static struct inode *exe_link(int pid)
{
    char name[12];
    size_t len = number_name(pid, name);
    struct dir_entry *dir = proc_dir ? ramfs_find(proc_dir, name, len) : NULL;
    struct dir_entry *exe = dir ? ramfs_find(dir->node, "exe", 3) : NULL;
    return exe ? exe->node : NULL;
}

/* /proc/PID of pid, or NULL. fs_lock held. */
static struct inode *process_dir(int pid)
{
    char name[12];
    size_t len = number_name(pid, name);
    struct dir_entry *dir = proc_dir ? ramfs_find(proc_dir, name, len) : NULL;
    return dir ? dir->node : NULL;
}

/* task/TID for thread in task, the /proc/PID/task of its process. fs_lock held. */
static int add_thread_dir(struct inode *task, struct process *thread)
{
    char name[12];
    size_t len = number_name(thread->pid, name);
    struct inode *dir;
    int error = ramfs_create(task, name, len, S_IFDIR | 0555, 0, 0, 0, NULL, 0, &dir);
    for (size_t i = 0; !error && i < THREAD_FILES; i++)
        error = add_node(dir, &process_files[i], S_IFREG | 0444, thread);
    return error;
}

/* Take the entry name of dir away, and all below it if it is a directory. fs_lock held. */
static void remove_tree(struct inode *dir, const char *name, size_t len)
{
    struct dir_entry *e = dir ? ramfs_find(dir, name, len) : NULL;
    bool is_dir = e && (e->node->mode & S_IFMT) == S_IFDIR;
    if (is_dir)
        ramfs_empty(e->node);
    if (e)
        ramfs_unlink(dir, name, len, is_dir);
}

/* /proc/PID holds exe from the start, and the rest (cwd, fd/, the process's files, task/)
 * once it is first looked in: most processes never are, and fork would make 16 nodes for
 * nothing (and the reap take them away). A process that has had a second thread has it all
 * already (procfs_add_thread makes it first), so what this makes is for a process of one
 * thread, its leader: task/ holds it alone. Made whole or not at all. fs_lock held. */
static int make_process_dir(struct inode *dir)
{
    struct process *p = dir->proc_owner;
    int error = add_node(dir, &cwd_link, S_IFLNK | 0777, p);
    if (!error)
        error = add_node(dir, &fd_dir, S_IFDIR | 0500, p);
    for (size_t i = 0; !error && i < COUNT(process_files); i++)
        error = add_node(dir, &process_files[i], S_IFREG | 0444, p);
    struct inode *task;
    if (!error)
        error = ramfs_create(dir, "task", 4, S_IFDIR | 0555, 0, 0, 0, NULL, 0, &task);
    if (!error)
        error = add_thread_dir(task, p);
    if (!error) {
        dir->proc = NULL;                   /* made: an ordinary directory from now on */
        return 0;
    }
    remove_tree(dir, "cwd", 3);
    remove_tree(dir, "fd", 2);
    for (size_t i = 0; i < COUNT(process_files); i++)
        remove_tree(dir, process_files[i].name, strlen(process_files[i].name));
    remove_tree(dir, "task", 4);
    return error;
}

static const struct proc_file process_dir_to_make = { "PID", .refresh = make_process_dir };

int procfs_add_thread(struct process *thread)
{
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *dir = process_dir(thread->tgid);
    int error = dir ? procfs_refresh(dir) : 0;
    struct dir_entry *task = dir && !error ? ramfs_find(dir, "task", 4) : NULL;
    if (task)
        error = add_thread_dir(task->node, thread);
    spin_unlock(&fs_lock, flags);
    if (error)
        procfs_remove(thread);
    return error;
}

int procfs_add(struct process *p, const struct process *parent)
{
    char name[12];
    size_t len = number_name(p->pid, name);
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *dir, *exe;
    int error = proc_dir ? ramfs_create(proc_dir, name, len, S_IFDIR | 0555, 0, 0, 0, NULL, 0, &dir) : 0;
    if (proc_dir && !error) {
        dir->proc = &process_dir_to_make;
        dir->proc_pid = p->pid;
        dir->proc_owner = p;
    }
    /* A child runs its parent's program until it execs: the same exe. */
    const struct inode *parent_exe = parent ? exe_link(parent->pid) : NULL;
    if (proc_dir && !error)
        error = ramfs_create(dir, "exe", 3, S_IFLNK | 0777, 0, 0, 0, parent_exe ? parent_exe->target : "/",
                             parent_exe ? parent_exe->size : 1, &exe);
    /* The first process's whole at once: it lives as long as the system, and every ps looks
     * in it (so what a look makes never counts against a test's free frames). */
    if (proc_dir && !error && !parent)
        error = make_process_dir(dir);
    spin_unlock(&fs_lock, flags);
    if (error)
        procfs_remove(p);
    return error;
}

void procfs_remove(const struct process *p)
{
    char name[12];
    size_t len = number_name(p->pid, name);
    uint64_t flags = spin_lock(&fs_lock);
    if (p->leader == p) {
        remove_tree(proc_dir, name, len);
    } else {
        struct inode *dir = process_dir(p->tgid);
        struct dir_entry *task = dir ? ramfs_find(dir, "task", 4) : NULL;
        remove_tree(task ? task->node : NULL, name, len);
    }
    spin_unlock(&fs_lock, flags);
}

void procfs_set_exe(struct process *p, const char *path, const struct inode *program)
{
    char *target = path_buffer_alloc();
    if (!target)
        return;                             /* kept as it was, for want of memory */
    uint64_t flags = spin_lock(&fs_lock);
    struct lookup_context ctx = { .root = fs_root(), .start = p->leader->cwd, .pid = p->tgid };
    struct inode *exe = exe_link(p->pid), *now;
    if (!exe || (!path_lookup(&ctx, exe->target, true, &now) && now == program)) {
        /* The same program again (busybox running an applet through /proc/self/exe): the
         * link stays, rather than become a link to itself. */
        spin_unlock(&fs_lock, flags);
        path_buffer_free(target);
        return;
    }
    /* A relative path is made absolute from the working directory. */
    long at = path[0] == '/' ? 0 : path_of(&ctx, p->leader->cwd, target, PATH_MAX);
    if (at > 0) {
        at--;                               /* over the NUL */
        if (at > 1)
            target[at++] = '/';
        else
            at = 1;                         /* the root: "/" then the name */
    }
    size_t target_len = at < 0 ? 0 : (size_t)at + (size_t)ksnprintf(target + at, PATH_MAX - (size_t)at, "%s", path);
    if (at >= 0 && target_len < PATH_MAX)
        ramfs_set_target(exe, target, target_len);
    spin_unlock(&fs_lock, flags);
    path_buffer_free(target);
}


/* The text of /proc file node, now, in a file of its own (one reference, the caller's);
 * NULL with *error -ENOMEM, -ENOSPC or -ESRCH (its process is gone). */
static struct inode *procfs_snapshot(const struct inode *node, int *error)
{
    struct text *t = kmalloc(sizeof *t);
    struct inode *file = t ? ramfs_new_file(proc_fs, 0444) : NULL;
    if (!file) {
        kfree(t);
        *error = -ENOMEM;
        return NULL;
    }
    *t = (struct text){ .file = file };
    const struct proc_file *f = node->proc;
    int pid = node->proc_pid;
    /* What it shows is read under process_lock: the process cannot end meanwhile. */
    uint64_t flags = process_lock_take();
    struct process *p = pid ? process_find_locked(pid) : NULL;
    if (!pid || p)
        f->show(t, p);
    process_lock_drop(flags);
    flush_text(t);
    *error = pid && !p ? -ESRCH : t->error;
    kfree(t);
    if (*error) {
        flags = spin_lock(&fs_lock);
        inode_put(file);
        spin_unlock(&fs_lock, flags);
        return NULL;
    }
    return file;
}

int procfs_open(struct file *f)
{
    if (!f->node->proc->show)
        return 0;                           /* a directory, read as it is */
    int error;
    struct inode *snapshot = procfs_snapshot(f->node, &error);
    if (!snapshot)
        return error;
    uint64_t flags = spin_lock(&fs_lock);
    inode_put(f->node);
    f->node = snapshot;                     /* its reference passes to the file */
    spin_unlock(&fs_lock, flags);
    return 0;
}
