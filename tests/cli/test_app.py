"""The ``fastpipe`` command itself: --version and the list of commands."""
import importlib.metadata
import subprocess
import sys

import fastpipe
from tests.helpers.cli import run


def test_version_prints_the_package_version():
    result = run("--version")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"fastpipe, version {fastpipe.__version__}"
    # the installed metadata says the same (the version comes from fastpipe/about.py)
    assert fastpipe.__version__ == importlib.metadata.version("fastpipe")


def test_version_through_python_dash_m():
    proc = subprocess.run([sys.executable, "-m", "fastpipe", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"fastpipe, version {fastpipe.__version__}"


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    assert "--version" in result.output
    commands = result.output.split("Commands:")[1].split()
    for name in ("convert", "debug", "evaluate", "init", "ray", "tokenize", "train"):
        assert name in commands
