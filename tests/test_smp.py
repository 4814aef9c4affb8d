"""tests/test_smp.py: starting the other CPUs (arch/x86_64/smp.c). Under QEMU's -smp N every
CPU the MADT lists is started through INIT-SIPI-SIPI and the real-mode trampoline, takes the
boot CPU's control registers, GDT, TSS, IDT, doors and local APIC, and joins the scheduler;
/proc/cpuinfo lists each with the APIC id that CPU read from its own local APIC (so each one ran that far);
nosmp and maxcpus=N start fewer. Every user test also runs on 2 and 4 CPUs (test_user.py),
where user/tests/cpus.c pins processes to each CPU and moves them between CPUs."""
import re

import pytest

from conftest import explain
from twofold_qemu import STATUS_OK


def apic_ids(serial):
    return sorted(int(i) for i in re.findall(r"^apicid\t\t: (\d+)$", serial, re.M))


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_every_cpu_qemu_has_is_started(boot, smp):
    result = boot("init=/bin/cat /proc/cpuinfo", smp=smp)
    assert result.status == STATUS_OK, explain(result)
    assert f"cpus: {smp} up" in result.serial, explain(result)
    assert apic_ids(result.serial) == list(range(smp)), explain(result)


@pytest.mark.parametrize("option,running", [("nosmp", 1), ("maxcpus=2", 2), ("maxcpus=0", 1),
                                            ("maxcpus=many", 4)])
def test_the_command_line_starts_fewer(boot, option, running):
    result = boot(f"{option} init=/bin/cat /proc/cpuinfo", smp=4)
    assert result.status == STATUS_OK, explain(result)
    assert f"cpus: {running} up" in result.serial, explain(result)
    assert apic_ids(result.serial) == list(range(running)), explain(result)
    if option == "maxcpus=many":
        assert 'ignoring "maxcpus=many": not a number of CPUs' in result.serial


def test_more_cpus_than_twofold_takes(boot):
    result = boot("init=/bin/cat /proc/cpuinfo", smp=17)
    assert result.status == STATUS_OK, explain(result)
    assert "smp: the MADT lists 17 CPUs; Twofold takes at most 16" in result.serial, explain(result)
    assert apic_ids(result.serial) == list(range(16)), explain(result)
