/* kernel/main.c: kmain(), the first C code; boot/start.asm calls it in long mode, on the
 * boot stack, with the boot page tables of that file, which mm_init() replaces. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/doors.h"
#include "arch/x86_64/drivers/irq.h"
#include "arch/x86_64/drivers/pic.h"
#include "arch/x86_64/drivers/power.h"
#include "arch/x86_64/drivers/serial.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/fault_cases.h"
#include "kernel/fs/console.h"
#include "kernel/fs/rootfs.h"
#include "kernel/kernel.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/random.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "mm/fail_alloc.h"
#include "mm/frame.h"
#include "mm/isolation.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "mm/ptdump.h"
#include <string.h>

extern char __kernel_start[], __kernel_end[];

/* What the boot loader and the command line said: written here at boot, read-only after. */
struct boot_info boot_info;
struct kernel_options kernel_options;

/* Parse GRUB's information, reading it through the boot direct map and never past its end. */
static void read_boot_info(uint32_t info_phys)
{
    if (info_phys >= BOOT_DIRECT_MAP_SIZE - 8)
        panic("multiboot2 information at 0x%x lies outside the boot direct map", info_phys);
    const char *error = mb2_parse(phys_to_virt(info_phys), BOOT_DIRECT_MAP_SIZE - info_phys, &boot_info);
    if (error)
        panic("malformed multiboot2 information: %s", error);
}

static void read_command_line(void)
{
    const char *error = cmdline_parse(boot_info.cmdline, &kernel_options);
    if (error)
        kprintf("command line ignored: %s\n", error);
    for (size_t i = 0; i < kernel_options.complaint_count; i++)
        kprintf("command line: ignoring \"%s\": %s\n", kernel_options.complaints[i].word, kernel_options.complaints[i].reason);
}

static void print_banner(void)
{
    kprintf("Twofold: a kernel where every process has its own CR3\n");
    kprintf("boot loader: %s\n", boot_info.loader_name[0] ? boot_info.loader_name : "(unnamed)");
    kprintf("command line: \"%s\"\n", boot_info.cmdline);
    kprintf("kernel image: %p-%p (%lu KiB)\n", (void *)__kernel_start, (void *)__kernel_end,
            (uint64_t)(__kernel_end - __kernel_start) / 1024);
    kprintf("memory map:\n");
    uint64_t available = 0;
    for (size_t i = 0; i < boot_info.memory_region_count; i++) {
        const struct mb2_memory_region *r = &boot_info.memory[i];
        kprintf("  %016lx-%016lx %10lu KiB  %s\n", r->base, r->base + r->length - 1, r->length / 1024,
                mb2_memory_type_name(r->type));
        if (r->type == MB2_MEMORY_AVAILABLE)
            available += r->length;
    }
    kprintf("  available: %lu MiB\n", available >> 20);
    kprintf("memory: %lu MiB free; direct map of RAM up to %lx; kernel CR3 %016lx\n",
            frame_free_count() * PAGE_SIZE >> 20, mm_direct_map_end, pt_kernel_root);
    kprintf("cpu: 1 GiB pages %s, SMEP %s, SMAP %s, UMIP %s, FSGSBASE off%s, PCID %s, INVPCID %s\n",
            cpu_features.page_1g ? "yes" : "no", cpu_features.smep ? "on" : "absent",
            cpu_features.smap ? "on" : "absent", cpu_features.umip ? "on" : "absent",
            cpu_features.fsgsbase ? "" : " (absent)", cpu_features.pcid ? "yes" : "no",
            cpu_features.invpcid ? "yes" : "no");
    kprintf("isolation: kpti %s%s\n", isolation_on ? "on: user mode runs on a second CR3 that maps only "
                                                   "the entry area" : "off: one CR3 per process",
            isolation_on && !cpu_features.smep ? " (no SMEP: the kernel CR3 maps user pages NX)" : "");
    kprintf("pcid: %s\n", pcid_on ? (invpcid_on ? "on, with INVPCID" : "on, without INVPCID: user-PCID flushes wait "
                                                                    "for the next exit to user mode")
                                  : cpu_features.pcid ? "off (pcid=off)" : "off (the CPU has none)");
    kprintf("interrupts: %s, %d Hz\n", irq_controllers(), HZ);
    kprintf("cpus: %u up\n", smp_cpu_count());
    kprintf("modules: %zu\n", boot_info.module_count);
    for (size_t i = 0; i < boot_info.module_count; i++)
        kprintf("  %08x-%08x \"%s\"\n", boot_info.modules[i].start, boot_info.modules[i].end,
                boot_info.modules[i].cmdline);
}

/* How many CPUs to run, this one counted: nosmp is 1, maxcpus=N is N (0 as 1, as Linux has
 * it), else as many as Twofold takes. */
static unsigned cpus_wanted(void)
{
    const char *n = kernel_options.maxcpus;
    if (kernel_options.nosmp)
        return 1;
    if (!n)
        return MAX_CPUS;
    unsigned value = 0;
    for (const char *c = n; *c; c++) {
        if (*c < '0' || *c > '9' || value > MAX_CPUS) {
            kprintf("command line: ignoring \"maxcpus=%s\": not a number of CPUs\n", n);
            return MAX_CPUS;
        }
        value = value * 10 + (unsigned)(*c - '0');
    }
    return !*n ? MAX_CPUS : value ? value : 1;
}

/* /init, or init=PATH with the arguments after it, as process 1. */
__attribute__((noreturn)) static void start_first_process(void)
{
    static const char *argv[CMDLINE_MAX_INIT_ARGS + 2];
    argv[0] = kernel_options.init ? kernel_options.init : "/init";
    for (size_t i = 0; i < kernel_options.init_arg_count; i++)
        argv[i + 1] = kernel_options.init_args[i];
    process_start_init(argv[0], argv);
}

__attribute__((noreturn)) void kmain(uint32_t mb2_info_phys)
{
    serial_init();
    gdt_init_cpu(0);
    idt_init_cpu(0);
    pic_init();
    read_boot_info(mb2_info_phys);
    read_command_line();
    cpu_features_init();
    mm_init(&boot_info, mb2_info_phys);
    isolation_init(!kernel_options.kpti || strcmp(kernel_options.kpti, "on") == 0, cpu_features.smep);
    bool pcid_wanted = !kernel_options.pcid || strcmp(kernel_options.pcid, "off") != 0;
    pcid_init(pcid_wanted, cpu_features.pcid, cpu_features.invpcid);
    if (kernel_options.pcid && strcmp(kernel_options.pcid, "on") == 0 && !pcid_on)
        kprintf("pcid=on: this CPU has no PCID; going on without\n");
    const char *fail_alloc_error = fail_alloc_configure(kernel_options.failalloc);
    if (fail_alloc_error)
        kprintf("command line: ignoring \"failalloc=%s\": %s\n", kernel_options.failalloc, fail_alloc_error);
    percpu_init_cpu(0);
    doors_init_cpu(0);
    fpu_init_cpu();
    uaccess_init(cpu_features.smap);
    time_init();
    random_init();
    rootfs_init(&boot_info);
    irq_init(&boot_info, HZ, time_tick);
    if (irq_madt())
        smp_start_cpus(irq_madt(), cpus_wanted(), &boot_info, mb2_info_phys);
    console_init();

    if (!kernel_options.quiet)
        print_banner();
    if (kernel_options.ptdump)
        ptdump(pt_kernel_root, console_sink, NULL);
    if (kernel_options.fault)
        fault_case_run(kernel_options.fault);
    if (kernel_options.test)
        power_off(ktest_run_all() ? POWER_STATUS_TESTS_FAILED : POWER_STATUS_OK);
    start_first_process();
}
