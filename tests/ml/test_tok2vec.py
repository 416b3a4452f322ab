"""Shapes, doc boundaries, determinism and serialization of the tok2vec layers."""
import numpy
import pytest
from thinc.api import fix_random_seed, set_dropout_rate

from fastpipe.ml import HashEmbedCNN, MultiHashEmbed
from fastpipe.ml import _features


def make_tok2vec(width=16, depth=2, window=1):
    return HashEmbedCNN(width=width, depth=depth, embed_size=300, window_size=window,
                        maxout_pieces=3, subword_features=True)


def test_shapes_and_width(docs):
    model = make_tok2vec()
    model.initialize(X=docs)
    assert model.get_dim("nO") == 16
    Ys = model.predict(docs)
    assert len(Ys) == len(docs)
    for doc, Y in zip(docs, Ys):
        assert Y.shape == (len(doc), 16)
        assert Y.dtype == numpy.float32
    assert model.predict([]) == []


def test_empty_docs_only(nlp):
    model = make_tok2vec()
    model.initialize()
    Ys, backprop = model.begin_update([nlp(""), nlp("")])
    assert [y.shape for y in Ys] == [(0, 16), (0, 16)]
    backprop([numpy.zeros((0, 16), "f"), numpy.zeros((0, 16), "f")])


#: How far a doc's vectors may move when its batch-mates change: the BLAS may add up a row's
#: products in another order when the row sits elsewhere in a bigger matrix (float32 rounding,
#: about 1e-7 of the values per product, through 3 layers). Vectors are layer-normalized, O(1).
BATCH_ROUNDING = 1e-4


@pytest.mark.parametrize("window", [1, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_window_stays_inside_each_doc(nlp, window, seed):
    """A token's vector depends only on its own doc, whatever shares the batch: up to float32
    rounding, far below what a token of another doc inside the window would change."""
    fix_random_seed(seed)
    model = make_tok2vec(depth=3, window=window)
    model.initialize()
    a = nlp("Short one here.")
    b = nlp("Another sentence that is somewhat longer than the first")
    c = nlp("Completely different words appear at the edges")
    alone = model.predict([a])[0].copy()
    for batch, pos in (([a, b], 0), ([b, a], 1), ([c, a, b], 1), ([b, a, c], 1)):
        numpy.testing.assert_allclose(model.predict(batch)[pos], alone, rtol=0,
                                      atol=BATCH_ROUNDING)
    # what the test would see of a leak: one word of the doc changed, at its edge
    edited = model.predict([nlp("Short one there.")])[0]
    assert numpy.abs(edited[1] - alone[1]).max() > 100 * BATCH_ROUNDING


def test_gradient_stays_inside_each_doc(nlp):
    model = make_tok2vec(depth=2)
    model.initialize()
    a, b = nlp("one two three"), nlp("four five six seven")
    Ys, backprop = model.begin_update([a, b])
    embed = model.layers[0]
    # gradient only on doc b: the embedding rows of a's tokens (and only those) get nothing
    backprop([numpy.zeros_like(Ys[0]), numpy.ones_like(Ys[1])])
    ids_a, _ = _features.hash_row_ids([a], embed.attrs["attr_ids"], embed.attrs["seeds"], embed.attrs["rows"])
    ids_b, _ = _features.hash_row_ids([b], embed.attrs["attr_ids"], embed.attrs["seeds"], embed.attrs["rows"])
    only_a = sorted(set(ids_a.ravel().tolist()) - set(ids_b.ravel().tolist()))
    dE = embed.get_grad("E")
    assert only_a and numpy.abs(dE[only_a]).max() == 0
    assert numpy.abs(dE[sorted(set(ids_b.ravel().tolist()))]).max() > 0


def test_same_seed_same_model(docs):
    outputs = []
    for _ in range(2):
        fix_random_seed(7)
        model = make_tok2vec()
        model.initialize(X=docs)
        set_dropout_rate(model, 0.2)
        Ys, backprop = model.begin_update(docs)  # dropout draws from the seeded generator
        outputs.append((model.predict(docs), [y.copy() for y in Ys]))
    for (p1, t1), (p2, t2) in zip([outputs[0]], [outputs[1]]):
        for x, y in zip(p1 + t1, p2 + t2):
            numpy.testing.assert_array_equal(x, y)


def test_dropout_only_in_training(docs):
    model = make_tok2vec()
    model.initialize(X=docs)
    clean = [y.copy() for y in model.predict(docs)]
    set_dropout_rate(model, 0.5)
    for x, y in zip(clean, model.predict(docs)):
        numpy.testing.assert_array_equal(x, y)
    noisy, _ = model.begin_update(docs)
    assert any(not numpy.allclose(x, y) for x, y in zip(clean, noisy) if len(x))


def test_serialization_round_trip(docs):
    model = make_tok2vec()
    model.initialize(X=docs)
    data = model.to_bytes()
    fix_random_seed(123)
    other = make_tok2vec()
    other.initialize(X=docs)
    other.from_bytes(data)
    for x, y in zip(model.predict(docs), other.predict(docs)):
        numpy.testing.assert_array_equal(x, y)
    assert other.to_bytes() == data


def test_outputs_survive_later_calls(docs):
    """Returned arrays are never overwritten by the next call (buffers are reused safely)."""
    model = make_tok2vec()
    model.initialize(X=docs)
    first = model.predict(docs)
    copy = [y.copy() for y in first]
    Ys, backprop = model.begin_update(docs[::-1])
    model.predict(docs[:2])
    backprop([numpy.ones_like(y) for y in Ys])
    for x, y in zip(first, copy):
        numpy.testing.assert_array_equal(x, y)


def test_backprop_after_another_forward_is_unaffected(docs):
    model = make_tok2vec()
    model.initialize(X=docs)
    R = [numpy.random.RandomState(0).normal(size=(len(d), 16)).astype("f") for d in docs]
    _, backprop = model.begin_update(docs)
    backprop(R)
    expected = model.layers[0].get_grad("E").copy()
    model.layers[0].get_grad("E")[...] = 0
    _, backprop = model.begin_update(docs)
    model.begin_update(docs[::-1])  # interleaved call must not disturb saved state
    backprop(R)
    # the same batch through the same weights: the same sums in the same order
    numpy.testing.assert_array_equal(model.layers[0].get_grad("E"), expected)


def test_multihashembed_validates_arguments():
    with pytest.raises(ValueError, match="rows"):
        MultiHashEmbed(width=8, attrs=["NORM", "SHAPE"], rows=[10])
    with pytest.raises(KeyError):
        MultiHashEmbed(width=8, attrs=["NOT_AN_ATTR"], rows=[10])


def test_hash_row_ids_stay_in_their_tables(docs):
    rows = [7, 3, 5]
    ids, lengths = _features.hash_row_ids(docs, [67, 69, 70], [1, 2, 3], rows)
    assert lengths.tolist() == [len(d) for d in docs]
    assert ids.shape == (sum(len(d) for d in docs), 3 * _features.N_SEEDS)
    S = _features.N_SEEDS
    assert ids[:, :S].max() < 7
    assert (ids[:, S:2 * S] >= 7).all() and (ids[:, S:2 * S] < 10).all()
    assert (ids[:, 2 * S:] >= 10).all() and (ids[:, 2 * S:] < 15).all()


def test_ngram_ids(nlp):
    a, b = nlp("a b a"), nlp("")
    ids, starts = _features.ngram_ids([a, b], 66, 2, 1000)
    assert starts.tolist() == [0, 5, 5]
    assert ids[0] == ids[2] and ids[0] != ids[1]
    assert (ids < 1000).all()
    with pytest.raises(ValueError):
        _features.ngram_ids([a], 66, 0, 1000)
