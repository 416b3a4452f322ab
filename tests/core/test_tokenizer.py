"""The tokenizer engine: exact round-trips, whitespace handling, the cache, rules, bad input."""
import pickle
import random
import resource  # noqa: F401  (Linux-only test environment)
from pathlib import Path

import pytest
from hypothesis import given, settings, HealthCheck
from hypothesis import strategies as st

import fastpipe
from fastpipe.tokenizer import Tokenizer
from fastpipe.vocab import Vocab
from tests.helpers.data import TEXT_SAMPLE

ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
TRICKY_CHARS = st.sampled_from(
    list(" \t\n\r\x0b\x0c\x00\x1f\x7f\x85\xa0\u2028\u3000\u200b")  # whitespace and controls
    + ["\u0301", "\u0308", "\u20dd"]  # combining marks
    + ["\ud800", "\udfff", "\udc80"]  # lone surrogates
    + list(".,;:!?'\"()[]{}-/\\@#$%&*+=<>`~^|_")
    + ["\U0001F600", "\u00e9", "\u4e2d", "a", "Z", "0", "9"]
)


def check_roundtrip(tokenizer, text):
    doc = tokenizer(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text
    for token in doc:
        assert len(token.text) > 0
        assert text[token.idx: token.idx + len(token.text)] == token.text
    return doc


@pytest.fixture(scope="module")
def xx():
    return fastpipe.blank("xx")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ANY_CHAR, max_size=200))
def test_roundtrip_any_unicode(en, text):
    check_roundtrip(en.tokenizer, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TRICKY_CHARS, max_size=200))
def test_roundtrip_tricky_characters(en, xx, text):
    check_roundtrip(en.tokenizer, text)
    check_roundtrip(xx.tokenizer, text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=TRICKY_CHARS, min_size=1, max_size=12), max_size=30))
def test_cache_gives_the_same_tokens_as_the_rules(words):
    """Tokenizing a text twice (second time from the cache) gives the same tokens."""
    text = " ".join(words)
    nlp = fastpipe.blank("en")
    first = [(t.text, t.whitespace_, t.norm_) for t in nlp.tokenizer(text)]
    second = [(t.text, t.whitespace_, t.norm_) for t in nlp.tokenizer(text)]
    assert first == second


def test_empty_string(en):
    doc = en.tokenizer("")
    assert len(doc) == 0
    assert doc.text == ""


@pytest.mark.parametrize("text,expected", [
    ("a b", [("a", " "), ("b", "")]),
    ("a  b", [("a", " "), (" ", ""), ("b", "")]),
    ("a   b", [("a", " "), (" ", " "), ("b", "")]),
    ("  a", [(" ", " "), ("a", "")]),
    (" a", [(" ", ""), ("a", "")]),
    ("a\nb", [("a", ""), ("\n", ""), ("b", "")]),
    ("a \n\n b", [("a", " "), ("\n\n", " "), ("b", "")]),
    ("a ", [("a", " ")]),
    ("\t", [("\t", "")]),
])
def test_whitespace_tokens(xx, text, expected):
    doc = check_roundtrip(xx.tokenizer, text)
    assert [(t.text, t.whitespace_) for t in doc] == expected


@pytest.mark.slow
@pytest.mark.parametrize("make", [
    lambda n: "a" * n,
    lambda n: "!" * n,
    lambda n: "'" * n,
    lambda n: "-" * n,
    lambda n: "(" * (n // 2) + ")" * (n // 2),
    lambda n: "a." * (n // 2),
    lambda n: "http://" + "x/" * (n // 2),
    lambda n: "".join(random.Random(0).choice("ab.,-'()!?/@:\u00e9\u0301\ud800") for _ in range(n)),
])
def test_one_megabyte_without_spaces(en, make):
    text = make(1_000_000)
    doc = check_roundtrip(en.tokenizer, text)
    assert len(doc) >= 1


def _rss_bytes():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@pytest.mark.slow
def test_no_leak_on_repeated_10mb(en):
    base = TEXT_SAMPLE.read_text(encoding="utf8")
    text = (base * (10_000_000 // len(base) + 1))[:10_000_000]
    for _ in range(2):  # warm-up: the vocab and the cache fill
        n_tokens = len(en.tokenizer(text))
    before = _rss_bytes()
    for _ in range(5):
        assert len(en.tokenizer(text)) == n_tokens
    growth = _rss_bytes() - before
    assert growth < 20 * 1024 * 1024, f"resident memory grew by {growth / 1e6:.1f} MB"


def test_rules_apply_in_order():
    vocab = Vocab()
    tok = Tokenizer(
        vocab,
        prefixes=[r"\(", r"\""],
        suffixes=[r"\)", r"\.", r"\""],
        infixes=[r"-"],
        special_cases={"can't": [{"ORTH": "ca"}, {"ORTH": "n't", "NORM": "not"}]},
        url_match=r"https?://\S+",
    )
    doc = tok('("can\'t") well-known http://a-b.org/x-y.')
    assert [t.text for t in doc] == ["(", '"', "ca", "n't", '"', ")", "well", "-", "known",
                                     "http://a-b.org/x-y", "."]
    assert doc[3].norm_ == "not"
    assert doc[2].norm_ == "ca"


def test_add_special_case_and_flush_cache():
    vocab = Vocab()
    tok = Tokenizer(vocab, suffixes=[r"\."])
    assert [t.text for t in tok("etc.")] == ["etc", "."]
    tok.add_special_case("etc.", [{"ORTH": "etc."}])
    assert [t.text for t in tok("etc.")] == ["etc."]


@pytest.mark.parametrize("pieces", [
    [{"ORTH": "ca"}],
    [{"ORTH": "ca"}, {"ORTH": "nt"}, {"ORTH": "x"}],
    [{"NORM": "can"}],
    ["can't"],
    [{"ORTH": ""}, {"ORTH": "can't"}],
])
def test_bad_special_case_is_rejected(pieces):
    tok = Tokenizer(Vocab())
    with pytest.raises(ValueError, match="E031"):
        tok.add_special_case("can't", pieces)


def test_bad_regex_is_reported():
    with pytest.raises(ValueError, match="prefixes"):
        Tokenizer(Vocab(), prefixes=["(unclosed"])


def test_serialization_roundtrip(en, tmp_path):
    text = "Mr. Smith can't come (he's ill) -- see http://example.com/a-b. Okay?!"
    data = en.tokenizer.to_bytes()
    fresh = Tokenizer(Vocab()).from_bytes(data)
    assert [t.text for t in fresh(text)] == [t.text for t in en.tokenizer(text)]
    assert fresh.rules == en.tokenizer.rules
    en.tokenizer.to_disk(tmp_path / "tokenizer")
    from_disk = Tokenizer(Vocab()).from_disk(tmp_path / "tokenizer")
    assert [t.text for t in from_disk(text)] == [t.text for t in en.tokenizer(text)]


@pytest.mark.parametrize("data", [b"", b"\x00\x01", b"\xc1", b"\x93\x01\x02\x03"])
def test_corrupt_tokenizer_bytes(data):
    with pytest.raises(ValueError):
        Tokenizer(Vocab()).from_bytes(data)


@pytest.mark.parametrize("bad", [None, b"bytes", 3, ["a", "list"]])
def test_tokenizer_rejects_non_str(en, bad):
    with pytest.raises(TypeError):
        en.tokenizer(bad)


def test_tokenizer_needs_a_vocab():
    with pytest.raises(TypeError):
        Tokenizer("not a vocab")


def test_unknown_language_falls_back_to_generic():
    nlp = fastpipe.blank("zz")
    assert nlp.lang == "zz"
    assert [t.text for t in nlp.tokenizer("Hi, there!")] == ["Hi", ",", "there", "!"]


def test_tokenizer_pickles_with_its_rules(en):
    gimme = [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}]
    tokenizer = Tokenizer(en.vocab, suffixes=[r"x+$"], special_cases={"gimme": gimme})
    tokenizer("warm the cache: helloxx gimme")
    again = pickle.loads(pickle.dumps(tokenizer))
    assert again.rules == tokenizer.rules
    assert [(t.text, t.norm_) for t in again("helloxx gimme")] == [
        ("hello", "hello"), ("xx", "xx"), ("gim", "give"), ("me", "me")]
    assert [t.text for t in pickle.loads(pickle.dumps(en.tokenizer))("I don't.")] == ["I", "do", "n't", "."]
