"""tests/test_ktest.py: the in-kernel tests (KTAP), booted with `test` on each CPU model,
and once with page-table isolation off. Each registered KTEST is one test here, so a test
that never reports fails by name."""
import pytest

import ktap
from conftest import CLANG_KERNEL, CPUS, explain, ktest_names
from twofold_qemu import STATUS_OK


# (cpu, extra command line): every CPU model with the defaults, isolation off once, and a
# CPU without a local APIC once (the PIT and PIC then give the tick).
CONFIGS = [(cpu, "") for cpu in CPUS] + [("max", "kpti=off"), ("qemu64,-apic", "")]
CONFIG_IDS = [f"{cpu}{'-' + extra if extra else ''}" for cpu, extra in CONFIGS]


@pytest.mark.parametrize("cpu,extra", CONFIGS, ids=CONFIG_IDS)
def test_ktest_boot_passes(boot, cpu, extra):
    result = boot(f"test {extra}".strip(), cpu)
    planned, results = ktap.parse(result.serial)
    assert planned == len(ktest_names()), explain(result)
    assert result.status == STATUS_OK, explain(result)


@pytest.mark.parametrize("cpu,extra", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("name", ktest_names())
def test_ktest(boot, cpu, extra, name):
    result = boot(f"test {extra}".strip(), cpu)
    _, results = ktap.parse(result.serial)
    assert name in results, f"{name} did not report: " + explain(result)
    assert results[name].ok, "\n".join(results[name].diagnostics)


def test_clang_built_kernel_passes_its_ktests(boot):
    """The clang build's own KTEST symbols name the cases it must report, each ok."""
    result = boot("test", "max", kernel=CLANG_KERNEL)
    planned, results = ktap.parse(result.serial)
    names = ktest_names(CLANG_KERNEL)
    assert planned == len(names) and sorted(results) == names, explain(result)
    assert all(r.ok and not r.skipped for r in results.values()), explain(result)
    assert result.status == STATUS_OK, explain(result)
