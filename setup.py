"""Build fastpipe's compiled core.

Every Cython extension is listed here by hand: adding a module means adding a line to
MOD_NAMES. The Python packages are found (every folder of fastpipe/ with an ``__init__.py``).
The public C headers live in ``include/`` at the top of the repository; they are
copied into ``fastpipe/include/`` at build time so that wheels ship them and
``fastpipe.get_include()`` finds them in an installed package.
"""
import os
import shutil
import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent.resolve()

MOD_NAMES = [
    "fastpipe.attrs",
    "fastpipe.strings",
    "fastpipe.lexeme",
    "fastpipe.vocab",
    "fastpipe._floret",
    "fastpipe.tokenizer",
    "fastpipe.tokens.doc",
    "fastpipe.tokens.token",
    "fastpipe.tokens.span",
    "fastpipe.gold.alignment",
    "fastpipe.gold._nonproj",
    "fastpipe.gold._example",
    "fastpipe.pipeline._annotate",
    "fastpipe.pipeline._parser_steps",
    "fastpipe.pipeline._edit_tree",
    "fastpipe.ml._features",
    "fastpipe.ml._kernels",
    "fastpipe.ml._lstm",
    "fastpipe.ml._parser_kernels",
    "fastpipe.ml._optim",
    "fastpipe.pipeline._parser_internals.stateclass",
    "fastpipe.pipeline._parser_internals.transition_system",
    "fastpipe.pipeline._parser_internals.arc_eager",
    "fastpipe.pipeline._parser_internals.ner",
    "fastpipe.pipeline._parser_internals.beam",
]

# -g0 overrides the -g of Python's own CFLAGS: with it the modules were 27.4 MB, mostly debug
# information (4.8 MB without), and compiling took 40% longer (doc.cpp: 15.9 s -> 9.3 s). The
# symbol table stays, so profilers still name the functions. MSVC keeps debug information out
# of a .pyd unless asked.
COMPILE_ARGS = ["-O3", "-g0", "-fno-math-errno", "-Wno-unused-function",
                "-Wno-deprecated-declarations"]
if sys.platform == "win32":
    COMPILE_ARGS = ["/O2"]
# Compiled against numpy 2 headers, the modules run on every numpy from this API on (1.x
# included); pinned here so that a newer numpy at build time cannot raise it silently. The
# runtime bound in pyproject.toml ("numpy>=1.23") is this version.
NUMPY_TARGET = "NPY_1_23_API_VERSION"

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "embedsignature": True,
}


def copy_headers():
    """Mirror include/ into the package so that it travels inside wheels."""
    src = ROOT / "include"
    dst = ROOT / "fastpipe" / "include"
    if not src.exists():  # building from an unpacked wheel-like tree: headers already inside
        return
    for path in src.rglob("*.h"):
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != path.read_bytes():
            shutil.copyfile(path, target)


def extensions():
    include_dirs = [numpy.get_include(), str(ROOT / "include")]
    exts = []
    for name in MOD_NAMES:
        source = os.path.join(*name.split(".")) + ".pyx"
        exts.append(
            Extension(
                name,
                [source],
                language="c++",
                include_dirs=include_dirs,
                extra_compile_args=COMPILE_ARGS,
                define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
                               ("NPY_TARGET_VERSION", NUMPY_TARGET)],
            )
        )
    return cythonize(
        exts,
        compiler_directives=COMPILER_DIRECTIVES,
        include_path=[str(ROOT)],
        nthreads=0,
    )


class ParallelBuildExt(build_ext):
    """Compile extensions on every core unless -j says otherwise."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1


copy_headers()

setup(
    packages=find_packages(include=["fastpipe", "fastpipe.*"]),
    package_data={"": ["*.pxd", "*.pyx", "*.pyi", "py.typed", "*.cfg", "include/fastpipe/*.h"]},
    include_package_data=True,
    ext_modules=extensions(),
    cmdclass={"build_ext": ParallelBuildExt},
    zip_safe=False,
)
