"""Ctrl-C while a command starts up (importing its modules) ends it with one line and exit
status 130, not a traceback; a program that merely imports fastpipe.cli keeps Python's own
Ctrl-C."""
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The console script's own lines, after an import hook that sends this process SIGINT the
# moment a given module starts importing: a Ctrl-C at a known point of start-up.
COMMAND = """#!{python}
import os, signal, sys
from importlib.abc import MetaPathFinder

class InterruptOn(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == {module!r}:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, InterruptOn())
from fastpipe.cli import app
{after}
"""


def _default_ctrl_c():
    """In the child before it starts: Ctrl-C as a terminal gives it. A runner started as a
    background job of a script has SIGINT ignored, and children inherit that (Python then
    installs no handler of its own), which is not what these tests are about."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run_command(tmp_path, module, after="sys.exit(app())", *args):
    script = tmp_path / "fastpipe"
    script.write_text(COMMAND.format(python=sys.executable, module=module, after=after))
    script.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env,
                          timeout=120, preexec_fn=_default_ctrl_c)


def test_ctrl_c_while_importing_the_commands_prints_one_line(tmp_path):
    for module in ("click", "fastpipe.cli.convert", "fastpipe.cli.train", "numpy"):
        result = _run_command(tmp_path, module, "sys.exit(app())", "train", "--help")
        assert result.returncode == 130, (module, result.stderr)
        assert result.stderr == "Interrupted.\n", (module, result.stderr)
        assert result.stdout == ""


def test_once_the_command_runs_ctrl_c_is_a_keyboard_interrupt_again(tmp_path):
    after = ("print(signal.getsignal(signal.SIGINT) is not signal.default_int_handler); "
             "app.callback(); "
             "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    result = _run_command(tmp_path, "no.such.module", after)
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_importing_fastpipe_cli_leaves_ctrl_c_alone():
    code = ("import signal, fastpipe.cli; "
            "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, preexec_fn=_default_ctrl_c)
    assert result.stdout.strip() == "True", result.stderr
    # nor did importing it here (the handler this process started with: Python's own, or
    # SIG_IGN under a runner started in the background)
    assert signal.getsignal(signal.SIGINT) in (signal.default_int_handler, signal.SIG_IGN)
