"""BILUO entity moves: the oracle reproduces gold entities, is exact from reachable states, and
the moves respect entities preset on the Doc."""
import numpy
import pytest

from fastpipe.gold.example import Example
from fastpipe.pipeline._parser_internals.ner import BiluoPushDown
from fastpipe.tokens.doc import Doc

from tests.helpers.data import EWT_DEV_SAMPLE as SAMPLE
from tests.helpers.data import conllu_examples as read_examples
from tests.parser.parser_helpers import fresh, random_walk, seeded, treebanks


@pytest.fixture(scope="module")
def vocab(en):
    return en.vocab


def ents_of(doc):
    return [(e.start, e.end, e.label_) for e in doc.ents]


@pytest.mark.parametrize("path", treebanks())
def test_oracle_reproduces_every_entity(vocab, path):
    examples = read_examples(vocab, path, n_sents=10)
    moves = BiluoPushDown(vocab)
    moves.initialize(examples)
    assert set(moves.labels) == {"PER", "LOC", "ORG"}
    n_ents = 0
    for eg in examples:
        state = moves.init_state(eg.predicted)
        gold = moves.init_gold(eg)
        assert moves.follow_oracle([state], [gold]) == len(eg.predicted)
        moves.set_annotations(state)
        assert ents_of(eg.predicted) == ents_of(eg.reference), eg.id
        assert state.ents == ents_of(eg.reference)
        n_ents += len(state.ents)
    assert n_ents > 20


def biluo_loss(pred, gold_ents):
    return len(set(pred) ^ set(gold_ents))


def best_final_loss(moves, state, gold_ents):
    if moves.is_final_state(state):
        return biluo_loss(state.ents, gold_ents)
    best = None
    for m in moves.valid_moves(state):
        nxt = state.copy()
        moves.apply_move(nxt, m)
        loss = best_final_loss(moves, nxt, gold_ents)
        best = loss if best is None else min(best, loss)
    return best


def random_biluo(rng, n, labels):
    tags, i = [], 0
    while i < n:
        r = rng.random()
        if r < 0.4 or i == n:
            tags.append("O")
            i += 1
        elif r < 0.7 or i == n - 1:
            tags.append("U-" + rng.choice(labels))
            i += 1
        else:
            label = rng.choice(labels)
            length = rng.randint(2, n - i)
            tags.extend(["B-" + label] + ["I-" + label] * (length - 2) + ["L-" + label])
            i += length
    return tags


def biluo_to_ents(tags):
    ents, start = [], None
    for i, tag in enumerate(tags):
        if tag.startswith("U-"):
            ents.append((i, i + 1, tag[2:]))
        elif tag.startswith("B-"):
            start = i
        elif tag.startswith("L-"):
            ents.append((start, i + 1, tag[2:]))
    return ents


def test_oracle_is_exact_from_any_reachable_state(vocab):
    """Without missing gold: cost(move) == best final loss after - best before (loss = false
    positives + false negatives), from states reached by random valid moves."""
    rng = seeded(3)
    moves = BiluoPushDown(vocab, labels=["P", "Q"])
    n_checked = 0
    for _ in range(120):
        n = rng.randint(1, 5)
        tags = random_biluo(rng, n, ["P", "Q", "R"])   # R: a gold label the system lacks
        words = [f"w{i}" for i in range(n)]
        eg = Example.from_dict(Doc(vocab, words=words), {"entities": tags})
        gold = moves.init_gold(eg)
        gold_ents = biluo_to_ents(tags)
        state = moves.init_state(eg.predicted)
        random_walk(moves, state, rng, n_steps=rng.randint(0, n))
        reachable = best_final_loss(moves, state, gold_ents)
        while not moves.is_final_state(state):
            before = best_final_loss(moves, state, gold_ents)
            _, costs = moves.get_costs(state, gold)
            for m in moves.valid_moves(state):
                nxt = state.copy()
                moves.apply_move(nxt, m)
                assert costs[m] == best_final_loss(moves, nxt, gold_ents) - before, (
                    moves.move_name(m), state.ents, state.open_entity, tags)
                n_checked += 1
            moves.apply_move(state, moves.oracle(state, gold))
        assert biluo_loss(state.ents, gold_ents) == reachable
    assert n_checked > 500


def test_missing_gold_is_free(vocab):
    words = "a b c d e".split()
    moves = BiluoPushDown(vocab, labels=["PER"])
    eg = Example.from_dict(Doc(vocab, words=words), {"entities": ["U-PER", "-", "-", "O", "-"]})
    gold = moves.init_gold(eg)
    state = moves.init_state(eg.predicted)
    moves.apply_move(state, "U-PER")
    for name in ["B-PER", "L-PER"]:   # an entity over missing tokens costs nothing
        _, costs = moves.get_costs(state, gold)
        assert costs[moves.move_id(name)] == 0
        moves.apply_move(state, name)
    _, costs = moves.get_costs(state, gold)
    assert costs[moves.move_id("O")] == 0 and costs[moves.move_id("U-PER")] == 1
    # no entity annotation at all: every move is free
    eg = Example(Doc(vocab, words=words), Doc(vocab, words=words))
    assert eg.get_aligned_ner() is None
    gold = moves.init_gold(eg)
    state = moves.init_state(eg.predicted)
    while not moves.is_final_state(state):
        valid, costs = moves.get_costs(state, gold)
        assert all(costs[m] == 0 for m in moves.valid_moves(state))
        moves.apply_move(state, moves.valid_moves(state)[-1])


def test_preset_entities_are_kept(vocab):
    rng = seeded(4)
    words = "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9".split()
    # PER preset over 1-2, O preset on 4, ANIMAL (unknown to the system) on 6, ORG on 8, free
    # elsewhere
    preset = ["", "B-PER", "I-PER", "", "O", "", "B-ANIMAL", "", "B-ORG", ""]
    moves = BiluoPushDown(vocab, labels=["PER", "ORG", "LOC"])
    for trial in range(300):
        doc = Doc(vocab, words=words, ents=preset)
        state = moves.init_state(doc)
        random_walk(moves, state, rng)
        found = {(s, e): lab for s, e, lab in state.ents}
        assert found.get((1, 3)) == "PER"
        assert found.get((8, 9)) == "ORG"
        assert all(not (s <= 4 < e) for s, e, _ in state.ents)
        assert all(not (s <= 6 < e) for s, e, _ in state.ents)
        moves.set_annotations(state)
        ents = ents_of(doc)
        assert (1, 3, "PER") in ents and (6, 7, "ANIMAL") in ents and (8, 9, "ORG") in ents
        assert doc[4].ent_iob_ == "O"
        assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)
        for s, e, lab in state.ents:
            assert (s, e, lab) in ents


def test_preset_inside_code_after_free_token(vocab):
    """An I code after a token without annotation opens a preset entity of its own (as
    Doc.ents reads it); an entity the moves put before it must not merge with it."""
    moves = BiluoPushDown(vocab, labels=["PER"])
    doc = Doc(vocab, words=["a", "b", "c"])
    codes = numpy.array([[0, 0], [1, vocab.strings.add("PER")], [0, 0]], dtype="uint64")
    doc.from_array(["ENT_IOB", "ENT_TYPE"], codes)
    state = moves.init_state(doc)
    # a: free, but an entity starting at a cannot grow into the preset b
    assert [moves.move_name(m) for m in moves.valid_moves(state)] == ["O", "U-PER"]
    moves.apply_move(state, "U-PER")
    assert [moves.move_name(m) for m in moves.valid_moves(state)] == ["U-PER"]
    moves.apply_move(state, "U-PER")
    assert [moves.move_name(m) for m in moves.valid_moves(state)] == ["O", "U-PER"]
    moves.apply_move(state, "O")
    moves.set_annotations(state)
    assert ents_of(doc) == [(0, 1, "PER"), (1, 2, "PER")]
    assert [t.ent_iob_ for t in doc] == ["B", "B", "O"]


def test_unseen_labels(vocab):
    words = "Ann met Bob in Paris".split()
    eg = Example.from_dict(Doc(vocab, words=words),
                           {"entities": ["U-PER", "O", "U-PER", "O", "U-GPE"]})
    moves = BiluoPushDown(vocab, labels=["PER"])
    state = moves.init_state(eg.predicted)
    gold = moves.init_gold(eg)
    moves.follow_oracle([state], [gold])
    moves.set_annotations(state)
    assert ents_of(eg.predicted) == [(0, 1, "PER"), (2, 3, "PER")]
    # a system with no labels at all still runs: everything is O
    empty = BiluoPushDown(vocab)
    doc = Doc(vocab, words=words, ents=["B-GPE", "", "", "", ""])
    state = empty.init_state(doc)
    assert empty.valid_moves(state) == [0]
    random_walk(empty, state, seeded(5))
    empty.set_annotations(state)
    assert ents_of(doc) == [(0, 1, "GPE")]


def test_feature_tokens_and_labels(vocab):
    examples = read_examples(vocab, SAMPLE)
    moves = BiluoPushDown(vocab)
    assert moves.n_feats == 3 and moves.n_moves == 1
    counts = moves.get_actions(examples)
    most = max(counts, key=counts.get)
    assert moves.initialize(examples, min_freq=counts[most]) == [most]
    state = moves.init_state(Doc(vocab, words="a b c".split()))
    assert state.context(moves.n_feats) == [0, -1, -1]
    assert state.context(4) == [0, -1, -1, 1]
    moves.apply_move(state, "O")
    moves.apply_move(state, moves.move_names[1])   # B-
    assert state.context(4) == [2, 1, 1, -1]
    eg = fresh(examples[0])
    assert len(moves.init_gold(eg)) == len(eg.predicted)
