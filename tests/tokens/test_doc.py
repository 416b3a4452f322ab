"""Doc: construction, indexing, arrays, entities, sentences, char spans, copies, bad input."""
import pickle

import numpy
import pytest

import fastpipe
from fastpipe.attrs import IDS
from fastpipe.tokenizer import Tokenizer
from fastpipe.tokens import Doc, Span, Token


def test_text_from_words_and_spaces(vocab):
    doc = Doc(vocab, words=["Hello", ",", "world", "!"], spaces=[False, True, False, False])
    assert doc.text == "Hello, world!"
    assert str(doc) == doc.text
    assert [t.text for t in doc] == ["Hello", ",", "world", "!"]
    assert [t.idx for t in doc] == [0, 5, 7, 12]
    assert [t.whitespace_ for t in doc] == ["", " ", "", ""]
    assert "".join(t.text_with_ws for t in doc) == doc.text


def test_default_spaces(vocab):
    doc = Doc(vocab, words=["a", "b", "c"])
    assert doc.text == "a b c"
    assert Doc(vocab).text == "" and len(Doc(vocab)) == 0
    assert Doc(vocab, words=[]).text == ""


def test_unusual_words(vocab):
    words = ["\ud800", "e\u0301", "\U0001F600", "\t"]
    doc = Doc(vocab, words=words, spaces=[True, False, True, False])
    assert doc.text == "\ud800 e\u0301\U0001F600 \t"
    assert [t.text for t in doc] == words
    assert [t.idx for t in doc] == [0, 2, 4, 6]


def test_indexing(vocab):
    doc = Doc(vocab, words=["a", "b", "c"])
    assert doc[0].text == "a" and doc[-1].text == "c" and doc[-3].text == "a"
    assert doc[numpy.int64(1)].text == "b"
    for i in (3, -4, 100, -100, 2**40, -(2**63)):
        with pytest.raises(IndexError):
            doc[i]
    with pytest.raises(IndexError):
        Doc(vocab)[0]
    for key in ("a", 1.0, None, True):
        with pytest.raises(TypeError):
            doc[key]


def test_slices(vocab):
    doc = Doc(vocab, words=["a", "b", "c", "d"])
    span = doc[1:3]
    assert isinstance(span, Span) and span.text == "b c"
    assert (span.start, span.end) == (1, 3)
    assert doc[-2:].text == "c d"
    assert doc[:100].text == doc.text
    assert len(doc[3:1]) == 0
    assert len(doc[10:20]) == 0
    with pytest.raises(ValueError):
        doc[::2]


STRING_ATTRS = ["LEMMA", "TAG", "POS", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID", "NORM"]


@pytest.mark.parametrize("attr", STRING_ATTRS)
def test_string_attr_array_roundtrip(vocab, attr):
    words = ["x", "y", "z"]
    values = ["v1", "", "v3"]
    keys = numpy.array([vocab.strings.add(v) for v in values], dtype="uint64")
    doc = Doc(vocab, words=words)
    doc.from_array([attr], keys.reshape((3, 1)))
    if attr == "NORM":  # a missing token norm falls back to the lexeme's norm
        assert doc.to_array(attr).tolist() == [keys[0], vocab.strings["y"], keys[2]]
        assert [t.norm_ for t in doc] == ["v1", "y", "v3"]
    else:
        assert doc.to_array([attr]).tolist() == [[k] for k in keys.tolist()]
    other = Doc(vocab, words=words)
    other.from_array(attr, doc.to_array(attr))
    assert (other.to_array(attr) == doc.to_array(attr)).all()


def test_full_array_roundtrip(parsed):
    attrs = ["ORTH", "SPACY", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD",
             "SENT_START", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]
    array = parsed.to_array(attrs)
    assert array.dtype == numpy.uint64 and array.shape == (len(parsed), len(attrs))
    blank = Doc(parsed.vocab, words=["w"] * len(parsed))
    blank.from_array(attrs, array)
    assert blank.text == parsed.text
    assert (blank.to_array(attrs) == array).all()
    assert [t.head.i for t in blank] == [t.head.i for t in parsed]
    assert [t.left_edge.i for t in blank] == [t.left_edge.i for t in parsed]
    assert [s.text for s in blank.sents] == [s.text for s in parsed.sents]
    assert [(e.text, e.label_) for e in blank.ents] == [("pizza", "FOOD")]
    assert [t.morph_ for t in blank][:2] == ["Case=Nom", "Tense=Past"]


def test_to_array_signed_values(parsed):
    heads = parsed.to_array("HEAD").view(numpy.int64)
    assert heads.tolist() == [t.head.i - t.i for t in parsed]
    starts = parsed.to_array(["SENT_START"]).view(numpy.int64)[:, 0]
    assert starts.tolist() == [1, -1, -1, -1, -1, 1, -1, -1, -1]


def test_to_array_single_attr_shapes(parsed):
    assert parsed.to_array("ORTH").shape == (len(parsed),)
    assert parsed.to_array(IDS["ORTH"]).shape == (len(parsed),)
    assert parsed.to_array(["ORTH"]).shape == (len(parsed), 1)
    assert parsed.to_array(["LOWER", "IS_ALPHA", "LENGTH"])[0].tolist() == [
        parsed.vocab.strings["she"], 1, 3]


def test_to_array_unknown_attr(parsed):
    with pytest.raises(KeyError):
        parsed.to_array(["NO_SUCH_ATTR"])
    with pytest.raises(KeyError):
        parsed.to_array("no_such")
    with pytest.raises(TypeError):
        parsed.to_array([1.5])


def test_from_array_errors_leave_doc_unchanged(parsed):
    before = parsed.to_array(["TAG", "HEAD", "DEP"])
    n = len(parsed)
    bad_cases = [
        (["TAG"], numpy.zeros((n, 2), dtype="uint64")),  # wrong number of columns
        (["TAG"], numpy.zeros((n + 1, 1), dtype="uint64")),  # wrong number of rows
        (["TAG"], numpy.zeros((n, 1), dtype="float64")),  # not integers
        (["TAG"], numpy.full((n, 1), 123456789, dtype="uint64")),  # unknown string key
        (["HEAD"], numpy.full((n, 1), 100, dtype="int64")),  # head out of range
        (["HEAD"], numpy.full((n, 1), -100, dtype="int64")),
        (["HEAD"], numpy.array([1] * (n - 1) + [-1], dtype="int64")),  # a cycle
        (["SENT_START"], numpy.full((n, 1), 2, dtype="int64")),
        (["ENT_IOB"], numpy.full((n, 1), 4, dtype="uint64")),
        (["SPACY"], numpy.full((n, 1), 2, dtype="uint64")),
        (["ORTH"], numpy.zeros((n, 1), dtype="uint64")),  # tokens need text
        (["LOWER"], numpy.zeros((n, 1), dtype="uint64")),  # lexical: comes from the vocab
        (["TAG", "HEAD"], numpy.array([[parsed.vocab.strings["NN"], 99]] * n, dtype="uint64")),
    ]
    for attrs, array in bad_cases:
        with pytest.raises(ValueError):
            parsed.from_array(attrs, array)
        assert (parsed.to_array(["TAG", "HEAD", "DEP"]) == before).all(), attrs
        assert [t.head.i for t in parsed] == [1, 1, 3, 1, 1, 6, 6, 6, 6]
    with pytest.raises(KeyError):
        parsed.from_array(["NOPE"], numpy.zeros((n, 1), dtype="uint64"))


def test_from_array_orth_and_spacy_recompute_text(vocab):
    doc = Doc(vocab, words=["a", "b"], spaces=[True, False])
    doc.from_array(["ORTH", "SPACY"], numpy.array(
        [[vocab.strings.add("hello"), 0], [vocab.strings.add("you"), 0]], dtype="uint64"))
    assert doc.text == "helloyou"
    assert [t.idx for t in doc] == [0, 5]


def test_has_annotation(parsed, vocab):
    doc = Doc(vocab, words=["a", "b"])
    for attr in ("TAG", "DEP", "HEAD", "SENT_START", "LEMMA"):
        assert parsed.has_annotation(attr)
        assert not doc.has_annotation(attr)


def test_ents_from_iob_strings(parsed):
    assert [(e.text, e.label_, e.start, e.end) for e in parsed.ents] == [("pizza", "FOOD", 3, 4)]
    assert [t.ent_iob_ for t in parsed][2:5] == ["O", "B", "O"]
    assert parsed[3].ent_type_ == "FOOD"


def test_iob_strings_in_constructor(vocab):
    words = ["New", "York", "and", "Paris", "x"]
    doc = Doc(vocab, words=words, ents=["B-GPE", "I-GPE", "O", "B-GPE", ""])
    assert [(e.text, e.label_) for e in doc.ents] == [("New York", "GPE"), ("Paris", "GPE")]
    assert [t.ent_iob_ for t in doc] == ["B", "I", "O", "B", ""]
    assert Doc(vocab, words=["a", "b"], ents=[None, "O"])[0].ent_iob_ == ""
    bad = [["I-GPE", "O", "O", "O", "O"], ["B-GPE", "I-LOC", "O", "O", "O"],
           ["X-GPE", "O", "O", "O", "O"], ["B", "O", "O", "O", "O"], ["O-GPE", "O", "O", "O", "O"],
           ["O", "O", "I-GPE", "O", "O"]]
    for tags in bad:
        with pytest.raises(ValueError):
            Doc(vocab, words=words, ents=tags)
    with pytest.raises(TypeError):
        Doc(vocab, words=words, ents=[1, "O", "O", "O", "O"])
    with pytest.raises(ValueError):
        Doc(vocab, words=words, ents=["O"])


def test_set_ents(vocab):
    doc = Doc(vocab, words=["a", "b", "c", "d", "e"])
    doc.ents = [Span(doc, 0, 2, label="X"), ("Y", 3, 4)]
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(0, 2, "X"), (3, 4, "Y")]
    assert [t.ent_iob_ for t in doc] == ["B", "I", "O", "B", "O"]
    doc.set_ents([("Z", 4, 5)], default="unmodified")
    assert [e.label_ for e in doc.ents] == ["X", "Y", "Z"]
    doc.set_ents([], missing=[doc[0:1]], outside=[("", 4, 5)], default="unmodified")
    assert [t.ent_iob_ for t in doc] == ["", "I", "O", "B", "O"]
    doc.set_ents([("Q", 1, 2)], default="missing")
    assert [t.ent_iob_ for t in doc] == ["", "B", "", "", ""]
    doc.ents = []
    assert doc.ents == () and all(t.ent_iob_ == "O" for t in doc)


def test_set_ents_errors(vocab):
    doc = Doc(vocab, words=["a", "b", "c"])
    other = Doc(vocab, words=["a", "b", "c"])
    with pytest.raises(ValueError):
        doc.ents = [("X", 0, 2), ("Y", 1, 3)]  # overlap
    with pytest.raises(ValueError):
        doc.ents = [Span(other, 0, 1, label="X")]
    with pytest.raises(ValueError):
        doc.ents = [("X", 1, 1)]
    with pytest.raises(IndexError):
        doc.ents = [("X", 2, 4)]
    with pytest.raises(TypeError):
        doc.ents = ["X"]
    with pytest.raises(ValueError):
        doc.set_ents([], default="sometimes")
    assert all(t.ent_iob_ == "" for t in doc)  # nothing was written


def test_sents_from_sent_starts(vocab):
    doc = Doc(vocab, words=["a", "b", "c", "d"], sent_starts=[True, False, True, None])
    assert [s.text for s in doc.sents] == ["a b", "c d"]
    assert [t.is_sent_start for t in doc] == [True, False, True, None]
    assert doc.has_sents


def test_sents_from_heads(parsed):
    assert [(s.start, s.end) for s in parsed.sents] == [(0, 5), (5, 9)]
    assert parsed[7].sent.text == "It was good."


def test_sents_unset_raises(vocab):
    doc = Doc(vocab, words=["a", "b"])
    assert not doc.has_sents
    with pytest.raises(ValueError):
        list(doc.sents)
    assert list(Doc(vocab).sents) == []


@pytest.mark.parametrize("heads", [[1, 0, 2], [1, 2, 0], [2, 2, 1], [0, 2, 1]])
def test_cycle_in_heads_raises(vocab, heads):
    with pytest.raises(ValueError, match="cycle"):
        Doc(vocab, words=["a", "b", "c"], heads=heads)


@pytest.mark.parametrize("heads", [[3, 0, 0], [-1, 0, 0]])
def test_heads_out_of_range(vocab, heads):
    with pytest.raises(ValueError):
        Doc(vocab, words=["a", "b", "c"], heads=heads)


def test_constructor_annotation_lengths(vocab):
    for name in ("tags", "pos", "lemmas", "morphs", "deps", "heads", "sent_starts"):
        with pytest.raises(ValueError):
            Doc(vocab, words=["a", "b"], **{name: [None]})
    with pytest.raises(ValueError):
        Doc(vocab, words=["a", "b"], spaces=[True])
    with pytest.raises(ValueError):
        Doc(vocab, words=["a", ""])


@pytest.mark.parametrize(
    "args,kwargs",
    [
        (("not a vocab",), {}),
        ((None,), {}),
        ((), {}),
    ],
)
def test_doc_constructor_bad_vocab(args, kwargs):
    with pytest.raises(TypeError):
        Doc(*args, **kwargs)


@pytest.mark.parametrize("words", ["a b", b"ab", 5, ["a", 5], ["a", None], [b"a"]])
def test_doc_constructor_bad_words(vocab, words):
    with pytest.raises(TypeError):
        Doc(vocab, words=words)


def test_doc_constructor_bad_annotations(vocab):
    with pytest.raises(TypeError):
        Doc(vocab, words=["a"], tags=[5])
    with pytest.raises(TypeError):
        Doc(vocab, words=["a"], heads=["0"])


def test_char_span(vocab):
    doc = Doc(vocab, words=["Hello", ",", "New", "York", "!"], spaces=[False, True, True, False, False])
    # text: "Hello, New York!"
    assert doc.char_span(7, 15).text == "New York"
    assert doc.char_span(7, 15, label="GPE").label_ == "GPE"
    assert doc.char_span(0, 5).text == "Hello"
    assert doc.char_span(8, 15) is None  # starts inside "New"
    assert doc.char_span(7, 14) is None  # ends inside "York"
    assert doc.char_span(6, 15) is None  # starts on a space
    assert doc.char_span(7, 16).text == "New York!"
    assert doc.char_span(8, 14, alignment_mode="expand").text == "New York"
    assert doc.char_span(8, 14, alignment_mode="contract") is None
    assert doc.char_span(2, 14, alignment_mode="contract").text == ", New"
    assert doc.char_span(1, 9, alignment_mode="expand").text == "Hello, New"
    assert doc.char_span(6, 7, alignment_mode="expand") is None  # only whitespace
    assert doc.char_span(8, 8, alignment_mode="expand").text == "New"
    assert doc.char_span(7, 15, "GPE", "strict", kb_id="Q60").kb_id_ == "Q60"
    assert doc.char_span(9, 8) is None
    assert doc.char_span(0, 100) is None
    assert Doc(vocab).char_span(0, 0) is None
    with pytest.raises(ValueError):
        doc.char_span(0, 5, alignment_mode="loose")
    with pytest.raises(TypeError):
        doc.char_span("0", 5)


def test_copy_is_independent(parsed):
    parsed.cats = {"FOOD": 1.0}
    parsed.spans["sc"] = [Span(parsed, 2, 4, label="NP", kb_id="Q1")]
    parsed.user_data["k"] = "v"
    copy = parsed.copy()
    assert copy.text == parsed.text
    attrs = ["ORTH", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "SENT_START", "LEMMA"]
    assert (copy.to_array(attrs) == parsed.to_array(attrs)).all()
    assert copy.cats == parsed.cats and copy.user_data == parsed.user_data
    span = copy.spans["sc"][0]
    assert span.doc is copy and span.label_ == "NP" and span.kb_id_ == "Q1"
    copy[0].tag_ = "CHANGED"
    copy.cats["FOOD"] = 0.0
    assert parsed[0].tag_ == "PRP" and parsed.cats["FOOD"] == 1.0
    assert [t.left_edge.i for t in copy] == [t.left_edge.i for t in parsed]


def test_doc_bytes_roundtrip(parsed, vocab):
    parsed.cats = {"A": 0.5}
    parsed.spans["sc"] = [Span(parsed, 0, 2, label="L")]
    parsed.user_data[("x", 1)] = [1, 2]
    data = parsed.to_bytes()
    doc = Doc(vocab).from_bytes(data)
    attrs = ["ORTH", "SPACY", "TAG", "POS", "LEMMA", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE"]
    assert (doc.to_array(attrs) == parsed.to_array(attrs)).all()
    assert doc.cats == {"A": 0.5}
    assert doc.spans["sc"][0].doc is doc and doc.spans["sc"][0].label_ == "L"
    assert doc.user_data == {("x", 1): [1, 2]}
    with pytest.raises(ValueError):
        Doc(vocab).from_bytes(data[:-3])


def test_pickle(parsed):
    doc = pickle.loads(pickle.dumps(parsed))
    assert doc.text == parsed.text
    assert [t.dep_ for t in doc] == [t.dep_ for t in parsed]


def test_token_and_span_constructors(parsed):
    assert Token(parsed, 2).text == "the"
    for bad in [("doc", 0), (None, 0)]:
        with pytest.raises(TypeError):
            Token(*bad)
        with pytest.raises(TypeError):
            Span(bad[0], 0, 1)
    with pytest.raises(TypeError):
        Token(parsed, "0")
    with pytest.raises(IndexError):
        Token(parsed, len(parsed))
    with pytest.raises(IndexError):
        Token(parsed, -1)


def test_tokenizer_bad_arguments(vocab):
    with pytest.raises(TypeError):
        Tokenizer("not a vocab")
    with pytest.raises(TypeError):
        fastpipe.blank("en").tokenizer(b"bytes")


def test_unknown_attributes_raise(parsed):
    with pytest.raises(AttributeError):
        parsed.no_such_attribute
    with pytest.raises(AttributeError):
        parsed[0].no_such_attribute
    with pytest.raises(AttributeError):
        parsed[0:2].no_such_attribute
    with pytest.raises(AttributeError):
        parsed.length = 5


def test_bare_new_objects_do_not_crash(vocab):
    for cls in (Token, Span):
        with pytest.raises(TypeError):
            cls.__new__(cls)
    with pytest.raises(TypeError):
        Doc.__new__(Doc)
    doc = Doc.__new__(Doc, vocab)  # __init__ skipped: an empty Doc
    assert len(doc) == 0 and doc.text == "" and list(doc) == []
