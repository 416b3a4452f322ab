"""The text classifiers keep spaCy's meaning for the same settings: the bag of words hashes the
exact text, weighs each n-gram by two table rows in a power-of-two table, and takes its output's
gradient; the ensemble pools with a random-started attention query and refines the pooled
vector with a residual maxout block that dropout reaches."""
import numpy
import pytest
from thinc.api import set_dropout_rate

from fastpipe.attrs import IDS
from fastpipe.ml import HashEmbedCNN, TextCatBOW, TextCatEnsemble, _features
from fastpipe.ml.textcat import ATTENTION_INIT


def small_cnn(width=8):
    return HashEmbedCNN(width=width, depth=1, embed_size=100, window_size=1, maxout_pieces=3,
                        subword_features=True)


def test_ngram_ids_two_rows_per_feature(nlp):
    doc = nlp("a b a")
    one, starts_one = _features.ngram_ids([doc], IDS["ORTH"], 2, 1 << 20, 1)
    two, starts_two = _features.ngram_ids([doc], IDS["ORTH"], 2, 1 << 20, 2)
    assert starts_one.tolist() == [0, 5] and starts_two.tolist() == [0, 10]
    pairs = two.reshape(-1, 2)
    assert (pairs[:, 0] != pairs[:, 1]).all()        # independent rows for each feature
    assert pairs[0].tolist() == pairs[2].tolist()     # "a" twice: the same two rows
    assert pairs[0].tolist() != pairs[1].tolist()
    with pytest.raises(ValueError):
        _features.ngram_ids([doc], IDS["ORTH"], 1, 100, 3)


def test_bow_table_rounds_up_to_a_power_of_two():
    assert TextCatBOW(True, 1, False, length=1000).get_dim("length") == 1024
    assert TextCatBOW(True, 1, False, length=1024).get_dim("length") == 1024
    assert TextCatBOW(True, 1, False, length=1).get_dim("length") == 1


def test_bow_tells_case_apart(nlp):
    """ORTH, not LOWER: 'Great' and 'great' are different features."""
    model = TextCatBOW(True, 1, True, length=4096)
    model.initialize(X=None, Y=numpy.zeros((1, 2), "f"))
    model.set_param("W", numpy.random.normal(size=model.get_param("W").shape).astype("f"))
    upper, lower = model.predict([nlp("Great"), nlp("great")])
    assert not numpy.allclose(upper, lower)


def test_bow_backprop_goes_through_the_softmax(nlp):
    """The gradient given is w.r.t. the probabilities: a gradient that the softmax maps to zero
    (the same value for every class) leaves the weights unchanged."""
    model = TextCatBOW(True, 1, False, length=64)
    model.initialize(X=None, Y=numpy.zeros((1, 3), "f"))
    _, backprop = model.begin_update([nlp("some words here")])
    backprop(numpy.full((1, 3), 5.0, dtype="f"))
    assert numpy.abs(model.get_grad("W")).max() < 1e-6
    assert numpy.abs(model.get_grad("b")).max() < 1e-6


def test_ensemble_attention_and_residual(docs):
    model = TextCatEnsemble(small_cnn(), TextCatBOW(True, 1, False, length=64))
    model.initialize(X=docs, Y=numpy.zeros((len(docs), 2), "f"))
    q = model.get_param("q")
    assert q.shape == (8,) and numpy.abs(q).max() <= ATTENTION_INIT and numpy.abs(q).max() > 0
    residual = model.get_ref("residual")
    assert residual in list(model.walk())
    # dropout reaches the residual block: training outputs change with it, prediction does not
    model.set_param("W_out", numpy.random.normal(size=model.get_param("W_out").shape).astype("f"))
    set_dropout_rate(model, 0.5)
    assert residual.attrs["dropout_rate"] == 0.5
    trained, _ = model.begin_update(docs)
    assert not numpy.allclose(trained, model.predict(docs))
    set_dropout_rate(model, 0.0)
    same, _ = model.begin_update(docs)
    numpy.testing.assert_allclose(same, model.predict(docs), rtol=1e-5, atol=1e-6)
