"""CharacterEmbed (spacy.CharacterEmbed.v2) and MishWindowEncoder (spacy.MishWindowEncoder.v2):
shapes, the byte slots, that spelling reaches the vectors, gradients against finite
differences in float64, the Mish block against a numpy reference, and saving."""
import numpy
import pytest
from thinc.api import fix_random_seed
from thinc.types import Ragged

from fastpipe.ml import Tok2Vec
from fastpipe.ml.charembed import CharacterEmbed, byte_slots, char_row_ids
from fastpipe.ml.encoder import MishWindowEncoder
from fastpipe.registry import registry

from ml_helpers import check_param_grads, to_float64


def char_tok2vec(width=6, rows=50, nM=3, nC=4, depth=1, window=1):
    return Tok2Vec(CharacterEmbed(width=width, rows=rows, nM=nM, nC=nC,
                                  include_static_vectors=False),
                   MishWindowEncoder(width=width, window_size=window, depth=depth))


def test_byte_slots_keep_each_place_fixed():
    assert byte_slots("jumping", 4) == b"jung"
    assert byte_slots("jumping", 5) == b"jumng"
    assert byte_slots("ab", 4) == b"abab"          # a short word fills both halves
    assert byte_slots("a", 3) == b"a\0a"
    assert byte_slots("", 2) == b"\0\0"
    assert byte_slots("é", 2) == "é".encode("utf8")  # bytes, not characters
    assert byte_slots("Apple", 1) == b"A"


def test_char_row_ids_index_one_table_per_slot(nlp):
    ids = char_row_ids([nlp("ab"), nlp("Cd")], 2)
    assert ids.dtype == numpy.uint32
    assert ids.tolist() == [[ord("a"), 256 + ord("b")], [ord("C"), 256 + ord("d")]]
    assert char_row_ids([], 3).shape == (0, 3)


def test_shapes_and_empty_docs(nlp, docs):
    model = CharacterEmbed(width=8, rows=40, nM=4, nC=6, include_static_vectors=False)
    model.initialize(X=docs)
    assert model.get_param("C").shape == (6 * 256, 4)
    Y, backprop = model.begin_update(docs)
    assert Y.dataXd.shape == (sum(len(d) for d in docs), 8)
    assert Y.lengths.tolist() == [len(d) for d in docs]
    backprop(Ragged(numpy.ones_like(Y.dataXd), Y.lengths))
    assert numpy.abs(model.get_grad("C")).sum() > 0
    tok2vec = char_tok2vec(width=8)
    tok2vec.initialize(X=docs)
    assert [y.shape for y in tok2vec.predict([nlp(""), nlp("Hi there")])] == [(0, 8), (2, 8)]


def test_spelling_reaches_the_vectors(nlp):
    """With a single hash row every word's feature embedding is the same: what tells words
    apart is their bytes. Same word, same vector; one byte changed (or its case, which LOWER
    hides), another vector."""
    model = CharacterEmbed(width=8, rows=1, nM=4, nC=4, include_static_vectors=False)
    model.initialize()
    Y = model.predict([nlp("cat cot cat Cat")]).dataXd
    numpy.testing.assert_array_equal(Y[0], Y[2])
    assert numpy.abs(Y[0] - Y[1]).max() > 1e-3
    assert numpy.abs(Y[0] - Y[3]).max() > 1e-3
    # and without the characters (nM columns zeroed) the four rows would be one
    model.set_param("C", numpy.zeros_like(model.get_param("C")))
    Y = model.predict([nlp("cat cot cat Cat")]).dataXd
    numpy.testing.assert_allclose(Y, numpy.repeat(Y[:1], 4, axis=0), atol=1e-6)


def test_tok2vec_gradients_in_float64(docs):
    fix_random_seed(0)
    model = char_tok2vec(depth=2)
    model.initialize(X=docs)
    to_float64(model)
    rng = numpy.random.RandomState(1)
    R = [rng.normal(size=(len(d), 6)) for d in docs]

    def loss_only():
        return sum(float((y * r).sum()) for y, r in zip(model.predict(docs), R))

    def loss_and_grad():
        Ys, backprop = model.begin_update(docs)
        backprop(R)

    assert check_param_grads(model, loss_and_grad, loss_only) > 0


@pytest.mark.parametrize("window", [0, 1])
def test_mish_encoder_input_gradient(window):
    encoder = MishWindowEncoder(width=5, window_size=window, depth=2)
    encoder.initialize()
    to_float64(encoder)
    rng = numpy.random.RandomState(2)
    lengths = numpy.asarray([3, 1, 0, 2], dtype=numpy.int32)
    X = rng.normal(size=(int(lengths.sum()), 5)) * 3  # reaching both tails of mish
    R = rng.normal(size=X.shape)
    _, backprop = encoder.begin_update(Ragged(X.copy(), lengths))
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


def test_mish_layer_matches_a_numpy_reference():
    """One layer, window 0: X + G * layer_norm(mish(X @ W + b)) + beta."""
    layer = MishWindowEncoder(width=4, window_size=0, depth=1)
    layer.initialize()
    rng = numpy.random.RandomState(3)
    for name in ("W", "b", "G", "beta"):
        layer.set_param(name, rng.normal(size=layer.get_param(name).shape).astype("f"))
    X = rng.normal(size=(5, 4)).astype("f") * 4
    lengths = numpy.asarray([5], dtype=numpy.int32)
    Y = layer.predict(Ragged(X, lengths)).dataXd
    Z = X.astype("d") @ layer.get_param("W") + layer.get_param("b")
    M = Z * numpy.tanh(numpy.log1p(numpy.exp(Z)))
    norm = (M - M.mean(1, keepdims=True)) / numpy.sqrt(M.var(1, keepdims=True) + 1e-5)
    expected = X + norm * layer.get_param("G") + layer.get_param("beta")
    numpy.testing.assert_allclose(Y, expected, rtol=1e-4, atol=1e-4)


def test_save_and_load_give_the_same_vectors(docs):
    model = char_tok2vec(depth=2)
    model.initialize(X=docs)
    data = model.to_bytes()
    other = char_tok2vec(depth=2)
    other.initialize(X=docs[:1])
    other.from_bytes(data)
    for a, b in zip(model.predict(docs), other.predict(docs)):
        numpy.testing.assert_array_equal(a, b)


def test_spacys_names_build_them():
    embed = registry.architectures.get("spacy.CharacterEmbed.v2")(
        width=16, rows=100, nM=8, nC=4, include_static_vectors=False)
    assert embed.name == "character_embed" and embed.attrs["feature"] == "LOWER"
    encode = registry.architectures.get("spacy.MishWindowEncoder.v2")(
        width=16, window_size=1, depth=3)
    assert [n.name for n in encode.walk()].count("window_mish") == 3


@pytest.mark.parametrize("settings", [dict(width=0, rows=10, nM=4, nC=4),
                                      dict(width=8, rows=10, nM=4, nC=0)])
def test_bad_sizes_are_refused(settings):
    with pytest.raises(ValueError, match="E870"):
        CharacterEmbed(include_static_vectors=False, **settings)


def test_bad_encoder_sizes_are_refused():
    with pytest.raises(ValueError, match="E871"):
        MishWindowEncoder(width=8, window_size=-1, depth=2)


def test_static_vectors_join_the_blocks_and_get_gradients():
    from fastpipe.tokens import Doc
    from fastpipe.vocab import Vocab

    vocab = Vocab()
    rng = numpy.random.RandomState(0)
    for word in ["cat", "dog", "the"]:
        vocab.set_vector(word, rng.uniform(-1, 1, 5))
    docs = [Doc(vocab, words=["the", "cat", "sat"]), Doc(vocab, words=["a", "dog"])]
    model = CharacterEmbed(width=6, rows=20, nM=2, nC=4, include_static_vectors=True)
    model.initialize(X=docs)
    assert model.get_param("P").shape == (6, 5) and model.get_dim("nE") == 6 + 8 + 6
    before = model.predict(docs).dataXd.copy()
    vocab.vectors["cat"] = vocab.vectors["cat"] + 1.0
    after = model.predict(docs).dataXd
    assert (numpy.abs(after - before).max(axis=1) > 1e-6).tolist() == [False, True, False,
                                                                         False, False]
    Y, backprop = model.begin_update(docs)
    backprop(Ragged(numpy.ones_like(Y.dataXd), Y.lengths))
    assert numpy.abs(model.get_grad("P")).sum() > 0


CHAR_TAGGER = """
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
@architectures = "spacy.CharacterEmbed.v2"
width = 16
rows = 200
nM = 8
nC = 4
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MishWindowEncoder.v2"
width = 16
window_size = 1
depth = 2

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "spacy.Tagger.v2"

[components.tagger.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 16
upstream = "*"
"""


def test_a_spacy_config_with_both_trains_saves_and_loads(tmp_path):
    """spaCy's names in a config: the pipeline learns the toy tags and the saved pipeline
    gives the same vectors and tags."""
    import fastpipe
    from fastpipe.cli.train import train_from_config
    from tests.helpers.tagger import TAGGED, TRAINING_SECTIONS, write_tag_corpus

    train, dev = write_tag_corpus(tmp_path, repeat=4)
    (tmp_path / "config.cfg").write_text(CHAR_TAGGER + TRAINING_SECTIONS, encoding="utf8")
    result = train_from_config(tmp_path / "config.cfg", tmp_path / "out", overrides={
        "paths.train": str(train), "paths.dev": str(dev), "training.max_steps": 24,
        "training.eval_frequency": 24})
    assert result.best_score > 0.9
    nlp = fastpipe.load(tmp_path / "out" / "model-best")
    assert nlp.get_pipe("tok2vec").model.layers[0].name == "character_embed"
    text = TAGGED[0][0]
    doc = nlp(text)
    assert [t.tag_ for t in doc] == TAGGED[0][1]
    again = fastpipe.load(tmp_path / "out" / "model-best")(text)
    numpy.testing.assert_array_equal(doc.tensor, again.tensor)
