"""tests/conftest.py: what every test module shares: where the build is, booting the kernel
with a command line (each distinct boot runs once per session), and the closing line
"N passed, N failed" that CI reads."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import mkiso  # noqa: E402
import twofold_qemu  # noqa: E402

BUILD = ROOT / os.environ.get("TWOFOLD_BUILD", "build")
KERNEL = BUILD / "gcc" / "twofold.elf"
INITRD = BUILD / "initrd.cpio"
CLANG_KERNEL = BUILD / "clang" / "twofold.elf"
CPUS = ("qemu64", "max")
BOOT_TIMEOUT = 120          # seconds; a boot still running then is a hang


def ktest_names(kernel=KERNEL):
    """Names of the in-kernel tests in a built kernel (KTEST's ktest_case_<name> symbols)."""
    out = subprocess.run(["nm", str(kernel)], check=True, capture_output=True, text=True).stdout
    return sorted(line.split()[-1][len("ktest_case_"):] for line in out.splitlines()
                  if line.split()[-1].startswith("ktest_case_"))


class Booter:
    """Boots a kernel (KERNEL unless told) with a command line on a CPU model, with an
    initrd (INITRD unless told) and smp CPUs (1 unless told), once per distinct combination."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.cache = {}

    def __call__(self, cmdline, cpu="max", kernel=KERNEL, initrd=INITRD, timeout=BOOT_TIMEOUT, smp=1):
        key = (cmdline, cpu, kernel, initrd, smp)
        if key not in self.cache:
            for needed in (kernel, initrd):
                if not needed.exists():
                    pytest.fail(f"{needed} is missing: run the tests through `make test`")
            iso = self.workdir / f"boot{len(self.cache)}.iso"
            mkiso.make_iso(kernel, iso, cmdline, initrd)
            self.cache[key] = twofold_qemu.boot(iso, cpu=cpu, timeout=timeout, smp=smp)
        return self.cache[key]


@pytest.fixture(scope="session")
def boot(tmp_path_factory):
    return Booter(tmp_path_factory.mktemp("iso"))


def explain(result):
    """Failure text for a boot: how it ended and the end of its serial log."""
    return f"{result.describe()}; serial log ends:\n{result.tail()}\n{result.stderr[-2000:]}"


# ---- the closing line ---------------------------------------------------------------------
_outcomes = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        outcome = "failed" if report.failed else report.outcome
        _outcomes[outcome] += 1
    elif report.when == "teardown" and report.failed:
        _outcomes["failed"] += 1


def pytest_unconfigure(config):
    line = f"{_outcomes['passed']} passed, {_outcomes['failed']} failed"
    if _outcomes["skipped"]:
        line += f", {_outcomes['skipped']} skipped"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
