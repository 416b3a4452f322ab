"""fastpipe's .pxd files are a public C API: an outside extension cimports Doc and walks its
TokenC array without the GIL, compiled at test time against the installed package."""
from pathlib import Path

import pytest

import fastpipe
from tests.helpers.extensions import build_extension

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


@pytest.mark.slow
def test_external_extension_walks_doc_without_gil(tmp_path: Path, en):
    assert Path(fastpipe.get_include(), "fastpipe", "structs.h").is_file()
    walker = build_extension(tmp_path, "walker", EXTENSION)
    doc = en.tokenizer("The external extension counts these tokens, quite reliably!")
    long_tokens, offsets = walker.count_and_sum(doc, 5)
    assert long_tokens == sum(1 for t in doc if len(t.text) >= 5)
    assert offsets == sum(t.idx + len(t.whitespace_) for t in doc)
