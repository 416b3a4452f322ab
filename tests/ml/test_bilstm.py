"""BiLSTMEncoder (fastpipe.BiLSTMEncoder.v1, spaCy's name spacy.TorchBiLSTMEncoder.v1):
shapes, that each token sees its whole doc and never the next doc of the batch, gradients,
depth 0, refused sizes, saving, and a spaCy config with it that trains and reloads."""
import numpy
import pytest
from thinc.types import Ragged

from fastpipe.ml import Tok2Vec
from fastpipe.ml.embed import MultiHashEmbed
from fastpipe.ml.encoder import BiLSTMEncoder, MaxoutWindowEncoder
from fastpipe.ml.lstm import BiLSTMLayer
from fastpipe.registry import registry

from ml_helpers import check_param_grads, to_float64


def ragged(rows, lengths, width, seed=0):
    rng = numpy.random.RandomState(seed)
    return Ragged(rng.uniform(-1, 1, (rows, width)).astype("float32"),
                  numpy.asarray(lengths, dtype="int32"))


def test_shapes_and_the_lstm_layers():
    model = BiLSTMEncoder(width=8, depth=2, dropout=0.0)
    model.initialize()
    X = ragged(9, [4, 0, 5], 8)
    Y, backprop = model.begin_update(X)
    assert Y.dataXd.shape == (9, 8) and Y.dataXd.dtype == numpy.float32
    assert Y.lengths.tolist() == [4, 0, 5] and Y.dataXd.flags["C_CONTIGUOUS"]
    dX = backprop(Ragged(numpy.ones_like(Y.dataXd), Y.lengths))
    assert dX.dataXd.shape == (9, 8) and numpy.abs(dX.dataXd).sum() > 0
    grads = [numpy.abs(node.get_grad(name)).sum() for node in model.walk()
             for name in node.param_names if node.has_grad(name)]
    assert grads and all(g > 0 for g in grads)


def test_every_token_sees_its_whole_doc_and_only_it():
    """Changing a doc's last token changes the vector of its first (a window encoder of depth 2
    and window 1 cannot see that far); the other doc of the batch does not move."""
    model = BiLSTMEncoder(width=8, depth=1, dropout=0.0)
    model.initialize()
    X = ragged(13, [7, 6], 8)
    before = model.predict(X).dataXd.copy()
    X.dataXd[6] += 1.0                     # the first doc's last token
    after = model.predict(X).dataXd
    assert numpy.abs(after[0] - before[0]).max() > 1e-5
    numpy.testing.assert_array_equal(after[7:], before[7:])
    window = MaxoutWindowEncoder(width=8, window_size=1, maxout_pieces=2, depth=2)
    window.initialize()
    X = ragged(13, [7, 6], 8)
    w_before = window.predict(X).dataXd.copy()
    X.dataXd[6] += 1.0
    numpy.testing.assert_array_equal(window.predict(X).dataXd[0], w_before[0])


def test_a_doc_alone_or_in_a_batch_gets_the_same_vectors():
    model = BiLSTMEncoder(width=6, depth=2, dropout=0.0)
    model.initialize()
    X = ragged(11, [3, 8], 6)
    batch = model.predict(X).dataXd
    alone = model.predict(Ragged(X.dataXd[3:].copy(), numpy.asarray([8], dtype="int32")))
    numpy.testing.assert_allclose(alone.dataXd, batch[3:], rtol=1e-5, atol=1e-6)


def test_the_gradient_matches_finite_differences():
    """d(sum of outputs * weights)/d(input), against central differences (float32, so a loose
    tolerance)."""
    model = BiLSTMEncoder(width=4, depth=2, dropout=0.0)
    model.initialize()
    X = ragged(5, [2, 3], 4, seed=1)
    weights = numpy.random.RandomState(2).uniform(-1, 1, (5, 4)).astype("float32")
    Y, backprop = model.begin_update(X)
    dX = backprop(Ragged(weights.copy(), Y.lengths)).dataXd
    eps = 1e-2
    for i, j in [(0, 0), (1, 3), (2, 1), (4, 2)]:
        X.dataXd[i, j] += eps
        up = float((model.predict(X).dataXd * weights).sum())
        X.dataXd[i, j] -= 2 * eps
        down = float((model.predict(X).dataXd * weights).sum())
        X.dataXd[i, j] += eps
        assert numpy.isclose(dX[i, j], (up - down) / (2 * eps), rtol=2e-2, atol=2e-3)


def test_parameter_gradients_match_finite_differences_in_float64():
    model = BiLSTMEncoder(width=4, depth=2, dropout=0.0)
    model.initialize()
    to_float64(model)
    X = ragged(7, [3, 4], 4, seed=3)
    X = Ragged(X.dataXd.astype("float64"), X.lengths)
    weights = numpy.random.RandomState(4).uniform(-1, 1, (7, 4))

    def loss_and_grad():
        for node in model.walk():
            for name in node.param_names:
                if node.has_grad(name):
                    node.set_grad(name, numpy.zeros_like(node.get_param(name)))
        Y, backprop = model.begin_update(X)
        backprop(Ragged(weights.copy(), Y.lengths))

    def loss_only():
        return float((model.predict(X).dataXd * weights).sum())

    check_param_grads(model, loss_and_grad, loss_only)


def textbook_bilstm(X, lengths, W, U, b, nH):
    """The LSTM equations doc by doc and token by token (no batching, no time-major layout)."""
    def sigmoid(x):
        return 1.0 / (1.0 + numpy.exp(-x))

    out = numpy.zeros((X.shape[0], 2 * nH))
    start = 0
    for length in lengths:
        for d in (0, 1):
            h, c = numpy.zeros(nH), numpy.zeros(nH)
            for t in (range(length) if d == 0 else reversed(range(length))):
                z = X[start + t] @ W[d] + h @ U[d] + b[d]
                i, f, o = sigmoid(z[:nH]), sigmoid(z[nH:2 * nH]), sigmoid(z[2 * nH:3 * nH])
                c = f * c + i * numpy.tanh(z[3 * nH:])
                h = o * numpy.tanh(c)
                out[start + t, d * nH:(d + 1) * nH] = h
        start += length
    return out


# Unequal lengths in no order, ties, empty docs and a doc of one token: the time-major layout
# shrinks step by step and must still hand each row its own doc's state.
RAGGED_LENGTHS = [3, 0, 6, 1, 6, 2, 0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_batched_layer_computes_the_textbook_equations(dtype):
    layer = BiLSTMLayer(5, 3).initialize()
    rng = numpy.random.RandomState(7)
    for name in ("W", "U", "b"):   # away from the initial values, the forget bias included
        layer.set_param(name, rng.uniform(-0.8, 0.8, layer.get_param(name).shape).astype(dtype))
    X = rng.uniform(-1, 1, (sum(RAGGED_LENGTHS), 5)).astype(dtype)
    Y = layer.predict(Ragged(X, numpy.asarray(RAGGED_LENGTHS, dtype="int32"))).dataXd
    expected = textbook_bilstm(X.astype("float64"), RAGGED_LENGTHS,
                               *(layer.get_param(n).astype("float64") for n in "WUb"), 3)
    assert Y.dtype == numpy.dtype(dtype)
    tolerance = 1e-12 if dtype == "float64" else 2e-6
    numpy.testing.assert_allclose(Y, expected, rtol=0, atol=tolerance)


def test_gradients_over_ragged_docs_match_finite_differences_in_float64():
    """d(input) and every parameter's gradient for docs of unequal lengths, against central
    differences of the textbook equations' loss."""
    layer = to_float64(BiLSTMLayer(4, 3).initialize())
    rng = numpy.random.RandomState(11)
    n = sum(RAGGED_LENGTHS)
    X = Ragged(rng.uniform(-1, 1, (n, 4)), numpy.asarray(RAGGED_LENGTHS, dtype="int32"))
    weights = rng.uniform(-1, 1, (n, 6))

    def loss_and_grad():
        for name in ("W", "U", "b"):
            layer.set_grad(name, numpy.zeros_like(layer.get_param(name)))
        Y, backprop = layer.begin_update(X)
        return backprop(Ragged(weights.copy(), Y.lengths)).dataXd

    def loss_only():
        return float((textbook_bilstm(X.dataXd, RAGGED_LENGTHS, *(layer.get_param(name)
                                      for name in "WUb"), 3) * weights).sum())

    dX = loss_and_grad()
    eps = 1e-6
    for i, j in [(0, 0), (3, 2), (9, 1), (n - 1, 3), (12, 0)]:
        X.dataXd[i, j] += eps
        up = loss_only()
        X.dataXd[i, j] -= 2 * eps
        down = loss_only()
        X.dataXd[i, j] += eps
        assert numpy.isclose(dX[i, j], (up - down) / (2 * eps), rtol=1e-5, atol=1e-8)
    check_param_grads(layer, loss_and_grad, loss_only, n_entries=8)


def test_an_empty_batch_gives_empty_outputs_and_gradients():
    layer = BiLSTMLayer(4, 3).initialize()
    X = Ragged(numpy.zeros((0, 4), dtype="float32"), numpy.asarray([0, 0], dtype="int32"))
    Y, backprop = layer.begin_update(X)
    assert Y.dataXd.shape == (0, 6)
    assert backprop(Ragged(numpy.zeros((0, 6), dtype="float32"), Y.lengths)).dataXd.shape == (0, 4)


def test_depth_zero_passes_the_input_on():
    model = BiLSTMEncoder(width=4, depth=0, dropout=0.0)
    model.initialize()
    X = ragged(3, [3], 4)
    numpy.testing.assert_array_equal(model.predict(X).dataXd, X.dataXd)


@pytest.mark.parametrize("settings", [dict(width=7, depth=1, dropout=0.0),
                                      dict(width=0, depth=1, dropout=0.0),
                                      dict(width=8, depth=-1, dropout=0.0),
                                      dict(width=8, depth=1, dropout=1.0)])
def test_bad_settings_are_refused(settings):
    with pytest.raises(ValueError, match="E872"):
        BiLSTMEncoder(**settings)


def test_saved_weights_give_the_same_vectors(docs):
    def build():
        return Tok2Vec(MultiHashEmbed(width=8, attrs=["NORM", "SHAPE"], rows=[50, 20],
                                      include_static_vectors=False),
                       BiLSTMEncoder(width=8, depth=2, dropout=0.1))
    model = build()
    model.initialize(X=docs)
    other = build()
    other.initialize(X=docs[:1])
    other.from_bytes(model.to_bytes())
    for a, b in zip(model.predict(docs), other.predict(docs)):
        numpy.testing.assert_array_equal(a, b)


def test_spacys_name_builds_it():
    encode = registry.architectures.get("spacy.TorchBiLSTMEncoder.v1")(
        width=16, depth=2, dropout=0.2)
    assert encode.name == "bilstm_encoder" and encode.get_dim("nO") == 16


LSTM_TAGGER = """
[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 16
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [200, 100, 100, 100]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.TorchBiLSTMEncoder.v1"
width = 16
depth = 1
dropout = 0.1

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "spacy.Tagger.v2"

[components.tagger.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 16
upstream = "*"
"""


def trained_toy_tagger(tmp_path, config: str):
    """``config`` (a tok2vec and tagger) trained for 60 steps on the toy tags, which it must
    learn; its saved best pipeline, loaded."""
    import fastpipe
    from tests.helpers.tagger import TRAINING_SECTIONS, train_toy_tagger

    result, _ = train_toy_tagger(tmp_path, {"training.max_steps": 60,
                                            "training.eval_frequency": 60},
                                 config_text=config + TRAINING_SECTIONS)
    assert result.best_score > 0.9
    return fastpipe.load(tmp_path / "out" / "model-best")


def test_a_spacy_config_with_it_trains_saves_and_loads(tmp_path):
    """spaCy's TorchBiLSTMEncoder.v1 in a config, without PyTorch: the pipeline learns the toy
    tags and the saved pipeline gives the same vectors and tags."""
    import fastpipe
    from tests.helpers.tagger import TAGGED

    nlp = trained_toy_tagger(tmp_path, LSTM_TAGGER)
    assert nlp.get_pipe("tok2vec").model.layers[1].name == "bilstm_encoder"
    text = TAGGED[0][0]
    doc = nlp(text)
    assert [t.tag_ for t in doc] == TAGGED[0][1]
    again = fastpipe.load(tmp_path / "out" / "model-best")(text)
    numpy.testing.assert_array_equal(doc.tensor, again.tensor)


HYBRID_ENCODER = """
[components.tok2vec.model.encode]
@layers = "chain.v1"

[components.tok2vec.model.encode.*.window]
@architectures = "fastpipe.MaxoutWindowEncoder.v1"
width = 16
depth = 2
window_size = 1
maxout_pieces = 3

[components.tok2vec.model.encode.*.lstm]
@layers = "residual.v1"

[components.tok2vec.model.encode.*.lstm.layer]
@architectures = "fastpipe.BiLSTMEncoder.v1"
width = 16
depth = 1
dropout = 0.0
"""


def test_a_residual_lstm_after_the_window_layers_trains_from_a_config(tmp_path):
    """The README's hybrid: thinc's chain.v1 of the maxout encoder and residual.v1 of a BiLSTM
    layer, written in a config, trains and reloads."""
    from tests.helpers.tagger import TAGGED

    start = LSTM_TAGGER.index("[components.tok2vec.model.encode]")
    end = LSTM_TAGGER.index("[components.tagger]")
    config = LSTM_TAGGER[:start] + HYBRID_ENCODER.lstrip() + "\n" + LSTM_TAGGER[end:]
    nlp = trained_toy_tagger(tmp_path, config)
    names = [node.name for node in nlp.get_pipe("tok2vec").model.walk()]
    assert "bilstm" in names and "window_maxout" in names
    assert [t.tag_ for t in nlp(TAGGED[0][0])] == TAGGED[0][1]


def test_the_recurrence_refuses_steps_that_do_not_fit_its_arrays():
    """The kernel checks its shapes and its step table before it touches memory."""
    from fastpipe.ml import _lstm

    nH, n = 2, 5
    G = numpy.zeros((n, 4 * nH), dtype="float32")
    H, C, TC = (numpy.zeros((n, nH), dtype="float32") for _ in range(3))
    U = numpy.zeros((nH, 4 * nH), dtype="float32")
    work = numpy.zeros((2, 4 * nH), dtype="float32")
    ok_k, ok_o = numpy.asarray([2, 2, 1], dtype="int64"), numpy.asarray([0, 2, 4], dtype="int64")
    _lstm.forward(G, H, C, TC, U, ok_k, ok_o, work)
    for k, o in [([2, 2, 2], [0, 2, 4]),        # past the last row
                 ([1, 2, 2], [0, 1, 3]),        # a step longer than the one before
                 ([3, 2], [0, 3])]:             # more rows than the work buffer
        with pytest.raises(ValueError, match="LSTM steps"):
            _lstm.forward(G, H, C, TC, U, numpy.asarray(k, dtype="int64"),
                          numpy.asarray(o, dtype="int64"), work)
    with pytest.raises(ValueError, match="shapes do not agree"):
        _lstm.forward(G, H, C, TC, numpy.zeros((nH, 4), dtype="float32"), ok_k, ok_o, work)
