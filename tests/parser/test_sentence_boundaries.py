"""Sentence boundaries of the arc-eager parser: the BREAK move, the oracle teaching it at every
gold sentence start (sentences without final punctuation, quotes, lists, lower-case starts), its
saved move order, and a small trained parser splitting held-out multi-sentence documents."""
import random

import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.pipeline._parser_internals.arc_eager import ArcEager
from fastpipe.tokens.doc import Doc

from tests.parser.parser_helpers import check_forest

# (words, heads, deps) of one sentence each, heads relative to the sentence's first token
SENTS = {
    "no-final-punct": ("we ate apples".split(), [1, 1, 1], ["nsubj", "ROOT", "obj"]),
    "lower-case": ("she left early".split(), [1, 1, 1], ["nsubj", "ROOT", "advmod"]),
    "quote": ('he said " go home "'.split(), [1, 1, 3, 1, 3, 3],
              ["nsubj", "ROOT", "punct", "ccomp", "obj", "punct"]),
    "list-item": ("2 ) buy milk".split(), [2, 0, 2, 2], ["nummod", "punct", "ROOT", "obj"]),
    "punct": ("The dog barked .".split(), [1, 2, 2, 2], ["det", "nsubj", "ROOT", "punct"]),
    "question-mark-only": (["?"], [0], ["ROOT"]),
}


def gold_doc(vocab, names):
    words, heads, deps, starts = [], [], [], []
    for name in names:
        w, h, d = SENTS[name]
        starts.append(len(words))
        heads.extend(len(words) + x for x in h)
        words.extend(w)
        deps.extend(d)
    return Doc(vocab, words=words, heads=heads, deps=deps), starts


@pytest.fixture(scope="module")
def vocab(en):
    return en.vocab


@pytest.mark.parametrize("names", [
    ["no-final-punct", "lower-case", "no-final-punct"],
    ["quote", "lower-case", "quote"],
    ["list-item", "list-item", "punct"],
    ["punct", "question-mark-only", "no-final-punct", "quote"],
], ids=["no-punct", "quotes", "list", "mixed"])
def test_oracle_breaks_exactly_at_each_gold_sentence_start(vocab, names):
    ref, starts = gold_doc(vocab, names)
    eg = Example(Doc(vocab, words=[t.text for t in ref]), ref)
    moves = ArcEager(vocab)
    moves.initialize([eg])
    gold = moves.init_gold(eg)
    assert gold.sent_starts == starts[1:]
    state = moves.init_state(eg.predicted)
    broken_at = []
    while not moves.is_final_state(state):
        m = moves.oracle(state, gold)
        if moves.move_name(m).startswith("B-"):
            broken_at.append(state.b0)
        moves.apply_move(state, m)
        if broken_at and broken_at[-1] == state.b0:
            assert state.stack == []    # a BREAK leaves nothing for the next sentence to join
    assert broken_at == starts[1:]   # every boundary but the document's end is a BREAK
    moves.set_annotations(state)
    assert [s.start for s in eg.predicted.sents] == starts
    assert [t.head.i for t in eg.predicted] == [t.head.i for t in ref]
    check_forest(eg.predicted)


@pytest.mark.parametrize("join", [True, False])
def test_break_moves_validity_and_effect(vocab, join):
    """BREAK empties the stack: the lowest headless token becomes the root; a headless token
    above it (a fragment the model left unattached) is joined to it with "dep", so it does not
    start a sentence of its own, unless join_fragments is off."""
    moves = ArcEager(vocab, labels=["x"])
    moves.add_label("root", root=True)
    moves.join_fragments = join
    assert moves.move_names == ["S", "D", "L-x", "R-x", "L-root", "R-root", "B-root"]
    doc = Doc(vocab, words="a b c d e".split())
    state = moves.init_state(doc)
    assert "B-root" not in [moves.move_name(m) for m in moves.valid_moves(state)]   # empty stack
    for name in ["S", "R-x", "S"]:     # a -> b, c pushed headless
        moves.apply_move(state, name)
    moves.apply_move(state, "L-x")     # c <- d: d has a left child, no sentence can start at it
    assert "B-root" not in [moves.move_name(m) for m in moves.valid_moves(state)]
    moves.apply_move(state, "S")
    moves.apply_move(state, "B-root")  # the sentence "a b c d" ends before e
    assert state.stack == [] and state.b0 == 4
    if join:
        assert state.heads[:4] == [None, 0, 3, 0] and state.labels[3] == "dep"
    else:
        assert state.heads[:4] == [None, 0, 3, None] and state.labels[3] == "root"
    assert state.labels[0] == "root"
    moves.apply_move(state, "S")
    moves.apply_move(state, "L-root")
    moves.set_annotations(state)
    assert [s.start for s in doc.sents] == ([0, 4] if join else [0, 2, 4])
    check_forest(doc)


@pytest.mark.parametrize("join", [True, False])
def test_final_fragments_join_the_one_before_them(vocab, join):
    """Headless tokens left on the stack at the end: only the lowest becomes a root (with
    join_fragments); a preset sentence start is never joined across."""
    moves = ArcEager(vocab, labels=["x"])
    moves.add_label("root", root=True)
    moves.join_fragments = join
    doc = Doc(vocab, words="a b c d".split(), sent_starts=[True, False, True, False])
    state = moves.init_state(doc)
    for name in ["S", "S", "S", "S"]:   # a b | c d, all headless on the stack
        moves.apply_move(state, name)
    while not moves.is_final_state(state):
        moves.apply_move(state, "L-root")
    moves.set_annotations(state)
    if join:
        assert [t.head.i for t in doc] == [0, 0, 2, 2]
        assert [t.dep_ for t in doc] == ["root", "dep", "root", "dep"]
        assert [s.start for s in doc.sents] == [0, 2]
    else:
        assert [t.head.i for t in doc] == [0, 1, 2, 3]
        assert [s.start for s in doc.sents] == [0, 1, 2, 3]
    check_forest(doc)


def test_no_break_where_a_token_is_preset_as_no_sentence_start(vocab):
    moves = ArcEager(vocab, labels=["x"])
    moves.add_label("root", root=True)
    doc = Doc(vocab, words="a b".split(), sent_starts=[True, False])
    state = moves.init_state(doc)
    moves.apply_move(state, "S")
    assert [moves.move_name(m) for m in moves.valid_moves(state)] == \
        ["S", "L-x", "R-x", "L-root", "R-root"]


def test_move_order_survives_saving_and_old_systems_have_no_breaks(vocab):
    moves = ArcEager(vocab, labels=["x"])
    moves.add_label("root", root=True)
    moves.add_label("y")
    moves.add_label("x", root=True)      # promoted late: its BREAK comes after y's moves
    names = moves.move_names
    assert names[-3:] == ["L-y", "R-y", "B-x"]
    assert ArcEager(vocab).from_dict(moves.to_dict()).move_names == names
    old = {"labels": ["x", "root"], "root_labels": ["root"]}   # saved before BREAK existed
    assert ArcEager(vocab).from_dict(old).move_names == ["S", "D", "L-x", "R-x", "L-root",
                                                         "R-root"]


# -- a small trained parser -------------------------------------------------------------------

SUBJECTS = ["she", "he", "we", "they", "the dog", "the cat", "my friend", "the kids"]
INTRANSITIVE = ["slept", "left", "laughed", "waited", "smiled"]
TRANSITIVE = ["saw", "liked", "ate", "took", "wanted"]
OBJECTS = ["apples", "the ball", "a book", "the cake", "tea"]


def random_sentence(rng):
    """(words, heads relative to the sentence, deps): a clause, sometimes quoted, listed,
    capitalized or closed by a full stop."""
    subj = rng.choice(SUBJECTS).split()
    words, heads, deps = list(subj), [], []
    if len(subj) == 2:
        heads, deps = [1, 2], ["det", "nsubj"]
    else:
        heads, deps = [1], ["nsubj"]
    verb = len(words)
    words.append(rng.choice(INTRANSITIVE + TRANSITIVE))
    heads.append(verb)
    deps.append("ROOT")
    if words[-1] in TRANSITIVE:
        obj = rng.choice(OBJECTS).split()
        if len(obj) == 2:
            heads += [len(words) + 1, verb]
            deps += ["det", "obj"]
        else:
            heads.append(verb)
            deps.append("obj")
        words += obj
    kind = rng.random()
    if kind < 0.2:   # a quoted clause: he said " ... "
        n = len(words)
        words = ["he", "said", '"'] + words + ['"']
        heads = [1, 1, verb + 3] + [1 if d == "ROOT" else h + 3
                                    for h, d in zip(heads, deps)] + [verb + 3]
        deps = ["nsubj", "ROOT", "punct"] + ["ccomp" if d == "ROOT" else d for d in deps] + ["punct"]
        assert len(words) == n + 4
    elif kind < 0.35:   # a list item: 3 ) ...
        words = [str(rng.randint(1, 9)), ")"] + words
        heads = [verb + 2, verb + 2] + [h + 2 for h in heads]
        deps = ["nummod", "punct"] + deps
    if rng.random() < 0.5:
        words[0] = words[0].capitalize()
    if rng.random() < 0.5:
        root = deps.index("ROOT")
        words.append(".")
        heads.append(root)
        deps.append("punct")
    return words, heads, deps


def random_doc(vocab, rng, n_sents):
    words, heads, deps, starts = [], [], [], []
    for _ in range(n_sents):
        w, h, d = random_sentence(rng)
        starts.append(len(words))
        heads += [len(words) + x for x in h]
        words += w
        deps += d
    return Doc(vocab, words=words, heads=heads, deps=deps), starts


@pytest.mark.slow
def test_small_parser_splits_held_out_documents():
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    nlp.add_pipe("parser", config={"min_action_freq": 1, "model": {
        "hidden_width": 32, "tok2vec": {"width": 32, "depth": 2, "embed_size": 1000}}})
    rng = random.Random(0)

    def examples(n):
        out = []
        for _ in range(n):
            ref, _ = random_doc(nlp.vocab, rng, 5)
            out.append(Example(Doc(nlp.vocab, words=[t.text for t in ref]), ref))
        return out

    train, dev = examples(60), examples(30)
    optimizer = nlp.initialize(lambda: train)
    for _ in range(10):
        rng.shuffle(train)
        for i in range(0, len(train), 8):
            nlp.update(train[i:i + 8], sgd=optimizer)
    scores = nlp.evaluate(dev)
    assert scores["sents_f"] > 0.95, scores
    assert scores["dep_uas"] > 0.9, scores
