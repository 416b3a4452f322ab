"""Registry lookups, tagger and text classifier behaviour, serialization and quick learning."""
import numpy
import pytest
from thinc.api import Adam, Config, fix_random_seed, set_dropout_rate

import fastpipe.ml  # noqa: F401  (registers the architectures)
from fastpipe.ml import HashEmbedCNN, Tagger, TextCatBOW, TextCatEnsemble
from fastpipe.registry import registry

NAMES = [
    "fastpipe.MultiHashEmbed.v1",
    "fastpipe.MaxoutWindowEncoder.v1",
    "fastpipe.Tok2Vec.v1",
    "fastpipe.HashEmbedCNN.v1",
    "fastpipe.Tagger.v1",
    "fastpipe.TextCatBOW.v1",
    "fastpipe.TextCatEnsemble.v1",
]

CONFIG = """
[model]
@architectures = "fastpipe.Tagger.v1"
nO = null

[model.tok2vec]
@architectures = "fastpipe.Tok2Vec.v1"

[model.tok2vec.embed]
@architectures = "fastpipe.MultiHashEmbed.v1"
width = 32
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [500, 100, 250, 250]
include_static_vectors = false

[model.tok2vec.encode]
@architectures = "fastpipe.MaxoutWindowEncoder.v1"
width = 32
window_size = 1
maxout_pieces = 3
depth = 2
"""


def small_cnn(width=16, depth=1):
    return HashEmbedCNN(width=width, depth=depth, embed_size=500, window_size=1, maxout_pieces=3,
                        subword_features=True)


@pytest.mark.parametrize("name", NAMES)
def test_registered(name):
    assert callable(registry.architectures.get(name))


def test_tagger_from_config(docs):
    model = registry.resolve(Config().from_str(CONFIG))["model"]
    model.initialize(X=docs, Y=[numpy.zeros((1, 5), "f")])
    assert model.get_dim("nO") == 5
    assert model.layers[0].get_dim("nO") == 32
    probs = model.predict(docs)
    assert [p.shape for p in probs] == [(len(d), 5) for d in docs]
    for p in probs:
        numpy.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


def test_tagger_needs_nO(docs):
    model = Tagger(small_cnn())
    with pytest.raises(ValueError, match="nO"):
        model.initialize(X=docs)


def test_tagger_serialization(docs):
    fix_random_seed(0)
    model = Tagger(small_cnn(), nO=4)
    model.initialize(X=docs)
    model.set_param("W", numpy.random.normal(size=model.get_param("W").shape).astype("f"))
    fresh = Tagger(small_cnn())  # nO comes back from the bytes
    fresh.from_bytes(model.to_bytes())
    for x, y in zip(model.predict(docs), fresh.predict(docs)):
        numpy.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("exclusive", [True, False])
def test_textcat_shapes_and_serialization(docs, exclusive):
    fix_random_seed(0)
    Y = numpy.zeros((len(docs), 3), "f")
    for model, fresh in (
        (TextCatBOW(exclusive, 2, False, length=1000), TextCatBOW(exclusive, 2, False, length=1000)),
        (TextCatEnsemble(small_cnn(), TextCatBOW(exclusive, 1, False, length=1000)),
         TextCatEnsemble(small_cnn(), TextCatBOW(exclusive, 1, False, length=1000))),
    ):
        model.initialize(X=docs, Y=Y)
        for node in model.walk():
            for name in node.param_names:
                shape = node.get_param(name).shape
                node.set_param(name, numpy.random.normal(scale=0.1, size=shape).astype("f"))
        scores = model.predict(docs)
        assert scores.shape == (len(docs), 3)
        if exclusive:
            numpy.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)
        else:
            assert ((scores > 0) & (scores < 1)).all()
        fresh.from_bytes(model.to_bytes())
        numpy.testing.assert_array_equal(fresh.predict(docs), scores)


def test_bow_without_output_layer_gives_raw_scores(docs):
    model = TextCatBOW(True, 1, True, length=100)
    model.initialize(X=docs, Y=numpy.zeros((len(docs), 2), "f"))
    model.set_param("b", numpy.asarray([3.0, -2.0], "f"))
    numpy.testing.assert_array_equal(model.predict(docs), numpy.tile([3.0, -2.0], (len(docs), 1)))


def synthetic_tagging(nlp, n_docs, rng):
    """Tag = the word's class, except that a word after 'the' is always NOUN-like class 3."""
    words = ["cat", "dog", "run", "jump", "red", "blue", "the", "quickly", "slowly"]
    classes = {"cat": 0, "dog": 0, "run": 1, "jump": 1, "red": 2, "blue": 2, "the": 4,
               "quickly": 5, "slowly": 5}
    docs, truths = [], []
    for _ in range(n_docs):
        seq = [words[i] for i in rng.randint(0, len(words), size=rng.randint(1, 9))]
        tags = [classes[w] for w in seq]
        for i in range(1, len(seq)):
            if seq[i - 1] == "the":
                tags[i] = 3
        docs.append(nlp(" ".join(seq)))
        truths.append(numpy.eye(6, dtype="f")[tags])
    return docs, truths


@pytest.mark.slow
def test_tagger_learns_synthetic_task(nlp):
    fix_random_seed(0)
    rng = numpy.random.RandomState(0)
    docs, truths = synthetic_tagging(nlp, 200, rng)
    model = Tagger(small_cnn(width=32, depth=2))
    model.initialize(X=docs[:5], Y=truths[:5])
    set_dropout_rate(model, 0.1)
    optimizer = Adam(0.01)
    for step in range(300):
        start = (step * 16) % len(docs)
        batch, truth = docs[start:start + 16], truths[start:start + 16]
        probs, backprop = model.begin_update(batch)
        backprop([p - t for p, t in zip(probs, truth)])
        model.finish_update(optimizer)
    test_docs, test_truths = synthetic_tagging(nlp, 100, numpy.random.RandomState(1))
    probs = model.predict(test_docs)
    correct = sum(int((p.argmax(1) == t.argmax(1)).sum()) for p, t in zip(probs, test_truths))
    total = sum(len(t) for t in test_truths)
    assert correct / total > 0.98


@pytest.mark.parametrize("ensemble", [False, True])
def test_textcat_learns_separable_task(nlp, ensemble):
    fix_random_seed(0)
    rng = numpy.random.RandomState(0)
    fillers = ["movie", "plot", "actors", "the", "was", "really", "film", "it"]

    def make(n):
        docs, Y = [], []
        for _ in range(n):
            label = rng.randint(0, 2)
            words = [fillers[i] for i in rng.randint(0, len(fillers), size=5)]
            words.insert(rng.randint(0, 6), "great" if label else "awful")
            docs.append(nlp(" ".join(words)))
            Y.append([1 - label, label])
        return docs, numpy.asarray(Y, dtype="f")

    docs, Y = make(200)
    bow = TextCatBOW(exclusive_classes=True, ngram_size=2, no_output_layer=False, length=5000)
    model = TextCatEnsemble(small_cnn(), bow) if ensemble else bow
    model.initialize(X=docs[:5], Y=Y[:5])
    optimizer = Adam(0.01)
    for step in range(60):
        start = (step * 20) % len(docs)
        scores, backprop = model.begin_update(docs[start:start + 20])
        backprop(scores - Y[start:start + 20])
        model.finish_update(optimizer)
    test_docs, test_Y = make(100)
    assert (model.predict(test_docs).argmax(1) == test_Y.argmax(1)).mean() == 1.0


def test_every_node_runs_on_fastpipe_ops(docs):
    """The architectures give each node they build fastpipe's Ops (thinc's current ops are
    plain NumpyOps), and nodes passed in keep theirs."""
    from thinc.api import NumpyOps, get_current_ops

    from fastpipe.ml import FastpipeOps
    from fastpipe.ml.parser_model import TransitionBasedParser

    assert not isinstance(get_current_ops(), FastpipeOps)
    models = [
        Tagger(small_cnn(depth=2), nO=4),
        TransitionBasedParser(small_cnn(), "parser", nO=5),
        TextCatBOW(exclusive_classes=True, ngram_size=1, no_output_layer=False, nO=2),
        TextCatEnsemble(small_cnn(), TextCatBOW(exclusive_classes=False, ngram_size=1,
                                                no_output_layer=False, nO=3), nO=3),
    ]
    for model in models:
        for node in model.walk():
            assert isinstance(node.ops, FastpipeOps), f"{model.name}: {node.name}"
    from thinc.api import Model, chain

    outside = Model("outside", lambda model, X, is_train: (X, lambda d: d), ops=NumpyOps())
    assert type(Tagger(chain(small_cnn(), outside), nO=2).layers[0].layers[1].ops) is NumpyOps
