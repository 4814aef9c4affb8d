"""tests/test_host.py: the host unit tests (tests/host/), built by `make host-tests` with
AddressSanitizer and UBSan."""
import pathlib
import subprocess

import pytest

from conftest import BUILD, ROOT

HOST_TESTS = sorted(p.stem for p in (ROOT / "tests" / "host").glob("test_*.c"))


@pytest.mark.parametrize("name", HOST_TESTS)
def test_host(name):
    binary = pathlib.Path(BUILD) / "host" / name
    assert binary.exists(), f"{binary} is missing: run the tests through `make test`"
    result = subprocess.run([str(binary)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
