"""Compiling an outside Cython extension against fastpipe's public C API (its .pxd files and
``fastpipe.get_include()``), the way another package would, and importing the result."""
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SETUP = """
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

ext = Extension({name!r}, [{name!r} + ".pyx"], language="c++",
                include_dirs=[{include!r}, numpy.get_include()])
setup(name={name!r}, ext_modules=cythonize([ext], include_path=[{package_root!r}], quiet=True))
"""


def build_extension(folder: Path, name: str, source: str):
    """Write ``name.pyx`` (``source``) and a setup.py in ``folder``, build it in place with the
    running Python and return the imported module (loaded from its file: sys.path is left
    alone)."""
    import fastpipe

    folder = Path(folder)
    include = fastpipe.get_include()
    package_root = str(Path(fastpipe.__file__).parent.parent)
    (folder / f"{name}.pyx").write_text(textwrap.dedent(source), encoding="utf8")
    (folder / "setup.py").write_text(
        SETUP.format(name=name, include=include, package_root=package_root), encoding="utf8")
    proc = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=folder,
                          capture_output=True, text=True, env=dict(os.environ))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    built = [p for p in folder.glob(f"{name}.*") if p.suffix in (".so", ".pyd")]
    assert len(built) == 1, built
    spec = importlib.util.spec_from_file_location(name, built[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
