"""``fastpipe debug config`` (check a config and print it filled, or every problem in it) and
``fastpipe debug diff-config`` (what a config changes from the defaults ``init config`` writes
for the same pipeline). Neither reads a corpus nor initializes a model."""
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import click

from ._util import (OVERRIDES_CONTEXT, code_option, overrides_from, reporting_errors,
                    setup_logging, verbose_option)
from .debug_data import debug_group
from .init import OPTIMIZE, fill_config, starter_config

VARIABLE = re.compile(r"\$\{([^}]+)\}")


def registered_functions(config: Dict[str, Any]) -> List[Dict[str, str]]:
    """Each block of ``config`` that names a registered function: its section, registry,
    name, and where the Python function is defined."""
    import inspect

    from ..registry import registry

    found = []

    def visit(node: Dict[str, Any], path: Tuple[str, ...]):
        for key, value in node.items():
            if key.startswith("@"):
                func = registry.get(key[1:], value)
                module = getattr(func, "__module__", "?")
                try:
                    where = f"{inspect.getsourcefile(func)}:{inspect.getsourcelines(func)[1]}"
                except (TypeError, OSError):
                    where = module
                found.append({"section": ".".join(path), "registry": key[1:], "name": value,
                              "function": f"{module}.{getattr(func, '__qualname__', func)}",
                              "file": where})
            elif isinstance(value, dict):
                visit(value, path + (key,))

    visit(config, ())
    return found


def variables(config: Dict[str, Any]) -> List[Tuple[str, str, Any]]:
    """Each setting of the uninterpolated ``config`` that holds a ``${...}`` reference: (the
    setting, its text, its value once interpolated)."""
    from thinc.api import Config

    from ..config import walk_settings

    resolved = dict(walk_settings(Config(config).interpolate()))
    return [(".".join(path), value, resolved.get(path))
            for path, value in walk_settings(config)
            if isinstance(value, str) and VARIABLE.search(value)]


def debug_config(config_path: Union[str, Path], *, overrides: Optional[Dict] = None,
                 code_path=None):
    """Validate the config at ``config_path`` (every section, the [training] ones included)
    and return it with every default filled in; raises ConfigError listing every problem."""
    return fill_config(config_path, overrides=overrides, code_path=code_path)


def _flat(config: Dict[str, Any]) -> Dict[str, Any]:
    from ..config import walk_settings

    return {".".join(path): value for path, value in walk_settings(config)}


def diff_config(config_path: Union[str, Path], *, optimize: str = "efficiency",
                overrides: Optional[Dict] = None, code_path=None) -> List[Tuple[str, str, Any, Any]]:
    """The settings of the filled config at ``config_path`` that differ from the filled
    starter config ``init config`` writes for the same language and components: (what:
    "added" / "removed" / "changed", setting, default value, config's value), by setting."""
    from ..config import load_config_from_str
    from ..language import Language

    filled = debug_config(config_path, overrides=overrides, code_path=code_path)
    nlp_cfg = filled["nlp"]
    factories = [filled["components"][name].get("factory", name)
                 for name in nlp_cfg["pipeline"] if name in filled["components"]]
    factories = list(dict.fromkeys(f for f in factories if f != "tok2vec")) or ["tok2vec"]
    text = starter_config(nlp_cfg["lang"], factories, optimize)
    default = Language.from_config(load_config_from_str(text, where="starter config")).config
    ours, theirs = _flat(filled), _flat(default)
    diffs = []
    for key in sorted(set(ours) | set(theirs)):
        if key not in ours:
            diffs.append(("removed", key, theirs[key], None))
        elif key not in theirs:
            diffs.append(("added", key, None, ours[key]))
        elif ours[key] != theirs[key]:
            diffs.append(("changed", key, theirs[key], ours[key]))
    return diffs


@debug_group.command("config", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@code_option
@click.option("--show-functions", "-F", is_flag=True, default=False,
              help="List the registered functions the config names and where they are defined.")
@click.option("--show-variables", "-V", "show_variables", is_flag=True, default=False,
              help="List the ${...} references and the values they take.")
@click.option("--verbose", "verbose", is_flag=True, default=False,
              help="Log details and show tracebacks on errors.")
@click.pass_context
def debug_config_cli(ctx: click.Context, config_path: Path, code_path: Optional[Path],
                     show_functions: bool, show_variables: bool, verbose: bool):
    """Check every section of CONFIG_PATH and print it with every default filled in, or list
    each problem found. Nothing is trained or read: only the settings are checked.
    Overrides (--section.key value) apply first."""
    from ..config import config_to_str

    setup_logging(verbose)
    with reporting_errors(verbose):
        filled = debug_config(config_path, overrides=overrides_from(ctx), code_path=code_path)
    sys.stdout.write(config_to_str(filled))
    if show_functions:
        click.echo("\nRegistered functions:")
        for f in registered_functions(filled):
            click.echo(f"  [{f['section']}] @{f['registry']} = {f['name']}: {f['function']} "
                       f"({f['file']})")
    if show_variables:
        click.echo("\nVariables:")
        for setting, text, value in variables(filled):
            click.echo(f"  {setting} = {text} -> {value!r}")
    click.echo(f"\nThe config {config_path} is valid.", err=True)


@debug_group.command("diff-config", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--optimize", "-o", type=click.Choice(OPTIMIZE), default="efficiency",
              show_default=True, help="The defaults to compare with: init config's for this.")
@code_option
@verbose_option
@click.pass_context
def diff_config_cli(ctx: click.Context, config_path: Path, optimize: str,
                    code_path: Optional[Path], verbose: bool):
    """Print the settings of CONFIG_PATH that differ from the config `fastpipe init config`
    writes for the same language and components (both filled with every default)."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        diffs = diff_config(config_path, optimize=optimize, overrides=overrides_from(ctx),
                            code_path=code_path)
    if not diffs:
        click.echo(f"{config_path} has init config's defaults (--optimize {optimize}).")
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for what, key, default, value in diffs:
        shown = {"added": f"{value!r}", "removed": f"(default {default!r})",
                 "changed": f"{value!r} (default {default!r})"}[what]
        click.echo(f"{marks[what]} {key} = {shown}")
