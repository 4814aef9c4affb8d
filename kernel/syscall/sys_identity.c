/* kernel/syscall/sys_identity.c: user and group ids. Twofold has one identity: every process is
 * root, user 0 and group 0, as the first process of a Linux system is. Asking is always
 * answered with 0; setting 0 succeeds (nothing changes), and any other id is -EPERM, since
 * Twofold cannot drop to another user. (uid_t)-1 is no id (-EINVAL), except where the
 * set*res* and set*re* calls read it as "leave this one as it is". */
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"

enum { NGROUPS_MAX = 65536 };
#define NO_ID 0xffffffffu

/* What setting one id to id (a uid_t or gid_t: 32 bits) gives; keep_allowed: -1 means
 * "unchanged" here. */
static long set_one(uint64_t id, bool keep_allowed)
{
    uint32_t value = (uint32_t)id;
    if (value == NO_ID)
        return keep_allowed ? 0 : -EINVAL;
    return value == 0 ? 0 : -EPERM;
}

static long set_many(const uint64_t *ids, int count)
{
    for (int i = 0; i < count; i++) {
        long error = set_one(ids[i], true);
        if (error)
            return error;
    }
    return 0;
}

/* getuid, geteuid, getgid, getegid. */
SYSCALL_DEFINE0(get_id)
{
    return 0;
}

/* setuid, setgid. */
SYSCALL_DEFINE1(set_id, uint64_t, id)
{
    return set_one(id, false);
}

/* setreuid, setregid. */
SYSCALL_DEFINE2(set_two_ids, uint64_t, real, uint64_t, effective)
{
    const uint64_t ids[] = { real, effective };
    return set_many(ids, 2);
}

/* setresuid, setresgid. */
SYSCALL_DEFINE3(set_three_ids, uint64_t, real, uint64_t, effective, uint64_t, saved)
{
    const uint64_t ids[] = { real, effective, saved };
    return set_many(ids, 3);
}

/* getresuid, getresgid: three ids, each 0. */
SYSCALL_DEFINE3(get_three_ids, uint64_t, real, uint64_t, effective, uint64_t, saved)
{
    const uint32_t root = 0;
    const uint64_t where[] = { real, effective, saved };
    for (int i = 0; i < 3; i++)
        if (copy_to_user(where[i], &root, sizeof root))
            return -EFAULT;
    return 0;
}

/* The supplementary groups: setgroups takes only group 0 (as often as it is given), and
 * getgroups gives back as many. */
SYSCALL_DEFINE2(getgroups, uint64_t, size, uint64_t, list)
{
    uint32_t count = current_process()->root_group_count;
    if ((int32_t)size < 0)
        return -EINVAL;
    if (size == 0)
        return count;
    if ((uint32_t)size < count)
        return -EINVAL;
    const uint32_t root = 0;
    for (uint32_t i = 0; i < count; i++)
        if (copy_to_user(list + 4 * (uint64_t)i, &root, sizeof root))
            return -EFAULT;
    return count;
}

SYSCALL_DEFINE2(setgroups, uint64_t, size, uint64_t, list)
{
    if ((uint32_t)size > NGROUPS_MAX)
        return -EINVAL;
    for (uint32_t i = 0; i < (uint32_t)size; i++) {
        uint32_t group;
        if (copy_from_user(&group, list + 4 * (uint64_t)i, sizeof group))
            return -EFAULT;
        long error = set_one(group, false);
        if (error)
            return error;
    }
    current_process()->root_group_count = (uint32_t)size;
    return 0;
}
