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


# (gold cats, predicted scores) of four documents over the labels A and B
THRESHOLD_CASES = [
    ({"A": 1.0, "B": 0.0}, {"A": 0.7, "B": 0.2}),
    ({"A": 0.0, "B": 1.0}, {"A": 0.4, "B": 0.95}),
    ({"A": 1.0, "B": 1.0}, {"A": 0.85, "B": 0.6}),
    ({"A": 0.0, "B": 0.0}, {"A": 0.3, "B": 0.1}),
]


@pytest.mark.parametrize("threshold,tp,fp,fn", [
    # 0.5: every label on the right side: A in 1 and 3, B in 2 and 3
    (0.5, 4, 0, 0),
    # 0.8: only A of doc 3 (0.85) and B of doc 2 (0.95) pass; A of doc 1, B of doc 3 missed
    (0.8, 2, 0, 2),
    # 0.35: everything 0.4 and above: A of doc 2 is a false positive as well
    (0.35, 4, 1, 0),
])
def test_multilabel_threshold_decides_which_labels_count_as_predicted(threshold, tp, fp, fn):
    nlp = fastpipe.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": SMALL, "threshold": threshold})
    assert nlp.config["components"]["textcat_multilabel"]["threshold"] == threshold
    egs = [Example.from_dict(nlp.make_doc(f"doc {i}"), {"cats": gold})
           for i, (gold, _) in enumerate(THRESHOLD_CASES)]
    nlp.initialize(lambda: egs)
    for eg, (_, predicted) in zip(egs, THRESHOLD_CASES):
        eg.predicted.cats = dict(predicted)
    scores = textcat.score(egs)
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    assert scores["cats_micro_p"] == pytest.approx(precision)
    assert scores["cats_micro_r"] == pytest.approx(recall)
    assert scores["cats_micro_f"] == pytest.approx(2 * precision * recall / (precision + recall))


def test_threshold_is_kept_by_save_and_load(tmp_path):
    nlp = fastpipe.blank("en")
    nlp.add_pipe("textcat_multilabel", config={"model": SMALL, "threshold": 0.8})
    train = examples(nlp)
    nlp.initialize(lambda: train)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = fastpipe.load(tmp_path / "pipeline")
    textcat = loaded.get_pipe("textcat_multilabel")
    assert loaded.config["components"]["textcat_multilabel"]["threshold"] == 0.8
    eg = Example.from_dict(loaded.make_doc("doc"), {"cats": {"POS": 1.0, "NEG": 0.0}})
    eg.predicted.cats = {"POS": 0.7, "NEG": 0.1}  # above 0.5, below the saved 0.8
    assert textcat.score([eg])["cats_micro_r"] == 0.0
