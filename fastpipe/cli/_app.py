"""The ``fastpipe`` Click group. Its module is the first the command imports, so it also
answers a Ctrl-C that comes while the command starts up (the imports of every command module
and their libraries take most of a second): one line, exit status 130, no traceback. Once the
group runs, Ctrl-C is an ordinary KeyboardInterrupt again, which each command reports (and
``train`` answers by saving what it has)."""
import os
import signal
import sys


def _interrupted_while_starting(signum, frame):  # pragma: no cover - exercised in a subprocess
    sys.stderr.write("Interrupted.\n")
    sys.stderr.flush()
    os._exit(130)


def _started_as_the_command() -> bool:
    """Whether this process is the ``fastpipe`` command (the console script or python -m
    fastpipe), not a program importing fastpipe.cli, whose Ctrl-C is its own business."""
    script = sys.argv[0] if sys.argv else ""
    return os.path.basename(script) in ("fastpipe", "fastpipe.exe") or \
        script.endswith(os.path.join("fastpipe", "__main__.py"))


if _started_as_the_command() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted_while_starting)

import click  # noqa: E402  (after the handler: importing it is part of starting up)

from ..about import __version__  # noqa: E402


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fastpipe")
def app():
    """Train and run NLP pipelines from one config file."""
    if signal.getsignal(signal.SIGINT) is _interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)
