/* user/tests/identity.c: user and group ids. On Twofold every process is root (user and group
 * 0): the get calls answer 0 (never -ENOSYS, which a program would read as uid 4294967258),
 * setting 0 succeeds, setting any other id is -EPERM, (uid_t)-1 is no id except where it
 * means "unchanged". Linux, run as root, agrees on the answers; it would let root become
 * another user, so the -EPERM cases are Twofold's alone. */
#include <errno.h>

#include "utest.h"

#define NO_ID 0xffffffffUL

UTEST(get_calls_say_root)
{
    static const long calls[] = { SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        long id = SYSCALL(calls[i]);
        EXPECT(id != -ENOSYS);
        if (on_twofold())
            EXPECT_EQ(id, 0);
    }
    EXPECT_EQ(getuid(), SYSCALL(SYS_getuid));
}

UTEST(getresuid_and_getresgid_write_three_ids)
{
    unsigned ids[3] = { 7, 7, 7 };
    EXPECT_EQ(SYSCALL(SYS_getresuid, &ids[0], &ids[1], &ids[2]), 0);
    EXPECT(ids[0] == ids[1] && ids[1] == ids[2] && ids[0] == (unsigned)getuid());
    EXPECT_EQ(SYSCALL(SYS_getresgid, &ids[0], &ids[1], &ids[2]), 0);
    EXPECT(ids[0] == (unsigned)getgid());
}

UTEST(setting_root_succeeds)
{
    TWOFOLD_ONLY();                     /* Linux as another user would refuse */
    EXPECT_EQ(SYSCALL(SYS_setuid, 0), 0);
    EXPECT_EQ(SYSCALL(SYS_setgid, 0), 0);
    EXPECT_EQ(SYSCALL(SYS_setreuid, 0, NO_ID), 0);
    EXPECT_EQ(SYSCALL(SYS_setregid, NO_ID, 0), 0);
    EXPECT_EQ(SYSCALL(SYS_setresuid, 0, NO_ID, 0), 0);
    EXPECT_EQ(SYSCALL(SYS_setresgid, NO_ID, NO_ID, NO_ID), 0);
    EXPECT_EQ(SYSCALL(SYS_getuid), 0);
}

UTEST(setting_another_id_is_eperm)
{
    TWOFOLD_ONLY();                     /* Linux's root may become anyone */
    EXPECT_EQ(SYSCALL(SYS_setuid, 1000), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_setgid, 1000), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_setreuid, 0, 1), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_setregid, 5, NO_ID), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_setresuid, NO_ID, NO_ID, 65534), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_setresgid, 1, 1, 1), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_getuid), 0);  /* nothing changed */
}

UTEST(minus_one_is_no_id_for_setuid)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(SYSCALL(SYS_setuid, NO_ID), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_setgid, NO_ID), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_setuid, 0xffffffff00000000UL), 0);    /* a uid_t is 32 bits */
}

/* In a child (setgroups changes the process for good): set the groups and read them back. */
static void groups_round_trip(void *unused)
{
    (void)unused;
    unsigned groups[4] = { 9, 9, 9, 9 }, root_twice[2] = { 0, 0 };
    EXPECT_EQ(SYSCALL(SYS_setgroups, 0, NULL), 0);
    EXPECT_EQ(SYSCALL(SYS_getgroups, 0, NULL), 0);
    EXPECT_EQ(SYSCALL(SYS_setgroups, 2, root_twice), 0);
    EXPECT_EQ(SYSCALL(SYS_getgroups, 0, NULL), 2);
    EXPECT_EQ(SYSCALL(SYS_getgroups, 1, groups), -EINVAL);      /* too small */
    EXPECT_EQ(SYSCALL(SYS_getgroups, 4, groups), 2);
    EXPECT(groups[0] == 0 && groups[1] == 0 && groups[2] == 9);
    EXPECT_EQ(SYSCALL(SYS_getgroups, 4, 0xffff800000000000UL), -EFAULT);     /* efault.c can't: no groups there */
    EXPECT_EQ(SYSCALL(SYS_setgroups, 65537, root_twice), -EINVAL);
    if (on_twofold()) {
        unsigned other[2] = { 0, 100 };
        EXPECT_EQ(SYSCALL(SYS_setgroups, 2, other), -EPERM);
        EXPECT_EQ(SYSCALL(SYS_getgroups, 0, NULL), 2);          /* unchanged */
    }
}

UTEST(setgroups_takes_root_and_getgroups_gives_it_back)
{
    EXPECT_EXITED(run_in_child(groups_round_trip, NULL), 0);
}
