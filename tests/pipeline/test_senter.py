"""The senter: learning sentence starts, settings, sourcing and freezing, spaCy's config."""
from pathlib import Path

import numpy
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.tokens import Doc
from tests.helpers.data import (EWT_DEV_SAMPLE, EWT_DEV_SLICE, EWT_TRAIN_SAMPLE,
                                EWT_TRAIN_SLICE, conllu_examples)

SPACY_CONFIGS = Path(__file__).resolve().parents[1] / "data" / "spacy_configs"
SMALL_MODEL = {"model": {"tok2vec": {"width": 32, "depth": 1, "embed_size": 500}}}
TEXTS = ["I like tea . You eat apples . She runs", "They sleep . We eat cake . It rains ."]


@pytest.fixture(autouse=True)
def seeded():
    fix_random_seed(0)


def examples(nlp):
    out = []
    for text in TEXTS:
        words = text.split()
        starts = [i == 0 or words[i - 1] == "." for i in range(len(words))]
        out.append(Example(nlp.make_doc(text), Doc(nlp.vocab, words=words, sent_starts=starts)))
    return out


def trained(steps=30, nlp=None):
    nlp = nlp or fastpipe.blank("en")
    nlp.add_pipe("senter", config=SMALL_MODEL)
    egs = examples(nlp)
    optimizer = nlp.initialize(lambda: egs)
    for _ in range(steps):
        nlp.update(egs, sgd=optimizer)
    return nlp, egs


def test_senter_learns_sentence_starts():
    nlp, egs = trained()
    assert nlp.get_pipe("senter").labels == ("I", "S")
    doc = nlp("You like cake . I eat tea .")
    assert [s.text for s in doc.sents] == ["You like cake .", "I eat tea ."]
    assert [t.is_sent_start for t in doc][:3] == [True, False, False]
    assert nlp.evaluate(egs)["sents_f"] == 1.0


def test_unknown_boundaries_give_no_gradient():
    nlp, _ = trained(steps=1)
    senter = nlp.get_pipe("senter")
    ref = Doc(nlp.vocab, words=["a", "b", "c"], sent_starts=[True, None, False])
    eg = Example(nlp.make_doc("a b c"), ref)
    _, d_scores = senter.get_loss([eg], senter.model.predict([eg.predicted]))
    d = numpy.asarray(d_scores[0])
    assert numpy.all(d[1] == 0) and numpy.any(d[0] != 0) and numpy.any(d[2] != 0)


def test_the_first_token_always_starts_and_overwrite_false_keeps_boundaries():
    nlp, _ = trained()
    senter = nlp.get_pipe("senter")
    # a model that says "inside" everywhere still starts the document
    scores = [numpy.tile(numpy.asarray([[1.0, 0.0]], dtype="f"), (4, 1))]
    doc = nlp.make_doc("I like tea .")
    senter.set_annotations([doc], scores)
    assert [t.is_sent_start for t in doc] == [True, False, False, False]
    doc = nlp.make_doc("You like cake . I eat tea .")
    doc[2].is_sent_start = True
    doc[4].is_sent_start = False
    senter(doc)
    assert [t.is_sent_start for t in doc][2:5] == [True, False, False]
    senter.cfg["overwrite"] = True
    senter(doc)
    assert [t.is_sent_start for t in doc][2:5] == [False, False, True]


def test_needs_sentence_boundaries():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("senter", config=SMALL_MODEL)
    egs = [Example(nlp.make_doc("no boundaries here"), Doc(nlp.vocab, words=["no", "boundaries", "here"]))]
    with pytest.raises(ValueError, match=r"\[E095\].*sentence boundaries"):
        nlp.initialize(lambda: egs)


def test_roundtrip_to_disk(tmp_path):
    nlp, _ = trained(steps=10)
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    text = "You like cake . I eat tea . We sleep"
    assert ([t.is_sent_start for t in loaded(text)] == [t.is_sent_start for t in nlp(text)])
    assert loaded.config["components"]["senter"]["model"]["tok2vec"]["width"] == 32


def test_sourced_and_frozen_senter_splits_for_a_later_component():
    nlp, _ = trained()
    other = fastpipe.blank("en")
    other.add_pipe("senter", source=nlp)
    other.add_pipe("tagger", config=SMALL_MODEL)
    words = "You like cake . I eat tea .".split()
    egs = [Example(other.make_doc(" ".join(words)),
                   Doc(other.vocab, words=words, tags=["P", "V", "N", ".", "P", "V", "N", "."]))]
    senter = other.get_pipe("senter")
    before = senter.model.predict([egs[0].predicted])[0].copy()
    optimizer = other.initialize(lambda: egs)
    for _ in range(5):
        other.update(egs, sgd=optimizer, exclude=["senter"])
    numpy.testing.assert_array_equal(before, senter.model.predict([egs[0].predicted])[0])
    doc = other(" ".join(words))
    assert [s.text for s in doc.sents] == ["You like cake .", "I eat tea ."]
    assert doc[0].tag_ != ""


def test_a_parser_after_the_senter_keeps_its_sentences():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("senter", config=SMALL_MODEL)
    nlp.add_pipe("parser", config={"model": {"tok2vec": SMALL_MODEL["model"]["tok2vec"]}})
    egs = []
    for text in TEXTS:
        words = text.split()
        heads, deps, root = [], [], 0
        for i, word in enumerate(words):
            if i == 0 or words[i - 1] == ".":
                root = i + 1  # each sentence: subject, verb (the root), object, "."
            heads.append(i if i == root else root)
            deps.append("ROOT" if i == root else ("punct" if word == "." else "dep"))
        egs.append(Example(nlp.make_doc(text), Doc(nlp.vocab, words=words, heads=heads, deps=deps)))
    optimizer = nlp.initialize(lambda: egs)
    for _ in range(5):
        nlp.update(egs, sgd=optimizer)
    doc = nlp.make_doc("You like cake . I eat tea .")
    nlp.get_pipe("senter")(doc)
    starts = [t.is_sent_start for t in doc]
    nlp.get_pipe("parser")(doc)
    assert [t.is_sent_start for t in doc] == starts
    for sent in doc.sents:  # no arc crosses the senter's boundaries
        assert all(sent.start <= t.head.i < sent.end for t in sent)


@pytest.mark.slow
def test_learns_ewt_sentence_starts():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("senter")  # the default: spaCy's small model of its own
    train = conllu_examples(nlp, EWT_TRAIN_SAMPLE, n_sents=10)
    dev = conllu_examples(nlp, EWT_DEV_SAMPLE, n_sents=10)
    optimizer = nlp.initialize(lambda: train)
    for epoch in range(8):
        for i in range(0, len(train), 4):
            nlp.update(train[i:i + 4], sgd=optimizer, drop=0.1)
    # measured 0.70; no boundaries (one sentence a document of ten) scores 0.0
    assert nlp.evaluate(dev)["sents_f"] > 0.5


@pytest.mark.slow
def test_spacys_morphologizer_senter_config_trains(tmp_path):
    """`fastpipe train` on spaCy's `init config -p morphologizer,senter` output, unchanged."""
    from fastpipe.cli.convert import convert_file
    from tests.helpers.cli import run, table_steps

    train = convert_file(EWT_TRAIN_SLICE, tmp_path, n_sents=10)["output"]
    dev = convert_file(EWT_DEV_SLICE, tmp_path, n_sents=10)["output"]
    result = run("train", SPACY_CONFIGS / "morphologizer_senter.cfg", "--output", tmp_path / "out",
                 "--paths.train", train, "--paths.dev", dev, "--training.max_steps", "6",
                 "--training.eval_frequency", "3")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [3, 6]
    for column in ("LOSS MORPHOLOGIZER", "LOSS SENTER", "POS_ACC", "MORPH_ACC", "SENTS_F"):
        assert column in result.output, result.output
    nlp = fastpipe.load(tmp_path / "out" / "model-best")
    assert nlp.pipe_names == ["tok2vec", "morphologizer", "senter"]
    assert len(nlp.get_pipe("morphologizer").labels) > 20
    doc = nlp("This is a sentence. Here is another one.")
    assert doc[0].is_sent_start and all(t.pos_ for t in doc)
