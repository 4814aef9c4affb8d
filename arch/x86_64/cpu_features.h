/* arch/x86_64/cpu_features.h: what this CPU can do (CPUID), read once at boot. */
#pragma once
#include <stdbool.h>

struct cpu_features {
    bool page_1g;           /* 1 GiB pages */
    bool smep;              /* supervisor-mode execution prevention */
    bool smap;              /* supervisor-mode access prevention */
    bool pcid;
    bool invpcid;
};

extern struct cpu_features cpu_features;

/* Fill cpu_features, and turn on SMEP and SMAP where the CPU has them. */
void cpu_features_init(void);
