"""Arc-eager moves and their dynamic oracle: exact on gold paths and from any reachable state."""
import pytest

from fastpipe.gold.nonproj import deprojectivize, projectivize
from fastpipe.pipeline._parser_internals.arc_eager import ArcEager
from fastpipe.tokens.doc import Doc
from fastpipe.gold.example import Example

from tests.helpers.data import EWT_DEV_SAMPLE as SAMPLE
from tests.helpers.data import conllu_examples as read_examples
from tests.parser.parser_helpers import (apply_and_score, best_future_parse, check_forest, fresh,
                                         random_parse_example, random_walk, seeded, treebanks)


@pytest.fixture(scope="module")
def vocab(en):
    return en.vocab


def gold_lists(gold, labels):
    """Gold heads (None = root, -1 = missing) and labels (None = any) for the brute force."""
    heads = gold.heads
    return heads, [None if h == -1 else lab for h, lab in zip(heads, labels)]


def oracle_parse(moves, example):
    state = moves.init_state(example.predicted)
    gold = moves.init_gold(example)
    n_steps = moves.follow_oracle([state], [gold])
    assert moves.is_final_state(state)
    assert n_steps == 2 * len(example.predicted)
    return state


def test_hand_written_tree(vocab):
    words = ["She", "ate", "the", "cake", "with", "a", "fork", ".", "Good", "!"]
    heads = [1, 1, 3, 1, 6, 6, 1, 1, 8, 8]
    deps = ["nsubj", "root", "det", "obj", "case", "det", "obl", "punct", "root", "punct"]
    ref = Doc(vocab, words=words, heads=heads, deps=deps)
    eg = Example(Doc(vocab, words=words), ref, id="hand")
    moves = ArcEager(vocab)
    moves.initialize([eg])
    assert moves.root_labels == ("root",)
    assert moves.move_name(0) == "S" and moves.move_name(1) == "D"
    # S, D, LEFT and RIGHT of each label, and one BREAK for the root label
    assert moves.n_moves == 2 + 2 * len(set(deps)) + 1
    state = moves.init_state(eg.predicted)
    gold = moves.init_gold(eg)
    names = []
    while not moves.is_final_state(state):
        m = moves.oracle(state, gold)
        names.append(moves.move_name(m))
        moves.apply_move(state, m)
    assert names == ["S", "L-nsubj", "S", "S", "L-det", "R-obj", "S", "S", "L-det", "L-case",
                     "D", "R-obl", "D", "R-punct", "D", "B-root", "S", "R-punct", "D", "L-root"]
    moves.set_annotations(state)
    doc = eg.predicted
    assert [t.head.i for t in doc] == heads
    assert [t.dep_ for t in doc] == deps
    assert [s.text for s in doc.sents] == ["She ate the cake with a fork .", "Good !"]
    check_forest(doc)


SLOTS = ["S0", "S1", "B0", "B1", "S0L1", "S0R1", "B0L1", "S2", "B2", "S0L2", "S0R2", "S1L1", "S1R1"]


def test_feature_tokens(vocab):
    words = "a b c d e f".split()
    moves = ArcEager(vocab, labels=["x", "root"])
    state = moves.init_state(Doc(vocab, words=words))

    def slots(n=None):
        return dict(zip(SLOTS, state.context(n) if n else state.context()))

    assert slots() == {**{name: -1 for name in SLOTS}, "B0": 0, "B1": 1, "B2": 2}
    for name in ["S", "S", "L-x", "L-x", "S", "R-x", "R-x"]:   # c <- a, b ; c -> d ; d -> e
        moves.apply_move(state, name)
    # stack: c d e, buffer: f
    assert state.stack == [2, 3, 4]
    ctx = slots()
    assert [ctx[k] for k in ("S0", "S1", "S2", "B0", "B1", "B2")] == [4, 3, 2, 5, -1, -1]
    assert [ctx[k] for k in ("S0L1", "S0L2", "S0R1", "S0R2")] == [-1, -1, -1, -1]  # e: no children
    assert [ctx[k] for k in ("S1L1", "S1R1", "B0L1")] == [-1, 4, -1]    # S1 = d: rightmost child e
    assert state.context(3) == [4, 3, 5]    # a model reading 3 slots gets S0, S1, B0
    moves.apply_move(state, "D")
    moves.apply_move(state, "D")
    # S0 = c with left children a, b (leftmost a, second b) and right child d
    ctx = slots()
    assert [ctx[k] for k in ("S0L1", "S0L2", "S0R1", "S0R2")] == [0, 1, 3, -1]


@pytest.mark.parametrize("path", treebanks())
def test_oracle_reproduces_treebank(vocab, path):
    examples = read_examples(vocab, path, n_sents=10)
    moves = ArcEager(vocab)
    moves.initialize(examples)
    n_trees = n_nonproj = 0
    for eg in examples:
        ref = eg.reference
        proj_heads, proj_deps = eg.get_aligned_parse(projectivize=True)
        state = oracle_parse(moves, eg)
        # the oracle's tree is the projectivized gold exactly, roots included
        assert [h if h is not None else i for i, h in enumerate(state.heads)] == proj_heads
        assert state.labels == proj_deps
        moves.set_annotations(state)
        doc = eg.predicted
        gold_heads = [t.head.i for t in ref]
        gold_deps = [t.dep_ for t in ref]
        if proj_heads != gold_heads:
            n_nonproj += 1
        # deprojectivized output == gold wherever the pseudo-projective round trip is exact
        if deprojectivize(*projectivize(gold_heads, gold_deps)) == (gold_heads, gold_deps):
            assert [t.head.i for t in doc] == gold_heads, eg.id
            assert [t.dep_ for t in doc] == gold_deps, eg.id
        assert [t.is_sent_start for t in doc] == [t.is_sent_start for t in ref], eg.id
        check_forest(doc)
        n_trees += 1
    assert n_trees == len(examples) and n_nonproj >= 1


def test_oracle_is_exact_from_any_reachable_state(vocab):
    """cost(move) == errors it commits + best reachable after - best reachable before, from
    states reached by random valid moves, on random projective multi-sentence trees with
    missing heads and labels the system does not know. (Joining fragments at a BREAK is a
    repair the costs do not model; it is checked in test_sentence_boundaries.)"""
    rng = seeded(0)
    moves = ArcEager(vocab)
    moves.join_fragments = False
    for label in ("a", "b"):
        moves.add_label(label)
    moves.add_label("root", root=True)
    n_checked = 0
    for trial in range(150):
        eg = random_parse_example(vocab, rng, max_sents=2, max_len=5,
                                  p_missing=0.15 if trial % 2 else 0.0, unknown_label="zzz")
        gold = moves.init_gold(eg)
        _, deps = eg.get_aligned_parse()
        gold_heads, gold_labels = gold_lists(gold, [d if d != "zzz" else None for d in deps])
        memo = {}
        state = moves.init_state(eg.predicted)
        random_walk(moves, state, rng, n_steps=rng.randint(0, 2 * len(eg.predicted)))
        while not moves.is_final_state(state):
            before = best_future_parse(moves, state, gold_heads, gold_labels, memo)
            is_valid, costs = moves.get_costs(state, gold)
            assert sorted(moves.valid_moves(state)) == [i for i, v in enumerate(is_valid) if v]
            for m in moves.valid_moves(state):
                err, nxt = apply_and_score(moves, state, m, gold_heads, gold_labels)
                after = best_future_parse(moves, nxt, gold_heads, gold_labels, memo)
                # passing a gold sentence start that could be closed costs one more
                missed = (moves.move_name(m) == "S" and state.b0 in gold.sent_starts
                          and any(moves.move_name(v).startswith("B-")
                                  for v in moves.valid_moves(state)))
                assert costs[m] == err + after - before + missed, (moves.move_name(m), state,
                                                                   gold.heads)
                n_checked += 1
            assert min(costs[m] for m in moves.valid_moves(state)) == 0
            moves.apply_move(state, moves.oracle(state, gold))
    assert n_checked > 1000


def test_oracle_from_the_start_is_exact_on_random_trees(vocab):
    rng = seeded(1)
    moves = ArcEager(vocab, labels=["a", "b", "c"])
    moves.add_label("root", root=True)
    for _ in range(300):
        eg = random_parse_example(vocab, rng, labels=("a", "b", "c"), max_sents=4, max_len=12)
        state = oracle_parse(moves, eg)
        moves.set_annotations(state)
        assert [t.head.i for t in eg.predicted] == [t.head.i for t in eg.reference]
        assert [t.dep_ for t in eg.predicted] == [t.dep_ for t in eg.reference]
        assert [t.is_sent_start for t in eg.predicted] == [t.is_sent_start for t in eg.reference]


def test_missing_heads_cost_nothing(vocab):
    words = "a b c d".split()
    ref = Doc(vocab, words=words, heads=[1, 1, None, None], deps=["x", "root", None, None])
    eg = Example(Doc(vocab, words=words), ref)
    moves = ArcEager(vocab, labels=["x"])
    moves.add_label("root", root=True)
    gold = moves.init_gold(eg)
    assert gold.heads == [1, None, -1, -1]
    state = moves.init_state(eg.predicted)
    for name in ["S", "L-x", "S", "R-x"]:   # b -> c is free: c's head is missing
        is_valid, costs = moves.get_costs(state, gold)
        assert costs[moves.move_id(name)] == 0, name
        moves.apply_move(state, name)
    moves.follow_oracle([state], [gold])
    assert state.heads[:2] == [1, None]


def test_different_tokenization_and_unknown_labels(vocab):
    ref_words = ["I", "do", "n't", "know", "."]
    ref = Doc(vocab, words=ref_words, spaces=[True, False, True, False, False],
              heads=[3, 3, 3, 3, 3], deps=["nsubj", "aux", "advmod", "root", "punct"])
    pred = Doc(vocab, words=["I", "don't", "know", "."], spaces=[True, True, False, False])
    eg = Example(pred, ref, id="tok")
    moves = ArcEager(vocab, labels=["nsubj"])      # most gold labels unknown
    moves.add_label("root", root=True)
    state = moves.init_state(pred)
    gold = moves.init_gold(eg)
    moves.follow_oracle([state], [gold])
    moves.set_annotations(state)
    check_forest(pred)
    assert pred[0].head.i == 2 and pred[0].dep_ == "nsubj"


def test_bad_gold_names_the_example(vocab):
    class Cyclic:
        id = "broken-17"
        predicted = Doc(vocab, words=["a", "b", "c"])

        def get_aligned_parse(self, projectivize=True):
            return [1, 2, 0], ["x", "x", "x"]

    class Outside(Cyclic):
        def get_aligned_parse(self, projectivize=True):
            return [1, 7, 1], ["x", "root", "x"]

    moves = ArcEager(vocab, labels=["x"])
    with pytest.raises(ValueError, match="broken-17.*cycle"):
        moves.init_gold(Cyclic())
    with pytest.raises(ValueError, match="broken-17.*outside"):
        moves.init_gold(Outside())


def test_min_freq_and_serialization(vocab):
    examples = read_examples(vocab, SAMPLE, n_sents=10)
    counts = ArcEager(vocab).get_actions(examples)
    rare = [label for label, n in counts.items() if n < 3]
    assert rare
    moves = ArcEager(vocab)
    added = moves.initialize(examples, min_freq=3)
    # the rare labels are folded into the back-off label "dep", added for them
    assert counts.get("dep", 0) < 3
    assert set(added) == {label for label, n in counts.items() if n >= 3} | {"dep"}
    assert not set(rare) & set(moves.labels)
    assert "root" in moves.root_labels
    # gold arcs with rare labels train their heads, labelled "dep": the oracle reproduces
    # every head, and every label with the rare ones folded
    n_folded = 0
    for eg in examples[:10]:
        state = oracle_parse(moves, fresh(eg))
        proj_heads, proj_deps = eg.get_aligned_parse()
        assert [h if h is not None else i for i, h in enumerate(state.heads)] == proj_heads
        for i, (head, dep, label) in enumerate(zip(proj_heads, proj_deps, state.labels)):
            if dep in rare and head != i:
                n_folded += 1
                assert label == "dep"
            elif head != i:
                assert label == dep
    assert n_folded
    import pickle
    copy = pickle.loads(pickle.dumps(moves))
    assert copy.move_names == moves.move_names and copy.root_labels == moves.root_labels
    again = ArcEager(vocab).from_dict(moves.to_dict())
    assert again.move_names == moves.move_names
    assert not moves.add_label(moves.labels[0])
    n = moves.n_moves
    moves.add_label("brand-new")
    assert moves.move_names[:n] == copy.move_names   # adding a label appends moves


def test_no_labels_is_a_clear_error(vocab):
    with pytest.raises(ValueError, match="no labels"):
        ArcEager(vocab).init_state(Doc(vocab, words=["a"]))
