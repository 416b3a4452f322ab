"""How fastpipe ships.

- The metadata: a licence expression, every package fastpipe imports declared, and a numpy
  bound that is the API version setup.py compiles for.
- The sdist carries the sources (never generated C++), the tests, the examples and bin/; unpacked
  it builds, its wheel ships the .pxd files, the public headers, the type stubs and modules
  without debug information, and tests run from the unpacked tree.
- The .pyi stubs of the compiled classes agree with the modules (mypy's stubtest) and type a
  user's code as it runs (tests/data/typed_usage.py, checked by mypy and then run).
"""
import ast
import importlib.util
import re
import runpy
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python < 3.11: the same parser, as pip carries it
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))

#: The modules with stubs: the compiled classes and Example.
STUBBED = ["fastpipe.strings", "fastpipe.lexeme", "fastpipe.vocab", "fastpipe.tokens.doc",
           "fastpipe.tokens.span", "fastpipe.tokens.token", "fastpipe.tokenizer",
           "fastpipe.gold.example"]
#: What stubtest may find at runtime and not in the stubs: what Cython adds to every module,
#: and the names the modules import from fastpipe.attrs.
STUBTEST_ALLOWLIST = r"""
fastpipe\..*\.__test__
fastpipe\..*\.__reduce_cython__
fastpipe\..*\.__setstate_cython__
fastpipe\..*\.__pyx_capi__
fastpipe\.(lexeme|vocab|tokens\.doc)\.(FLAG_IDS|IDS|NAMES)
"""
#: Names a Cython file cimports that are Cython's own, not packages.
CYTHON_BUILTINS = {"libc", "libcpp", "cpython", "cython"}
#: Modules fastpipe imports only where they already run, never to be installed for it.
NOT_DEPENDENCIES = {"IPython"}   # displacy shows its pictures inside a running notebook
#: A few quick tests run from the unpacked sdist: the compiled core, the corpus format, and
#: converting the examples/ data the README uses.
SDIST_TESTS = ["tests/core/test_strings.py", "tests/core/test_vocab_lexeme.py",
               "tests/tokens/test_doc.py", "tests/tokens/test_span.py",
               "tests/tokens/test_docbin.py", "tests/cli/test_convert.py"]


def _requirement_names(requirements):
    return {re.match(r"[A-Za-z0-9_.\-]+", r).group(0).lower().replace("_", "-")
            for r in requirements}


def _imported_top_level_names():
    names = set()
    for path in (ROOT / "fastpipe").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    pattern = re.compile(r"^\s*(?:from\s+(\w+)[\w.]*\s+c?import\s|c?import\s+(\w+))", re.M)
    for path in list((ROOT / "fastpipe").rglob("*.pyx")) + list((ROOT / "fastpipe").rglob("*.pxd")):
        for match in pattern.finditer(path.read_text(encoding="utf8")):
            name = match.group(1) or match.group(2)
            # a docstring line may start with "import": keep only names that are modules
            if name in CYTHON_BUILTINS or importlib.util.find_spec(name) is not None:
                names.add(name)
    return names


def test_every_imported_package_is_declared():
    from importlib.metadata import packages_distributions

    project = PYPROJECT["project"]
    declared = _requirement_names(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared |= _requirement_names(extra)
    distributions = packages_distributions()
    third_party = (_imported_top_level_names() - set(sys.stdlib_module_names) - CYTHON_BUILTINS
                   - NOT_DEPENDENCIES)
    third_party.discard("fastpipe")
    assert "numpy" in third_party and "catalogue" in third_party  # the scan finds imports
    undeclared = sorted(name for name in third_party
                        if not {d.lower().replace("_", "-") for d in distributions.get(name, [name])}
                        & declared)
    assert not undeclared, f"imported by fastpipe but not in pyproject.toml's dependencies: {undeclared}"


def test_metadata_licence_and_numpy_bound():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    # with a licence expression, licence classifiers are an error (PEP 639)
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert "Typing :: Typed" in project["classifiers"]
    (setuptools_req,) = [r for r in PYPROJECT["build-system"]["requires"]
                         if r.startswith("setuptools")]
    assert setuptools_req == "setuptools>=77", "PEP 639 licence expressions need setuptools 77"
    target = re.search(r'NUMPY_TARGET = "NPY_(\d+)_(\d+)_API_VERSION"',
                       (ROOT / "setup.py").read_text(encoding="utf8"))
    (numpy_req,) = [r for r in project["dependencies"] if r.startswith("numpy")]
    assert numpy_req.startswith(f"numpy>={target.group(1)}.{target.group(2)}.0,"), (
        f"{numpy_req!r} must start at the numpy API setup.py compiles for ({target.group(0)})")


def _pins():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_constraints_pin_every_requirement_within_its_range():
    """constraints.txt pins every package pyproject.toml and requirements-dev.txt name, each
    at a version their ranges admit (else `bin/test` fails to resolve, or tests versions a user
    never gets)."""
    from packaging.requirements import Requirement

    project = PYPROJECT["project"]
    dev = [line.split("#", 1)[0].strip()
           for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf8").splitlines()]
    requirements = [Requirement(r) for r in (
        project["dependencies"] + PYPROJECT["build-system"]["requires"] + [r for r in dev if r]
        + [r for extra in project["optional-dependencies"].values() for r in extra])]
    pins = _pins()
    assert "thinc" in pins and "blis" in pins  # what trained models depend on
    unpinned = sorted({r.name.lower() for r in requirements} - set(pins))
    assert not unpinned, f"named as requirements but not pinned in constraints.txt: {unpinned}"
    outside = [f"{r} (pinned {pins[r.name.lower()]})" for r in requirements
               if not r.specifier.contains(pins[r.name.lower()], prereleases=True)]
    assert not outside, f"constraints.txt pins outside a requirement's range: {outside}"
    assert "-c constraints.txt" in (ROOT / "bin" / "test").read_text(encoding="utf8")


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def _has_debug_info(path):
    """Whether an ELF file has DWARF sections (readelf comes with the compiler's binutils)."""
    return ".debug_info" in _run(["readelf", "-S", "-W", str(path)])


@pytest.mark.slow
def test_sdist_unpacks_builds_and_passes_tests(tmp_path):
    _run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir",
          str(tmp_path / "sdist"), str(ROOT)])
    (sdist,) = (tmp_path / "sdist").glob("fastpipe-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(tmp_path, **safe)
    for required in ("fastpipe/tokens/doc.pyx", "fastpipe/tokens/doc.pxd", "fastpipe/py.typed",
                     "fastpipe/tokens/doc.pyi", "include/fastpipe/structs.h", "tests/conftest.py",
                     "tests/core/test_strings.py", "tests/data/spacy_ewt.spacy",
                     "examples/tagger.cfg", "examples/data/en_ewt-train-sample.conllu",
                     "bin/wheel_smoke.py", "requirements-dev.txt", "constraints.txt", "LICENSE"):
        assert required in names, f"{required} missing from the sdist"
    assert not [n for n in names if n.endswith((".cpp", ".so", ".pyd", ".pyc"))], "built files in the sdist"

    # Build the unpacked tree once: its wheel, whose modules (left in build/) are also
    # copied into the tree, as `setup.py build_ext --inplace` would place them.
    unpacked = tmp_path / sdist.name[: -len(".tar.gz")]
    _run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
          "--disable-pip-version-check", "-w", str(tmp_path / "wheel"), "."], cwd=unpacked)
    (wheel,) = (tmp_path / "wheel").glob("fastpipe-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = set(zf.namelist())
    for required in ("fastpipe/structs.pxd", "fastpipe/tokens/doc.pxd", "fastpipe/strings.pxd",
                     "fastpipe/include/fastpipe/structs.h", "fastpipe/py.typed",
                     "fastpipe/tokens/doc.pyi", "fastpipe/gold/example.pyi"):
        assert required in in_wheel, f"{required} missing from the wheel"
    assert not [n for n in in_wheel if n.startswith(("tests/", "examples/"))]
    (build_lib,) = (unpacked / "build").glob("lib.*")
    modules = list(build_lib.rglob("*.so")) + list(build_lib.rglob("*.pyd"))
    assert {f"fastpipe/{m.relative_to(build_lib / 'fastpipe').as_posix()}" for m in modules} <= in_wheel
    assert any(m.name.startswith("tokenizer.") for m in modules)
    if sys.platform.startswith("linux"):
        assert not [m.name for m in modules if _has_debug_info(m)], "debug information in the modules"
    for module in modules:
        shutil.copy2(module, unpacked / module.relative_to(build_lib))

    where = _run([sys.executable, "-c", "import fastpipe; print(fastpipe.__file__)"], cwd=unpacked)
    assert Path(where.strip()).resolve().is_relative_to(unpacked.resolve()), where
    out = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SDIST_TESTS],
               cwd=unpacked)
    assert re.search(r"\d+ passed", out) and "failed" not in out, out[-2000:]


def _mypy_config(tmp_path):
    # Only the files given are checked: fastpipe's own modules are followed for their types.
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nfollow_imports = silent\ncache_dir = {tmp_path / 'cache'}\n")
    return config


@pytest.mark.slow
def test_stubs_match_the_compiled_modules(tmp_path):
    allowlist = tmp_path / "allowlist.txt"
    allowlist.write_text(STUBTEST_ALLOWLIST)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--concise", "--mypy-config-file",
         str(_mypy_config(tmp_path)), "--allowlist", str(allowlist), *STUBBED],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, ("the .pyi stubs differ from the modules; update them:\n"
                                  + proc.stdout[-3000:] + proc.stderr[-2000:])


@pytest.mark.slow
def test_typed_usage_passes_mypy_and_runs(tmp_path):
    sample = ROOT / "tests" / "data" / "typed_usage.py"
    stubs = [str(ROOT / (name.replace(".", "/") + ".pyi")) for name in STUBBED]
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(_mypy_config(tmp_path)), str(sample),
         *stubs],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    runpy.run_path(str(sample), run_name="__main__")


def test_shell_completion_as_the_readme_gives_it():
    # Click's completion: the script `_FASTPIPE_COMPLETE=bash_source fastpipe` prints, then the
    # answers it asks for (a command name, an option of that command).
    app = "from fastpipe.cli import app; app(prog_name='fastpipe')"
    env = {"PATH": "", "PYTHONPATH": str(ROOT)}
    script = _run([sys.executable, "-c", app], env={**env, "_FASTPIPE_COMPLETE": "bash_source"})
    assert "_fastpipe_completion()" in script and "complete " in script
    for words, cword, expected in (("fastpipe tra", 1, "plain,train"),
                                   ("fastpipe train --outp", 2, "plain,--output")):
        answer = _run([sys.executable, "-c", app],
                      env={**env, "_FASTPIPE_COMPLETE": "bash_complete", "COMP_WORDS": words,
                           "COMP_CWORD": str(cword)})
        assert answer.split() == [expected], answer
