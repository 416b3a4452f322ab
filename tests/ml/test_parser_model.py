"""The transition-based parser's model: kernels against numpy, gradients against finite
differences (float64), learning, resizing, serialization and config resolution."""
import numpy
import pytest
from thinc.api import Adam, Config, Model, fix_random_seed, set_dropout_rate

from fastpipe.ml import HashEmbedCNN
from fastpipe.ml import _parser_kernels
from fastpipe.ml.parser_model import N_FEATS, TransitionBasedParser, resize_output
from fastpipe.registry import registry

from ml_helpers import check_param_grads, to_float64


# -- numpy references -------------------------------------------------------------------------

def ref_hidden(P, pad, b, ids, nP):
    S, F = ids.shape
    HP = b.shape[0]
    P3 = P.reshape(P.shape[0], F, HP)
    Z = numpy.tile(b, (S, 1)).astype(P.dtype)
    for s in range(S):
        for f in range(F):
            Z[s] += P3[ids[s, f], f] if ids[s, f] >= 0 else pad[f]
    Z = Z.reshape(S, HP // nP, nP)
    return Z.max(axis=2), Z.argmax(axis=2)


def ref_scatter(dH, which, ids, nP, n_rows):
    """The dense numpy way: the gradient of Z, then np.add.at over (row, slot)."""
    S, F = ids.shape
    nH = dH.shape[1]
    dZ = numpy.zeros((S, nH, nP), dtype=dH.dtype)
    numpy.put_along_axis(dZ, which[:, :, None].astype(numpy.intp), dH[:, :, None], axis=2)
    dZ = dZ.reshape(S, nH * nP)
    dP = numpy.zeros((n_rows + F, F, nH * nP), dtype=dH.dtype)  # extra rows stand for pad[f]
    rows = numpy.where(ids >= 0, ids, n_rows + numpy.arange(F)[None, :])
    slots = numpy.broadcast_to(numpy.arange(F)[None, :], ids.shape)
    numpy.add.at(dP, (rows, slots), dZ[:, None, :])
    dpad = numpy.stack([dP[n_rows + f, f] for f in range(F)])
    return dP[:n_rows].reshape(n_rows, -1), dpad, dZ.sum(axis=0)


def random_ids(rng, S, F, n_rows, absent=0.3):
    ids = rng.randint(0, n_rows, size=(S, F)).astype(numpy.int32)
    ids[rng.rand(S, F) < absent] = -1
    ids[0, :] = ids[0, 0]  # one token in every slot of a state
    ids[1] = ids[0]        # two states reading the same tokens
    ids[2, :] = -1         # a state with no tokens at all
    return ids


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("nP", [1, 2, 3])
def test_kernels_match_numpy(dtype, nP):
    rng = numpy.random.RandomState(0)
    n_rows, F, nH, S = 17, 5, 4, 12
    P = rng.normal(size=(n_rows, F * nH * nP)).astype(dtype)
    pad = rng.normal(size=(F, nH * nP)).astype(dtype)
    b = rng.normal(size=(nH * nP,)).astype(dtype)
    ids = random_ids(rng, S, F, n_rows)
    H = numpy.empty((S, nH), dtype=dtype)
    which = numpy.empty((S, nH), dtype=numpy.uint8)
    _parser_kernels.hidden_forward(P, pad, b, ids, nP, which, H)
    H_ref, which_ref = ref_hidden(P, pad, b, ids, nP)
    numpy.testing.assert_allclose(H, H_ref, rtol=1e-5, atol=1e-5)
    assert (which == which_ref).all()

    dH = rng.normal(size=(S, nH)).astype(dtype)
    dP = numpy.full(P.shape, 0.5, dtype=dtype)  # the kernel adds: start from non-zero
    dpad = numpy.full(pad.shape, 0.5, dtype=dtype)
    db = numpy.full(b.shape, 0.5, dtype=dtype)
    _parser_kernels.hidden_backward(dH, which, ids, nP, dP, dpad, db)
    dP_ref, dpad_ref, db_ref = ref_scatter(dH, which, ids, nP, n_rows)
    numpy.testing.assert_allclose(dP, dP_ref + 0.5, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(dpad, dpad_ref + 0.5, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(db, db_ref + 0.5, rtol=1e-5, atol=1e-5)


def test_kernel_rejects_bad_ids():
    P = numpy.zeros((3, 2 * 4), dtype="f")
    pad = numpy.zeros((2, 4), dtype="f")
    b = numpy.zeros((4,), dtype="f")
    H = numpy.empty((1, 2), dtype="f")
    which = numpy.empty((1, 2), dtype=numpy.uint8)
    for bad in (3, -2):
        with pytest.raises(IndexError, match="outside"):
            ids = numpy.array([[0, bad]], dtype="i")
            _parser_kernels.hidden_forward(P, pad, b, ids, 2, which, H)


# -- models -----------------------------------------------------------------------------------

def FixedVectors(lengths, width, seed=0) -> Model:
    """A stand-in tok2vec whose output rows are its parameter V, so dV = d(tokvecs)."""

    def init(model, X=None, Y=None):
        rng = numpy.random.RandomState(seed)
        model.set_param("V", rng.normal(size=(sum(lengths), width)).astype("float32"))

    def forward(model, docs, is_train):
        V = model.get_param("V")
        model.attrs["calls"] += 1
        offsets = numpy.cumsum([0] + list(lengths))
        outputs = [V[offsets[i]:offsets[i + 1]] for i in range(len(lengths))]

        def backprop(dYs):
            model.attrs["backprops"] += 1
            dV = numpy.concatenate(dYs) if dYs else numpy.zeros((0, width))
            if model.has_grad("V"):
                model.inc_grad("V", dV)
            else:
                model.set_grad("V", dV.copy())
            return []

        return outputs, backprop

    return Model("fixed_vectors", forward, init=init, dims={"nO": width}, params={"V": None},
                 attrs={"calls": 0, "backprops": 0})


def small_tok2vec():
    return HashEmbedCNN(width=8, depth=1, embed_size=50, window_size=1, maxout_pieces=2,
                        subword_features=True)


def build(tok2vec, docs, nO=5, **kwargs):
    model = TransitionBasedParser(tok2vec, "parser", **kwargs)
    resize_output(model, nO)
    model.initialize(X=docs)
    return model


def step_plans(rng, n_rows, F, sizes=(6, 4, 3)):
    """A batch's worth of steps: feature ids and a random loss direction for each."""
    return [(random_ids(rng, S, F, n_rows), rng.normal(size=(S,))) for S in sizes]


def gradient_check(model, docs, n_moves, n_rows, seed=1):
    rng = numpy.random.RandomState(seed)
    to_float64(model)
    for node in model.walk():  # move zero-initialized weights off zero
        for name in ("W", "b", "pad"):
            if node.name.startswith("parser_") and node.has_param(name):
                node.set_param(name, rng.normal(scale=0.5, size=node.get_param(name).shape))
    plans = step_plans(rng, n_rows, model.attrs["n_feats"])
    R = [rng.normal(size=(len(ids), n_moves)) for ids, _ in plans]

    def loss_only():
        step = model.predict(docs)
        return sum(float((step.predict(ids) * r).sum()) for (ids, _), r in zip(plans, R))

    def loss_and_grad():
        step, finish = model.begin_update(docs)
        for (ids, _), r in zip(plans, R):
            scores, backprop_step = step.begin_update(ids)
            assert scores.dtype == numpy.float64 and scores.shape == r.shape
            backprop_step(r)
        finish()

    return check_param_grads(model, loss_and_grad, loss_only, n_entries=8)


@pytest.mark.parametrize("use_upper,pieces", [(True, 2), (True, 1), (False, 3), (False, 1)])
def test_gradients_to_tokvecs_and_params(use_upper, pieces):
    fix_random_seed(0)
    lengths = [4, 1, 6]
    docs = [None] * len(lengths)
    model = build(FixedVectors(lengths, 5), docs, nO=4, hidden_width=3, maxout_pieces=pieces,
                  use_upper=use_upper)
    assert gradient_check(model, docs, 4, sum(lengths)) > 0


def test_gradients_through_tok2vec(docs):
    fix_random_seed(0)
    model = build(small_tok2vec(), docs, nO=3, hidden_width=4, maxout_pieces=2)
    assert gradient_check(model, docs, 3, sum(len(d) for d in docs)) > 0


def test_finish_calls_tok2vec_backprop_once():
    lengths = [3, 2]
    tok2vec = FixedVectors(lengths, 4)
    model = build(tok2vec, [None, None], nO=3, hidden_width=4)
    step, finish = model.begin_update([None, None])
    assert step.get_doc_offsets().tolist() == [0, 3, 5]
    scores, bp = step.begin_update(numpy.array([[0, 4] + [-1] * 6], dtype="i"))
    bp(numpy.ones_like(scores))
    finish()
    finish()
    step.finish()
    assert tok2vec.attrs["backprops"] == 1
    with pytest.raises(ValueError, match="finish"):
        step.begin_update(numpy.array([[0] * 8], dtype="i"))
    # no step backpropagated: the tok2vec still gets its (zero) gradient once
    step, finish = model.begin_update([None, None])
    finish()
    assert tok2vec.attrs["backprops"] == 2
    assert tok2vec.attrs["calls"] == 2


def test_bad_feature_ids_are_reported():
    model = build(FixedVectors([3], 4), [None], nO=2)
    step = model.predict([None])
    with pytest.raises(ValueError, match="n_feats"):
        step.predict(numpy.zeros((2, 3), dtype="i"))
    with pytest.raises(IndexError, match="outside"):
        step.predict(numpy.full((1, 8), 3, dtype="i"))


def test_n_feats_table_and_override():
    t2v = small_tok2vec()
    assert TransitionBasedParser(t2v, "parser").attrs["n_feats"] == N_FEATS["parser"][0] == 8
    assert TransitionBasedParser(t2v, "parser", extra_state_tokens=True).attrs["n_feats"] == 13
    assert TransitionBasedParser(t2v, "ner").attrs["n_feats"] == 3
    assert TransitionBasedParser(t2v, "ner", n_feats=4).attrs["n_feats"] == 4
    with pytest.raises(ValueError, match="state_type"):
        TransitionBasedParser(t2v, "tagger")


def test_n_feats_set_before_initialize():
    model = TransitionBasedParser(FixedVectors([3], 4), "parser")
    model.attrs["n_feats"] = 13
    resize_output(model, 2)
    model.initialize(X=[None])
    assert model.predict([None]).predict(numpy.zeros((1, 13), dtype="i")).shape == (1, 2)


def test_missing_nO_is_explained():
    model = TransitionBasedParser(FixedVectors([3], 4), "parser")
    with pytest.raises(ValueError, match="resize_output"):
        model.initialize(X=[None])


@pytest.mark.parametrize("use_upper", [True, False])
def test_predict_reusing_gives_predicts_scores(use_upper):
    lengths = [7, 5, 9]
    model = build(FixedVectors(lengths, 6), [None] * 3, nO=4, hidden_width=8, use_upper=use_upper)
    if use_upper:
        rng = numpy.random.RandomState(3)
        model.get_ref("upper").set_param("W", rng.normal(size=(8, 4)).astype("f"))
        model.get_ref("upper").set_param("b", rng.normal(size=(4,)).astype("f"))
    step = model.predict([None] * 3)
    rng = numpy.random.RandomState(4)
    for S in (6, 3, 9, 4):   # fewer states than before, then more: the buffers grow
        ids = random_ids(rng, S, 8, sum(lengths))
        expected = step.predict(ids)
        got = step.predict_reusing(ids)
        assert got.shape == expected.shape == (S, 4)
        numpy.testing.assert_array_equal(got, expected)


def test_dropout_only_in_training():
    model = build(FixedVectors([5], 6), [None], nO=4, hidden_width=32)
    model.get_ref("upper").set_param("W", numpy.ones((32, 4), dtype="f"))
    ids = numpy.array([[0, 1, 2, 3, 4, -1, -1, -1]], dtype="i")
    set_dropout_rate(model, 0.5)
    clean = model.predict([None]).predict(ids)
    step, finish = model.begin_update([None])
    noisy, _ = step.begin_update(ids)
    finish()
    assert not numpy.allclose(clean, noisy)
    assert numpy.allclose(clean, model.predict([None]).predict(ids))


@pytest.mark.parametrize("use_upper", [True, False])
def test_resize_output_keeps_old_moves(use_upper):
    fix_random_seed(0)
    model = build(FixedVectors([5, 3], 6), [None, None], nO=3, hidden_width=4, use_upper=use_upper)
    if use_upper:
        model.get_ref("upper").set_param("W", numpy.random.normal(size=(4, 3)).astype("f"))
    ids = random_ids(numpy.random.RandomState(0), 4, 8, 8)
    before = model.predict([None, None]).predict(ids)
    resize_output(model, 5)
    after = model.predict([None, None]).predict(ids)
    assert after.shape == (4, 5) and model.get_dim("nO") == 5
    # the output layer's product has other shapes now: the same scores up to float32 rounding
    numpy.testing.assert_allclose(after[:, :3], before, rtol=1e-5, atol=1e-6)
    # the resized model still trains
    step, finish = model.begin_update([None, None])
    scores, bp = step.begin_update(ids)
    bp(numpy.ones_like(scores))
    finish()
    model.finish_update(Adam(0.01))


def test_serialization_round_trip(docs):
    fix_random_seed(0)
    model = build(small_tok2vec(), docs, nO=6)
    train_a_little(model, docs, n_moves=6, steps=3)
    ids = random_ids(numpy.random.RandomState(3), 5, 8, sum(len(d) for d in docs))
    expected = model.predict(docs).predict(ids)
    data = model.to_bytes()
    fresh = TransitionBasedParser(small_tok2vec(), "parser")
    fresh.from_bytes(data)
    assert fresh.attrs["n_feats"] == 8 and fresh.get_dim("nO") == 6
    # the same weights and the same products: the same bits
    numpy.testing.assert_array_equal(fresh.predict(docs).predict(ids), expected)


def test_registry_resolution_from_config():
    cfg = Config().from_str("""
[model]
@architectures = "fastpipe.TransitionBasedParser.v1"
state_type = "ner"
extra_state_tokens = false
hidden_width = 16
maxout_pieces = 3
use_upper = true
nO = null

[model.tok2vec]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 8
depth = 1
embed_size = 50
window_size = 1
maxout_pieces = 3
subword_features = true
""")
    model = registry.resolve(cfg)["model"]
    assert model.name == "transition_based_parser"
    assert model.attrs["n_feats"] == 3 and model.attrs["hidden_width"] == 16
    assert model.get_ref("lower").get_dim("nP") == 3


# -- learning ---------------------------------------------------------------------------------

def train_a_little(model, docs, n_moves, steps):
    rng = numpy.random.RandomState(0)
    n_rows = sum(len(d) for d in docs)
    optimizer = Adam(0.01)
    for _ in range(steps):
        step, finish = model.begin_update(docs)
        for ids, _ in step_plans(rng, n_rows, model.attrs["n_feats"]):
            scores, bp = step.begin_update(ids)
            bp(scores - numpy.eye(n_moves, dtype="f")[rng.randint(0, n_moves, len(ids))])
        finish()
        model.finish_update(optimizer)


def softmax(x):
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_learns_moves_from_feature_patterns(nlp):
    """The right move depends on the words in two slots (an XOR-like pattern) and whether a
    third slot is empty: learnable only through the tok2vec, the hidden layer and the pad."""
    fix_random_seed(0)
    rng = numpy.random.RandomState(0)
    words = ["alpha", "beta", "gamma", "delta"]
    docs = [nlp(" ".join(rng.choice(words, size=12))) for _ in range(4)]
    word_of_row = numpy.array([words.index(t.text) for d in docs for t in d])
    n_rows, n_moves = len(word_of_row), 4
    model = TransitionBasedParser(small_tok2vec(), "ner", hidden_width=32)
    resize_output(model, n_moves)
    model.initialize(X=docs)

    def batch(S):
        ids = rng.randint(0, n_rows, size=(S, 3)).astype(numpy.int32)
        ids[rng.rand(S) < 0.3, 2] = -1
        gold = (word_of_row[ids[:, 0]] % 2 != word_of_row[ids[:, 1]] % 2).astype(int)
        gold = gold * 2 + (ids[:, 2] == -1)
        return ids, gold

    optimizer = Adam(0.005)
    for _ in range(150):
        step, finish = model.begin_update(docs)
        for _ in range(4):
            ids, gold = batch(32)
            scores, bp = step.begin_update(ids)
            bp((softmax(scores) - numpy.eye(n_moves)[gold]) / len(gold))
        finish()
        model.finish_update(optimizer)
    ids, gold = batch(500)
    accuracy = (model.predict(docs).predict(ids).argmax(axis=1) == gold).mean()
    assert accuracy > 0.95


def test_empty_batches_and_steps(nlp):
    model = build(small_tok2vec(), [nlp("a b")], nO=3)
    for docs in ([], [nlp("")], [nlp(""), nlp("one")]):
        step, finish = model.begin_update(docs)
        n_rows = int(step.get_doc_offsets()[-1])
        assert n_rows == sum(len(d) for d in docs)
        scores, bp = step.begin_update(numpy.zeros((0, 8), dtype="i"))
        assert scores.shape == (0, 3)
        bp(scores)
        if n_rows:
            scores, bp = step.begin_update(numpy.array([[0] + [-1] * 7], dtype="i"))
            bp(numpy.ones_like(scores))
        finish()
        assert model.predict(docs).predict(numpy.full((2, 8), -1, dtype="i")).shape == (2, 3)


def test_resize_output_after_training_keeps_nodes_and_grows_gradients(docs):
    fix_random_seed(0)
    model = build(small_tok2vec(), docs, nO=6)
    upper = model.get_ref("upper")
    ids = random_ids(numpy.random.RandomState(3), 5, 8, sum(len(d) for d in docs))
    step, finish = model.begin_update(docs)
    scores, bp = step.begin_update(ids)
    bp(numpy.ones_like(scores))
    finish()
    grad = upper.get_grad("W").copy()
    resize_output(model, 9)
    assert model.get_ref("upper") is upper and upper.get_dim("nO") == 9
    assert upper.get_param("W").shape == upper.get_grad("W").shape == (grad.shape[0], 9)
    numpy.testing.assert_array_equal(upper.get_grad("W")[:, :6], grad)
    assert not upper.get_grad("W")[:, 6:].any()
    model.finish_update(Adam(0.01))
