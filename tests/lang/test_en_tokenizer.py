"""English tokenizer rules: each case would fail if the rule it exercises were broken."""
import re

import pytest

import fastpipe
from fastpipe.lang import get_lang_data


@pytest.fixture(scope="module")
def nlp():
    return fastpipe.blank("en")


def words(nlp, text):
    doc = nlp.tokenizer(text)
    assert doc.text == text
    return [t.text for t in doc]


CONTRACTIONS = [
    ("don't", ["do", "n't"]),
    ("Don't", ["Do", "n't"]),
    ("DON'T", ["DO", "N'T"]),
    ("don\u2019t", ["do", "n\u2019t"]),
    ("can't", ["ca", "n't"]),
    ("Won't", ["Wo", "n't"]),
    ("isn't", ["is", "n't"]),
    ("ain't", ["ai", "n't"]),
    ("I'm", ["I", "'m"]),
    ("I\u2019m", ["I", "\u2019m"]),
    ("you're", ["you", "'re"]),
    ("They've", ["They", "'ve"]),
    ("we'll", ["we", "'ll"]),
    ("he'd", ["he", "'d"]),
    ("it's", ["it", "'s"]),
    ("IT'S", ["IT", "'S"]),
    ("let's", ["let", "'s"]),
    ("Elena's", ["Elena", "'s"]),
    ("Bush\u2019s", ["Bush", "\u2019s"]),
    ("mama`s", ["mama", "`s"]),
    ("shouldn't've", ["should", "n't", "'ve"]),
    ("dont", ["do", "nt"]),
    ("Dont", ["Do", "nt"]),
    ("DIDNT", ["DID", "NT"]),
    ("cant", ["ca", "nt"]),
    ("im", ["i", "m"]),
    ("Im", ["I", "m"]),
    ("ive", ["i", "ve"]),
    ("thats", ["that", "s"]),
    ("cannot", ["can", "not"]),
    ("Cannot", ["Can", "not"]),
    ("gonna", ["gon", "na"]),
    ("Wanna", ["Wan", "na"]),
    ("gotta", ["got", "ta"]),
    ("outta", ["out", "ta"]),
    ("alot", ["a", "lot"]),
    ("y'all", ["y'all"]),
    ("o'clock", ["o'clock"]),
    ("'em", ["'em"]),
    ("O'Neill", ["O'Neill"]),
    ("80's", ["80's"]),
    ("'72", ["'72"]),
    ("dogs'", ["dogs", "'"]),
]


@pytest.mark.parametrize("text,expected", CONTRACTIONS)
def test_contractions(nlp, text, expected):
    assert words(nlp, text) == expected


def test_contractions_in_context(nlp):
    assert words(nlp, "I don't think it's ready, isn't it?") == [
        "I", "do", "n't", "think", "it", "'s", "ready", ",", "is", "n't", "it", "?"
    ]
    # words that look like apostrophe-less contractions but are words: kept
    assert words(nlp, "its ill well were IM") == ["its", "ill", "well", "were", "IM"]


def test_contraction_norms(nlp):
    doc = nlp("I can't, won't and don't.")
    norms = {t.text: t.norm_ for t in doc}
    assert norms["n't"] == "not"
    assert norms["ca"] == "can"
    assert norms["wo"] == "will"
    assert nlp("gonna")[0].norm_ == "going"


ABBREVIATIONS = [
    ("Dr. Smith", ["Dr.", "Smith"]),
    ("Mr. and Mrs. Jones", ["Mr.", "and", "Mrs.", "Jones"]),
    ("the U.S. government", ["the", "U.S.", "government"]),
    ("in the U.S.,", ["in", "the", "U.S.", ","]),
    ("e.g. apples", ["e.g.", "apples"]),
    ("i.e., pears", ["i.e.", ",", "pears"]),
    ("apples, etc., pears", ["apples", ",", "etc.", ",", "pears"]),
    ("at 5 p.m. today", ["at", "5", "p.m.", "today"]),
    ("Jennifer M. Anderson", ["Jennifer", "M.", "Anderson"]),
    ("Acme Inc. and Foo Corp.)", ["Acme", "Inc.", "and", "Foo", "Corp.", ")"]),
    ("(St. Louis)", ["(", "St.", "Louis", ")"]),
    ("on Sept. 11", ["on", "Sept.", "11"]),
    ("Jan. 5", ["Jan.", "5"]),
    ("Bob vs. Alice", ["Bob", "vs.", "Alice"]),
    ("No. 5", ["No.", "5"]),
    ("Yahoo! and AOL", ["Yahoo!", "and", "AOL"]),
]


@pytest.mark.parametrize("text,expected", ABBREVIATIONS)
def test_abbreviations(nlp, text, expected):
    assert words(nlp, text) == expected


PERIODS = [
    ("It ended.", ["It", "ended", "."]),
    ("the end of the year.", ["the", "end", "of", "the", "year", "."]),
    ("it costs 5.", ["it", "costs", "5", "."]),
    ("google.com.", ["google.com", "."]),
    ("Sushi.They came", ["Sushi", ".", "They", "came"]),
]


@pytest.mark.parametrize("text,expected", PERIODS)
def test_sentence_periods(nlp, text, expected):
    assert words(nlp, text) == expected


URLS = [
    ("http://www.example.com/path?q=1&b=2", ["http://www.example.com/path?q=1&b=2"]),
    ("See http://example.com/a_b.html.", ["See", "http://example.com/a_b.html", "."]),
    ("(https://example.org/x/)", ["(", "https://example.org/x/", ")"]),
    ("<http://www.euci.com/pdf/trans_expn.pdf>", ["<", "http://www.euci.com/pdf/trans_expn.pdf", ">"]),
    ("www.google.com/maps,", ["www.google.com/maps", ","]),
    ("visit Newsfeed.Com today", ["visit", "Newsfeed.Com", "today"]),
    ("example.co.uk.", ["example.co.uk", "."]),
    ("http://www.ex.com/15986", ["http://www.ex.com/15986"]),
    ("http://ex.com/page-2k", ["http://ex.com/page-2k"]),
]


@pytest.mark.parametrize("text,expected", URLS)
def test_urls(nlp, text, expected):
    assert words(nlp, text) == expected


EMAILS = [
    ("mail leon.branom@enron.com now", ["mail", "leon.branom@enron.com", "now"]),
    ("<Michael.McDermott@spectrongroup.com>", ["<", "Michael.McDermott@spectrongroup.com", ">"]),
    ("(john_doe+tag@mail.example.org).", ["(", "john_doe+tag@mail.example.org", ")", "."]),
    ("Email: franz371...@gmail.com", ["Email", ":", "franz371...@gmail.com"]),
    ('"Julie"<julie...@bellsouth.net>', ['"', "Julie", '"', "<", "julie...@bellsouth.net", ">"]),
]


@pytest.mark.parametrize("text,expected", EMAILS)
def test_emails(nlp, text, expected):
    assert words(nlp, text) == expected


EMOTICONS = [
    (":)", [":)"]),
    (":-(", [":-("]),
    (";-)", [";-)"]),
    ("great :D", ["great", ":D"]),
    ("fun:)", ["fun", ":)"]),
    ("ok :).", ["ok", ":)", "."]),
    ("(:", ["(:"]),
    ("^_^", ["^_^"]),
    ("<3", ["<3"]),
    ("(8)", ["(", "8", ")"]),
    ("A) B) C)", ["A", ")", "B", ")", "C", ")"]),
]


@pytest.mark.parametrize("text,expected", EMOTICONS)
def test_emoticons(nlp, text, expected):
    assert words(nlp, text) == expected


PUNCTUATION = [
    ("Thanks!!", ["Thanks", "!!"]),
    ("Take a look !!!", ["Take", "a", "look", "!!!"]),
    ("What?!", ["What", "?!"]),
    ("Really???", ["Really", "???"]),
    ("wait...", ["wait", "..."]),
    ("wait... what", ["wait", "...", "what"]),
    ("Graham...the", ["Graham", "...", "the"]),
    ("format.?", ["format", ".?"]),
    ("Dial:?", ["Dial", ":?"]),
    ("years,...", ["years", ",", "..."]),
    ("speech-- something", ["speech", "--", "something"]),
    ("politics--the", ["politics", "--", "the"]),
    ("****", ["****"]),
    ("==============", ["=============="]),
    ("----==", ["----=="]),
    ("News==----", ["News", "==----"]),
    ("++++++CONFIDENTIALITY", ["++++++", "CONFIDENTIALITY"]),
    ("<< File: TEXT.htm >>", ["<<", "File", ":", "TEXT.htm", ">>"]),
    ("TEXT.htm>>", ["TEXT.htm", ">>"]),
    ('He said "hi."', ["He", "said", '"', "hi", ".", '"']),
    ("(''We", ["(", "''", "We"]),
    ("Pakistan,\u2019\u2019", ["Pakistan", ",", "\u2019\u2019"]),
    ("\u201cQuoted\u201d", ["\u201c", "Quoted", "\u201d"]),
    ("'single'", ["'", "single", "'"]),
    ("(see above).", ["(", "see", "above", ")", "."]),
    ("account(s)", ["account", "(", "s", ")"]),
    ("farmlands,then", ["farmlands", ",", "then"]),
    ("NOTE:If", ["NOTE", ":", "If"]),
    ("-Page 71", ["-", "Page", "71"]),
    ("#audiobooks", ["#audiobooks"]),
    ("#5", ["#", "5"]),
    ("@2.975", ["@", "2.975"]),
]


@pytest.mark.parametrize("text,expected", PUNCTUATION)
def test_punctuation(nlp, text, expected):
    assert words(nlp, text) == expected


HYPHENS = [
    ("a 15-year term", ["a", "15", "-", "year", "term"]),
    ("well-known", ["well", "-", "known"]),
    ("so-called", ["so", "-", "called"]),
    ("al-Qaeda", ["al", "-", "Qaeda"]),
    ("self-driven", ["self", "-", "driven"]),
    ("26-year-old", ["26", "-", "year", "-", "old"]),
    ("F-16", ["F", "-", "16"]),
    ("1969-1970", ["1969", "-", "1970"]),
    ("e-mail", ["e-mail"]),
    ("E-mail", ["E-mail"]),
    ("non-Microsoft", ["non-Microsoft"]),
    ("re-read", ["re-read"]),
    ("Anti-American", ["Anti-American"]),
    ("co-workers", ["co-workers"]),
    ("mid-1980s", ["mid-1980s"]),
    ("holocaust-esque", ["holocaust-esque"]),
    ("compre-hension", ["compre", "-", "hension"]),
    ("call 713-654-0365.", ["call", "713-654-0365", "."]),
    ("(x3-5213)", ["(", "x3-5213", ")"]),
    ("on 11-20-2000", ["on", "11-20-2000"]),
]


@pytest.mark.parametrize("text,expected", HYPHENS)
def test_hyphens(nlp, text, expected):
    assert words(nlp, text) == expected


SLASHES = [
    ("and/or", ["and", "/", "or"]),
    ("him/her", ["him", "/", "her"]),
    ("b/c", ["b/c"]),
    ("w/o", ["w/o"]),
    ("on 16/11/2004", ["on", "16/11/2004"]),
    ("9/11", ["9/11"]),
    ("blog/", ["blog/"]),
]


@pytest.mark.parametrize("text,expected", SLASHES)
def test_slashes(nlp, text, expected):
    assert words(nlp, text) == expected


NUMBERS = [
    ("1,000", ["1,000"]),
    ("3.14159", ["3.14159"]),
    ("15,000.50", ["15,000.50"]),
    ("at 7:30", ["at", "7:30"]),
    ("at 7:30pm", ["at", "7:30", "pm"]),
    ("5PM.", ["5", "PM", "."]),
    ("9am-12pm", ["9", "am", "-", "12", "pm"]),
    ("10k", ["10", "k"]),
    ("35mm", ["35", "mm"]),
    ("$3.8bn", ["$", "3.8", "bn"]),
    ("50ft", ["50", "ft"]),
    ("3x", ["3", "x"]),
    ("B2B", ["B2B"]),
    ("the 4th", ["the", "4th"]),
    ("2nd", ["2nd"]),
    ("1990s", ["1990s"]),
    ("-5", ["-", "5"]),
    ("$3,to", ["$", "3", ",", "to"]),
]


@pytest.mark.parametrize("text,expected", NUMBERS)
def test_numbers(nlp, text, expected):
    assert words(nlp, text) == expected


CURRENCY = [
    ("$5", ["$", "5"]),
    ("($5.00)", ["(", "$", "5.00", ")"]),
    ("\u00a3100", ["\u00a3", "100"]),
    ("\u20ac20.", ["\u20ac", "20", "."]),
    ("US$4.5", ["US$", "4.5"]),
    ("the $$$.", ["the", "$$$", "."]),
    ("50%", ["50", "%"]),
    ("(50%)", ["(", "50", "%", ")"]),
    ("20\u00b0C", ["20", "\u00b0C"]),
]


@pytest.mark.parametrize("text,expected", CURRENCY)
def test_currency(nlp, text, expected):
    assert words(nlp, text) == expected


def test_sentence(nlp):
    text = "Bush nominated Jennifer M. Anderson for a 15-year term, replacing Steffen W. Graae."
    assert words(nlp, text) == [
        "Bush", "nominated", "Jennifer", "M.", "Anderson", "for", "a", "15", "-", "year", "term",
        ",", "replacing", "Steffen", "W.", "Graae", ".",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "  leading and trailing  ",
        "tabs\tand\nnewlines\r\n",
        "Don't stop-believing!!! :) http://x.com/a?b=c, e-mail me@x.org.",
        "\u201cQuote\u201d \u2014 dash\u2014dash \u2026 \u00bfQu\u00e9? \u4e2d\u6587\u3002",
        "'''\"\"\"((([[[]]])))",
    ],
)
def test_roundtrip(nlp, text):
    doc = nlp.tokenizer(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text


def test_data_tables_are_well_formed():
    data = get_lang_data("en")
    assert data.lang == "en"
    for name in ("prefixes", "suffixes", "infixes"):
        for piece in getattr(data, name):
            compiled = re.compile(piece)
            assert compiled.match("") is None, f"{name} piece matches the empty string: {piece}"
    for key, tokens in data.special_cases.items():
        assert "".join(t["ORTH"] for t in tokens) == key
    assert re.compile(data.token_match).fullmatch("") is None
    assert re.compile(data.url_match).fullmatch("") is None


def test_stop_words(nlp):
    data = get_lang_data("en")
    assert {"the", "and", "of", "is", "n't", "'s"} <= data.stop_words
    assert all(word == word.lower() for word in data.stop_words)
    doc = nlp("The cat and the hat")
    assert [t.is_stop for t in doc] == [True, False, True, True, False]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ten", True), ("Twenty", True), ("twenty-one", True), ("third", True),
        ("hundred", True), ("1,000", True), ("3/4", True), ("-5", True),
        ("dog", False), ("tent", False), ("one-armed", False),
    ],
)
def test_like_num(text, expected):
    data = get_lang_data("en")
    assert data.lex_attr_getters["LIKE_NUM"](text) is expected


def test_like_num_on_tokens(nlp):
    doc = nlp("twenty dogs")
    assert doc[0].like_num and not doc[1].like_num
