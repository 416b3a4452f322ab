"""Shared helpers of the transition-system tests: random trees, brute force, tree checks.
(Treebank examples come from ``tests.helpers.data.conllu_examples``.)"""
import random

from fastpipe.gold.example import Example
from fastpipe.tokens.doc import Doc
from tests.helpers.data import (EWT_DEV_SAMPLE, EWT_DEV_SLICE, EWT_TRAIN_SLICE, FULL_EWT_DEV,
                                FULL_EWT_TRAIN, real_data)


def treebanks():
    """The treebank files an oracle test reads: the dev sample and the two committed slices
    always; the whole dev and train files (train: slow) where ../shared/data is present."""
    return real_data(("sample", EWT_DEV_SAMPLE), ("dev-slice", EWT_DEV_SLICE),
                     ("train-slice", EWT_TRAIN_SLICE), full=[("full-dev", FULL_EWT_DEV)],
                     slow_full=[("full-train", FULL_EWT_TRAIN)])


def fresh(example):
    """The example with a new, unannotated predicted Doc."""
    ref = example.reference
    pred = Doc(ref.vocab, words=[t.text for t in ref], spaces=[bool(t.whitespace_) for t in ref])
    return Example(pred, ref, id=example.id)


def random_projective_heads(rng, n, offset=0):
    """Heads (absolute, root = itself) of a random projective tree over n tokens."""
    heads = [None] * n

    def grow(lo, hi, head):
        if lo >= hi:
            return
        r = rng.randrange(lo, hi)
        heads[r] = head if head is not None else r
        grow(lo, r, r)
        grow(r + 1, hi, r)

    grow(0, n, None)
    return [h + offset for h in heads]


def random_parse_example(vocab, rng, labels=("a", "b"), max_sents=2, max_len=5, p_missing=0.0,
                         unknown_label=None):
    """A random multi-sentence projective gold parse; some heads missing with p_missing."""
    heads, deps = [], []
    for _ in range(rng.randint(1, max_sents)):
        n = rng.randint(1, max_len)
        sent_heads = random_projective_heads(rng, n, offset=len(heads))
        for i, h in enumerate(sent_heads):
            heads.append(h)
            if h == len(deps):
                deps.append("root")
            elif unknown_label and rng.random() < 0.2:
                deps.append(unknown_label)
            else:
                deps.append(rng.choice(labels))
    n = len(heads)
    if p_missing:
        for i in range(n):
            if rng.random() < p_missing:
                deps[i] = None
    words = [f"w{i}" for i in range(n)]
    ref = Doc(vocab, words=words, heads=heads, deps=deps)
    return Example(Doc(vocab, words=words), ref, id="random")


def loss_of_arc(gold_heads, gold_labels, child, head, label):
    """1 if giving child this head and label is an error (None head = root; gold -1 = missing)."""
    gh = gold_heads[child]
    if gh == -1:
        return 0
    if gh != head:
        return 1
    return int(gold_labels[child] is not None and gold_labels[child] != label)


def best_future_parse(moves, state, gold_heads, gold_labels, memo):
    """Fewest errors any sequence of valid moves from the state adds (exhaustive search)."""
    if moves.is_final_state(state):
        return 0
    heads = state.heads
    key = (state.b0, tuple(state.stack), tuple(heads[i] == -1 for i in state.stack))
    if key in memo:
        return memo[key]
    best = None
    for m in moves.valid_moves(state):
        err, nxt = apply_and_score(moves, state, m, gold_heads, gold_labels)
        total = err + best_future_parse(moves, nxt, gold_heads, gold_labels, memo)
        best = total if best is None else min(best, total)
    memo[key] = best
    return best


def apply_and_score(moves, state, move, gold_heads, gold_labels):
    """(errors the move commits, the next state)."""
    before = state.heads
    nxt = state.copy()
    moves.apply_move(nxt, move)
    after = nxt.heads
    labels = nxt.labels
    err = 0
    for i, (b, a) in enumerate(zip(before, after)):
        if b == -1 and a != -1:
            err += loss_of_arc(gold_heads, gold_labels, i, a, labels[i])
    return err, nxt


def random_walk(moves, state, rng, n_steps=None):
    """Apply random valid moves (all of them until final when n_steps is None)."""
    steps = 0
    while not moves.is_final_state(state) and (n_steps is None or steps < n_steps):
        valid = moves.valid_moves(state)
        assert valid, f"no valid move in a non-final state {state!r}"
        moves.apply_move(state, rng.choice(valid))
        steps += 1
    return steps


def check_forest(doc):
    """Every token has a head inside the Doc, no cycles, one root per sentence, sentences
    cover the Doc."""
    n = len(doc)
    for t in doc:
        assert 0 <= t.head.i < n
        seen = set()
        a = t
        while a.head.i != a.i:
            assert a.i not in seen, "cycle"
            seen.add(a.i)
            a = a.head
    sents = list(doc.sents)
    assert sum(len(s) for s in sents) == n
    for sent in sents:
        roots = [t for t in sent if t.head.i == t.i]
        assert len(roots) == 1, [t.i for t in sent]
        for t in sent:
            assert sent.start <= t.head.i < sent.end


def seeded(seed):
    return random.Random(seed)
