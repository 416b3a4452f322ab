"""bin/biaffine.py, the graph-based parser bin/bench_biaffine.py measures: Eisner's decoder
finds the best projective forest (checked against every tree of small inputs), the model's
gradients match finite differences, and a trained component parses, saves and loads."""
import importlib.util
import itertools
import sys
from pathlib import Path

import numpy
import pytest
from thinc.api import Model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def biaffine():
    spec = importlib.util.spec_from_file_location("bench_biaffine_code", ROOT / "bin" / "biaffine.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_biaffine_code"] = module
    spec.loader.exec_module(module)
    return module


def best_by_brute_force(S):
    """The best score over every projective forest under node 0 (heads per token)."""
    n = len(S)
    best = None
    for heads in itertools.product(range(n + 1), repeat=n):
        if any(h == i + 1 for i, h in enumerate(heads)):
            continue
        acyclic = True
        for i in range(n):
            seen, node = set(), i + 1
            while node:
                if node in seen:
                    acyclic = False
                    break
                seen.add(node)
                node = heads[node - 1]
            if not acyclic:
                break
        arcs = [tuple(sorted((h, i + 1))) for i, h in enumerate(heads)]
        if not acyclic or any(a < c < b < d for a, b in arcs for c, d in arcs):
            continue
        score = sum(S[i, h] for i, h in enumerate(heads))
        best = score if best is None else max(best, score)
    return best


def test_eisner_finds_the_best_projective_forest(biaffine):
    rng = numpy.random.default_rng(1)
    for _ in range(40):
        n = int(rng.integers(1, 6))
        S = rng.normal(size=(n, n + 1))
        S[numpy.arange(n), numpy.arange(n) + 1] = biaffine.NEG
        heads = biaffine.eisner(S)
        assert S[numpy.arange(n), heads].sum() == pytest.approx(best_by_brute_force(S))
    # several roots are allowed: each child of the root starts a sentence
    S = numpy.full((4, 5), -5.0)
    S[0, 0] = S[2, 0] = 5.0
    S[1, 1] = S[3, 3] = 5.0
    assert list(biaffine.eisner(S)) == [0, 1, 0, 3]


def test_gradients_match_finite_differences(biaffine):
    rng = numpy.random.default_rng(0)
    ident = Model("ident", lambda model, X, is_train: (X, lambda d: d), dims={"nO": 6})
    model = biaffine.Biaffine(ident, arc_width=5, label_width=4, max_distance=3, dropout=0.0,
                              nO=3)
    X = [rng.normal(size=(4, 6)).astype("f"), rng.normal(size=(3, 6)).astype("f")]
    model.initialize(X=X)
    head = model.get_ref("head")
    for name in ("U", "u", "dist"):
        head.set_param(name, (rng.normal(size=head.get_param(name).shape) * 0.5).astype("f"))
    gold = [numpy.array([2, 0, 2, 3]), numpy.array([0, 1, 2])]

    def loss(train=False):
        outputs, backprop = model.begin_update(X)
        total, d_outputs = 0.0, []
        for (S, ld, lh), g in zip(outputs, gold):
            P = biaffine.softmax(S.astype("f8"))
            total -= numpy.log(P[numpy.arange(len(S)), g]).sum()
            P[numpy.arange(len(S)), g] -= 1
            d_outputs.append((P, numpy.zeros_like(ld), numpy.zeros_like(lh)))
        if train:
            return backprop(d_outputs)
        return total

    for name in biaffine.PARAMS:
        head.set_grad(name, numpy.zeros_like(head.get_param(name)))
    dX = loss(train=True)
    for name in ("Wd", "Wh", "U", "u", "root", "dist"):
        W, grad = head.get_param(name), head.get_grad(name)
        flat = W.reshape(-1)
        for i in rng.choice(flat.size, min(4, flat.size), replace=False):
            old = flat[i]
            flat[i] = old + 1e-2
            up = loss()
            flat[i] = old - 1e-2
            down = loss()
            flat[i] = old
            numeric = (up - down) / 2e-2
            assert grad.reshape(-1)[i] == pytest.approx(numeric, rel=2e-2, abs=1e-3), name
    old = X[0][1, 2]
    X[0][1, 2] = old + 1e-2
    up = loss()
    X[0][1, 2] = old - 1e-2
    down = loss()
    X[0][1, 2] = old
    assert dX[0][1, 2] == pytest.approx((up - down) / 2e-2, rel=2e-2, abs=1e-3)


@pytest.mark.slow
def test_trained_component_parses_saves_and_loads(biaffine, tmp_path):
    import random

    import fastpipe
    from fastpipe.training import Example
    from fastpipe.tokens import Doc

    nlp = fastpipe.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("bench_biaffine_parser", name="parser", config={"model": {
        "@architectures": "bench.Biaffine.v1", "arc_width": 32, "label_width": 16,
        "tok2vec": {"@architectures": "fastpipe.Tok2VecListener.v1",
                    "width": 96, "upstream": "tok2vec"}}})
    words = ["she", "ate", "apples", ".", "he", "slept"]
    heads = [1, 1, 1, 1, 5, 5]
    deps = ["nsubj", "ROOT", "obj", "punct", "nsubj", "ROOT"]
    examples = [Example(nlp.make_doc(" ".join(words)),
                        Doc(nlp.vocab, words=words, heads=heads, deps=deps))]
    random.seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer)
    doc = nlp(" ".join(words))
    assert [t.head.i for t in doc] == heads and [t.dep_ for t in doc] == deps
    assert [s.text for s in doc.sents] == ["she ate apples .", "he slept"]
    nlp.to_disk(tmp_path / "model")
    again = fastpipe.load(tmp_path / "model")
    assert [t.dep_ for t in again(" ".join(words))] == deps
