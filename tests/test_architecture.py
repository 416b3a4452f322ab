"""The house's shape (ARCHITECTURE.md, with the README's departures): no import circle among
fastpipe's modules, function-local imports included, and every import points down the rooms.

Imports are read from the source: ``ast`` for ``.py``; for ``.pyx`` the Python-level
``import``/``from ... import`` lines (``cimport`` is compile-time and checked by the build)."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "fastpipe"

#: The rooms, deepest first: a module may import its own room and the rooms before it.
ROOMS = [
    ("foundation", ["about", "errors", "defaults", "util", "attrs", "typedefs", "structs"]),
    ("registry", ["registry"]),
    ("config", ["config", "config_schema"]),
    ("core", ["strings", "lexeme", "_floret", "vectors", "vocab", "lang", "regex_check", "tokenizer", "tokens"]),
    ("training data", ["gold"]),
    ("transition system", ["pipeline._parser_internals"]),
    ("ml", ["ml"]),
    ("scorer", ["scorer"]),
    ("pictures", ["displacy"]),  # draws Docs; the cli's evaluate uses it
    ("pipeline", ["pipeline"]),
    ("init settings", ["init_settings"]),
    ("language", ["language"]),
    # each language package under fastpipe/lang (its tables, Defaults and Language subclass:
    # fastpipe.lang.en.English, as spaCy users import it) sits on fastpipe.language, which
    # finds the packages by name; the table modules beside them (lang.base, lang.generic...)
    # stay in the core
    ("language packages", [f"lang.{p.parent.name}" for p in sorted(PACKAGE.glob("lang/*/__init__.py"))]),
    ("package", [""]),  # fastpipe/__init__.py: imports language, tokens, registry lazily
    ("training", ["training"]),
    ("aliases", ["aliases"]),
    ("distributed", ["parallel"]),
    ("cli", ["cli", "__main__"]),
]


_PYX_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(.+)$")
_PYX_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w.]+)")


def _pyx_lines(text: str):
    """(line number, statement) with a parenthesized import joined onto one line."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, line = i + 1, lines[i].split("#")[0]
        while line.count("(") > line.count(")") and i + 1 < len(lines):
            i += 1
            line += " " + lines[i].split("#")[0]
        yield start, line
        i += 1


def _modules():
    mods = {}
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in (".py", ".pyx") or "include" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _absolute(module: str, level: int, target: str) -> str:
    if not level:
        return target
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - level + 1]
    return ".".join(base + ([target] if target else []))


def _imports(module: str):
    """(imported module, line) for every import of a fastpipe module in ``module``."""
    path = MODULES[module]
    text = path.read_text(encoding="utf8")
    found = []
    if path.suffix == ".py":
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(a.name, node.lineno) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node.level, node.module or "")
                found += [(f"{base}.{a.name}", node.lineno) for a in node.names]
                found.append((base, node.lineno))
    else:
        for line, statement in _pyx_lines(text):
            if "cimport" in statement:
                continue
            match = _PYX_IMPORT.match(statement)
            if match:
                found.append((match.group(1), line))
                continue
            match = _PYX_FROM.match(statement)
            if match:
                level = len(match.group(1)) - len(match.group(1).lstrip("."))
                base = _absolute(module, level, match.group(1).lstrip("."))
                names = [n.split(" as ")[0].strip(" ()") for n in match.group(2).split(",")]
                found += [(f"{base}.{n}", line) for n in names if n] + [(base, line)]
    out = set()
    for name, line in found:
        # a package importing its own children, or a child naming its package, is no arrow
        # (except for fastpipe itself, whose __init__ is a room of its own)
        family = module != "fastpipe" and name.startswith(module + ".") or \
            name != "fastpipe" and module.startswith(name + ".")
        if name in MODULES and name != module and not family:
            out.add((name, line))
    return out


GRAPH = {m: _imports(m) for m in MODULES}


def _room(module: str) -> int:
    name = module[len("fastpipe."):] if module.startswith("fastpipe.") else ""
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(ROOMS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".") or prefix == "" == name) \
                    and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    assert best is not None, f"{module} belongs to no room: add it to ROOMS"
    return best


def _cycles(graph):
    """Tarjan's strongly connected components with more than one module."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w, _ in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return result


def test_the_reader_sees_imports_of_both_kinds_of_file():
    assert any(m == "fastpipe.training.step" for m, _ in GRAPH["fastpipe.training.loop"])
    assert any(m == "fastpipe.attrs" for m, _ in GRAPH["fastpipe.tokens.doc"])  # a .pyx
    assert any(m == "fastpipe.errors" for m, _ in GRAPH["fastpipe.tokens.doc"])  # a .pyx
    assert any(m == "fastpipe.language" for m, _ in GRAPH["fastpipe"])  # a function-local one


def test_language_packages_sit_above_language():
    rooms = dict((name, i) for i, (name, _) in enumerate(ROOMS))
    assert _room("fastpipe.lang.en") == _room("fastpipe.lang.xx") == rooms["language packages"]
    assert _room("fastpipe.lang.generic") == _room("fastpipe.lang") == rooms["core"]
    assert not any(m.startswith("fastpipe.lang.") and m.split(".")[2] in ("en", "xx")
                   for m, _ in GRAPH["fastpipe.language"])


def test_no_import_circle():
    assert _cycles(GRAPH) == []


def test_a_circle_would_be_found():
    graph = {"a": {("b", 1)}, "b": {("c", 1)}, "c": {("a", 1)}, "d": {("a", 1)}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_rooms(module):
    mine = _room(module)
    upward = [f"{module}:{line} imports {target} ({ROOMS[_room(target)][0]}, above "
              f"{ROOMS[mine][0]})"
              for target, line in sorted(GRAPH[module]) if _room(target) > mine]
    assert not upward, "\n".join(upward)
