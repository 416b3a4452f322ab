"""The tagger's neg_prefix (spaCy's meaning): a gold tag "!X" says only "not X", a partial
annotation: the gradient pushes X's probability down and leaves every other tag alone, and
"!X" never becomes a tag."""
import numpy
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from tests.helpers.tagger import tag_examples

SMALL = {"tok2vec": {"width": 32, "depth": 1, "embed_size": 500}}


def tagger_nlp(**config):
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    tagger = nlp.add_pipe("tagger", config={"model": SMALL, **config})
    return nlp, tagger


def negated(nlp, text, tags):
    return Example.from_dict(nlp.make_doc(text), {"tags": tags})


def test_negated_tags_are_not_labels():
    nlp, tagger = tagger_nlp()
    assert nlp.config["components"]["tagger"]["neg_prefix"] == "!"
    examples = tag_examples(nlp, 2) + [negated(nlp, "I like it .", ["PRP", "!NN", "!PRP", "."])]
    nlp.initialize(lambda: examples)
    assert not [label for label in tagger.labels if label.startswith("!")]
    assert "NN" not in tagger.labels


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_a_negated_tag_only_pushes_that_tag_down(smoothing):
    nlp, tagger = tagger_nlp(label_smoothing=smoothing)
    examples = tag_examples(nlp, 2)
    nlp.initialize(lambda: examples)
    labels = list(tagger.labels)
    eg = negated(nlp, "They want big houses .", ["PRP", "!VBZ", "!NN", None, "."])
    probs = numpy.asarray(tagger.model.predict([eg.predicted])[0])
    loss, (d,) = tagger.get_loss([eg], [probs])
    d = numpy.asarray(d)
    vbz = labels.index("VBZ")
    # "!VBZ": the gradient is p(VBZ) on VBZ and nothing elsewhere
    expected = numpy.zeros(len(labels), dtype="f")
    expected[vbz] = probs[1, vbz]
    numpy.testing.assert_allclose(d[1], expected, atol=1e-6)
    # "!NN" (not a tag of this tagger) and a missing tag: no gradient at all
    assert not d[2].any() and not d[3].any()
    # the known tags get the ordinary (smoothed) gradient
    assert d[0, labels.index("PRP")] < 0 and d[4, labels.index(".")] < 0
    without_neg = -numpy.log(probs[0, labels.index("PRP")]) - numpy.log(probs[4, labels.index(".")])
    assert loss == pytest.approx(without_neg - numpy.log(1 - probs[1, vbz]), rel=1e-5)


def test_another_prefix_and_no_prefix():
    nlp, tagger = tagger_nlp(neg_prefix="NOT_")
    examples = tag_examples(nlp, 2)
    nlp.initialize(lambda: examples)
    eg = negated(nlp, "They want big houses .", ["PRP", "NOT_VBZ", "!JJ", "NNS", "."])
    probs = numpy.asarray(tagger.model.predict([eg.predicted])[0])
    _, (d,) = tagger.get_loss([eg], [probs])
    d = numpy.asarray(d)
    assert numpy.count_nonzero(d[1]) == 1 and d[1, list(tagger.labels).index("VBZ")] > 0
    assert not numpy.asarray(d[2]).any()   # "!JJ" is an unknown tag under this prefix


def train_with(tags):
    nlp, tagger = tagger_nlp()
    examples = tag_examples(nlp)
    examples.append(negated(nlp, "Houses , houses .", tags))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        nlp.update(examples, sgd=optimizer)
    assert nlp.evaluate(examples[:-1])["tag_acc"] == 1.0
    return [t.tag_ for t in nlp("Houses , houses .")]


@pytest.mark.slow
def test_training_with_negated_tags_moves_away_from_them():
    # with nothing known about the sentence, "houses" is tagged NNS as in the tagged data
    unknown = train_with([None, None, None, None])
    assert unknown[0] == unknown[2] == "NNS"
    # told only that it is not NNS there, the tagger learns another tag
    tags = train_with(["!NNS", None, "!NNS", None])
    assert tags[0] != "NNS" and tags[2] != "NNS"
