"""tests/test_mutants.py: `make mutants` stays runnable. Each mutant of tools/mutants.py must
still apply to the tree (its text occurs exactly once in its file: a mutant whose text went
away would test nothing), have a unique name, and name tests that exist."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import mutants  # noqa: E402
import test_user  # noqa: E402


def test_names_are_unique():
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("mutant", mutants.MUTANTS, ids=lambda m: m.name)
def test_mutant_applies_once(mutant):
    assert mutants.check(mutant) is None, mutants.check(mutant)
    assert mutant.new != mutant.old


@pytest.mark.parametrize("mutant", mutants.MUTANTS, ids=lambda m: m.name)
def test_mutant_names_tests_that_exist(mutant):
    assert mutant.tests
    for test in mutant.tests:
        path, _, function = test.partition("::")
        assert (ROOT / path).is_file(), test
        name = re.match(r"\w+", function).group(0)
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M), test
        case = re.search(r"\[(\w+/\w+)-[\w,=-]+\]$", function)
        if case:                       # a user test case: the built program has it
            assert case.group(1) in test_user.CASES, test


def test_every_named_test_is_collected():
    """pytest finds each test id a mutant names (a wrong parameter id would run nothing)."""
    ids = sorted({test for m in mutants.MUTANTS for test in m.tests})
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *ids],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(collected) >= len(ids), result.stdout[-3000:]
