"""Every custom layer's backward pass against central finite differences, in float64."""
import numpy
import pytest
from thinc.api import fix_random_seed
from thinc.types import Ragged

from fastpipe.ml import HashEmbedCNN, MaxoutWindowEncoder, MultiHashEmbed, Tagger, TextCatBOW, TextCatEnsemble, Tok2Vec

from ml_helpers import check_param_grads, to_float64


def small_tok2vec(depth=2, window=1):
    embed = MultiHashEmbed(width=6, attrs=["NORM", "PREFIX", "SHAPE"], rows=[50, 20, 10])
    encode = MaxoutWindowEncoder(width=6, window_size=window, maxout_pieces=3, depth=depth)
    return Tok2Vec(embed, encode)


def test_tok2vec_gradients(docs):
    fix_random_seed(0)
    model = small_tok2vec()
    model.initialize(X=docs)
    to_float64(model)
    rng = numpy.random.RandomState(1)
    R = [rng.normal(size=(len(d), 6)) for d in docs]

    def loss_only():
        Ys = model.predict(docs)
        return sum(float((y * r).sum()) for y, r in zip(Ys, R))

    def loss_and_grad():
        Ys, backprop = model.begin_update(docs)
        assert all(y.dtype == numpy.float64 for y in Ys)
        backprop(R)

    assert check_param_grads(model, loss_and_grad, loss_only) > 0


@pytest.mark.parametrize("window", [0, 1, 2])
def test_encoder_input_gradient(window):
    fix_random_seed(0)
    encoder = MaxoutWindowEncoder(width=5, window_size=window, maxout_pieces=2, depth=2)
    encoder.initialize()
    to_float64(encoder)
    rng = numpy.random.RandomState(2)
    lengths = numpy.asarray([3, 1, 4, 0, 2], dtype=numpy.int32)
    X = rng.normal(size=(int(lengths.sum()), 5))
    R = rng.normal(size=X.shape)
    Y, backprop = encoder.begin_update(Ragged(X.copy(), lengths))
    dX = backprop(Ragged(R.copy(), lengths)).dataXd.copy()
    eps = 1e-6
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Xp = X.copy()
            Xp[i, j] += eps
            up = float((encoder.predict(Ragged(Xp, lengths)).dataXd * R).sum())
            Xp[i, j] -= 2 * eps
            down = float((encoder.predict(Ragged(Xp, lengths)).dataXd * R).sum())
            assert numpy.isclose(dX[i, j], (up - down) / (2 * eps), rtol=1e-4, atol=1e-7)


def cross_entropy(probs, truth):
    return float(-(truth * numpy.log(probs)).sum())


def test_tagger_gradients(docs):
    fix_random_seed(0)
    model = Tagger(small_tok2vec(depth=1))
    rng = numpy.random.RandomState(3)
    truth = [numpy.eye(4)[rng.randint(0, 4, size=len(d))] for d in docs]
    model.initialize(X=docs, Y=truth)
    to_float64(model)
    # move the zero-initialized output layer off zero so every path carries gradient
    model.set_param("W", rng.normal(scale=0.5, size=model.get_param("W").shape))

    def loss_only():
        return sum(cross_entropy(p, t) for p, t in zip(model.predict(docs), truth))

    def loss_and_grad():
        probs, backprop = model.begin_update(docs)
        backprop([p - t for p, t in zip(probs, truth)])

    assert check_param_grads(model, loss_and_grad, loss_only) > 0


@pytest.mark.parametrize("exclusive,no_output_layer", [(True, False), (False, False), (True, True)])
def test_bow_gradients(docs, exclusive, no_output_layer):
    """TextCatBOW's backprop takes the gradient w.r.t. its output (probabilities, or raw scores
    without an output layer), as spaCy's bag of words does, so any loss of the output checks it."""
    model = TextCatBOW(exclusive_classes=exclusive, ngram_size=2, no_output_layer=no_output_layer, length=64)
    rng = numpy.random.RandomState(4)
    model.initialize(X=docs, Y=numpy.zeros((len(docs), 3), "f"))
    to_float64(model)
    model.set_param("W", rng.normal(scale=0.3, size=model.get_param("W").shape))
    R = rng.normal(size=(len(docs), 3))

    def loss_only():
        return float((model.predict(docs) * R).sum())

    def loss_and_grad():
        scores, backprop = model.begin_update(docs)
        backprop(R)

    assert check_param_grads(model, loss_and_grad, loss_only) > 0


@pytest.mark.parametrize("exclusive", [True, False])
def test_ensemble_gradients(docs, exclusive):
    """Exclusive classes: backprop takes probs - truth, the cross-entropy gradient of the
    softmax's input. Independent labels: the gradient w.r.t. the probabilities."""
    fix_random_seed(0)
    linear = TextCatBOW(exclusive_classes=exclusive, ngram_size=1, no_output_layer=False, length=32)
    model = TextCatEnsemble(small_tok2vec(depth=1), linear)
    rng = numpy.random.RandomState(5)
    truth = numpy.eye(3)[rng.randint(0, 3, size=len(docs))]
    R = rng.normal(size=truth.shape)
    model.initialize(X=docs, Y=truth)
    to_float64(model)
    # off zero: the output layer so every path carries gradient, the residual block's biases so
    # an empty doc's pooled zeros do not tie its maxout pieces (a kink finite differences straddle)
    for node, name in ((model, "W_out"), (linear, "W"), (model.get_ref("residual"), "b")):
        node.set_param(name, rng.normal(scale=0.5, size=node.get_param(name).shape))

    def loss_only():
        scores = model.predict(docs)
        return cross_entropy(scores, truth) if exclusive else float((scores * R).sum())

    def loss_and_grad():
        scores, backprop = model.begin_update(docs)
        backprop(scores - truth if exclusive else R)

    assert check_param_grads(model, loss_and_grad, loss_only) > 0


def test_float32_training_gradients_close_to_float64(docs):
    """The float32 path used in training computes the same gradients, to float32 precision."""
    fix_random_seed(0)
    model = HashEmbedCNN(width=8, depth=2, embed_size=100, window_size=1, maxout_pieces=3, subword_features=True)
    model.initialize(X=docs)
    rng = numpy.random.RandomState(6)
    R = [rng.normal(size=(len(d), 8)).astype("f") for d in docs]
    Ys, backprop = model.begin_update(docs)
    backprop(R)
    g32 = {(n.id, k): n.get_grad(k).copy() for n in model.walk() for k in n.param_names if n.has_grad(k)}
    for node in model.walk():
        for name in node.param_names:
            if node.has_grad(name):
                node.get_grad(name)[...] = 0
    to_float64(model)
    Ys, backprop = model.begin_update(docs)
    backprop([r.astype("f8") for r in R])
    for node in model.walk():
        for name in node.param_names:
            if node.has_grad(name):
                g = g32[(node.id, name)]
                numpy.testing.assert_allclose(g, node.get_grad(name), rtol=1e-3, atol=1e-4 * numpy.abs(g).max())
