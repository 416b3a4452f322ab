"""The morphologizer: joined labels, learning POS and features, settings, scores, saving."""
import numpy
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.pipeline.morphologizer import join_label, split_label
from fastpipe.scorer import morphologizer_score
from fastpipe.tokens import Doc
from tests.helpers.data import EWT_DEV_SAMPLE, EWT_TRAIN_SAMPLE, conllu_examples

SMALL_MODEL = {"model": {"tok2vec": {"width": 32, "depth": 1, "embed_size": 500}}}

# (word, POS, features)
SENTS = [
    [("I", "PRON", "Case=Nom|Number=Sing|Person=1|PronType=Prs"), ("saw", "VERB", "Mood=Ind|Tense=Past|VerbForm=Fin"),
     ("dogs", "NOUN", "Number=Plur"), (".", "PUNCT", "")],
    [("They", "PRON", "Case=Nom|Number=Plur|Person=3|PronType=Prs"), ("see", "VERB", "Mood=Ind|Tense=Pres|VerbForm=Fin"),
     ("a", "DET", "Definite=Ind|PronType=Art"), ("dog", "NOUN", "Number=Sing"), (".", "PUNCT", "")],
    [("We", "PRON", "Case=Nom|Number=Plur|Person=1|PronType=Prs"), ("saw", "VERB", "Mood=Ind|Tense=Past|VerbForm=Fin"),
     ("a", "DET", "Definite=Ind|PronType=Art"), ("cat", "NOUN", "Number=Sing"), (".", "PUNCT", "")],
]


@pytest.fixture(autouse=True)
def seeded():
    fix_random_seed(0)


def examples(nlp, sents=SENTS):
    out = []
    for sent in sents:
        words = [w for w, _, _ in sent]
        ref = Doc(nlp.vocab, words=words, pos=[p for _, p, _ in sent],
                  morphs=[m or None for _, _, m in sent])
        out.append(Example(nlp.make_doc(" ".join(words)), ref))
    return out


def trained(steps=30, **config):
    nlp = fastpipe.blank("en")
    morph = nlp.add_pipe("morphologizer", config={**SMALL_MODEL, **config})
    egs = examples(nlp)
    optimizer = nlp.initialize(lambda: egs)
    for _ in range(steps):
        nlp.update(egs, sgd=optimizer)
    return nlp, morph, egs


def test_labels_join_pos_and_canonical_features():
    assert join_label("NOUN", "Number=Sing|Case=Nom") == "POS=NOUN|Case=Nom|Number=Sing"
    assert join_label("PUNCT", None) == "POS=PUNCT"
    assert join_label(None, "Number=Sing") == "Number=Sing"
    assert join_label("", "") is None
    assert split_label("POS=NOUN|Case=Nom|Number=Sing") == ("NOUN", "Case=Nom|Number=Sing")
    assert split_label("POS=PUNCT") == ("PUNCT", "")
    assert split_label("Number=Sing") == ("", "Number=Sing")


def test_morphologizer_learns_pos_and_features():
    nlp, morph, egs = trained()
    assert "POS=NOUN|Number=Plur" in morph.labels and "POS=PUNCT" in morph.labels
    assert len(morph.labels) == 9
    doc = nlp("They saw a cat .")
    assert [t.pos_ for t in doc] == ["PRON", "VERB", "DET", "NOUN", "PUNCT"]
    assert doc[1].morph.get("Tense") == ["Past"] and doc[3].morph.get("Number") == ["Sing"]
    assert str(doc[4].morph) == ""
    scores = nlp.evaluate(egs)
    assert scores["pos_acc"] == scores["morph_acc"] == scores["morph_micro_f"] == 1.0
    assert scores["morph_per_feat"]["Tense"] == {"p": 1.0, "r": 1.0, "f": 1.0}


def test_missing_annotation_gives_no_gradient():
    nlp, morph, _ = trained(steps=1)
    ref = Doc(nlp.vocab, words=["I", "saw", "dogs", "."], pos=[None, None, "NOUN", "PUNCT"],
              morphs=[None, "Tense=Past", "Number=Plur", None])
    eg = Example(nlp.make_doc("I saw dogs ."), ref)
    scores = morph.model.predict([eg.predicted])
    _, d_scores = morph.get_loss([eg], scores)
    d = numpy.asarray(d_scores[0])
    # nothing: no gradient; features without a POS are a label of their own ("Tense=Past",
    # unknown here: no gradient either); a POS without features is "POS=PUNCT"
    assert morph._gold_labels(eg) == [None, "Tense=Past", "POS=NOUN|Number=Plur", "POS=PUNCT"]
    assert numpy.all(d[[0, 1]] == 0)
    assert numpy.any(d[2] != 0) and numpy.any(d[3] != 0)


def test_needs_pos_or_features():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("morphologizer", config=SMALL_MODEL)
    egs = [Example.from_dict(nlp.make_doc("no annotation"), {})]
    with pytest.raises(ValueError, match=r"\[E095\].*POS tags or morphological features"):
        nlp.initialize(lambda: egs)


def _annotate(morph, overwrite, extend):
    morph.cfg["overwrite"], morph.cfg["extend"] = overwrite, extend
    doc = Doc(morph.vocab, words=["They", "saw", "a", "cat", "."],
              pos=["X", None, None, None, None],
              morphs=["Foo=Bar|Number=Sing", None, None, None, None])
    return morph(doc)


def test_overwrite_and_extend():
    _, morph, _ = trained()
    doc = _annotate(morph, overwrite=True, extend=False)  # spaCy's default: replace all
    assert doc[0].pos_ == "PRON" and doc[0].morph.get("Foo") == []
    assert doc[0].morph.get("Number") == ["Plur"]
    doc = _annotate(morph, overwrite=False, extend=False)  # keep what is there
    assert doc[0].pos_ == "X" and str(doc[0].morph) == "Foo=Bar|Number=Sing"
    assert doc[1].pos_ == "VERB" and doc[1].morph.get("Tense") == ["Past"]
    doc = _annotate(morph, overwrite=False, extend=True)  # add fields, existing values win
    assert doc[0].pos_ == "X"
    assert doc[0].morph.to_dict() == {"Case": "Nom", "Foo": "Bar", "Number": "Sing",
                                      "Person": "3", "PronType": "Prs"}
    doc = _annotate(morph, overwrite=True, extend=True)  # add fields, predicted values win
    assert doc[0].pos_ == "PRON" and doc[0].morph.get("Foo") == ["Bar"]
    assert doc[0].morph.get("Number") == ["Plur"]


def test_roundtrip_to_disk(tmp_path):
    nlp, morph, _ = trained(steps=10)
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    assert loaded.get_pipe("morphologizer").labels == morph.labels
    text = "We see a dog ."
    assert [(t.pos_, str(t.morph)) for t in loaded(text)] == [(t.pos_, str(t.morph)) for t in nlp(text)]
    assert loaded.get_pipe("morphologizer").cfg["extend"] is False


def test_per_feature_scores_follow_spacys_definitions():
    nlp = fastpipe.blank("en")
    words = ["I", "saw", "dogs", "."]
    ref = Doc(nlp.vocab, words=words, pos=["PRON", "VERB", "NOUN", "PUNCT"],
              morphs=["Case=Nom|Number=Sing", "Tense=Past", "Number=Plur", None])
    pred = Doc(nlp.vocab, words=words, pos=["PRON", "VERB", "NOUN", "PUNCT"],
               morphs=["Case=Acc|Number=Sing", "Tense=Past", None, "Number=Sing"])
    scores = morphologizer_score([Example(pred, ref)])
    assert scores["pos_acc"] == 1.0
    assert scores["morph_acc"] == 0.25  # only "saw" has the whole analysis right
    # Case: 0/1; Number: I right, dogs missed; "." (gold: no features) is not scored
    assert scores["morph_per_feat"]["Case"] == {"p": 0.0, "r": 0.0, "f": 0.0}
    assert scores["morph_per_feat"]["Number"]["p"] == 1.0
    assert scores["morph_per_feat"]["Number"]["r"] == 0.5
    assert scores["morph_micro_p"] == 2 / 3 and scores["morph_micro_r"] == 2 / 4
    # a reference token without POS or features is left out
    ref2 = Doc(nlp.vocab, words=words, pos=["PRON", "VERB", "NOUN", None],
               morphs=["Case=Nom|Number=Sing", "Tense=Past", "Number=Plur", None])
    scores = morphologizer_score([Example(pred, ref2)])
    assert scores["morph_acc"] == 1 / 3 and scores["morph_micro_p"] == 2 / 3


@pytest.mark.slow
def test_learns_ewt_better_than_the_most_frequent_label():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("morphologizer", config={"model": {"tok2vec": {"width": 64, "depth": 2,
                                                                "embed_size": 2000}}})
    train = conllu_examples(nlp, EWT_TRAIN_SAMPLE, n_sents=5)
    dev = conllu_examples(nlp, EWT_DEV_SAMPLE, n_sents=5)
    optimizer = nlp.initialize(lambda: train)
    for epoch in range(3):
        for i in range(0, len(train), 8):
            nlp.update(train[i:i + 8], sgd=optimizer, drop=0.1)
    scores = nlp.evaluate(dev)
    # the most frequent label in dev: POS=PUNCT, 12% of the tokens
    labels = [join_label(t.pos_, t.morph_) for eg in dev for t in eg.reference]
    baseline = max(labels.count(label) for label in set(labels)) / len(labels)
    assert scores["morph_acc"] > baseline + 0.3  # measured: 0.60 against 0.12
    assert scores["pos_acc"] > 0.5 and scores["morph_micro_f"] > 0.4  # measured: 0.61, 0.52
