"""The transition systems' C API as the parser model uses it: an outside extension cimports the
state and the systems, and drives a batch of states without the GIL."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fastpipe
from fastpipe.pipeline._parser_internals.arc_eager import ArcEager
from fastpipe.pipeline._parser_internals.ner import BiluoPushDown

from parser_helpers import check_forest, SAMPLE, read_examples

EXTENSION = """
# cython: language_level=3
from libcpp.vector cimport vector
from fastpipe.tokens.doc cimport Doc
from fastpipe.pipeline._parser_internals._state cimport StateC, GoldC
from fastpipe.pipeline._parser_internals.transition_system cimport TransitionSystem, Gold


def greedy(TransitionSystem moves, docs, golds, int n_feats):
    '''Parse every Doc, taking the last valid move, and sum features and oracle costs.'''
    cdef vector[StateC*] states
    cdef vector[const GoldC*] gold_ptrs
    cdef Doc doc
    cdef Gold gold
    for doc, gold in zip(docs, golds):
        states.push_back(moves.new_state(doc))
        gold_ptrs.push_back(&gold.c)
    cdef int n_moves = moves.n_moves
    cdef vector[int] is_valid = vector[int](n_moves)
    cdef vector[float] costs = vector[float](n_moves)
    cdef vector[int] ids = vector[int](n_feats)
    cdef long n_steps = 0
    cdef double total_cost = 0
    cdef int i, m, k
    cdef long bad_features = 0
    with nogil:
        for k in range(<int>states.size()):
            while not moves.is_final(states[k]):
                states[k].set_context_tokens(ids.data(), n_feats)
                for i in range(n_feats):
                    if ids[i] < -1 or ids[i] >= states[k].length:
                        bad_features += 1
                moves.set_costs(is_valid.data(), costs.data(), states[k], gold_ptrs[k])
                m = -1
                for i in range(n_moves):
                    if is_valid[i]:
                        m = i
                total_cost += costs[m]
                moves.apply(states[k], m)
                n_steps += 1
    for k, doc in enumerate(docs):
        moves.set_annotations_c(states[k], doc)
        del states[k]
    return n_steps, total_cost, bad_features
"""

SETUP = """
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

ext = Extension("greedy_walker", ["greedy_walker.pyx"], language="c++",
                include_dirs=[{include!r}, numpy.get_include()])
setup(name="greedy_walker", ext_modules=cythonize([ext], include_path=[{package_root!r}],
                                                  quiet=True))
"""


@pytest.mark.slow
def test_outside_extension_drives_states_without_gil(tmp_path, en):
    include = fastpipe.get_include()
    assert Path(include, "fastpipe", "parser_state.h").is_file()
    package_root = str(Path(fastpipe.__file__).parent.parent)
    (tmp_path / "greedy_walker.pyx").write_text(textwrap.dedent(EXTENSION))
    (tmp_path / "setup.py").write_text(SETUP.format(include=include, package_root=package_root))
    proc = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=tmp_path,
                          capture_output=True, text=True, env=dict(os.environ))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    sys.path.insert(0, str(tmp_path))
    try:
        import greedy_walker
    finally:
        sys.path.remove(str(tmp_path))
    examples = read_examples(en.vocab, SAMPLE)
    parser = ArcEager(en.vocab)
    parser.initialize(examples)
    docs = [eg.predicted for eg in examples]
    golds = [parser.init_gold(eg) for eg in examples]
    n_steps, total_cost, bad = greedy_walker.greedy(parser, docs, golds, parser.n_feats)
    assert n_steps == 2 * sum(len(d) for d in docs) and bad == 0
    assert total_cost > 0
    for doc in docs:
        check_forest(doc)
    ner = BiluoPushDown(en.vocab)
    ner.initialize(examples)
    golds = [ner.init_gold(eg) for eg in examples]
    n_steps, _, bad = greedy_walker.greedy(ner, docs, golds, ner.n_feats)
    assert n_steps == sum(len(d) for d in docs) and bad == 0
    assert all(t.ent_iob_ in ("B", "I", "O") for d in docs for t in d)
