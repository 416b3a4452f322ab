"""BILUO/IOB helpers and entity offsets."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpipe.gold.biluo import (biluo_tags_to_offsets, biluo_tags_to_spans, biluo_to_iob,
                                 iob_to_biluo, offsets_to_biluo_tags)
from fastpipe.tokens import Doc

WORDS = ["Mr", "Jo", "Smith", "flew", "to", "New", "York", "City", "on", "Monday", "."]


@pytest.fixture
def doc(en):
    return Doc(en.vocab, words=WORDS)


def test_offsets_to_biluo(doc):
    text = doc.text
    ents = [(text.index("Jo"), text.index("Smith") + 5, "PER"), (text.index("New"), text.index("City") + 4, "LOC"),
            (text.index("Monday"), text.index("Monday") + 6, "DATE")]
    tags = offsets_to_biluo_tags(doc, ents)
    assert tags == ["O", "B-PER", "L-PER", "O", "O", "B-LOC", "I-LOC", "L-LOC", "O", "U-DATE", "O"]
    assert biluo_tags_to_offsets(doc, tags) == sorted(ents)
    spans = biluo_tags_to_spans(doc, tags)
    assert [(s.text, s.label_) for s in spans] == [("Jo Smith", "PER"), ("New York City", "LOC"), ("Monday", "DATE")]


def test_misaligned_entities_are_marked_and_reported(doc):
    text = doc.text
    bad = (text.index("York") + 1, text.index("City") + 4, "LOC")  # starts inside "York"
    good = (0, 2, "PER")
    misaligned = []
    tags = offsets_to_biluo_tags(doc, [good, bad], misaligned=misaligned)
    assert tags[0] == "U-PER"
    assert tags[6] == "-" and tags[7] == "-"
    assert tags[5] == "O"
    assert misaligned == [bad]


def test_overlapping_entities_name_both(doc):
    with pytest.raises(ValueError, match=r"E061.*example 'doc-3'.*\(0, 5, 'A'\).*\(3, 8, 'B'\)"):
        offsets_to_biluo_tags(doc, [(0, 5, "A"), (3, 8, "B")], example_id="doc-3")


@pytest.mark.parametrize("ent", [(0, 0, "A"), (-1, 3, "A"), (0, 999, "A"), (0, 2, ""), (0, 2), "x"])
def test_bad_entity_tuples(doc, ent):
    with pytest.raises(ValueError):
        offsets_to_biluo_tags(doc, [ent])


def test_iob_biluo_conversions():
    iob = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "I-LOC", "O"]
    biluo = ["B-PER", "L-PER", "O", "U-LOC", "B-LOC", "I-LOC", "L-LOC", "O"]
    assert iob_to_biluo(iob) == biluo
    assert biluo_to_iob(biluo) == iob
    # IOB1: an I- after O begins an entity
    assert iob_to_biluo(["O", "I-ORG", "I-ORG", "O"]) == ["O", "B-ORG", "L-ORG", "O"]


@pytest.mark.parametrize("tags", [["B-PER", "O"], ["I-PER"], ["L-X"], ["X-PER"], ["B-A", "L-B"]])
def test_invalid_biluo_sequences(doc, tags):
    with pytest.raises(ValueError):
        biluo_tags_to_offsets(doc, tags + ["O"] * (len(doc) - len(tags)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 3), st.sampled_from(["PER", "LOC", "ORG"])), max_size=6))
def test_biluo_offsets_roundtrip(en, raw):
    doc = Doc(en.vocab, words=WORDS)
    # turn random token spans into non-overlapping entity offsets
    taken = set()
    ents = []
    for start, length, label in raw:
        end = min(start + length, len(doc))
        if any(i in taken for i in range(start, end)) or start >= end:
            continue
        taken.update(range(start, end))
        ents.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label))
    tags = offsets_to_biluo_tags(doc, ents)
    assert sorted(biluo_tags_to_offsets(doc, tags)) == sorted(ents)
    assert offsets_to_biluo_tags(doc, biluo_tags_to_offsets(doc, tags)) == tags
    assert iob_to_biluo(biluo_to_iob(tags)) == tags
