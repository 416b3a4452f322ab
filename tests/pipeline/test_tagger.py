"""The tagger component: labels from data, learning, missing tags, serialization."""
import numpy
import pytest

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language


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
    numpy.testing.assert_allclose(a, b, rtol=1e-5)
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


def test_same_seed_same_model(tag_examples):
    """Training is reproducible: matrix products are never split in a way that changes sums."""
    from thinc.api import fix_random_seed

    results = []
    for _ in range(2):
        fix_random_seed(0)
        nlp = fastpipe.blank("en")
        nlp.add_pipe("tagger", config={"model": {"tok2vec": {"width": 96, "depth": 4, "embed_size": 1000}}})
        examples = tag_examples(nlp) * 60  # large enough batches for the halved products
        train(nlp, examples, steps=3)
        model = nlp.get_pipe("tagger").model
        results.append([node.get_param(name).copy() for node in model.walk()
                        for name in node.param_names if node.has_param(name)])
    for a, b in zip(*results):
        numpy.testing.assert_array_equal(a, b)
