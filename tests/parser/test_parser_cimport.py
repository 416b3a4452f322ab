"""The transition systems' C API as the parser model uses it: an outside extension cimports the
state and the systems, and drives a batch of states without the GIL."""
from pathlib import Path

import pytest

import fastpipe
from fastpipe.pipeline._parser_internals.arc_eager import ArcEager
from fastpipe.pipeline._parser_internals.ner import BiluoPushDown
from tests.helpers.data import EWT_DEV_SAMPLE, conllu_examples
from tests.helpers.extensions import build_extension
from tests.parser.parser_helpers import check_forest

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


@pytest.mark.slow
def test_outside_extension_drives_states_without_gil(tmp_path, en):
    assert Path(fastpipe.get_include(), "fastpipe", "parser_state.h").is_file()
    greedy_walker = build_extension(tmp_path, "greedy_walker", EXTENSION)
    examples = conllu_examples(en.vocab, EWT_DEV_SAMPLE)
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
