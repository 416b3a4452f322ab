"""Span: construction, indexing, text, labels, root, arrays, bad input."""
import numpy
import pytest

from fastpipe.tokens import Doc, Span


def test_span_basics(parsed):
    span = Span(parsed, 2, 4, label="NP")
    assert span.text == "the pizza"
    assert span.text_with_ws == "the pizza"
    assert Span(parsed, 0, 2).text_with_ws == "She ate "
    assert (span.start, span.end, span.start_char, span.end_char) == (2, 4, 8, 17)
    assert len(span) == 2
    assert span.label_ == "NP" and span.label == parsed.vocab.strings["NP"]
    assert [t.text for t in span] == ["the", "pizza"]
    assert span.doc is parsed and span.vocab is parsed.vocab
    assert repr(span) == "the pizza"


def test_span_kb_id(parsed):
    span = Span(parsed, 3, 4, label="FOOD", kb_id="Q177")
    assert span.kb_id_ == "Q177"
    assert span.kb_id == parsed.vocab.strings["Q177"]
    assert Span(parsed, 3, 4, label=span.label).label_ == "FOOD"


def test_empty_spans(parsed):
    span = Span(parsed, 2, 2)
    assert len(span) == 0 and span.text == "" and list(span) == []
    end = Span(parsed, len(parsed), len(parsed))
    assert end.start_char == end.end_char == len(parsed.text)
    with pytest.raises(ValueError):
        span.root


def test_span_indexing(parsed):
    span = parsed[2:6]
    assert span[0].text == "the" and span[-1].text == "It"
    assert span[0].i == 2
    assert span[numpy.int32(1)].text == "pizza"
    for i in (4, -5, 1000, -(2**63)):
        with pytest.raises(IndexError):
            span[i]
    for key in ("0", 0.5, None, True):
        with pytest.raises(TypeError):
            span[key]
    sub = span[1:3]
    assert (sub.start, sub.end, sub.text) == (3, 5, "pizza.")
    assert span[-2:].text == ". It"
    assert len(span[3:1]) == 0
    with pytest.raises(ValueError):
        span[::2]


@pytest.mark.parametrize("start,end", [(-1, 2), (0, 100), (5, 3), (10, 10)])
def test_span_out_of_range(parsed, start, end):
    with pytest.raises(IndexError):
        Span(parsed, start, end)


def test_span_bad_types(parsed):
    with pytest.raises(TypeError):
        Span("doc", 0, 1)
    with pytest.raises(TypeError):
        Span(parsed, "0", 1)
    with pytest.raises(TypeError):
        Span(parsed, 0, 1, label=1.5)
    with pytest.raises(TypeError):
        Span(parsed, 0, 1, kb_id=b"x")
    with pytest.raises(KeyError):
        Span(parsed, 0, 1, label=123456789)


def test_span_root(parsed):
    assert parsed[2:4].root.text == "pizza"
    assert parsed[0:5].root.text == "ate"
    assert parsed[5:9].root.text == "was"


def test_span_equality(parsed):
    assert Span(parsed, 0, 2) == parsed[0:2]
    assert Span(parsed, 0, 2, label="X") != parsed[0:2]
    assert Span(parsed, 0, 2) != Span(parsed, 0, 3)
    assert len({Span(parsed, 0, 2), parsed[0:2], Span(parsed, 1, 2)}) == 2
    assert Span(parsed, 0, 2) != "She ate"


def test_span_to_array(parsed):
    span = parsed[2:4]
    assert span.to_array(["TAG"]).tolist() == [[parsed.vocab.strings["DT"]],
                                               [parsed.vocab.strings["NN"]]]
    assert span.to_array("ORTH").shape == (2,)


def test_span_outlives_shrinking_doc(vocab):
    doc = Doc(vocab, words=["a", "b", "c"], heads=[0, 0, 0])
    span = doc[1:3]
    doc.from_bytes(Doc(vocab, words=["x"]).to_bytes())
    with pytest.raises(IndexError):
        list(span)
    with pytest.raises(IndexError):
        span.root
    with pytest.raises(IndexError):
        span[0]


def test_entity_kb_ids_survive_set_and_get():
    import fastpipe
    from fastpipe.tokens import Doc, Span

    nlp = fastpipe.blank("en")
    doc = Doc(nlp.vocab, words=["Paris", "is", "nice"])
    doc.ents = [Span(doc, 0, 1, label="GPE", kb_id="Q90")]
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [("Paris", "GPE", "Q90")]
    assert doc[0].ent_kb_id_ == "Q90"
    doc.set_ents([], default="outside")
    assert doc[0].ent_kb_id_ == ""
