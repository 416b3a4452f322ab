"""Loading configs: overrides from the command line and the environment, interpolation checks,
user code imported with ``--code``.

A config is thinc's ``Config`` (a dict of sections). ``load_config`` reads one from disk, applies
overrides before interpolation (so ``--paths.train x`` reaches every ``${paths.train}``) and
turns every way a config can be malformed into a :class:`~fastpipe.errors.ConfigError` that
names the section and the setting. Checks that need the registries (unknown functions, missing
or mistyped arguments) live in :mod:`fastpipe.config_schema`.
"""
import copy
import difflib
import importlib.util
import logging
import os
import re
import shlex
import sys
from configparser import Error as ConfigParserError
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from thinc.api import Config, ConfigValidationError

from .defaults import with_defaults
from .errors import ConfigError, Errors
from .registry import get_factory_meta, registry

logger = logging.getLogger("fastpipe")

ENV_OVERRIDES = "FASTPIPE_CONFIG_OVERRIDES"
CONFIG_SECTIONS = ("paths", "system", "nlp", "components", "corpora", "training", "initialize",
                   "pretraining")
_VARIABLE = re.compile(r"\$\{([\w\.:\-]+)\}")
_PY_LITERALS = {"True": True, "False": False, "None": None}

__all__ = [
    "Config", "ENV_OVERRIDES", "CONFIG_SECTIONS", "load_config", "parse_config_overrides",
    "parse_override_args", "check_overrides", "import_code", "config_error_from",
    "suggest", "dot_to_object", "walk_settings", "config_to_str",
]


# ---------------------------------------------------------------------------------------------
# overrides

def parse_value(text: str) -> Any:
    """A command-line value read like a config value: JSON (numbers, true/false/null, lists,
    quoted strings) or the Python literals True/False/None; anything else is a plain string."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return _PY_LITERALS.get(text, text)


def parse_override_args(args: Sequence[str], where: str = "command line") -> Dict[str, Any]:
    """``["--training.max_steps", "100", "--paths.train=x.fastpipe", "--nlp.flag"]`` to
    ``{"training.max_steps": 100, "paths.train": "x.fastpipe", "nlp.flag": True}``.

    A name without a value (followed by another ``--name`` or by nothing) is set to true.
    Anything that is not ``--section.key`` raises ConfigError (E104) naming the argument.
    """
    result: Dict[str, Any] = {}
    args = list(args)
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) <= 2:
            raise ConfigError(Errors.E104.format(arg=arg, where=where))
        name = arg[2:]
        if "=" in name:
            name, text = name.split("=", 1)
            value = parse_value(text)
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            value = parse_value(args[i + 1])
            i += 1
        else:
            value = True
        if "." not in name or name.startswith(".") or name.endswith("."):
            raise ConfigError(Errors.E104.format(arg=arg, where=where))
        result[name] = value
        i += 1
    return result


def parse_config_overrides(args: Sequence[str] = (), env_var: Optional[str] = ENV_OVERRIDES,
                           environ=None) -> Dict[str, Any]:
    """Overrides from extra command-line arguments, then from the environment variable
    ``env_var`` (same syntax, split like a shell would). The environment wins where both set
    the same setting."""
    overrides = parse_override_args(args, where="command line")
    environ = os.environ if environ is None else environ
    env_text = environ.get(env_var, "") if env_var else ""
    if env_text.strip():
        try:
            env_args = shlex.split(env_text)
        except ValueError as err:
            raise ConfigError(Errors.E104.format(arg=env_text, where=f"${env_var}: {err}"))
        overrides.update(parse_override_args(env_args, where=f"${env_var}"))
    return overrides


def _has_setting(config: Dict[str, Any], name: str, value: Any) -> bool:
    path = name.split(".")
    node: Any = config
    for part in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return False
        node = node[part]
    # a block may be replaced by another block, or turned off with null (as in spaCy)
    return path[-1] in node and (not isinstance(node[path[-1]], dict)
                                 or value is None or isinstance(value, dict))


def check_overrides(config: Dict[str, Any], overrides: Dict[str, Any]) -> None:
    """Raise ConfigError (listing each one) for overrides naming no existing setting."""
    errors = []
    for name, value in overrides.items():
        if not _has_setting(config, name, value):
            errors.append({"loc": name.split("."), "value": value,
                           "msg": "not a setting of this config" + suggest_path(name, config)})
    if errors:
        raise ConfigError(Errors.E103.format(n=len(errors)), errors)


# ---------------------------------------------------------------------------------------------
# loading

def load_config(path: Union[str, Path], overrides: Optional[Dict[str, Any]] = None,
                interpolate: bool = False) -> Config:
    """Read a config file (``-`` reads stdin), apply ``overrides`` (dotted names to values, only
    existing settings) before interpolation, and check every ``${...}`` reference.

    With ``interpolate=False`` the references are kept (``Language.from_config`` and
    ``fill-config`` want them); the returned config is still known to interpolate cleanly.
    Every problem raises ConfigError naming the file and the setting.
    """
    overrides = dict(overrides or {})
    where = "<stdin>" if str(path) == "-" else str(path)
    if str(path) == "-":
        text = sys.stdin.read()
    else:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(Errors.E100.format(path=path))
        text = path.read_text(encoding="utf8")
    return load_config_from_str(text, overrides, interpolate=interpolate, where=where)


def load_config_from_str(text: str, overrides: Optional[Dict[str, Any]] = None,
                         interpolate: bool = False, where: str = "<string>") -> Config:
    """``load_config`` for config text already in memory."""
    overrides = dict(overrides or {})
    raw = _parse(text, where)
    if overrides:
        if not all(_has_setting(raw, name, value) for name, value in overrides.items()):
            # a setting the file leaves to its default value can be overridden too
            check_references(raw, where)
            raw = _with_all_defaults(raw)
        check_overrides(raw, overrides)
        raw = raw.copy()
        for name, value in overrides.items():
            logger.info("Config override: %s = %r", name, value)
            parts = name.split(".")
            dot_to_object(raw, ".".join(parts[:-1]))[parts[-1]] = value
    check_references(raw, where)
    try:
        interpolated = raw.interpolate()
    except (ConfigValidationError, ConfigParserError) as err:
        raise config_error_from(err, where=where) from None
    except ValueError as err:  # configparser: a "$" that starts no ${section.setting}
        raise ConfigError(Errors.E101.format(where=where, err=_one_line(err))) from None
    return interpolated if interpolate else raw


def _with_all_defaults(raw: Config) -> Config:
    """``raw`` with fastpipe's default sections, each component factory's defaults and the
    default arguments of registered functions filled in; ${...} references are kept."""
    config = with_defaults(raw)
    components = config.get("components")
    for name, block in (components.items() if isinstance(components, dict) else ()):
        try:
            meta = get_factory_meta(block.get("factory"))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        defaults = Config(copy.deepcopy(meta.default_config), is_interpolated=False)
        components[name] = defaults.merge(Config(block, is_interpolated=False))
    try:
        return registry.fill(Config(config, is_interpolated=False), validate=False)
    except Exception:  # an invalid config: validation reports it later, with every problem
        return config


def _parse(text: str, where: str) -> Config:
    try:
        return Config().from_str(text, interpolate=False)
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None
    except ConfigParserError as err:
        raise ConfigError(Errors.E101.format(where=where, err=_one_line(err))) from None
    except KeyError as err:  # confection: a [a.b] section before its parent [a]
        detail = f"section [{err.args[0]}] must come before its subsections"
        raise ConfigError(Errors.E101.format(where=where, err=detail)) from None


def config_error_from(err: Exception, where: str = "") -> ConfigError:
    """A ConfigError for thinc/confection's ConfigValidationError, configparser's errors and
    catalogue's RegistryError: the same problems, one line each, naming the setting."""
    if isinstance(err, ConfigError):
        return err
    if isinstance(err, ConfigValidationError):
        errors = []
        for e in err.errors or ():
            loc = [str(p) for p in e.get("loc", ()) if str(p) != "__root__"]
            entry = {"loc": loc, "msg": e.get("msg", "invalid")}
            if "value" in e:
                entry["value"] = e["value"]
            errors.append(entry)
        desc = (err.desc or "").strip()
        if "Source contains parsing errors" in desc:
            desc = _one_line(desc.split("\n\n")[-1]).replace(": '<string>' ", " at ")
            title = Errors.E101.format(where=where, err=desc.replace("\\n'", "'"))
            where = ""
        else:
            title = Errors.E118.format(desc=f" ({_one_line(desc)})" if desc else "")
        return ConfigError(title, errors, where=where)
    if isinstance(err, ConfigParserError):
        return ConfigError(Errors.E101.format(where=where, err=_one_line(err)))
    return ConfigError(Errors.E119.format(err=_one_line(err)), where=where)


def _one_line(err) -> str:
    text = str(err).strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def config_to_str(config: Dict[str, Any]) -> str:
    """The config as text with each section followed by its subsections (depth first), so a
    component's blocks stay together; thinc's ``Config.to_str`` lists every top-level section
    before any nested one. Values are written as ``Config.to_str`` writes them, so
    ``Config().from_str(config_to_str(c))`` equals ``c``."""
    from confection import try_dump_json

    lines: List[str] = []

    def visit(node: Dict[str, Any], path: Tuple[str, ...]):
        leaves = [(k, v) for k, v in node.items() if not isinstance(v, dict)]
        if path and (leaves or path[-1] != "*"):
            if lines:
                lines.append("")
            lines.append(f"[{'.'.join(path)}]")
        for key, value in leaves:
            lines.append(f"{key} = {try_dump_json(value, node)}")
        for key, value in node.items():
            if isinstance(value, dict):
                visit(value, path + (key,))

    visit(config, ())
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# references and cycles

def walk_settings(config: Dict[str, Any], prefix: Tuple[str, ...] = ()
                  ) -> Iterator[Tuple[Tuple[str, ...], Any]]:
    """Every leaf setting of a nested config as (path, value), depth first."""
    for key, value in config.items():
        if isinstance(value, dict):
            yield from walk_settings(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def _sections(config: Dict[str, Any], prefix=()) -> Iterator[Tuple[str, ...]]:
    for key, value in config.items():
        if isinstance(value, dict):
            yield prefix + (key,)
            yield from _sections(value, prefix + (key,))


def _references(value: Any) -> List[str]:
    if isinstance(value, str):
        return [m.replace(":", ".") for m in _VARIABLE.findall(value)]
    if isinstance(value, (list, tuple)):
        return [ref for item in value for ref in _references(item)]
    return []


def check_references(config: Dict[str, Any], where: str = "") -> None:
    """Raise ConfigError for ``${...}`` references to settings or sections that do not exist
    (all of them, with the closest existing names) and for circular references (E107)."""
    leaves = dict(walk_settings(config))
    sections = set(_sections(config))
    graph: Dict[Tuple[str, ...], List[Tuple[str, ...]]] = {}
    errors = []
    for loc, value in leaves.items():
        for ref in _references(value):
            target = tuple(ref.split("."))
            if target in leaves:
                graph.setdefault(loc, []).append(target)
            elif target in sections:
                graph.setdefault(loc, []).extend(
                    p for p in leaves if p[:len(target)] == target)
            else:
                errors.append({"loc": list(loc), "value": value,
                               "msg": f"refers to ${{{ref}}}, which is not in the config"
                                      + suggest_path(ref, config)})
    if errors:
        raise ConfigError(Errors.E117.format(), errors, where=where)
    cycle = _find_cycle(graph)
    if cycle:
        steps = [f"[{'.'.join(p[:-1])}] {p[-1]} = {leaves[p]}" for p in cycle[:-1]]
        chain = " -> ".join(steps) + f" -> back to [{'.'.join(cycle[0][:-1])}] {cycle[0][-1]}"
        raise ConfigError(Errors.E107.format(chain=chain), where=where)


def _find_cycle(graph):
    state: Dict[Any, int] = {}  # 1 = on the current path, 2 = done
    for start in graph:
        if state.get(start):
            continue
        stack = [(start, iter(graph.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph.get(child, ()))))
    return None


def dot_to_object(config: Dict[str, Any], dotted: str) -> Any:
    """``config["corpora"]["train"]`` for ``"corpora.train"``; KeyError names the missing part."""
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def suggest_path(dotted: str, config: Dict[str, Any]) -> str:
    """Suggest existing settings or sections for a dotted name that is not in ``config``:
    the keys of its section when that section exists, else the closest full names."""
    parts = dotted.split(".")
    try:
        parent = dot_to_object(config, ".".join(parts[:-1])) if len(parts) > 1 else config
    except KeyError:
        parent = None
    if isinstance(parent, dict):
        prefix = ".".join(parts[:-1]) + "." if len(parts) > 1 else ""
        keys = difflib.get_close_matches(parts[-1], [str(k) for k in parent], n=2, cutoff=0.6)
        return suggest(dotted, [prefix + k for k in keys], cutoff=0.0)
    names = [".".join(p) for p, _ in walk_settings(config)]
    names += [".".join(p) for p in _sections(config)]
    return suggest(dotted, names)


def suggest(name: str, options, n: int = 2, cutoff: float = 0.75) -> str:
    """``"; did you mean 'x'?"`` for the closest options, or ``""``."""
    matches = difflib.get_close_matches(str(name), [str(o) for o in options], n=n,
                                        cutoff=cutoff)
    if not matches:
        return ""
    return "; did you mean " + " or ".join(repr(m) for m in matches) + "?"


# ---------------------------------------------------------------------------------------------
# user code

def import_code(path: Optional[Union[str, Path]]) -> Optional[object]:
    """Import a Python file (``--code``) so its registered functions exist before the config is
    resolved. Returns the module (None when ``path`` is None). A missing file raises ConfigError
    E105, a file that fails to import E106 with the error and its line."""
    if path is None or str(path) == "":
        return None
    path = Path(path)
    if not path.is_file():
        raise ConfigError(Errors.E105.format(path=path))
    name = "fastpipe_user_code_" + re.sub(r"\W", "_", path.stem)
    spec = importlib.util.spec_from_file_location(name, str(path))
    if spec is None or spec.loader is None:
        raise ConfigError(Errors.E106.format(path=path, err="not a Python file"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(name, None)
        raise ConfigError(Errors.E106.format(
            path=path, err=f"SyntaxError at line {err.lineno}: {err.msg}")) from err
    except Exception as err:  # any error in user code is reported the same way
        sys.modules.pop(name, None)
        line = _user_line(err, path)
        raise ConfigError(Errors.E106.format(
            path=path, err=f"{type(err).__name__}{line}: {err}")) from err
    logger.info("Imported user code from %s", path)
    return module


def _user_line(err: BaseException, path: Path) -> str:
    tb = err.__traceback__
    line = ""
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = f" at line {tb.tb_lineno}"
        tb = tb.tb_next
    return line
