"""The sdist carries sources (never generated C++) and builds; the wheel it builds ships the
.pxd files and the public headers that `fastpipe.get_include()` points at."""
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_sdist_builds_a_wheel_with_pxd_and_headers(tmp_path):
    sdist_dir = tmp_path / "sdist"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(sdist_dir), str(ROOT)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (sdist,) = sdist_dir.glob("fastpipe-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert any(n.endswith("fastpipe/tokens/doc.pyx") for n in names)
    assert any(n.endswith("fastpipe/tokens/doc.pxd") for n in names)
    assert any(n.endswith("include/fastpipe/structs.h") for n in names)
    assert not any(n.endswith((".cpp", ".so")) for n in names), "generated files in the sdist"

    wheel_dir = tmp_path / "wheel"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
         "--disable-pip-version-check", "-w", str(wheel_dir), str(sdist)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = wheel_dir.glob("fastpipe-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for required in ("fastpipe/structs.pxd", "fastpipe/tokens/doc.pxd", "fastpipe/strings.pxd",
                     "fastpipe/include/fastpipe/structs.h"):
        assert required in names, f"{required} missing from the wheel"
    assert any(n.startswith("fastpipe/tokenizer.") and n.endswith((".so", ".pyd")) for n in names)
