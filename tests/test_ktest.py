"""tests/test_ktest.py: the in-kernel tests (KTAP), booted with `test` on each CPU model,
once with page-table isolation off, once without a local APIC and once on four CPUs. Each
registered KTEST is one test here, so a test that never reports fails by name; those that need
several CPUs skip on one (and must not skip on four)."""
import pytest

import ktap
from conftest import CLANG_KERNEL, CPUS, explain, ktest_names
from twofold_qemu import STATUS_OK


# (cpu, extra command line, CPUs): every CPU model with the defaults, isolation off once, a
# CPU without a local APIC once (the PIT and PIC then give the tick), and four CPUs once.
CONFIGS = [(cpu, "", 1) for cpu in CPUS] + [("max", "kpti=off", 1), ("qemu64,-apic", "", 1), ("max", "", 4)]
CONFIG_IDS = [f"{cpu}{'-' + extra if extra else ''}{f'-smp{smp}' if smp > 1 else ''}" for cpu, extra, smp in CONFIGS]


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
def test_ktest_boot_passes(boot, cpu, extra, smp):
    result = boot(f"test {extra}".strip(), cpu, smp=smp)
    planned, results = ktap.parse(result.serial)
    assert planned == len(ktest_names()), explain(result)
    assert result.status == STATUS_OK, explain(result)
    if smp > 1:
        assert not [name for name, r in results.items() if r.skipped], explain(result)


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("name", ktest_names())
def test_ktest(boot, cpu, extra, smp, name):
    result = boot(f"test {extra}".strip(), cpu, smp=smp)
    _, results = ktap.parse(result.serial)
    assert name in results, f"{name} did not report: " + explain(result)
    assert results[name].ok, "\n".join(results[name].diagnostics)


def test_clang_built_kernel_passes_its_ktests(boot):
    """The clang build's own KTEST symbols name the cases it must report, each ok (on two
    CPUs, so that none skips)."""
    result = boot("test", "max", kernel=CLANG_KERNEL, smp=2)
    planned, results = ktap.parse(result.serial)
    names = ktest_names(CLANG_KERNEL)
    assert planned == len(names) and sorted(results) == names, explain(result)
    assert all(r.ok and not r.skipped for r in results.values()), explain(result)
    assert result.status == STATUS_OK, explain(result)
