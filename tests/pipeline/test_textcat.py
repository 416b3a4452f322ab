"""textcat and textcat_multilabel learn separable data; missing labels carry no loss."""
import numpy
import pytest

import fastpipe
from fastpipe.gold.example import Example

POS = ["great fun film", "loved it , wonderful", "a great and wonderful story", "fun , loved the cast"]
NEG = ["awful boring film", "hated it , dreadful", "a boring and dreadful story", "awful , hated the cast"]
SMALL = {"tok2vec": {"width": 16, "depth": 1, "embed_size": 200}}


def examples(nlp, multi=False):
    out = []
    for text in POS:
        out.append(Example.from_dict(nlp.make_doc(text), {"cats": {"POS": 1.0, "NEG": 0.0}}))
    for text in NEG:
        out.append(Example.from_dict(nlp.make_doc(text), {"cats": {"POS": 0.0, "NEG": 1.0}}))
    return out


@pytest.mark.parametrize("factory_name", ["textcat", "textcat_multilabel"])
def test_textcat_learns(factory_name):
    nlp = fastpipe.blank("en")
    textcat = nlp.add_pipe(factory_name, config={"model": SMALL})
    train = examples(nlp)
    optimizer = nlp.initialize(lambda: train)
    assert set(textcat.labels) == {"POS", "NEG"}
    for _ in range(40):
        nlp.update(train, sgd=optimizer)
    doc = nlp("a wonderful fun story")
    assert doc.cats["POS"] > doc.cats["NEG"]
    if factory_name == "textcat":
        assert abs(sum(doc.cats.values()) - 1.0) < 1e-4
    scores = nlp.evaluate(train)
    assert scores["cats_score"] == 1.0
    assert scores["cats_f_per_type"]["POS"]["f"] == 1.0


def test_multilabel_missing_label_has_no_gradient():
    nlp = fastpipe.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": SMALL})
    train = examples(nlp)
    nlp.initialize(lambda: train)
    partial = Example.from_dict(nlp.make_doc("fun film"), {"cats": {"POS": 1.0}})
    scores = textcat.model.predict([partial.predicted])
    _, d_scores = textcat.get_loss([partial], scores)
    d = numpy.asarray(d_scores)
    neg = textcat.labels.index("NEG")
    assert d[0, neg] == 0 and d[0, 1 - neg] != 0


def test_exclusive_textcat_needs_two_labels():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("textcat", config={"model": SMALL})
    one = [Example.from_dict(nlp.make_doc("x"), {"cats": {"ONLY": 1.0}})]
    with pytest.raises(ValueError, match="E097"):
        nlp.initialize(lambda: one)
