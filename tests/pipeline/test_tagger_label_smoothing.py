"""The tagger's label_smoothing, with spaCy's (thinc's) meaning: the target of each known token
puts 1 - s on its gold tag and s / (n - 1) on each of the n - 1 others, so a trained tagger is
no surer than 1 - s; s must stay below (n - 1) / n."""
import numpy
import pytest

import fastpipe
from fastpipe.gold.example import Example
from tests.helpers.tagger import TAGS, tag_examples

SMALL = {"tok2vec": {"width": 32, "depth": 1, "embed_size": 500}}


def tagger_nlp(smoothing):
    nlp = fastpipe.blank("en")
    tagger = nlp.add_pipe("tagger", config={"label_smoothing": smoothing, "model": SMALL})
    return nlp, tagger


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_gradient_is_probabilities_minus_the_smoothed_target(smoothing):
    nlp, tagger = tagger_nlp(smoothing)
    assert nlp.config["components"]["tagger"]["label_smoothing"] == smoothing
    examples = tag_examples(nlp, 2)
    nlp.initialize(lambda: examples)
    labels = list(tagger.labels)
    n = len(labels)
    assert sorted(labels) == TAGS and n == 6
    # a third example with one tag missing: its token gets no gradient at all
    missing = Example.from_dict(nlp.make_doc("They want big houses ."),
                                {"tags": ["PRP", "VBP", None, "NNS", "."]})
    examples.append(missing)
    scores = tagger.model.predict([eg.predicted for eg in examples])
    _, d_scores = tagger.get_loss(examples, scores)
    for eg, probs, d in zip(examples, scores, d_scores):
        probs, d = numpy.asarray(probs), numpy.asarray(d)
        for i, tag in enumerate(eg.get_aligned("TAG", as_string=True)):
            if not tag:
                assert not d[i].any()
                continue
            target = numpy.full(n, smoothing / (n - 1), dtype="f")
            target[labels.index(tag)] = 1.0 - smoothing
            numpy.testing.assert_allclose(d[i], probs[i] - target, rtol=0, atol=1e-6)


@pytest.mark.parametrize("smoothing,lowest,highest", [
    (0.0, 0.9, 1.0),
    # the smoothed target of the gold tag is 1 - 0.3 = 0.7
    (0.3, 0.65, 0.75),
])
def test_trained_tagger_is_as_sure_as_its_target(smoothing, lowest, highest):
    nlp, tagger = tagger_nlp(smoothing)
    examples = tag_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer)
    assert nlp.evaluate(examples)["tag_acc"] == 1.0
    probs = numpy.concatenate([numpy.asarray(p) for p in
                               tagger.model.predict([eg.predicted for eg in examples])])
    surest = probs.max(axis=1)
    assert lowest < surest.min() and surest.max() < highest, (surest.min(), surest.max())


@pytest.mark.parametrize("smoothing", [-0.1, 5 / 6, 0.9])
def test_smoothing_outside_its_range_is_a_coded_error(smoothing):
    nlp, tagger = tagger_nlp(smoothing)
    examples = tag_examples(nlp, 2)
    nlp.initialize(lambda: examples)
    scores = tagger.model.predict([eg.predicted for eg in examples])
    with pytest.raises(ValueError, match=r"E551.*label_smoothing must be at least 0 and below "
                                         r"0\.8333 for 6 labels"):
        tagger.get_loss(examples, scores)
