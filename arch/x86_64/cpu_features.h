/* arch/x86_64/cpu_features.h: what this CPU can do (CPUID), read once at boot. */
#pragma once
#include <stdbool.h>

struct cpu_features {
    bool page_1g;           /* 1 GiB pages */
    bool smep;              /* supervisor-mode execution prevention */
    bool smap;              /* supervisor-mode access prevention */
    bool pcid;
    bool invpcid;
    bool umip;              /* user-mode instruction prevention: on where present */
    bool fsgsbase;          /* rdfsbase and the rest: present or not, left off */
    bool rdrand, rdseed;    /* the CPU's random numbers, for the kernel's CSPRNG */
};

extern struct cpu_features cpu_features;

/* Fill cpu_features; turn on SMEP, SMAP and UMIP where the CPU has them, and make sure
 * FSGSBASE is off. */
void cpu_features_init(void);

/* On another CPU: the name of the first feature the boot CPU has and this one lacks, or
 * NULL (it may then run with the boot CPU's control registers). */
const char *cpu_features_missing(void);
