"""Vocab and Lexeme: lexical attributes and flags, attribute ids, bad keys."""
import pytest

import fastpipe
from fastpipe.attrs import FLAG_IDS, IDS, NAMES, intify_attr, intify_attrs
from fastpipe.lexeme import Lexeme
from fastpipe.strings import StringStore
from fastpipe.vocab import Vocab


@pytest.fixture(scope="module")
def vocab():
    return fastpipe.blank("en").vocab


@pytest.mark.parametrize(
    "text,lower,shape,prefix,suffix",
    [
        ("Hello", "hello", "Xxxxx", "H", "llo"),
        ("123", "123", "ddd", "1", "123"),
        ("Apple", "apple", "Xxxxx", "A", "ple"),
        ("a@b.com", "a@b.com", "x@x.xxx", "a", "com"),
    ],
)
def test_string_attributes(vocab, text, lower, shape, prefix, suffix):
    lex = vocab[text]
    assert lex.orth_ == lex.text == text
    assert lex.orth == vocab.strings[text]
    assert lex.lower_ == lower
    assert lex.lower == vocab.strings[lower]
    assert lex.norm_ == lower
    assert lex.shape_ == shape
    assert lex.prefix_ == prefix
    assert lex.suffix_ == suffix
    assert lex.length == len(text)
    assert lex.lang_ == "en"


FLAGS = ["is_alpha", "is_digit", "is_punct", "is_space", "like_num", "like_url", "like_email",
         "is_stop"]


@pytest.mark.parametrize(
    "text,true_flags",
    [
        ("Hello", {"is_alpha"}),
        ("123", {"is_digit", "like_num"}),
        (".", {"is_punct"}),
        (" ", {"is_space"}),
        ("ten", {"is_alpha", "like_num", "is_stop"}),
        ("the", {"is_alpha", "is_stop"}),
        ("The", {"is_alpha", "is_stop"}),
        ("http://x.org", {"like_url"}),
        ("a@b.com", {"like_email"}),
    ],
)
def test_flags(vocab, text, true_flags):
    lex = vocab[text]
    for flag in FLAGS:
        assert getattr(lex, flag) is (flag in true_flags), flag
        assert lex.check_flag(flag.upper()) is (flag in true_flags), flag


def test_case_flags(vocab):
    assert vocab["ABC"].is_upper and not vocab["ABC"].is_lower
    assert vocab["abc"].is_lower and not vocab["abc"].is_title
    assert vocab["Abc"].is_title
    assert vocab["abc"].is_ascii and not vocab["\u00e9t\u00e9"].is_ascii


def test_token_shares_lexeme_attributes(vocab):
    doc = fastpipe.blank("en")("Hello 123")
    assert doc[0].is_alpha and doc[0].shape_ == "Xxxxx" and doc[0].lower_ == "hello"
    assert doc[1].like_num and doc[1].is_digit


def test_vocab_interns_each_form_once(vocab):
    lex1 = vocab["interned-form"]
    n = len(vocab)
    lex2 = vocab["interned-form"]
    assert len(vocab) == n
    assert lex1 == lex2 and lex1.rank == lex2.rank
    assert vocab[lex1.orth] == lex1
    assert "interned-form" in vocab
    assert lex1.orth in vocab
    assert "never-looked-up-form" not in vocab


def test_lexeme_constructor(vocab):
    lex = Lexeme(vocab, "constructed")
    assert lex.text == "constructed"
    assert Lexeme(vocab, lex.orth) == lex
    assert lex.get_attr("LOWER") == vocab.strings["constructed"]
    assert lex.get_attr(IDS["LENGTH"]) == len("constructed")


def test_attribute_ids():
    assert IDS["ORTH"] == intify_attr("ORTH") == intify_attr("orth") == intify_attr("orth_")
    assert NAMES[IDS["TAG"]] == "TAG"
    assert intify_attr(IDS["DEP"]) == IDS["DEP"]
    assert intify_attrs(["TAG", "POS"]) == (IDS["TAG"], IDS["POS"])
    assert intify_attrs("TAG") == (IDS["TAG"],)
    assert all(0 < i < 64 for i in FLAG_IDS)
    assert IDS["IS_ALPHA"] in FLAG_IDS and IDS["ORTH"] not in FLAG_IDS
    assert len(set(IDS.values())) == len(IDS)


@pytest.mark.parametrize("attr", ["NOT_AN_ATTR", "", 9999, -1])
def test_unknown_attribute_raises_key_error(attr):
    with pytest.raises(KeyError):
        intify_attr(attr)


@pytest.mark.parametrize("attr", [1.5, None, True, b"ORTH"])
def test_attribute_wrong_type_raises_type_error(attr):
    with pytest.raises(TypeError):
        intify_attr(attr)


@pytest.mark.parametrize("key", [1.5, None, b"x", True])
def test_vocab_bad_key_types(vocab, key):
    with pytest.raises(TypeError):
        vocab[key]


@pytest.mark.parametrize("key", [123456789, -1, 2**64])
def test_vocab_unknown_int_key(vocab, key):
    with pytest.raises(KeyError):
        vocab[key]


def test_lexeme_bad_arguments(vocab):
    with pytest.raises(KeyError):
        Lexeme(vocab, 123456789)
    with pytest.raises(TypeError):
        Lexeme(vocab, 1.5)
    with pytest.raises(TypeError):
        Lexeme("not a vocab", "x")


def test_check_flag_rejects_non_flags(vocab):
    with pytest.raises(KeyError):
        vocab["x"].check_flag("ORTH")
    with pytest.raises(KeyError):
        vocab["x"].check_flag("NO_SUCH_FLAG")


def test_lexeme_attributes_are_read_only_and_closed(vocab):
    lex = vocab["x"]
    with pytest.raises(AttributeError):
        lex.orth = 5
    with pytest.raises(AttributeError):
        lex.no_such_attribute


def test_vocab_constructor_types():
    with pytest.raises(TypeError):
        Vocab(lang=5)
    with pytest.raises(TypeError):
        Vocab(strings=5)
    strings = StringStore(["shared"])
    vocab = Vocab(strings=strings)
    assert vocab.strings is strings
    assert Vocab(strings=["a", "b"]).strings["a"] in Vocab(strings=["a"]).strings


def test_vocab_bytes_roundtrip():
    vocab = Vocab(lang="de")
    vocab["Haus"]
    restored = Vocab().from_bytes(vocab.to_bytes())
    assert restored.lang == "de"
    assert "Haus" in restored.strings
    with pytest.raises(ValueError):
        Vocab().from_bytes(b"\x00garbage")


def test_objects_made_without_init_raise_instead_of_crashing():
    from fastpipe.lexeme import Lexeme, LexemeAttrs
    from fastpipe.vocab import Vocab

    with pytest.raises(TypeError):
        LexemeAttrs().orth
    with pytest.raises(TypeError):
        Lexeme.__new__(Lexeme).orth
    vocab = Vocab.__new__(Vocab)
    assert vocab["x"].orth_ == "x"


def test_vocab_pickles_with_its_strings_and_getters():
    import pickle

    import fastpipe

    vocab = fastpipe.blank("en").vocab
    vocab["unusualword"]
    again = pickle.loads(pickle.dumps(vocab))
    assert "unusualword" in again.strings
    assert again.lang == "en"
    assert again["the"].is_stop
