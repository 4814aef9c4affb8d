/* kernel/syscall/sys_resource.c: what a process may use and has used, and the machine's
 * state: getrlimit, setrlimit, prlimit64, getrusage, times, sysinfo, getrandom, reboot. */
#include "arch/x86_64/drivers/power.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/random.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/layout.h"

enum { RUSAGE_CHILDREN = -1, RUSAGE_SELF = 0, RUSAGE_THREAD = 1, USER_HZ = 100 };
enum { GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4, GETRANDOM_MAX = 0x7ffff000 };
#define NS_PER_TICK (NS_PER_SECOND / USER_HZ)

/* ---- limits ---------------------------------------------------------------------------- */

/* prlimit64(2): p's limit resource, read into old (if not 0) and then set from new (if not
 * 0). Only the current process: another pid is -EPERM (its limits are its own to change). */
SYSCALL_DEFINE4(prlimit64, int, pid, unsigned, resource, uint64_t, new_limit, uint64_t, old_limit)
{
    struct process *self = current_process();
    if (resource >= RLIMIT_COUNT)
        return -EINVAL;
    if (pid != 0 && pid != self->pid)
        return -EPERM;
    struct rlimit_k wanted;
    if (new_limit && copy_from_user(&wanted, new_limit, sizeof wanted))
        return -EFAULT;
    if (new_limit && wanted.cur > wanted.max)
        return -EINVAL;
    if (new_limit && resource == RLIMIT_NOFILE && wanted.max > MAX_FDS)
        return -EPERM;                      /* past what a descriptor table holds */
    if (old_limit && copy_to_user(old_limit, &self->leader->limits[resource], sizeof self->leader->limits[resource]))
        return -EFAULT;
    if (new_limit)
        self->leader->limits[resource] = wanted;    /* root: raising the hard limit is allowed */
    return 0;
}

SYSCALL_DEFINE2(getrlimit, unsigned, resource, uint64_t, limit)
{
    return do_prlimit64(0, resource, 0, limit);
}

SYSCALL_DEFINE2(setrlimit, unsigned, resource, uint64_t, limit)
{
    return do_prlimit64(0, resource, limit, 0);
}

/* ---- usage ----------------------------------------------------------------------------- */

/* CPU time split into user and system time as the ticks that sampled it fell (Linux's
 * cputime_adjust): the total is exact, the split is the ticks'. */
static void split_cpu_time(uint64_t cpu_ns, uint64_t user_ticks, uint64_t system_ticks,
                           uint64_t *user_ns, uint64_t *system_ns)
{
    uint64_t ticks = user_ticks + system_ticks;
    /* cpu_ns * user_ticks / ticks without a 128-bit division (which would need libgcc):
     * exact while ticks stays below 2^32, 497 days of them. */
    *user_ns = ticks ? cpu_ns / ticks * user_ticks + cpu_ns % ticks * user_ticks / ticks : cpu_ns;
    *system_ns = cpu_ns - *user_ns;
}

/* The current process's usage (children: what its reaped children used). */
static void usage(bool children, uint64_t *user_ns, uint64_t *system_ns)
{
    struct process *self = current_process();
    if (children) {
        uint64_t flags = process_lock_take();
        struct cpu_usage c = self->children;
        process_lock_drop(flags);
        split_cpu_time(c.cpu_ns, c.user_ticks, c.system_ticks, user_ns, system_ns);
    } else {
        split_cpu_time(sched_cpu_ns(self), self->user_ticks, self->system_ticks, user_ns, system_ns);
    }
}

SYSCALL_DEFINE2(getrusage, int, who, uint64_t, buf)
{
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return -EINVAL;
    uint64_t user_ns, system_ns;
    usage(who == RUSAGE_CHILDREN, &user_ns, &system_ns);
    /* struct rusage: the two times as timevals, then fourteen counters Twofold does not keep. */
    int64_t ru[18] = {
        (int64_t)(user_ns / NS_PER_SECOND), (int64_t)(user_ns % NS_PER_SECOND / 1000),
        (int64_t)(system_ns / NS_PER_SECOND), (int64_t)(system_ns % NS_PER_SECOND / 1000),
    };
    return copy_to_user(buf, ru, sizeof ru);
}

SYSCALL_DEFINE1(times, uint64_t, buf)
{
    uint64_t t[4];                          /* utime, stime, cutime, cstime in clock ticks */
    usage(false, &t[0], &t[1]);
    usage(true, &t[2], &t[3]);
    for (int i = 0; i < 4; i++)
        t[i] /= NS_PER_TICK;
    if (buf && copy_to_user(buf, t, sizeof t))
        return -EFAULT;
    return (long)(time_monotonic_ns() / NS_PER_TICK);
}

/* ---- the machine ----------------------------------------------------------------------- */

SYSCALL_DEFINE1(sysinfo, uint64_t, buf)
{
    enum { SI_LOAD_ONE = 1 << 16 };         /* sysinfo's loads are in 1/65536 */
    struct process_counts counts;
    uint64_t flags = process_lock_take();
    process_counts_locked(&counts);
    process_lock_drop(flags);
    unsigned long average[3];
    sched_load(average);
    struct {
        int64_t uptime;
        uint64_t loads[3];
        uint64_t total_ram, free_ram, shared_ram, buffer_ram, total_swap, free_swap;
        uint16_t procs, pad;
        uint32_t pad2;
        uint64_t total_high, free_high;
        uint32_t mem_unit;
        char reserved[4];
    } info = {
        .uptime = (int64_t)(time_monotonic_ns() / NS_PER_SECOND),
        .total_ram = frame_managed_count(), .free_ram = frame_free_count(),
        .procs = (uint16_t)counts.live, .mem_unit = PAGE_SIZE,
    };
    for (int i = 0; i < 3; i++)
        info.loads[i] = average[i] * (SI_LOAD_ONE / SCHED_LOAD_ONE);
    _Static_assert(sizeof info == 112, "struct sysinfo is 112 bytes on x86-64");
    return copy_to_user(buf, &info, sizeof info);
}

SYSCALL_DEFINE3(getrandom, uint64_t, buf, uint64_t, len, unsigned, flags)
{
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)
        || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if (len > GETRANDOM_MAX)
        len = GETRANDOM_MAX;                /* Linux's MAX_RW_COUNT */
    if (!user_range_ok(buf, len))
        return -EFAULT;
    return random_to_user(buf, len);        /* keyed at boot: it never waits */
}

/* reboot(2): with Linux's magic numbers, power off (halt too: there is nothing to halt to),
 * restart, or the Ctrl-Alt-Del setting (no such key here). */
SYSCALL_DEFINE4(reboot, uint32_t, magic1, uint32_t, magic2, uint32_t, cmd, uint64_t, arg)
{
    (void)arg;
    enum { MAGIC1 = 0xfee1dead, CMD_RESTART = 0x01234567, CMD_HALT = 0xcdef0123,
           CMD_POWER_OFF = 0x4321fedc, CMD_CAD_ON = 0x89abcdef, CMD_CAD_OFF = 0 };
    if (magic1 != MAGIC1 || (magic2 != 672274793 && magic2 != 85072278 && magic2 != 369367448
                             && magic2 != 537993216))
        return -EINVAL;
    switch (cmd) {
    case CMD_POWER_OFF:
    case CMD_HALT:
        kprintf("reboot: power off\n");
        power_off(POWER_STATUS_OK);
    case CMD_RESTART:
        kprintf("reboot: restart\n");
        power_restart();
    case CMD_CAD_ON:
    case CMD_CAD_OFF:
        return 0;
    default:
        return -EINVAL;
    }
}
