#!/usr/bin/env python3
"""tools/bench.py: `make bench`: the same user/bench binary as the first process on Twofold
(kpti=on, kpti=off) and on Debian's Linux (pti=on, pti=off), in QEMU machines that differ
only in what they boot; one table of TSC ticks per operation against issue 8's targets, and
BUILD/bench.json. README "Benchmarks" shows a run.

The measured pass uses `-icount shift=0,sleep=off`: the guest's TSC then counts the guest's
instructions, so the numbers repeat on a busy machine (they are instructions, not cycles: a
CR3 write or a TLB miss costs one or nothing). A second pass in plain TCG gives the same
metrics in host TSC ticks, noisy, and how long each run takes. A third pass boots each
configuration on two CPUs (`-smp 2`) for the rows that need two (`bench smp`), in plain TCG as
well: under icount, QEMU 7.2 runs the CPUs in turn and Linux never brings its second one up
(it hangs at "Booting SMP configuration"). Every QEMU run has a time limit.

Linux is the kernel Debian's linux-image-amd64 names, fetched with `apt-get download` and
unpacked into BUILD/bench/linux (nothing is installed); it boots with -kernel and an initrd
holding the benchmark as /init and Debian's static busybox as /bin/busybox (which Twofold's
initrd holds too). Twofold boots its ISO with `init=/bench`.
"""
import argparse
import dataclasses
import json
import pathlib
import re
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import debian  # noqa: E402
import mkinitrd  # noqa: E402
import mkiso  # noqa: E402
import twofold_qemu  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
ICOUNT = ["-icount", "shift=0,sleep=off"]
LINUX_PACKAGE = "linux-image-amd64"

# The table's rows, in order.
METRICS = ["syscall_getpid", "int80_getpid", "sysenter_getpid", "sched_yield_2", "pipe_round_trip",
           "fork_exit_wait", "page_fault", "execve", "fork_execve_true", "boot_to_init", "getpid_idle_1",
           "getpid_idle_100", "getpid_idle_1000", "sched_yield_16", "sched_yield_128",
           "open_read_close", "open_read_close_1000_fds", "stat_3_deep", "getdents64_100", "signal_round_trip"]
# The rows `bench smp` measures, on two CPUs.
SMP_METRICS = ["futex_wake_2cpu", "munmap_2cpu", "thread_create_join"]

# Issue 8's targets: Linux 6.1 with pti=on measured this way (ticks), and the fraction of
# Linux's number Twofold with kpti=on aims at.
TARGETS = {
    "syscall_getpid": (317, 6),
    "sched_yield_2": (3782, 10),
    "pipe_round_trip": (12634, 10),
    "fork_exit_wait": (186022, 10),
    "page_fault": (6991, 5),
}
# Issue 16's targets for the rows added since, against Linux measured in the same pass.
NEW_ROWS = ["fork_execve_true", "open_read_close", "stat_3_deep", "getdents64_100", "signal_round_trip"]
NEW_TARGETS = {metric: 5 for metric in NEW_ROWS + SMP_METRICS}
# Rows that should stay flat as processes, runnable ones or open files are added: each within
# FLAT of its group's first.
SCALING = [("getpid_idle_1", "getpid_idle_100", "getpid_idle_1000"),
           ("sched_yield_2", "sched_yield_16", "sched_yield_128"),
           ("open_read_close", "open_read_close_1000_fds")]
FLAT = 0.10


@dataclasses.dataclass
class Config:
    name: str           # the column's title
    kernel: str         # "twofold" or "linux"
    isolation: str      # "on" or "off": what its command line asks for

    def slug(self):
        return re.sub(r"[^a-z0-9=]+", "-", self.name.lower())


CONFIGS = [Config("Twofold kpti=on", "twofold", "on"), Config("Twofold kpti=off", "twofold", "off"),
           Config("Linux pti=on", "linux", "on"), Config("Linux pti=off", "linux", "off")]
# Who is compared with whom: the ratio column and the targets.
MINE, THEIRS = "Twofold kpti=on", "Linux pti=on"


# ---- Linux ---------------------------------------------------------------------------------

def linux_kernel(directory):
    """Debian's kernel image, fetched and unpacked into directory the first time:
    (vmlinuz path, the package file it came from)."""
    package = debian.fetch(debian.depends(LINUX_PACKAGE, "linux-image-"), directory, ["./boot/vmlinuz-*"])
    return sorted(pathlib.Path(directory).glob("boot/vmlinuz-*"))[-1], package


# ---- Running ------------------------------------------------------------------------------

@dataclasses.dataclass
class Run:
    config: str
    command: list
    seconds: float = 0.0
    ended: str = "not run"                              # how QEMU ended
    isolation: str = "unknown"                          # what the kernel's boot log says
    kernel: str = ""                                    # the benchmark's "kernel" line
    metrics: dict = dataclasses.field(default_factory=dict)  # name: ticks, or "skipped WHY"
    complete: bool = False                              # "bench: done" came
    log: str = ""                                       # the serial log

    def number(self, metric):
        value = self.metrics.get(metric)
        return value if isinstance(value, float) else None


def isolation_state(kernel, serial):
    """Whether the kernel's own boot messages say page-table isolation is on."""
    if kernel == "twofold":
        match = re.search(r"isolation: kpti (on|off)", serial)
        return match.group(1) if match else "unknown"
    return "on" if "Kernel/User page tables isolation: enabled" in serial else "off"


def parse(serial, run):
    """Fill run from the benchmark's "bench: NAME VALUE" lines (user/bench.c)."""
    for name, value in re.findall(r"^bench: (\S+) (.*?)\s*$", serial, re.M):
        if name == "kernel":
            run.kernel = value
        elif name not in ("mode", "done"):
            try:
                run.metrics[name] = float(value)
            except ValueError:
                run.metrics[name] = value
    run.complete = re.search(r"^bench: done\s*$", serial, re.M) is not None


def run_guest(config, command, timeout, log):
    """Run QEMU to its end, killed after timeout seconds; the serial log goes to log."""
    run = Run(config.name, command, log=str(log))
    start = time.monotonic()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        if config.kernel == "twofold":
            status = twofold_qemu.kernel_status(proc.returncode)
            run.ended = "no power-off" if status is None else f"status {status}"
        else:
            run.ended = f"QEMU exit {proc.returncode}"
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        run.ended = f"killed after {timeout} s"
    run.seconds = time.monotonic() - start
    serial = out.decode("utf-8", "replace").replace("\r\n", "\n")
    log.write_text(serial)
    run.isolation = isolation_state(config.kernel, serial)
    parse(serial, run)
    return run


class Guests:
    """What each configuration boots, and its QEMU command line: one machine for all."""

    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.quick = " quick" if args.quick else ""
        self.isos = {}
        for config in CONFIGS:
            for smp in (False, True):
                if config.kernel == "twofold":
                    iso = workdir / f"{config.slug()}{'-smp' if smp else ''}.iso"
                    # kpti= first: init= ends the kernel's options, the rest are bench's arguments
                    mkiso.make_iso(args.kernel, iso, f"kpti={config.isolation} init=/bench{self.arguments(smp)}",
                                   args.initrd)
                    self.isos[config.name, smp] = iso
        self.initrd = workdir / "linux-initrd.cpio"
        self.initrd.write_bytes(mkinitrd.archive({"init": pathlib.Path(args.program),
                                                  "bin/busybox": pathlib.Path(args.busybox)}))
        try:
            self.vmlinuz, self.package = linux_kernel(workdir / "linux")
            self.linux_missing = None
        except (OSError, RuntimeError) as error:
            self.vmlinuz, self.package, self.linux_missing = None, None, str(error)
            print(f"bench: no Linux to compare with: {error}", flush=True)

    def arguments(self, smp):
        """What the benchmark is given after its name: " smp" and " quick", as asked."""
        return (" smp" if smp else "") + self.quick

    def command(self, config, icount, smp=False):
        machine = twofold_qemu.qemu_command("CD", self.args.cpu, self.args.mem, smp=2 if smp else 1)
        media = machine.index("-boot")
        assert machine[media:] == ["-boot", "d", "-cdrom", "CD"], machine
        machine = machine[:media] + (ICOUNT if icount else [])
        if config.kernel == "twofold":
            return machine + ["-boot", "d", "-cdrom", str(self.isos[config.name, smp])]
        arguments = self.arguments(smp)
        append = f"console=ttyS0 pti={config.isolation}" + (" --" + arguments if arguments else "")
        return machine + ["-kernel", str(self.vmlinuz), "-initrd", str(self.initrd),
                          "-append", append]

    def run_all(self, icount, smp=False):
        """{config name: Run} for every configuration, one after the other; on two CPUs, the
        runs of `bench smp`."""
        mode = ("icount" if icount else "tcg") + ("-smp2" if smp else "")
        runs = {}
        for config in CONFIGS:
            if config.kernel == "linux" and self.linux_missing:
                reason = " ".join(self.linux_missing.split())[:160]
                runs[config.name] = Run(config.name, [], ended=f"not run: {reason}")
                continue
            log = self.workdir / f"{config.slug()}-{mode}.log"
            print(f"bench: {config.name} ({mode}) ...", end="", flush=True)
            run = run_guest(config, self.command(config, icount, smp), self.args.timeout, log)
            print(f" {run.seconds:.0f} s, {run.ended}" +
                  ("" if run.complete else f", INCOMPLETE: see {log}"), flush=True)
            runs[config.name] = run
        return runs


# ---- Results ------------------------------------------------------------------------------

def judge(runs):
    """{metric: {...}} for the target and scaling rows: Twofold kpti=on against Linux pti=on
    of the same pass (issue 8's number when Linux did not give one), and against itself with
    fewer processes."""
    mine, theirs = runs[MINE], runs[THEIRS]
    out = {}
    for metric, (reference, fraction) in TARGETS.items():
        measured, value = theirs.number(metric), mine.number(metric)
        basis = reference if measured is None else measured
        linux = "Linux" if measured is not None else "issue 8's Linux"
        out[metric] = {"target": f"<= 1/{fraction} of {linux} ({basis / fraction:,.0f})",
                       "met": None if value is None else value <= basis / fraction}
    for group in SCALING:
        base = mine.number(group[0])
        for metric in group[1:]:
            value = mine.number(metric)
            change = value / base - 1 if value is not None and base else None
            out[metric] = {"target": f"within {FLAT:.0%} of {group[0]}",
                           "change": change,
                           "met": None if change is None else abs(change) <= FLAT}
    return out


def judge_new(runs, metrics):
    """{metric: {...}} for the rows issue 16 added (of metrics): Twofold kpti=on against Linux
    pti=on of the same pass."""
    out = {}
    for metric in metrics:
        fraction = NEW_TARGETS[metric]
        measured, value = runs[THEIRS].number(metric), runs[MINE].number(metric)
        out[metric] = {"target": f"<= 1/{fraction} of Linux" + (f" ({measured / fraction:,.0f})" if measured else ""),
                       "met": None if value is None or measured is None else value <= measured / fraction}
    return out


def cell(value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value.split()[0]                         # "skipped" or "failed"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def verdict(judged):
    if judged["met"] is None:
        return "-"
    text = "yes" if judged["met"] else "no"
    return f"{text} ({judged['change']:+.0%})" if "change" in judged else text


def table(runs, judged=None, metrics=METRICS):
    """A Markdown table of runs' metrics, with the ratio Twofold/Linux with isolation on and,
    given judged (from judge()), the targets."""
    head = ["metric"] + list(runs) + ["Twofold/Linux, on"]
    if judged:
        head += ["target (Twofold kpti=on)", "met"]
    rows = [head, ["---"] * len(head)]
    for metric in metrics:
        row = [metric] + [cell(run.metrics.get(metric)) for run in runs.values()]
        mine, theirs = runs[MINE].number(metric), runs[THEIRS].number(metric)
        row.append(f"{mine / theirs:.2f}" if mine is not None and theirs else "-")
        if judged:
            row += [judged[metric]["target"], verdict(judged[metric])] if metric in judged \
                else ["", ""]
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join("| " + " | ".join(text.ljust(width) for text, width in zip(row, widths)) +
                     " |" for row in rows)


def notes(runs):
    """What ran, by the guests' own words, and why any metric is missing."""
    lines = []
    for run in runs.values():
        if not run.command:
            lines.append(f"- {run.config}: {run.ended}")
            continue
        lines.append(f"- {run.config}: {run.kernel or 'no benchmark output'}, isolation "
                     f"{run.isolation} by its boot log; {run.ended} ({run.seconds:.0f} s)" +
                     ("" if run.complete else f"; INCOMPLETE, see {run.log}"))
        lines += [f"  - {metric}: {value}" for metric, value in run.metrics.items()
                  if isinstance(value, str)]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--kernel", required=True, help="Twofold's ELF")
    parser.add_argument("--initrd", required=True, help="Twofold's initrd, holding /bench")
    parser.add_argument("--busybox", required=True, help="Debian's static busybox, for Linux's initrd")
    parser.add_argument("--program", required=True, help="the benchmark, a static binary")
    parser.add_argument("--cpu", default="max")
    parser.add_argument("--mem", default="256M")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per QEMU run")
    parser.add_argument("--quick", action="store_true", help="short loops: a smoke test")
    args = parser.parse_args()

    workdir = pathlib.Path(args.build) / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    guests = Guests(args, workdir)
    measured = guests.run_all(icount=True)
    timed = guests.run_all(icount=False)
    on_two = guests.run_all(icount=False, smp=True)
    judged = {**judge(measured), **judge_new(measured, NEW_ROWS)}

    machine = f"-cpu {args.cpu} -m {args.mem} -smp 1"
    linux = guests.package or "no Linux"
    twofold = debian.run_quiet(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]).stdout.strip()
    quick = "; QUICK: short loops, not a measurement" if args.quick else ""
    print("\n".join([
        "", f"TSC ticks per operation; QEMU {' '.join(ICOUNT)} {machine}: guest instructions "
            f"(Twofold {twofold}, {linux}){quick}",
        "", table(measured, judged), "", notes(measured),
        "", f"Plain TCG, {machine}: host TSC ticks, noisy{quick}",
        "", table(timed), "", notes(timed),
        "", f"Plain TCG, {machine.replace('-smp 1', '-smp 2')} (bench smp): host TSC ticks, noisy{quick}",
        "", table(on_two, judge_new(on_two, SMP_METRICS), SMP_METRICS), "", notes(on_two)]))
    out = pathlib.Path(args.build) / "bench.json"
    out.write_text(json.dumps({
        "settings": {"machine": machine, "icount": " ".join(ICOUNT), "quick": args.quick,
                     "timeout_s": args.timeout, "twofold": twofold, "linux": guests.package},
        "targets": {metric: {"linux_6_1_pti_on": reference, "twofold_at_most": f"1/{fraction}"}
                    for metric, (reference, fraction) in TARGETS.items()},
        "verdicts": {**judged, **judge_new(on_two, SMP_METRICS)},
        "icount": {name: dataclasses.asdict(run) for name, run in measured.items()},
        "tcg_smp2": {name: dataclasses.asdict(run) for name, run in on_two.items()},
        "tcg": {name: dataclasses.asdict(run) for name, run in timed.items()},
    }, indent=1) + "\n")
    print(f"\nbench: wrote {out}; serial logs in {workdir}/")
    return 0 if all(run.complete for run in [*measured.values(), *on_two.values(), *timed.values()]) else 1


if __name__ == "__main__":
    sys.exit(main())
