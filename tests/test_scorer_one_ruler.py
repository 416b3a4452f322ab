"""One ruler: fastpipe's scores of a fixed set of predictions are spaCy's, to the last digit.

tests/data/scorer_sample/ holds gold Docs (an EWT slice with annotations missing here and
there), predictions over a different tokenization (split and merged tokens, entities and spans
across the gold tokens' edges, wrong punctuation arcs, merged and split sentences) and
spacy_scores.json: what spaCy 3.8's Scorer reported on them (see make.py there, which made all
three with spaCy). Here fastpipe reads the same `.spacy` files and scores them as
``fastpipe evaluate`` does: the tokenization scores, then each component's scorer.
"""
import json
import math
from pathlib import Path

import numpy
import pytest

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.scorer import score_deps, score_tokenization
from fastpipe.tokens import DocBin, Span

SAMPLE = Path(__file__).parent / "data" / "scorer_sample"
CATS = ("NEG", "NEU", "POS")
COMPONENTS = ("tagger", "morphologizer", "trainable_lemmatizer", "parser", "ner", "spancat",
              "textcat")
TOKEN_ATTRS = ["TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "SENT_START", "ENT_IOB", "ENT_TYPE"]


@pytest.fixture(scope="module")
def spacy_scores():
    return json.loads((SAMPLE / "spacy_scores.json").read_text(encoding="utf8"))


def read_docs(nlp, name):
    return list(DocBin().from_disk(SAMPLE / name).get_docs(nlp.vocab))


def sample_examples(nlp):
    gold = read_docs(nlp, "gold.spacy")
    pred = read_docs(nlp, "pred.spacy")
    return [Example(p, g, id=f"scorer_sample[{i}]") for i, (p, g) in enumerate(zip(pred, gold))]


def pipeline_with(names, textcat_config=None):
    nlp = fastpipe.blank("en")
    for name in names:
        config = textcat_config if name.startswith("textcat") and textcat_config else {}
        proc = nlp.add_pipe(name, config=config)
        if name.startswith("textcat"):
            for label in CATS:
                proc.add_label(label)
    return nlp


def differences(ours, theirs, path=""):
    """Every place where two score trees differ (numbers by more than 1e-9)."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {ours!r} is not a dict"]
        out = [f"{path}.{k}: missing" for k in theirs if k not in ours]
        for key in theirs:
            if key in ours:
                out += differences(ours[key], theirs[key], f"{path}.{key}")
        out += [f"{path}.{k}: extra ({ours[k]!r})" for k in ours if k not in theirs]
        return out
    if isinstance(theirs, float) and isinstance(ours, (int, float)):
        if math.isclose(ours, theirs, rel_tol=0, abs_tol=1e-9):
            return []
    elif ours == theirs:
        return []
    return [f"{path}: fastpipe {ours!r}, spaCy {theirs!r}"]


def test_every_figure_of_a_pipeline_equals_spacys(spacy_scores):
    nlp = pipeline_with(COMPONENTS)
    examples = sample_examples(nlp)
    scores = dict(score_tokenization(examples))
    for name, proc in nlp.pipeline:
        scores.update(proc.score(examples))
    expected = spacy_scores["pipeline"]
    assert differences({k: scores.get(k) for k in expected}, expected) == []
    assert set(scores) - set(expected) == {"cats_acc"}   # fastpipe's one extra: top class right


def replay(stored):
    """A component's ``pipe`` that writes the stored prediction for each Doc's words onto it."""
    by_words = {tuple(t.text for t in doc): doc for doc in stored}

    def pipe(docs, **kwargs):
        for doc in docs:
            source = by_words[tuple(t.text for t in doc)]
            doc.from_array(TOKEN_ATTRS, source.to_array(TOKEN_ATTRS))
            doc.spans["sc"] = [Span(doc, s.start, s.end, s.label_) for s in source.spans["sc"]]
            doc.cats = dict(source.cats)
            yield doc

    return pipe


def test_nlp_evaluate_on_the_sample_gives_spacys_figures(spacy_scores):
    """The path of ``fastpipe evaluate`` and the training table: nlp.evaluate makes fresh Docs
    of the predicted words, runs the pipeline (here the first component writes the stored
    predictions, the others pass) and merges the tokenization and component scores."""
    nlp = pipeline_with(COMPONENTS)
    examples = sample_examples(nlp)
    stored = [eg.predicted for eg in examples]
    for i, (name, proc) in enumerate(nlp.pipeline):
        proc.pipe = replay(stored) if i == 0 else (lambda docs, **kwargs: docs)
    scores = nlp.evaluate(examples)
    expected = spacy_scores["pipeline"]
    assert differences({k: scores.get(k) for k in expected}, expected) == []
    assert set(scores) - set(expected) <= {"cats_acc", "speed"}


def test_multilabel_cats_equal_spacys(spacy_scores):
    nlp = pipeline_with(["textcat_multilabel"], {"threshold": 0.5})
    examples = sample_examples(nlp)
    scores = nlp.get_pipe("textcat_multilabel").score(examples)
    assert differences(scores, spacy_scores["multilabel"]) == []


def test_the_sample_covers_what_it_claims():
    """The fixture really holds split and merged tokens, missing annotations and a document
    without a parse: the equalities above would be weak without them."""
    nlp = fastpipe.blank("en")
    examples = sample_examples(nlp)
    split = merged = 0
    for eg in examples:
        lengths_y = numpy.asarray(eg.alignment.y2x.lengths)
        lengths_x = numpy.asarray(eg.alignment.x2y.lengths)
        split += int((lengths_y > 1).sum())
        merged += int((lengths_x > 1).sum())
    assert split > 10 and merged > 10
    assert any(not eg.reference.has_annotation("DEP") for eg in examples)
    assert any(not eg.reference.has_annotation("ENT_IOB") for eg in examples)
    assert any(not eg.predicted.has_annotation("DEP") for eg in examples)
    assert any("sc" not in eg.reference.spans for eg in examples)
    assert any(not eg.reference.cats for eg in examples)


def test_an_unparsed_reference_does_not_hide_the_arcs_of_the_documents_after_it():
    """The one place fastpipe parts from spaCy 3.8 on purpose: spaCy's score_deps carries the
    positions of one document's unannotated reference tokens over to the documents after it
    (scored after the sample's unparsed document, the first document's UAS falls to 0.0 there),
    so its figures depend on the order of the documents. fastpipe reads each document's own
    annotation; the sample puts its unparsed documents last, where spaCy agrees."""
    nlp = fastpipe.blank("en")
    examples = sample_examples(nlp)
    unparsed, parsed = examples[-1], examples[0]
    assert not unparsed.reference.has_annotation("DEP")
    before = score_deps([unparsed, parsed])
    after = score_deps([parsed, unparsed])
    assert before == after
    assert before["dep_uas"] > 0.5
