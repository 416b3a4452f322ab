"""include_static_vectors: the static vectors, projected by a learned matrix, join the hashed
embeddings of fastpipe.MultiHashEmbed.v1 (and spaCy's MultiHashEmbed.v2 and HashEmbedCNN.v2)."""
import numpy
import pytest
from thinc.api import Adam, Config

from fastpipe.cli.init_vectors import init_vectors
from fastpipe.language import Language, load
from fastpipe.ml.embed import MultiHashEmbed
from fastpipe.registry import registry
from fastpipe.tokens import Doc
from fastpipe.vocab import Vocab
from tests.helpers.cli import run
from tests.helpers.tagger import TAGGED, TRAINING_SECTIONS, tag_examples, write_tag_corpus

WIDTH = 8


def _vocab(width=4, seed=0):
    vocab = Vocab()
    rng = numpy.random.RandomState(seed)
    for word in ["cat", "dog", "sat", "the"]:
        vocab.set_vector(word, rng.uniform(-1, 1, width))
    return vocab


def _embed(vocab):
    model = MultiHashEmbed(width=WIDTH, attrs=["NORM", "SHAPE"], rows=[50, 20],
                           include_static_vectors=True)
    docs = [Doc(vocab, words=["the", "cat", "sat"]), Doc(vocab, words=["a", "dog"])]
    model.initialize(X=docs)
    return model, docs


def test_the_projection_is_sized_from_the_vocab_and_vectors_change_the_output():
    vocab = _vocab()
    model, docs = _embed(vocab)
    assert model.get_param("P").shape == (WIDTH, 4) and model.get_dim("nV") == 4
    assert model.get_dim("nE") == 3 * WIDTH
    before = model.predict(docs).dataXd.copy()
    assert before.shape == (5, WIDTH)
    vocab.vectors["cat"] = vocab.vectors["cat"] + 1.0
    after = model.predict(docs).dataXd
    changed = numpy.abs(after - before).max(axis=1) > 1e-6
    assert changed.tolist() == [False, True, False, False, False]


def test_a_word_without_a_vector_gets_zeros_before_the_projection():
    vocab = _vocab()
    model, _ = _embed(vocab)
    doc = Doc(vocab, words=["a"])  # no vector
    before = model.predict([doc]).dataXd.copy()
    model.set_param("P", model.get_param("P") * 3.0)  # no effect on a zero vector
    assert numpy.allclose(model.predict([doc]).dataXd, before)


def test_the_projection_gradient_matches_finite_differences():
    vocab = _vocab()
    model, docs = _embed(vocab)
    Y, backprop = model.begin_update(docs)
    rng = numpy.random.RandomState(1)
    dY = rng.uniform(-1, 1, Y.dataXd.shape).astype("float32")
    backprop(type(Y)(dY, Y.lengths))
    grad = model.get_grad("P").copy()
    P = model.get_param("P")
    eps = 1e-3
    for (i, j) in [(0, 0), (3, 2), (7, 3)]:
        old = P[i, j]
        P[i, j] = old + eps
        up = float((model.predict(docs).dataXd * dY).sum())
        P[i, j] = old - eps
        down = float((model.predict(docs).dataXd * dY).sum())
        P[i, j] = old
        assert grad[i, j] == pytest.approx((up - down) / (2 * eps), rel=0.05, abs=1e-3)


def test_no_vectors_or_other_vectors_are_refused():
    model = MultiHashEmbed(width=WIDTH, attrs=["NORM"], rows=[50], include_static_vectors=True)
    with pytest.raises(ValueError, match=r"\[E732\]"):
        model.initialize(X=[Doc(Vocab(), words=["x"])])
    model, _ = _embed(_vocab())
    with pytest.raises(ValueError, match=r"\[E733\]"):
        model.predict([Doc(_vocab(width=6), words=["cat"])])


def test_without_the_option_the_layer_has_no_projection():
    model = MultiHashEmbed(width=WIDTH, attrs=["NORM"], rows=[50])
    assert not model.has_param("P") and model.get_dim("nE") == WIDTH


# -- pipelines ---------------------------------------------------------------------------------

def _write_vectors(path, seed=0):
    """A GloVe-style text file with a vector for every word of the toy task, and for "zebra"."""
    words = sorted({w for text, _ in TAGGED for w in text.split()}) + ["zebra"]
    rng = numpy.random.RandomState(seed)
    lines = [w + " " + " ".join(f"{x:.5f}" for x in rng.uniform(-1, 1, 6)) for w in words]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


TOK2VEC = {
    "fastpipe": """
[components.tok2vec.model]
@architectures = "fastpipe.Tok2Vec.v1"

[components.tok2vec.model.embed]
@architectures = "fastpipe.MultiHashEmbed.v1"
width = 16
attrs = ["NORM", "PREFIX"]
rows = [200, 100]
include_static_vectors = true

[components.tok2vec.model.encode]
@architectures = "fastpipe.MaxoutWindowEncoder.v1"
width = 16
depth = 1
window_size = 1
maxout_pieces = 2

[components.tagger.model]
@architectures = "fastpipe.Tagger.v1"

[components.tagger.model.tok2vec]
@architectures = "fastpipe.Tok2VecListener.v1"
width = 16
""",
    "spacy": """
[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 16
attrs = ["NORM", "PREFIX"]
rows = [200, 100]
include_static_vectors = true

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 16
depth = 1
window_size = 1
maxout_pieces = 2

[components.tagger.model]
@architectures = "spacy.Tagger.v2"

[components.tagger.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 16
upstream = "*"
"""}


def _config(vectors_dir, flavour):
    return Config().from_str(f"""
[paths]
vectors = "{vectors_dir}"

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tagger]
factory = "tagger"
{TOK2VEC[flavour]}
[initialize]
vectors = ${{paths.vectors}}
""", interpolate=False)


def _train(nlp, steps=15):
    examples = tag_examples(nlp)
    optimizer = nlp.initialize(lambda: examples, sgd=Adam(0.01))
    losses = []
    for _ in range(steps):
        step = {}
        nlp.update(examples, sgd=optimizer, losses=step)
        losses.append(step["tagger"])
    return losses


@pytest.mark.parametrize("flavour", ["fastpipe", "spacy"])
def test_a_tagger_with_static_vectors_trains_saves_and_loads(tmp_path, flavour):
    init_vectors("en", _write_vectors(tmp_path / "vectors.txt"), tmp_path / "vectors")
    nlp = Language.from_config(_config(tmp_path / "vectors", flavour))
    losses = _train(nlp)
    assert nlp.vocab.vectors.shape[1] == 6 and nlp("cats")[0].has_vector is False
    assert losses[-1] < losses[0] / 2
    embed = nlp.get_pipe("tok2vec").model.layers[0]
    assert embed.get_param("P").shape == (16, 6)
    text = TAGGED[0][0]
    assert [t.tag_ for t in nlp(text)] == TAGGED[0][1]
    tensor = nlp(text).tensor.copy()  # the tok2vec's output
    nlp.to_disk(tmp_path / "nlp")
    loaded = load(tmp_path / "nlp")
    assert numpy.array_equal(loaded.vocab.vectors.data, nlp.vocab.vectors.data)
    assert numpy.allclose(loaded(text).tensor, tensor, atol=1e-6)
    # other vectors for the same words: other outputs
    table = loaded.vocab.vectors.data
    table[:] = numpy.random.RandomState(5).uniform(-1, 1, table.shape)
    assert not numpy.allclose(loaded(text).tensor, tensor, atol=1e-3)


def test_initialize_vectors_brings_the_words_with_them(tmp_path):
    init_vectors("en", _write_vectors(tmp_path / "vectors.txt"), tmp_path / "vectors")
    nlp = Language.from_config(_config(tmp_path / "vectors", "fastpipe"))
    assert "zebra" not in nlp.vocab.strings
    nlp.initialize(lambda: tag_examples(nlp))
    assert "zebra" in nlp.vocab.strings  # no example has it: it came with the vectors
    assert nlp.vocab.vectors.strings is nlp.vocab.strings
    assert nlp("zebra")[0].has_vector


def test_static_vectors_without_vectors_stop_before_training(tmp_path):
    config = _config(tmp_path, "fastpipe")
    config["initialize"]["vectors"] = None
    nlp = Language.from_config(config)
    examples = tag_examples(nlp)
    with pytest.raises(ValueError, match=r"\[E732\].*include_static_vectors"):
        nlp.initialize(lambda: examples)
        nlp.update(examples)


def test_initialize_refuses_a_folder_without_vectors(tmp_path):
    Language.blank("en").to_disk(tmp_path / "blank")
    nlp = Language.from_config(_config(tmp_path / "blank", "fastpipe"))
    with pytest.raises(ValueError, match=r"\[E734\].*no vectors"):
        nlp.initialize(lambda: tag_examples(nlp))
    nlp = Language.from_config(_config(tmp_path / "missing", "fastpipe"))
    with pytest.raises(ValueError, match=r"\[E734\].*no such folder"):
        nlp.initialize(lambda: tag_examples(nlp))


def test_spacy_hash_embed_cnn_takes_pretrained_vectors():
    block = {"@architectures": "spacy.HashEmbedCNN.v2", "width": 16, "depth": 1,
             "embed_size": 100, "window_size": 1, "maxout_pieces": 2,
             "subword_features": True, "pretrained_vectors": True}
    model = registry.resolve({"m": block})["m"]
    vocab = _vocab()
    model.initialize(X=[Doc(vocab, words=["the", "cat"])])
    outputs = model.predict([Doc(vocab, words=["the", "cat"])])
    assert outputs[0].shape == (2, 16)
    assert model.layers[0].get_param("P").shape == (16, 4)
    block["pretrained_vectors"] = None
    plain = registry.resolve({"m": block})["m"]
    assert not plain.layers[0].has_param("P")


def test_spacy_static_vectors_is_a_layer_of_its_own():
    block = {"@architectures": "spacy.StaticVectors.v2", "nO": WIDTH, "dropout": 0.5}
    model = registry.resolve({"m": block})["m"]
    vocab = _vocab()
    docs = [Doc(vocab, words=["the", "cat", "zebra"]), Doc(vocab, words=["dog"])]
    model.initialize(X=docs)
    assert model.get_param("P").shape == (WIDTH, 4)
    out = model.predict(docs)
    assert list(out.lengths) == [3, 1]
    expected = vocab.vectors.get_batch(numpy.concatenate([d.to_array("ORTH") for d in docs]))
    assert numpy.allclose(out.dataXd, expected @ model.get_param("P").T, atol=1e-6)
    assert not out.dataXd[2].any()  # "zebra" has no vector
    numpy.random.seed(0)
    trained, backprop = model.begin_update(docs * 20)
    dropped = ~trained.dataXd.any(axis=1)
    assert 0.25 < dropped.mean() < 0.75  # whole rows dropped
    backprop(type(trained)(numpy.ones_like(trained.dataXd), trained.lengths))
    assert model.get_grad("P").any()
    with pytest.raises(ValueError, match=r"\[E733\]"):
        registry.resolve({"m": {"@architectures": "spacy.StaticVectors.v2", "nO": WIDTH,
                                "nM": 3}})["m"].initialize(X=docs)


@pytest.mark.slow
def test_fastpipe_train_runs_a_spacy_config_with_vectors(tmp_path):
    train, dev = write_tag_corpus(tmp_path)
    init_vectors("en", _write_vectors(tmp_path / "vectors.txt"), tmp_path / "vectors")
    config = _config("null", "spacy")
    config["paths"]["vectors"] = None
    text = config.to_str().replace("[paths]", "[paths]\ntrain = null\ndev = null")
    (tmp_path / "config.cfg").write_text(text + TRAINING_SECTIONS, encoding="utf8")
    result = run("train", tmp_path / "config.cfg", "--output", tmp_path / "out",
                 "--paths.train", train, "--paths.dev", dev,
                 "--paths.vectors", tmp_path / "vectors")
    assert result.exit_code == 0, result.output
    nlp = load(tmp_path / "out" / "model-best")
    vectors = load(tmp_path / "vectors").vocab.vectors
    assert numpy.array_equal(nlp.vocab.vectors.data, vectors.data)
    assert nlp.vocab.vectors.key2row == vectors.key2row and nlp("zebra")[0].has_vector
    assert nlp.get_pipe("tok2vec").model.layers[0].get_param("P").shape == (16, 6)
