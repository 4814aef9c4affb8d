#!/usr/bin/env python3
"""tools/mutants.py: mutation testing of the properties the test suite claims.

Each mutant breaks one property on purpose, by one exact edit of one source file (the text
must occur there exactly once, so a mutant cannot go stale unnoticed: tests/test_mutants.py
checks that in `make test`). For each, `make mutants` copies the tree, applies the edit,
rebuilds the kernel (the user programs and initrd are the tree's own), and runs the tests that
should notice; a failing run kills the mutant. Every mutant must be killed.

    tools/mutants.py --build DIR [NAME...]      (make mutants [MUTANTS='NAME ...'])
"""
import argparse
import dataclasses
import os
import pathlib
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 900           # seconds for one mutant's tests (a hang inside has its own limits)


@dataclasses.dataclass(frozen=True)
class Mutant:
    name: str
    path: str               # the file, from the tree's root
    old: str                # text that occurs exactly once in it
    new: str
    tests: tuple            # pytest arguments: the tests that must notice


def user_case(config, case):
    """The pytest id of one user test case in one configuration (tests/test_user.py)."""
    return f"tests/test_user.py::test_user_case[{case}-{config}]"


ENTRY = "arch/x86_64/entry.asm"
MUTANTS = [
    # The SYSCALL door's checks before SYSRET.
    Mutant("sysret-without-the-rip-limit", ENTRY, "    jae syscall_iret_rip\n", "",
           (user_case("max", "exits/a_return_to_the_user_limit_leaves_by_iret"),)),
    Mutant("sysret-with-tf-set", ENTRY, "    jnz syscall_iret_tf_rf\n", "",
           (user_case("max", "exits/a_return_with_the_trap_flag_leaves_by_iret"),)),
    # Both comparisons: execve changes RIP and RFLAGS together, so either alone catches it.
    Mutant("sysret-after-the-frame-changed", ENTRY,
           "    cmp rcx, [rsp + FRAME_RCX]\n    jne syscall_iret_frame_changed\n"
           "    mov r11, [rsp + FRAME_RFLAGS]\n    cmp r11, [rsp + FRAME_R11]\n    jne syscall_iret_frame_changed\n",
           "    mov r11, [rsp + FRAME_RFLAGS]\n",
           (user_case("max", "startup/general_registers_are_zero_at_entry"),
            user_case("max", "exits/execve_changes_the_frame_and_leaves_by_iret"))),
    # Each switch of CR3 and GS on the way in and out.
    Mutant("no-user-cr3-on-sysret", ENTRY,
           "    mov [gs:CPU_SCRATCH], rax\n    SWITCH_TO_USER_CR3 rax\n", "    mov [gs:CPU_SCRATCH], rax\n",
           ("tests/test_user.py::test_user_mode_runs_on_the_right_cr3_after_every_exit[max]",)),
    Mutant("no-user-cr3-on-iret", ENTRY, "    SWITCH_TO_USER_CR3 rdi\n", "",
           ("tests/test_user.py::test_user_mode_runs_on_the_right_cr3_after_every_exit[max]",)),
    Mutant("no-kernel-cr3-on-syscall", ENTRY,
           "    SWITCH_CR3 CPU_ENTRY_CR3, CPU_EXIT_CR3, rsp     ; RSP is the one free register\n", "",
           ("tests/test_user.py::test_testrun_powers_off_with_status_0[max]",)),
    Mutant("no-kernel-cr3-on-interrupt-entry", ENTRY,
           "    SWITCH_CR3 CPU_ENTRY_CR3, CPU_EXIT_CR3, rdi\n", "",
           ("tests/test_user.py::test_testrun_powers_off_with_status_0[max]",)),
    Mutant("no-swapgs-before-sysret", ENTRY, "    swapgs\nsyscall_sysret:", "syscall_sysret:",
           ("tests/test_user.py::test_testrun_powers_off_with_status_0[max]",)),
    Mutant("no-swapgs-before-iret", ENTRY, "    mov rdi, [gs:CPU_SCRATCH]\n    swapgs\ntrap_return_iret:",
           "    mov rdi, [gs:CPU_SCRATCH]\ntrap_return_iret:",
           ("tests/test_user.py::test_testrun_powers_off_with_status_0[max]",)),
    Mutant("no-swapgs-on-interrupt-entry", ENTRY, ".from_user:\n    swapgs\n", ".from_user:\n",
           ("tests/test_user.py::test_testrun_powers_off_with_status_0[max]",)),
    # The flags and registers the doors leave the kernel, and the doors from 32-bit code.
    Mutant("syscall-keeps-ac", "arch/x86_64/doors.c", " | FLAG_NT | FLAG_RF | FLAG_AC | FLAG_ID,",
           " | FLAG_NT | FLAG_RF | FLAG_ID,",
           (user_case("max", "hardening/syscall_clears_ac_df_and_nt_for_the_kernel"),)),
    Mutant("syscall-keeps-nt", "arch/x86_64/doors.c", " | FLAG_NT | FLAG_RF | FLAG_AC | FLAG_ID,",
           " | FLAG_RF | FLAG_AC | FLAG_ID,",
           (user_case("max", "hardening/syscall_clears_ac_df_and_nt_for_the_kernel"),)),
    Mutant("interrupt-entry-keeps-ac-and-df", ENTRY,
           "    PUSH_REGS\n    CLEAR_FLAGS\n    CLEAR_REGS\n    mov rdi, rsp\n    call trap_dispatch",
           "    PUSH_REGS\n    CLEAR_REGS\n    mov rdi, rsp\n    call trap_dispatch",
           (user_case("max", "hardening/int80_clears_ac_df_and_nt_for_the_kernel"),)),
    Mutant("sysenter-keeps-the-user-flags", ENTRY, "    push 0\n    popfq                           ; clear TF",
           "    push qword [rsp]\n    popfq                           ; clear TF",
           ("tests/test_user.py::test_sysenter_door_on_an_intel_cpu[hardening/sysenter_clears_ac_df_and_nt_for_the_kernel-on]",)),
    Mutant("no-register-clearing", ENTRY,
           "%macro CLEAR_REGS 0\n    xor eax, eax\n    xor ebx, ebx\n", "%macro CLEAR_REGS 0\n    xor eax, eax\n",
           ("tests/test_gdb.py::test_entry_zeroes_every_register_before_c",)),
    Mutant("no-cstar", "arch/x86_64/doors.c", "    wrmsr(MSR_CSTAR, (uint64_t)syscall32_entry);", "",
           (user_case("qemu64", "hardening/syscall_from_compat_mode_is_enosys"),)),
    Mutant("int80-from-compat-mode-dispatched", "arch/x86_64/trap.c", "        if (frame->cs == USER_CS) {",
           "        if (frame->cs) {", (user_case("max", "hardening/int80_from_compat_mode_is_enosys"),)),
    Mutant("no-null-ldt", "arch/x86_64/gdt.c", '''        "lldt %%ax"''', '''        "nop"''',
           (user_case("qemu64", "hardening/an_ldt_selector_names_no_descriptor"),)),
    Mutant("no-umip", "arch/x86_64/cpu_features.c", "        cr4 |= CR4_UMIP;", "",
           (user_case("max", "hardening/sgdt_faults_where_the_cpu_has_umip"),)),
    Mutant("debug-trap-after-syscall-panics", "arch/x86_64/trap.c",
           "    if (frame->vector == VEC_DEBUG && frame->rip == (uint64_t)syscall_entry) {", "    if (0) {",
           ("tests/test_isolation.py::test_user_tests_pass_under_bochs_with_pcid",)),
    Mutant("sysenter-single-step-loses-tf", "arch/x86_64/trap.c",
           "        && frame->rip <= (uint64_t)sysenter_flags_clear)\n        return;",
           "        && frame->rip <= (uint64_t)sysenter_flags_clear) {\n        frame->rflags &= ~RFLAGS_TF;\n"
           "        return;\n    }",
           ("tests/test_user.py::test_sysenter_door_on_an_intel_cpu[doors/single_stepping_goes_on_after_sysenter-on]",)),
    # User pointers and what a failed copy must not lose.
    Mutant("no-user-range-check", "kernel/uaccess.h",
           "    return start <= USER_LIMIT && len <= USER_LIMIT - start;", "    return start || !start || len;",
           (user_case("max", "efault/every_pointer_argument_is_efault"),)),
    Mutant("console-write-ignores-a-failed-copy", "kernel/fs/console.c",
           "            return done ? (long)done : -EFAULT;\n        uint64_t flags", "            (void)done;\n        uint64_t flags",
           (user_case("max", "efault/every_pointer_argument_is_efault"),)),
    Mutant("console-read-drops-the-line-on-efault", "kernel/fs/console.c", "    if (copy_to_user(user_buf, chunk, n)) {",
           "    if (copy_to_user(user_buf, chunk, n) && 0) {",
           ("tests/test_console.py::test_a_read_into_a_bad_buffer_keeps_the_line",)),
    Mutant("no-range-check-before-a-wait", "kernel/syscall/sys_file.c",
           "    if (!user_range_ok(buf, len))\n        return -EFAULT;\n    if (at", "    if (at",
           (user_case("max", "hardening/a_bad_buffer_fails_before_the_call_waits"),)),
    Mutant("uname-ignores-a-failed-copy", "kernel/syscall/sys_info.c", "    return copy_to_user(buf, fields, sizeof fields);",
           "    copy_to_user(buf, fields, sizeof fields);\n    return 0;",
           (user_case("max", "efault/every_pointer_argument_is_efault"),)),
    # Memory.
    Mutant("copy-on-write-without-the-copy", "mm/vm.c", "    if (!frame_is_shared(frame))\n        return pt_protect",
           "    if (frame)\n        return pt_protect", (user_case("max", "cow/child_writes_do_not_reach_the_parent"),)),
    Mutant("pages-never-freed", "mm/vm.c", "    (void)size, (void)ctx;\n    frame_free(pa);", "    (void)size, (void)ctx, (void)pa;",
           ("tests/test_user.py::test_user_program[frames_all_returned-max]",)),
    Mutant("pipe-leaks-its-frame-on-failure", "kernel/fs/pipe.c", "            kfree(*read_end);\n        frame_free(frame);",
           "            kfree(*read_end);", (user_case("max", "fail_alloc/pipe_survives_every_failing_allocation"),)),
    Mutant("brk-wraps-near-2-to-the-64", "mm/vm.c", "    if (new_brk < vm->brk_start || new_brk > USER_LIMIT)",
           "    if (new_brk < vm->brk_start)", (user_case("max", "hardening/brk_near_2_to_the_64_leaves_the_break"),)),
    Mutant("out-of-memory-is-sigsegv", "arch/x86_64/trap.c", "        if (error != -EFAULT) {             /* a page, or a pending SIGKILL */",
           "        if (error == 0) {", (user_case("max", "hardening/a_page_fault_without_memory_is_sigkill"),)),
    Mutant("ptdump-walks-from-the-pcid", "kernel/syscall/sys_info.c", "    ptdump(which == 0 ? self->vm->root : self->vm->user_root,",
           "    ptdump(which == 0 ? self->kernel_cr3 : self->user_cr3,",
           ("tests/test_isolation.py::test_ptdump_under_bochs_walks_from_the_table_not_the_pcid",)),
    # Processes and programs.
    Mutant("init-takes-signals", "kernel/proc/signal.c", " && self->pid == 1 && !forced))", " && 0))",
           (user_case("max", "hardening/no_signal_reaches_pid_1"),)),
    Mutant("a-program-below-64k-runs", "kernel/proc/exec.c", "        if (program->segments[i].vaddr < USER_MIN) {",
           "        if (program->segments[i].vaddr < 0x2000) {",
           (user_case("max", "exec/execve_of_a_program_below_64k_is_refused"),)),
    # Signals: rt_sigreturn's checks, the frame's rules, restarts, what init and waits drop.
    Mutant("sigreturn-takes-every-flag", "arch/x86_64/sigframe.c",
           ".rflags = (frame->rflags & ~USER_FLAGS) | (sc->rflags & USER_FLAGS),", ".rflags = sc->rflags | RFLAGS_IF,",
           (user_case("max", "sigreturn_fuzz/random_frames_never_harm_the_kernel_or_give_kernel_flags"),)),
    Mutant("strict-ss-for-compat-frames", "arch/x86_64/sigframe.c",
           "(frame->cs == USER_CS ? UC_STRICT_RESTORE_SS : 0)", "UC_STRICT_RESTORE_SS",
           ("tests/test_selftests.py::test_selftest_on_twofold[sigreturn-max-kpti=on]",)),
    Mutant("xsave-header-reserved-words-taken", "arch/x86_64/sigframe.c",
           "        if (fp->header.reserved[i])\n            return false;", "        (void)i;",
           (user_case("max", "signals/a_corrupt_xsave_header_is_refused_with_sigsegv"),)),
    Mutant("sigreturn-refuses-before-the-mask", "arch/x86_64/sigframe.c",
           "    bool segments_ok = cs == USER_CS || cs == USER32_CS;",
           "    bool segments_ok = cs == USER_CS || cs == USER32_CS;\n"
           "    if (!restore_fpu(sc->fpstate))\n        return refuse();",
           (user_case("max", "signals/a_corrupt_xsave_header_is_refused_with_sigsegv"),)),
    Mutant("no-altstack-overflow-check", "arch/x86_64/sigframe.c",
           "    if ((to_altstack || was_on_altstack) && !signal_on_altstack(s, frame_at))\n        return false;", "",
           (user_case("max", "signals/a_frame_that_overflows_the_alternate_stack_is_sigsegv"),)),
    Mutant("sa-restart-ignored", "kernel/proc/signal.c",
           "    case -ERESTARTSYS: restart = !handler || (handler_flags & SA_RESTART); break;",
           "    case -ERESTARTSYS: restart = !handler; break;",
           (user_case("max", "signals/a_handler_with_sa_restart_makes_the_read_go_on"),)),
    Mutant("unknown-sigaction-flags-kept", "kernel/syscall/sys_signal.c", "        new_action.flags &= SA_KNOWN;",
           "", (user_case("max", "signals/sigaction_reports_the_old_action"),)),
    Mutant("stop-signals-terminate", "kernel/proc/signal.c", "            if (what == STOP)\n                process_stop(signal);",
           "            if (what == STOP)\n                signal_terminate(signal);",
           (user_case("max", "signals/a_stopped_child_is_reported_and_continues"),)),
    Mutant("mremap-leaves-the-old-pages", "mm/vm.c", "        pt_unmap(vm->root, from, len, NULL, NULL);\n        remove_region(vm, r);",
           "        remove_region(vm, r);", (user_case("max", "memory/mremap_moves_the_pages_with_their_contents"),)),
    # The seams: mmu_gather's order, the IST stack, the rules of a switch, file defaults.
    Mutant("no-kernel-shootdown", "arch/x86_64/tlb.c", "        smp_call(smp_all_cpus(), invalidate_range, &range);",
           "",
           ("tests/test_ktest.py::test_ktest[smp_a_changed_kernel_mapping_is_seen_fresh_on_every_cpu-max-smp4]",)),
    Mutant("no-user-shootdown", "arch/x86_64/tlb.c", "    if (others)\n        smp_call(others, invalidate_range, &range);",
           "    (void)others;", (user_case("max-smp2", "shootdown/munmap_reaches_the_threads_on_other_cpus"),)),
    Mutant("unmap-releases-before-the-flush", "mm/pagetable.c", "    if (g->changed)\n        tlb_invalidate",
           "    if (g->changed && !g->pages)\n        tlb_invalidate", ("tests/test_host.py::test_host[test_pagetable]",)),
    Mutant("user-debug-trap-on-the-ist-stack", ENTRY, "    jnz trap_entry\n%endif", "%endif",
           ("tests/test_gdb.py::test_a_user_debug_trap_is_handled_on_the_kernel_stack",)),
    Mutant("switch-with-a-spinlock-held", "kernel/proc/sched.c", "    if (cpu->spinlocks_held)\n",
           "    if (0)\n", ("tests/test_boot.py::test_a_switch_holding_a_spinlock_panics",)),
    Mutant("no-default-for-a-missing-ioctl", "kernel/fs/file.c", ": -ENOTTY;", ": 0;",
           (user_case("max", "io/ioctl_winsize_on_a_pipe_is_enotty"),)),
    Mutant("fs-base-up-to-the-top", "kernel/syscall/sys_info.c", "        if (addr >= USER_LIMIT)\n            return -EPERM;",
           "        if (addr >= 0x800000000000)\n            return -EPERM;",
           (user_case("max", "hardening/fs_and_gs_bases_stop_below_the_last_user_page"),)),
]


def copy_tree(destination):
    """The tracked files (and untracked, unignored ones) of this tree, copied to destination."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True).stdout.split(b"\0")
    for name in filter(None, files):
        source, target = ROOT / os.fsdecode(name), destination / os.fsdecode(name)
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def check(mutant, root=ROOT):
    """Why the mutant cannot be applied to the tree at root, or None."""
    path = root / mutant.path
    if not path.is_file():
        return f"{mutant.path} does not exist"
    count = path.read_text().count(mutant.old)
    return None if count == 1 else f"its text occurs {count} times in {mutant.path}, not once"


def run(mutant, src, build, main_build):
    """Apply mutant in src, build its kernel, run its tests; returns (verdict, detail)."""
    path = src / mutant.path
    original = path.read_text()
    path.write_text(original.replace(mutant.old, mutant.new))
    try:
        objects = build / "objects"
        made = subprocess.run(["make", "--no-print-directory", "-C", str(src), f"BUILD={objects}", "CC=gcc",
                               f"{objects}/gcc/twofold.elf", "host-tests"], capture_output=True, text=True)
        if made.returncode != 0:
            return "stillborn", (made.stdout + made.stderr)[-2000:]
        # What the tests read: this kernel and host tests, the tree's own user programs and initrd.
        tested = build / "tested"
        (tested / "gcc").mkdir(parents=True, exist_ok=True)
        shutil.copy2(objects / "gcc" / "twofold.elf", tested / "gcc" / "twofold.elf")
        for name, home in (("user", main_build), ("initrd.cpio", main_build), ("selftests", main_build),
                           ("host", objects)):
            link = tested / name
            if not link.exists():
                link.symlink_to(home.resolve() / name)
        env = dict(os.environ, TWOFOLD_BUILD=str(tested))
        try:
            result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x",
                                     *mutant.tests], cwd=ROOT, env=env, capture_output=True, text=True,
                                    timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return "killed", f"its tests ran past {RUN_TIMEOUT} s"
        if result.returncode in (4, 5) or "no tests ran" in result.stdout:     # not found, none collected
            return "stillborn", f"no test matched {mutant.tests}"
        if result.returncode == 0:
            return "survived", result.stdout[-500:]
        failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
        return "killed", failed[0] if failed else result.stdout[-300:]
    finally:
        path.write_text(original)
        os.utime(path)              # newer than the mutant's object: the next build recompiles it


def main():
    parser = argparse.ArgumentParser(description="Mutation testing: every mutant must be killed.")
    parser.add_argument("--build", default="build", help="the tree's build directory (user programs, initrd)")
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    args = parser.parse_args()
    main_build = (ROOT / args.build).resolve()
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    unknown = set(args.names) - {m.name for m in MUTANTS}
    if unknown or not (main_build / "initrd.cpio").exists():
        sys.exit(f"unknown mutants: {sorted(unknown)}" if unknown else f"build the tree first: {main_build} has no initrd")
    work = main_build / "mutants"
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    copy_tree(src)
    verdicts = []
    for mutant in chosen:
        problem = check(mutant, src)
        start = time.monotonic()
        verdict, detail = ("stillborn", problem) if problem else run(mutant, src, work, main_build)
        verdicts.append(verdict)
        print(f"{verdict:9} {mutant.name:40} {time.monotonic() - start:6.0f} s  {detail.splitlines()[-1] if detail else ''}",
              flush=True)
    killed = verdicts.count("killed")
    print(f"mutation score: {killed}/{len(verdicts)} killed")
    sys.exit(0 if killed == len(verdicts) else 1)


if __name__ == "__main__":
    main()
