#!/usr/bin/env python
"""Micro-benchmark: the parser model's hidden layer (precompute, per-step forward, per-step
backward, per-batch finish) on simulated batches, against the same maths in numpy (gather +
np.add.at scatter) and, when spaCy is installed, spaCy's parser model on the same shapes.

A batch is --docs documents of random lengths around --words words in all; the batch takes
2 * (longest doc) steps, and at step t every doc with 2 * length > t has one state, whose
--feats slots hold random tokens of its doc (30% empty). All ids and loss gradients are drawn
before timing. The tok2vec is a stand-in returning fixed vectors (width --width), so only the
parser model is timed. Each system runs --repeats rounds, alternately; the best round counts.

    python bin/bench_parser_model.py --words 1000 --feats 13
"""
import argparse
import time

import numpy
from thinc.api import Model

from fastpipe.ml import _parser_kernels
from fastpipe.ml.parser_model import TransitionBasedParser, resize_output


def fixed_vectors(vectors, width):
    """A tok2vec stand-in: the same per-doc arrays every call; backprop does nothing."""

    def forward(model, docs, is_train):
        return vectors, lambda d_vectors: []

    return Model("fixed_vectors", forward, dims={"nO": width})


def simulate(args, rng):
    lengths = rng.randint(args.words // args.docs // 2, args.words // args.docs * 3 // 2 + 1,
                          size=args.docs)
    offsets = numpy.concatenate([[0], numpy.cumsum(lengths)]).astype(numpy.int32)
    steps = []
    for t in range(2 * int(lengths.max())):
        active = numpy.flatnonzero(2 * lengths > t)
        local = (rng.rand(len(active), args.feats) * lengths[active, None]).astype(numpy.int32)
        local[rng.rand(*local.shape) < 0.3] = -1
        ids = local.copy()
        _parser_kernels.to_global(ids, offsets[active])
        d_scores = rng.normal(size=(len(active), args.moves)).astype("float32")
        steps.append((local, ids, d_scores))
    vectors = [rng.normal(size=(n, args.width)).astype("float32") for n in lengths]
    return vectors, steps, int(lengths.sum())


def fastpipe_system(args, vectors):
    model = TransitionBasedParser(fixed_vectors(vectors, args.width), "parser",
                                  hidden_width=args.hidden, maxout_pieces=args.pieces,
                                  n_feats=args.feats)
    resize_output(model, args.moves)
    model.initialize(X=vectors)
    for node in model.walk():
        if node.name == "parser_upper":
            node.set_param("W", numpy.random.normal(size=node.get_param("W").shape).astype("f"))

    def train(steps):
        step, finish = model.begin_update(vectors)
        for _, ids, d_scores in steps:
            scores, backprop = step.begin_update(ids)
            backprop(d_scores)
        finish()

    def predict(steps):
        step = model.predict(vectors)
        for _, ids, _ in steps:
            step.predict(ids)

    return model, train, predict


def numpy_system(model, vectors, args):
    """fastpipe's maths in plain numpy: fancy-index gather, dense maxout gradient, np.add.at."""
    lower = model.get_ref("lower")
    upper = model.get_ref("upper")
    W, pad, b = (lower.get_param(n) for n in ("W", "pad", "b"))
    U, c = upper.get_param("W"), upper.get_param("b")
    F, nH, nP = args.feats, args.hidden, args.pieces
    slots = numpy.arange(F)

    def train(steps):
        X = numpy.concatenate(vectors)
        n = X.shape[0]
        P = numpy.concatenate([(X @ W).reshape(n, F, nH * nP), pad[None]], axis=0)
        dP = numpy.zeros_like(P)
        dU, dc = numpy.zeros_like(U), numpy.zeros_like(c)
        for _, ids, d_scores in steps:
            rows = numpy.where(ids >= 0, ids, n)             # row n holds pad
            Z = P[rows, slots].sum(axis=1) + b
            Z = Z.reshape(len(ids), nH, nP)
            which = Z.argmax(axis=2)
            H = numpy.take_along_axis(Z, which[:, :, None], axis=2)[:, :, 0]
            H @ U + c
            dU += H.T @ d_scores
            dc += d_scores.sum(axis=0)
            dH = d_scores @ U.T
            dZ = numpy.zeros_like(Z)
            numpy.put_along_axis(dZ, which[:, :, None], dH[:, :, None], axis=2)
            numpy.add.at(dP, (rows, slots), dZ.reshape(len(ids), 1, -1))
        d_flat = dP[:n].reshape(n, -1)
        X.T @ d_flat
        d_flat @ W.T

    return train


def scatter_only(model, args):
    """Time of the scatter alone: the nogil kernel against np.add.at, same inputs."""
    nF, nH, nP = args.feats, args.hidden, args.pieces
    rng = numpy.random.RandomState(1)

    def run(steps, n_rows, use_numpy):
        dP = numpy.zeros((n_rows + nF, nF, nH * nP), dtype="f")
        dpad = numpy.zeros((nF, nH * nP), dtype="f")
        db = numpy.zeros((nH * nP,), dtype="f")
        prepared = []
        for _, ids, _ in steps:
            which = rng.randint(0, nP, size=(len(ids), nH)).astype(numpy.uint8)
            dH = rng.normal(size=(len(ids), nH)).astype("f")
            prepared.append((ids, which, dH))
        start = time.perf_counter()
        for ids, which, dH in prepared:
            if use_numpy:
                dZ = numpy.zeros((len(ids), nH, nP), dtype="f")
                numpy.put_along_axis(dZ, which[:, :, None].astype(numpy.intp), dH[:, :, None],
                                     axis=2)
                rows = numpy.where(ids >= 0, ids, n_rows + numpy.arange(nF)[None, :])
                numpy.add.at(dP, (rows, numpy.arange(nF)[None, :]), dZ.reshape(len(ids), 1, -1))
            else:
                _parser_kernels.hidden_backward(dH, which, ids, nP, dP[:n_rows].reshape(n_rows, -1),
                                                dpad, db)
        return time.perf_counter() - start

    return run


def spacy_system(args, vectors):
    try:
        from spacy.ml.models.parser import build_tb_parser_model
    except ImportError:
        return None
    if args.feats not in (8, 13):
        return None
    t2v = fixed_vectors(vectors, args.width)
    model = build_tb_parser_model(t2v, "parser", extra_state_tokens=args.feats == 13,
                                  hidden_width=args.hidden, maxout_pieces=args.pieces,
                                  use_upper=True, nO=args.moves)
    model.initialize(X=vectors)
    upper = model.get_ref("upper")
    upper.set_param("W", numpy.random.normal(size=upper.get_param("W").shape).astype("f"))

    def step_model(is_train):
        step, finish = (model.begin_update(vectors) if is_train else (model.predict(vectors), None))
        # feed the ids directly instead of states (spaCy's states write batch-global rows too)
        step.get_token_ids = lambda ids: ids
        return step, finish

    def train(steps):
        step, finish = step_model(True)
        for _, ids, d_scores in steps:
            scores, backprop = step.begin_update(ids)
            backprop(d_scores.copy())
        finish(None)

    def predict(steps):
        step, _ = step_model(False)
        for _, ids, _ in steps:
            step.predict(ids)

    return train, predict


def best_of(fn, steps, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(steps)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--feats", type=int, default=13)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--pieces", type=int, default=2)
    parser.add_argument("--moves", type=int, default=80)
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-spacy", action="store_true")
    args = parser.parse_args()
    rng = numpy.random.RandomState(0)
    vectors, steps, n_words = simulate(args, rng)
    n_states = sum(len(ids) for _, ids, _ in steps)
    print(f"batch: {n_words} words in {args.docs} docs, {len(steps)} steps, {n_states} states; "
          f"feats {args.feats}, hidden {args.hidden}x{args.pieces}, moves {args.moves}, "
          f"width {args.width}")
    model, fp_train, fp_predict = fastpipe_system(args, vectors)
    systems = {"fastpipe": (fp_train, fp_predict),
               "numpy (np.add.at)": (numpy_system(model, vectors, args), None)}
    sp = None if args.no_spacy else spacy_system(args, vectors)
    if sp is not None:
        systems["spaCy 3.8"] = sp
    best = {}
    for _ in range(args.repeats):
        for name, (train, predict) in systems.items():
            for kind, fn in (("train", train), ("predict", predict)):
                if fn is not None:
                    t = best_of(fn, steps, 1)
                    best[name, kind] = min(best.get((name, kind), t), t)
    print(f"{'system':<20}{'train ms/batch':>16}{'train words/s':>15}{'predict ms/batch':>18}"
          f"{'predict words/s':>17}")
    for name in systems:
        row = f"{name:<20}"
        for kind in ("train", "predict"):
            t = best.get((name, kind))
            row += (f"{t * 1e3:>16.2f}{n_words / t:>15,.0f}" if kind == "train" else
                    f"{t * 1e3:>18.2f}{n_words / t:>17,.0f}") if t else f"{'-':>16}{'-':>15}"
        print(row)
    run = scatter_only(model, args)
    kernel = min(run(steps, n_words, False) for _ in range(args.repeats))
    numpy_t = min(run(steps, n_words, True) for _ in range(max(1, args.repeats // 3)))
    print(f"scatter alone per batch: nogil kernel {kernel * 1e3:.2f} ms, np.add.at "
          f"{numpy_t * 1e3:.2f} ms ({numpy_t / kernel:.0f}x)")


if __name__ == "__main__":
    main()
