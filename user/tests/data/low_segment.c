/* user/tests/data/low_segment.c: a program linked to load at 0x2000, below the 64 KiB that no
 * user mapping may use (Linux's mmap_min_addr): execve() of it must fail (user/tests/exec.c).
 * Had it run, its first page could have held a descriptor table at linear address 0. */
int main(void)
{
    return 0;
}
