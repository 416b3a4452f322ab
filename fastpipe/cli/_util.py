"""What the config-driven commands share: extra arguments as config overrides, --code,
logging for --verbose, and one-line error reports (a traceback only with --verbose)."""
import contextlib
import logging
import sys
import traceback
from pathlib import Path
from typing import Any, Dict

import click

# Lets a command take `--section.key value` pairs it does not declare (config overrides).
OVERRIDES_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}

code_option = click.option(
    "--code", "-c", "code_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Python file to import first, e.g. with registered architectures, loggers or callbacks.")
verbose_option = click.option(
    "--verbose", "-V", is_flag=True, default=False,
    help="Log details (applied overrides, steps) and show tracebacks on errors.")


def setup_logging(verbose: bool) -> None:
    """INFO messages of the 'fastpipe' logger on stderr with --verbose, warnings otherwise."""
    log = logging.getLogger("fastpipe")
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    if not any(getattr(h, "_fastpipe_cli", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler._fastpipe_cli = True
        log.addHandler(handler)
    for h in log.handlers:
        if getattr(h, "_fastpipe_cli", False):
            h.setStream(sys.stderr)  # the current stderr (Click's test runner swaps it)


def overrides_from(ctx: click.Context) -> Dict[str, Any]:
    """Config overrides from the command's extra arguments and FASTPIPE_CONFIG_OVERRIDES."""
    from ..config import parse_config_overrides

    return parse_config_overrides(list(ctx.args))


def is_user_error(err: BaseException) -> bool:
    """Errors that say what was wrong with the input (no traceback needed to act on them)."""
    from thinc.api import ConfigValidationError

    return isinstance(err, (ValueError, KeyError, OSError, ConfigValidationError)) \
        or type(err).__name__ == "RegistryError"


def error_message(err: BaseException) -> str:
    """The one-line (or one-block) report of an error: what went wrong, where."""
    from thinc.api import ConfigValidationError

    from ..config import config_error_from
    from ..errors import ConfigError

    if isinstance(err, (ConfigError, ConfigValidationError)):
        return str(config_error_from(err))
    if type(err).__name__ == "RegistryError":
        return str(err)
    if isinstance(err, (FileNotFoundError, NotADirectoryError, IsADirectoryError)):
        return str(err)
    if isinstance(err, (ValueError, KeyError, OSError)):
        text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        return text
    return f"{type(err).__name__}: {err}"


@contextlib.contextmanager
def reporting_errors(verbose: bool, exit_code: int = 1):
    """Turn an exception into ``Error: <message>`` on stderr and exit ``exit_code``; with
    ``verbose`` the traceback comes first."""
    try:
        yield
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
        raise
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as err:  # every failure of a command is reported the same way
        if verbose:
            click.echo("".join(traceback.format_exception(type(err), err, err.__traceback__)),
                       err=True)
        message = error_message(err)
        click.echo(f"Error: {message}", err=True)
        if not verbose and not is_user_error(err):
            click.echo("(run again with --verbose for the traceback)", err=True)
        sys.exit(exit_code)


def report_training(result, output_path, detail: str = "") -> None:
    """Print what a training run achieved and where it saved its pipelines."""
    if result.best_score is not None:
        click.echo(f"Best score {result.best_score:.3f} at step {result.best_step} "
                   f"({result.steps} steps, {result.words:,} words, {result.seconds:.1f}s{detail})")
    if result.best_path is not None:
        click.echo(f"Saved the best pipeline to {result.best_path}")
    if result.last_path is not None:
        click.echo(f"Saved the last pipeline to {result.last_path}")
    if output_path is None:
        click.echo("No --output given: the trained pipeline was not saved.")
