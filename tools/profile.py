#!/usr/bin/env python3
"""tools/profile.py: `make profile`: where the instructions of a system call and of a switch
between processes go, stage by stage, measured by single-stepping them in GDB (tf-profile,
tools/gdb/stages.py) with page-table isolation on and off.

It boots `bench profile` (user/bench.c: getpid calls, then two processes yielding to each
other) under QEMU's GDB stub, steps through one getpid and one sched_yield that switches, and
prints what tf-profile counted. Exit status: 0, or 1 if a run did not give its counts.
"""
import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import mkiso  # noqa: E402
import twofold_qemu  # noqa: E402

# (what, system call number, entries to let pass first: the program's first calls warm it up)
CALLS = (("syscall_getpid", 39, 3), ("sched_yield_2 (one switch)", 24, 3))
GDB_TIMEOUT = 120


def profile(kernel, initrd, cpu, kpti, workdir):
    """tf-profile's output for each of CALLS, with kpti=kpti; raises RuntimeError if gdb fails."""
    iso = workdir / f"profile-{kpti}.iso"
    mkiso.make_iso(kernel, iso, f"quiet kpti={kpti} init=/bench profile", initrd)
    commands = [f"tf-profile {number} {skip}" for _, number, skip in CALLS] + ["kill"]
    run = twofold_qemu.gdb_batch(iso, kernel, commands, workdir, cpu, timeout=GDB_TIMEOUT)
    found = [line for line in run.stdout.splitlines() if line.startswith(("tf-profile:", "  "))]
    if sum(line.startswith("tf-profile:") for line in found) != len(CALLS):
        raise RuntimeError(f"gdb did not profile every call:\n{(run.stdout + run.stderr)[-3000:]}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", required=True, type=pathlib.Path)
    parser.add_argument("--initrd", required=True, type=pathlib.Path)
    parser.add_argument("--cpu", default="max")
    args = parser.parse_args()
    if shutil.which("gdb") is None:
        sys.exit("profile: gdb is not installed (Debian package gdb)")
    with tempfile.TemporaryDirectory() as tmp:
        for kpti in ("on", "off"):
            try:
                lines = profile(args.kernel, args.initrd, args.cpu, kpti, pathlib.Path(tmp))
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"profile: kpti={kpti}: {error}")
                return 1
            names = iter(name for name, _, _ in CALLS)
            print(f"== kpti={kpti}, -cpu {args.cpu}")
            for line in lines:
                print(f"{next(names)}: {line}" if line.startswith("tf-profile:") else line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
