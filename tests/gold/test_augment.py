"""Augmenters: the lower-cased copy keeps every annotation; rebuild_doc slices cleanly."""
import random

import pytest
from thinc.api import Config

from fastpipe.gold.augment import dont_augment, lower_case_example, rebuild_doc
from fastpipe.gold.example import Example
from fastpipe.registry import registry
from fastpipe.tokens.doc import Doc
from fastpipe.tokens.span import Span

ATTRS = ["LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD", "SENT_START", "ENT_IOB", "ENT_TYPE",
         "ENT_KB_ID", "SPACY"]


@pytest.fixture
def rich_example(en):
    words = ["Mr.", "Smith", "visited", "New", "York", ".", "He", "LOVED", "it", "!"]
    spaces = [True, True, True, True, False, True, True, True, False, False]
    ref = Doc(en.vocab, words=words, spaces=spaces,
              tags=["NNP", "NNP", "VBD", "NNP", "NNP", ".", "PRP", "VBD", "PRP", "."],
              pos=["PROPN", "PROPN", "VERB", "PROPN", "PROPN", "PUNCT", "PRON", "VERB", "PRON", "PUNCT"],
              lemmas=["Mr.", "Smith", "visit", "New", "York", ".", "he", "love", "it", "!"],
              morphs=["", "Number=Sing", "Tense=Past", "", "", "", "Case=Nom", "Tense=Past", "", ""],
              heads=[1, 2, 2, 4, 2, 2, 7, 7, 7, 7],
              deps=["compound", "nsubj", "ROOT", "compound", "dobj", "punct", "nsubj", "ROOT", "dobj", "punct"],
              sent_starts=[True, False, False, False, False, False, True, False, False, False],
              ents=["B-PERSON", "I-PERSON", "O", "B-GPE", "I-GPE", "O", "O", "O", "O", "O"])
    ref.cats = {"TRAVEL": 1.0, "SPORT": 0.0}
    ref.spans["sc"] = [Span(ref, 0, 2, label="NAME"), Span(ref, 3, 5, label="PLACE", kb_id="Q60")]
    ref.user_data["source"] = "test"
    norms = ref.to_array("NORM")
    norms[7] = en.vocab.strings.add("adore")  # a token norm of its own
    ref.from_array("NORM", norms)
    return Example(en.make_doc(ref.text), ref, id="doc#0")


def test_lower_case_keeps_every_annotation(en, rich_example):
    original = rich_example.reference
    lowered_eg = lower_case_example(en, rich_example)
    lowered = lowered_eg.reference
    assert lowered.text == original.text.lower() == "mr. smith visited new york. he loved it!"
    assert [t.text for t in lowered] == [t.text.lower() for t in original]
    assert (lowered.to_array(ATTRS) == original.to_array(ATTRS)).all()
    assert [t.lemma_ for t in lowered] == [t.lemma_ for t in original]
    assert [(e.start, e.end, e.label_) for e in lowered.ents] == [(0, 2, "PERSON"), (3, 5, "GPE")]
    assert [s.text for s in lowered.sents] == ["mr. smith visited new york.", "he loved it!"]
    assert [t.head.i for t in lowered] == [t.head.i for t in original]
    assert lowered.cats == original.cats
    assert [(s.start, s.end, s.label_, s.kb_id_) for s in lowered.spans["sc"]] == [
        (0, 2, "NAME", ""), (3, 5, "PLACE", "Q60")]
    assert lowered.spans["sc"][0].doc is lowered
    assert lowered.user_data == {"source": "test"}
    # the overridden norm is kept; other tokens take their (lower-case) lexeme's norm
    assert lowered[7].norm_ == "adore"
    assert lowered[1].norm_ == en.vocab["smith"].norm_
    # the predicted doc is the tokenizer's output for the lowered text
    predicted = lowered_eg.predicted
    assert predicted.text == lowered.text
    assert [t.text for t in predicted] == [t.text for t in en.make_doc(lowered.text)]
    assert not predicted.has_annotation("TAG")
    assert lowered_eg.id == "doc#0+lower"
    # the original is untouched
    assert original.text.startswith("Mr. Smith")


def test_lower_case_of_unannotated_doc_adds_nothing(en):
    ref = Doc(en.vocab, words=["Hello", "World"])
    lowered = lower_case_example(en, Example(en.make_doc(ref.text), ref)).reference
    assert lowered.text == "hello world"
    for attr in ("TAG", "DEP", "SENT_START", "ENT_IOB", "LEMMA"):
        assert not lowered.has_annotation(attr)


def test_lower_case_level(en, rich_example):
    create = registry.augmenters.get("fastpipe.lower_case.v1")
    assert list(create(0.0)(en, rich_example)) == [rich_example]
    out = list(create(1.0)(en, rich_example))
    assert len(out) == 2 and out[0] is rich_example
    assert out[1].reference.text == rich_example.reference.text.lower()
    random.seed(0)
    half = create(0.5)
    counts = [len(list(half(en, rich_example))) for _ in range(400)]
    assert 150 < counts.count(2) < 250
    random.seed(0)
    assert [len(list(half(en, rich_example))) for _ in range(400)] == counts  # seeded
    with pytest.raises(ValueError, match="level"):
        create(1.5)


def test_dont_augment(en, rich_example):
    assert list(dont_augment(en, rich_example)) == [rich_example]
    assert list(registry.augmenters.get("fastpipe.dont_augment.v1")()(en, rich_example)) == [rich_example]


def test_resolve_augmenter_from_config(en, rich_example):
    cfg = Config().from_str('[augmenter]\n@augmenters = "fastpipe.lower_case.v1"\nlevel = 1.0\n')
    augmenter = registry.resolve(cfg)["augmenter"]
    assert len(list(augmenter(en, rich_example))) == 2


def test_rebuild_doc_slice(rich_example):
    ref = rich_example.reference
    second = rebuild_doc(ref, 6, 10)
    assert second.text == "He LOVED it!"
    assert [t.dep_ for t in second] == ["nsubj", "ROOT", "dobj", "punct"]
    assert [t.head.i for t in second] == [1, 1, 1, 1]
    assert second.cats == ref.cats
    assert second.spans["sc"] == []  # the spans lie in the first sentence
    # a cut through an entity and through the parse
    cut = rebuild_doc(ref, 4, 6, strip_trailing_space=True)
    assert [(e.start, e.end, e.label_) for e in cut.ents] == [(0, 1, "GPE")]
    assert [t.head.i for t in cut] == [0, 1]  # heads outside the range become roots
    assert cut.text == "York."
    assert cut[0].is_sent_start
    with pytest.raises(ValueError, match="out of range"):
        rebuild_doc(ref, 5, 11)
