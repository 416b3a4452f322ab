"""span_ruler: overlapping matches in a span group, filters, entities, overwrite, scores,
saving, and spaCy's names."""
import pytest

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.pipeline._matcher import PatternError
from fastpipe.pipeline.span_ruler import (first_longest_spans, prioritize_existing_ents,
                                          prioritize_new_ents)
from fastpipe.registry import registry
from fastpipe.tokens.span import Span
from fastpipe.tokens.span_group import SpanGroup

PATTERNS = [
    {"label": "FRUIT", "pattern": "green apples", "id": "apple"},
    {"label": "COLOR", "pattern": [{"LOWER": {"IN": ["green", "red"]}}]},
    {"label": "FRUIT", "pattern": [{"LOWER": "green"}, {"LOWER": "apples"}], "id": "apple"},
    {"label": "DISH", "pattern": [{"LOWER": "apple"}, {"LOWER": "pie"}]},
]
TEXT = "I like green apples and red apple pie"


def spans(doc, key="ruler"):
    return [(s.text, s.label_) for s in doc.spans[key]]


def make(config=None, patterns=PATTERNS):
    nlp = Language.blank("en")
    ruler = nlp.add_pipe("span_ruler", config=config or {})
    ruler.add_patterns(patterns)
    return nlp, ruler


def test_overlapping_matches_go_to_the_span_group_once_each():
    nlp, ruler = make()
    doc = nlp(TEXT)
    group = doc.spans["ruler"]
    assert isinstance(group, SpanGroup)
    # the phrase and the token pattern find the same FRUIT span with the same id: one span
    assert spans(doc) == [("green", "COLOR"), ("green apples", "FRUIT"), ("red", "COLOR"),
                          ("apple pie", "DISH")]
    assert group[1].kb_id_ == "apple"
    assert not doc.ents  # annotate_ents is off
    assert ruler.labels == ("COLOR", "DISH", "FRUIT") and len(ruler) == 4


def test_overwrite_and_spans_filter():
    nlp, _ = make({"overwrite": False})
    doc = nlp.make_doc(TEXT)
    doc.spans["ruler"] = [Span(doc, 0, 1, label="WHO")]
    assert spans(nlp.get_pipe("span_ruler")(doc))[0] == ("I", "WHO")
    nlp, _ = make()
    doc = nlp.make_doc(TEXT)
    doc.spans["ruler"] = [Span(doc, 0, 1, label="WHO")]
    assert ("I", "WHO") not in spans(nlp.get_pipe("span_ruler")(doc))
    nlp, _ = make({"spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    assert spans(nlp(TEXT)) == [("green apples", "FRUIT"), ("red", "COLOR"), ("apple pie", "DISH")]


def test_annotate_ents_with_each_filter():
    nlp, _ = make({"annotate_ents": True, "spans_key": None})
    doc = nlp(TEXT)
    assert "ruler" not in doc.spans
    assert [(e.text, e.label_) for e in doc.ents] == [("green apples", "FRUIT"), ("red", "COLOR"),
                                                      ("apple pie", "DISH")]
    doc = Language.blank("en").make_doc(TEXT)
    doc.ents = [Span(doc, 2, 3, label="OLD"), Span(doc, 6, 7, label="OLD")]
    matches = [Span(doc, 2, 4, label="FRUIT"), Span(doc, 5, 6, label="COLOR")]
    kept = prioritize_new_ents(list(doc.ents), matches)
    assert sorted((s.start, s.end, s.label_) for s in kept) == [(2, 4, "FRUIT"), (5, 6, "COLOR"), (6, 7, "OLD")]
    kept = prioritize_existing_ents(list(doc.ents), matches)
    assert sorted((s.start, s.end, s.label_) for s in kept) == [(2, 3, "OLD"), (5, 6, "COLOR"), (6, 7, "OLD")]
    assert [(s.start, s.end) for s in first_longest_spans(doc.ents, matches)] == [(2, 4), (5, 6), (6, 7)]


def test_entities_kept_when_not_overwriting():
    nlp, _ = make({"annotate_ents": True, "overwrite": False,
                   "ents_filter": {"@misc": "spacy.prioritize_existing_ents_filter.v1"}})
    doc = nlp.make_doc(TEXT)
    doc.ents = [Span(doc, 3, 4, label="OLD")]
    doc = nlp.get_pipe("span_ruler")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("green", "COLOR"), ("apples", "OLD"),
                                                      ("red", "COLOR"), ("apple pie", "DISH")]


def test_bad_settings_and_patterns():
    nlp = Language.blank("en")
    with pytest.raises(ValueError, match="E775"):
        nlp.add_pipe("span_ruler", config={"spans_key": ""})
    ruler = nlp.add_pipe("span_ruler")
    with pytest.raises(PatternError, match=r"span_ruler 'span_ruler': pattern 0"):
        ruler.add_patterns([{"label": "X", "pattern": [{"LOWER": "a", "OP": "%"}]}])
    assert len(ruler) == 0


def test_scores_its_group_by_the_scorers_key():
    nlp, ruler = make()
    ref = nlp.make_doc(TEXT)
    ref.spans["ruler"] = [Span(ref, 2, 4, label="FRUIT"), Span(ref, 2, 3, label="COLOR")]
    scores = nlp.evaluate([Example(nlp.make_doc(TEXT), ref)])
    assert scores["spans_ruler_r"] == 1.0 and scores["spans_ruler_p"] == 0.5
    assert scores["spans_ruler_per_type"]["DISH"]["p"] == 0.0


def test_saving_keeps_patterns_and_settings(tmp_path):
    nlp, ruler = make({"spans_key": "found", "annotate_ents": True})
    nlp.to_disk(tmp_path / "nlp")
    loaded = fastpipe.load(tmp_path / "nlp")
    doc = loaded(TEXT)
    assert spans(doc, "found") == spans(nlp(TEXT), "found") and len(doc.ents) == 3
    other = Language.blank("en").add_pipe("span_ruler")
    other.from_bytes(ruler.to_bytes())
    assert other.patterns == PATTERNS and other.spans_key == "found" and other.annotate_ents


def test_spacys_names_build_fastpipes_functions():
    assert registry.misc.get("spacy.prioritize_new_ents_filter.v1")() is prioritize_new_ents
    scorer = registry.scorers.get("spacy.overlapping_labeled_spans_scorer.v1")(spans_key="x")
    nlp = Language.blank("en")
    doc = nlp.make_doc("a b")
    doc.spans["x"] = [Span(doc, 0, 1, label="L")]
    assert scorer([Example(doc, doc.copy())])["spans_x_f"] == 1.0
