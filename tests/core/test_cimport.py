"""fastpipe's .pxd files are a public C API: an outside extension cimports Doc and walks its
TokenC array without the GIL, compiled at test time against the installed package."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fastpipe

EXTENSION = """
# cython: language_level=3
from fastpipe.tokens.doc cimport Doc
from fastpipe.structs cimport TokenC


def count_and_sum(Doc doc, int min_length):
    cdef const TokenC* tokens = doc.c
    cdef int n = doc.length
    cdef int i, long_tokens = 0
    cdef long long offsets = 0
    with nogil:
        for i in range(n):
            if tokens[i].lex.length >= min_length:
                long_tokens += 1
            offsets += tokens[i].idx + tokens[i].spacy
    return long_tokens, offsets
"""

SETUP = """
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

ext = Extension("walker", ["walker.pyx"], language="c++",
                include_dirs=[{include!r}, numpy.get_include()])
setup(name="walker", ext_modules=cythonize([ext], include_path=[{package_root!r}], quiet=True))
"""


@pytest.mark.slow
def test_external_extension_walks_doc_without_gil(tmp_path: Path, en):
    include = fastpipe.get_include()
    assert Path(include, "fastpipe", "structs.h").is_file()
    package_root = str(Path(fastpipe.__file__).parent.parent)
    (tmp_path / "walker.pyx").write_text(textwrap.dedent(EXTENSION))
    (tmp_path / "setup.py").write_text(SETUP.format(include=include, package_root=package_root))
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    sys.path.insert(0, str(tmp_path))
    try:
        import walker
    finally:
        sys.path.remove(str(tmp_path))
    doc = en.tokenizer("The external extension counts these tokens, quite reliably!")
    long_tokens, offsets = walker.count_and_sum(doc, 5)
    assert long_tokens == sum(1 for t in doc if len(t.text) >= 5)
    assert offsets == sum(t.idx + len(t.whitespace_) for t in doc)
