"""The tagger component: labels from data, learning, missing tags, serialization."""
import numpy
import pytest

from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.ml import blas


@pytest.fixture(autouse=True)
def seeded():
    """Every test starts from the same random state (weights, dropout)."""
    fix_random_seed(0)


def small_tagger(nlp):
    return nlp.add_pipe("tagger", config={"model": {"tok2vec": {"width": 32, "depth": 1, "embed_size": 500}}})


def train(nlp, examples, steps=40):
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        losses = nlp.update(examples, sgd=optimizer)
    return losses


def test_tagger_learns_and_predicts(tag_examples):
    nlp = fastpipe.blank("en")
    tagger = small_tagger(nlp)
    examples = tag_examples(nlp)
    train(nlp, examples)
    assert set(tagger.labels) == {"PRP", "VBP", "VBZ", "JJ", "NNS", "."}
    doc = nlp("I like green apples .")
    assert [t.tag_ for t in doc] == ["PRP", "VBP", "JJ", "NNS", "."]
    assert nlp.evaluate(examples)["tag_acc"] == 1.0


def test_missing_tags_give_no_gradient(tag_examples):
    nlp = fastpipe.blank("en")
    tagger = small_tagger(nlp)
    examples = tag_examples(nlp)
    nlp.initialize(lambda: examples)
    partial = Example.from_dict(nlp.make_doc("I like apples ."), {"tags": [None, "VBP", None, None]})
    scores = tagger.model.predict([partial.predicted])
    loss, d_scores = tagger.get_loss([partial], scores)
    d = numpy.asarray(d_scores[0])
    assert numpy.all(d[[0, 2, 3]] == 0)
    assert numpy.any(d[1] != 0)


def test_tagger_needs_labels():
    nlp = fastpipe.blank("en")
    small_tagger(nlp)
    examples = [Example.from_dict(nlp.make_doc("no tags here"), {})]
    with pytest.raises(ValueError, match="E095"):
        nlp.initialize(lambda: examples)


def test_tagger_roundtrip_to_disk(tag_examples, tmp_path):
    nlp = fastpipe.blank("en")
    small_tagger(nlp)
    examples = tag_examples(nlp)
    train(nlp, examples, steps=10)
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    text = "They eat big apples ."
    assert [t.tag_ for t in loaded(text)] == [t.tag_ for t in nlp(text)]
    a = nlp.get_pipe("tagger").model.predict([nlp.make_doc(text)])[0]
    b = loaded.get_pipe("tagger").model.predict([loaded.make_doc(text)])[0]
    numpy.testing.assert_array_equal(a, b)  # the same weights and the same products
    assert loaded.config["components"]["tagger"]["model"]["tok2vec"]["width"] == 32


def test_overwrite_false_keeps_existing_tags(tag_examples):
    nlp = fastpipe.blank("en")
    small_tagger(nlp)
    examples = tag_examples(nlp)
    train(nlp, examples, steps=5)
    doc = nlp.make_doc("I like green apples .")
    doc[0].tag_ = "XX"
    nlp.get_pipe("tagger")(doc)
    assert doc[0].tag_ == "XX"
    assert doc[1].tag_ != ""


def trained_weights(tag_examples, threads, parallel):
    """The tagger's weights after 3 steps from seed 0, with the products' pieces run on
    ``threads`` threads, side by side (parallel True), one after the other (False) or as the
    timings pick (None)."""
    saved = blas.get_threads()
    blas.set_threads(threads)
    try:
        with blas.forced(parallel):
            fix_random_seed(0)
            nlp = fastpipe.blank("en")
            nlp.add_pipe("tagger", config={"model": {"tok2vec": {"width": 96, "depth": 4,
                                                                 "embed_size": 1000}}})
            examples = tag_examples(nlp) * 120  # 2400 tokens: batches large enough to cut
            train(nlp, examples, steps=3)
    finally:
        blas.set_threads(saved)
    model = nlp.get_pipe("tagger").model
    return [node.get_param(name).copy() for node in model.walk()
            for name in node.param_names if node.has_param(name)]


@pytest.mark.parametrize("min_split_work", ["default", 1])
def test_same_seed_same_model(tag_examples, monkeypatch, min_split_work):
    """Training is reproducible bit for bit, on one thread or two, whichever way the timings
    run the pieces of the products. With min_split_work 1 every product with 256 rows or
    columns is cut, the tagger's narrow output layer too (whose halves differ from the whole
    product in the last bits on OpenBLAS)."""
    if min_split_work != "default":
        monkeypatch.setattr(blas, "MIN_SPLIT_WORK", min_split_work)
    runs = {(threads, parallel): trained_weights(tag_examples, threads, parallel)
            for threads, parallel in ((1, None), (2, True), (2, False), (2, None))}
    reference = runs[(1, None)]
    for way, weights in runs.items():
        assert len(weights) == len(reference)
        for i, (a, b) in enumerate(zip(reference, weights)):
            assert numpy.array_equal(a, b), (
                f"threads, side by side = {way}: parameter {i} differs from one thread by up "
                f"to {numpy.abs(a - b).max()}")
