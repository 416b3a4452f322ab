"""fastpipe.errors: the codes of every room in one ``Errors``, each code defined once, and every
code the source raises defined."""
import ast
import re
from pathlib import Path

import fastpipe.errors as errors_package
from fastpipe.errors import Errors, Warnings

PACKAGE = Path(errors_package.__file__).resolve().parent
SOURCE = PACKAGE.parent
CODE = re.compile(r"^[EW]\d{3}$")


def assigned_codes(path: Path) -> list:
    """(class name, code) of every code assignment in a module, repeats included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign):
                    found += [(node.name, t.id) for t in stmt.targets
                              if isinstance(t, ast.Name) and CODE.match(t.id)]
    return found


def test_each_code_is_defined_once_across_the_rooms():
    found = [pair for path in sorted(PACKAGE.glob("*.py")) for pair in assigned_codes(path)]
    codes = [code for _, code in found]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    assert not repeated, f"defined more than once: {repeated}"
    rooms = {cls for cls, code in found if code.startswith("E")}
    # every room class is a base of Errors, so each of its codes is an Errors code
    assert rooms == {base.__name__ for base in Errors.__mro__[1:-1]}
    assert len([c for c in codes if c.startswith("E")]) > 350


def test_codes_render_with_their_code_and_rooms_do_not():
    assert Errors.E001.startswith("[E001] Unknown string key")
    assert Errors.E870.startswith("[E870] ")   # the last room (ml) in the composition's order
    assert Warnings.W030.startswith("[W030] ")
    assert not Errors.__mro__[1].E001.startswith("[")


def test_every_code_the_source_raises_is_defined():
    used = set()
    for path in SOURCE.rglob("*"):
        if path.suffix in (".py", ".pyx") and PACKAGE not in path.parents:
            used |= {(m.group(1), m.group(2)) for m in
                     re.finditer(r"\b(Errors|Warnings)\.([EW]\d{3})\b",
                                 path.read_text(encoding="utf8"))}
    assert len(used) > 350
    missing = sorted(f"{cls}.{code}" for cls, code in used
                     if not hasattr(Errors if cls == "Errors" else Warnings, code))
    assert not missing, missing
