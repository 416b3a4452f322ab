"""The generic fallback rules (``xx``), and language codes without data falling back to them."""
import re

import pytest

import fastpipe
from fastpipe.lang import get_lang_data
from fastpipe.lang.char_classes import EMOTICONS


@pytest.fixture(scope="module")
def xx():
    return fastpipe.blank("xx")


def words(nlp, text):
    doc = nlp.tokenizer(text)
    assert doc.text == text
    return [t.text for t in doc]


CASES = [
    ("Hello, world!", ["Hello", ",", "world", "!"]),
    ("Wow!!! Really?!", ["Wow", "!!!", "Really", "?!"]),
    ("wait...", ["wait", "..."]),
    ("(parenthesis)", ["(", "parenthesis", ")"]),
    ("[a]{b}", ["[", "a", "]", "{", "b", "}"]),
    ('"quoted"', ['"', "quoted", '"']),
    ("\u00abBonjour\u00bb, dit-il\u2026", ["\u00ab", "Bonjour", "\u00bb", ",", "dit-il", "\u2026"]),
    ("\u201eGuten Tag\u201c", ["\u201e", "Guten", "Tag", "\u201c"]),
    ("\u00bfQu\u00e9? \u00a1S\u00ed!", ["\u00bf", "Qu\u00e9", "?", "\u00a1", "S\u00ed", "!"]),
    ("l'homme est l\u00e0.", ["l'homme", "est", "l\u00e0", "."]),
    ("z.B. und usw.", ["z.B.", "und", "usw", "."]),
    ("J. Smith", ["J.", "Smith"]),
    ("\u6771\u4eac\u306f\u6674\u308c\u3002\u660e\u65e5\uff01", ["\u6771\u4eac\u306f\u6674\u308c", "\u3002", "\u660e\u65e5", "\uff01"]),
    ("\uff08\u6ce8\uff09", ["\uff08", "\u6ce8", "\uff09"]),
    ("\u0645\u0631\u062d\u0628\u0627\u061f", ["\u0645\u0631\u062d\u0628\u0627", "\u061f"]),
    ("\u0928\u092e\u0938\u094d\u0924\u0947\u0964", ["\u0928\u092e\u0938\u094d\u0924\u0947", "\u0964"]),
    ("Preis: 1.000,50\u20ac.", ["Preis", ":", "1.000,50", "\u20ac", "."]),
    ("$5 (50%)", ["$", "5", "(", "50", "%", ")"]),
    ("12:30 3/4 1,000.50", ["12:30", "3/4", "1,000.50"]),
    ("-5 -word", ["-5", "-", "word"]),
    ("one,two", ["one", ",", "two"]),
    ("word\u2014word", ["word", "\u2014", "word"]),
    ("end.Next", ["end", ".", "Next"]),
    ("*****", ["*****"]),
    ("=====", ["====="]),
    ("<<", ["<<"]),
    (":) :-( ;)", [":)", ":-(", ";)"]),
    ("fun:)", ["fun", ":)"]),
    ("ok :).", ["ok", ":)", "."]),
    ("Siehe http://example.de/seite?x=1.", ["Siehe", "http://example.de/seite?x=1", "."]),
    ("(www.example.com)", ["(", "www.example.com", ")"]),
    ("info@example.fr,", ["info@example.fr", ","]),
    ("<anna.maria@post.example.it>", ["<", "anna.maria@post.example.it", ">"]),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_xx_rules(xx, text, expected):
    assert words(xx, text) == expected


def test_xx_has_no_english_rules(xx):
    # no contractions, no English abbreviations, no hyphen splitting, no stop words
    assert words(xx, "don't") == ["don't"]
    assert words(xx, "gonna") == ["gonna"]
    assert words(xx, "well-known") == ["well-known"]
    data = get_lang_data("xx")
    assert data.stop_words == frozenset()
    assert set(data.special_cases) <= set(EMOTICONS)
    assert "don't" not in data.special_cases and "etc." not in data.special_cases
    assert not xx("the")[0].is_stop


@pytest.mark.parametrize("code", ["fi", "de", "zz"])
def test_unknown_language_falls_back_to_xx(code):
    nlp = fastpipe.blank(code)
    assert nlp.lang == code
    assert words(nlp, "Hei, maailma! (testi)") == ["Hei", ",", "maailma", "!", "(", "testi", ")"]
    assert words(nlp, "don't") == ["don't"]
    assert words(nlp, "http://example.fi/a.") == ["http://example.fi/a", "."]
    data = get_lang_data(code)
    xx_data = get_lang_data("xx")
    assert data.lang == code
    assert data.prefixes == xx_data.prefixes
    assert data.suffixes == xx_data.suffixes
    assert data.special_cases == xx_data.special_cases


def test_english_differs_from_fallback():
    assert words(fastpipe.blank("en"), "don't") == ["do", "n't"]
    assert words(fastpipe.blank("fi"), "don't") == ["don't"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a\tb\nc  d ",
        "\u201cQuote\u201d \u2014 dash\u2014dash \u2026 \u00bfQu\u00e9? \u4e2d\u6587\u3002",
        "\U0001F600\U0001F600 \u0301\u0308 \u200b",
        "'''\"\"\"((([[[]]])))",
    ],
)
def test_xx_roundtrip(xx, text):
    doc = xx.tokenizer(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text


def test_xx_tables_are_well_formed():
    data = get_lang_data("xx")
    for name in ("prefixes", "suffixes", "infixes"):
        for piece in getattr(data, name):
            assert re.compile(piece).match("") is None, f"{name} piece matches the empty string: {piece}"
    assert re.compile(data.token_match).fullmatch("") is None
    assert re.compile(data.url_match).fullmatch("") is None
