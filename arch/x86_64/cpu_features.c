/* arch/x86_64/cpu_features.c: CPUID, and the protections it lets us turn on (and the
 * features left off on purpose). */
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cpu.h"
#include <stddef.h>

struct cpu_features cpu_features;      /* filled at boot; read-only after */

enum {
    CPUID1_ECX_PCID = 1u << 17,
    CPUID1_ECX_RDRAND = 1u << 30,
    CPUID7_EBX_RDSEED = 1u << 18,
    CPUID7_EBX_SMEP = 1u << 7,
    CPUID7_EBX_INVPCID = 1u << 10,
    CPUID7_EBX_SMAP = 1u << 20,
    CPUID7_EBX_FSGSBASE = 1u << 0,
    CPUID7_ECX_UMIP = 1u << 2,
    CPUIDX1_EDX_PAGE1G = 1u << 26,
    CR4_UMIP = 1u << 11,
    CR4_FSGSBASE = 1u << 16,
    CR4_SMEP = 1u << 20,
    CR4_SMAP = 1u << 21,
};

/* What the CPU this runs on has. */
static struct cpu_features this_cpus_features(void)
{
    uint32_t max_leaf = cpuid(0, 0).eax;
    struct cpuid_regs leaf1 = cpuid(1, 0);
    struct cpuid_regs leaf7 = max_leaf >= 7 ? cpuid(7, 0) : (struct cpuid_regs){ 0 };
    struct cpuid_regs ext1 = cpuid(0x80000001, 0);      /* boot/start.asm checked it exists */

    return (struct cpu_features){
        .page_1g = ext1.edx & CPUIDX1_EDX_PAGE1G,
        .smep = leaf7.ebx & CPUID7_EBX_SMEP,
        .smap = leaf7.ebx & CPUID7_EBX_SMAP,
        .pcid = leaf1.ecx & CPUID1_ECX_PCID,
        .invpcid = leaf7.ebx & CPUID7_EBX_INVPCID,
        .umip = leaf7.ecx & CPUID7_ECX_UMIP,
        .fsgsbase = leaf7.ebx & CPUID7_EBX_FSGSBASE,
        .rdrand = leaf1.ecx & CPUID1_ECX_RDRAND,
        .rdseed = leaf7.ebx & CPUID7_EBX_RDSEED,
    };
}

const char *cpu_features_missing(void)
{
    struct cpu_features here = this_cpus_features();
    const struct { bool boot, this; const char *name; } all[] = {
        { cpu_features.page_1g, here.page_1g, "1 GiB pages" }, { cpu_features.smep, here.smep, "SMEP" },
        { cpu_features.smap, here.smap, "SMAP" }, { cpu_features.pcid, here.pcid, "PCID" },
        { cpu_features.invpcid, here.invpcid, "INVPCID" }, { cpu_features.umip, here.umip, "UMIP" },
        { cpu_features.fsgsbase, here.fsgsbase, "FSGSBASE" }, { cpu_features.rdrand, here.rdrand, "RDRAND" },
        { cpu_features.rdseed, here.rdseed, "RDSEED" },
    };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i].boot && !all[i].this)
            return all[i].name;
    return NULL;
}

void cpu_features_init(void)
{
    cpu_features = this_cpus_features();
    /* SMEP: the kernel never runs user code; SMAP: it touches user memory only between
     * stac and clac. Either turns a kernel bug into a fault instead of an exploit. UMIP:
     * sgdt, sidt, sldt, smsw and str fault in user mode (they would show where the kernel
     * keeps its tables). FSGSBASE stays off, whatever the CPU has: with it user mode could
     * write any GS base, and the paranoid entry (entry.asm) tells the kernel's GS base from
     * the user's by its sign; rdfsbase and its kind are then #UD in user mode. */
    uint64_t cr4 = read_cr4() & ~(uint64_t)CR4_FSGSBASE;
    if (cpu_features.smep)
        cr4 |= CR4_SMEP;
    if (cpu_features.smap)
        cr4 |= CR4_SMAP;
    if (cpu_features.umip)
        cr4 |= CR4_UMIP;
    write_cr4(cr4);
}
