"""Language-neutral functions that fill a new lexeme's attributes from its text.

A language's data starts from ``LEX_ATTRS`` and overrides entries (stop words, number words).
Each function takes the form as a str; flags return bool, the rest return str.
"""
import re
import unicodedata

_PUNCT_CATEGORIES = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"})
_OPEN_BRACKETS = frozenset("([{<\u27e8\u3008\u300a\u3010\uff08\uff3b\uff5b")
_CLOSE_BRACKETS = frozenset(")]}>\u27e9\u3009\u300b\u3011\uff09\uff3d\uff5d")
_QUOTES = frozenset("'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u300c\u300d")
_URL_RE = re.compile(
    r"^(?:(?:https?|ftp)://|www\d{0,3}\.)\S+$|^[a-z0-9.\-]+\.(?:com|org|net|edu|gov|io|co|uk|de)(?:/\S*)?$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"^[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+$")
_NUM_RE = re.compile(r"^[+\-\u00b1~]?(?:\d+(?:[.,:/]\d+)*|\d*[.,]\d+)(?:st|nd|rd|th|s)?%?$", re.IGNORECASE)


def lower(text):
    return text.lower()


def norm(text):
    return text.lower()


def prefix(text):
    return text[:1]


def suffix(text):
    return text[-3:]


def shape(text):
    """Orthographic shape: letters become x/X, digits d; runs longer than 4 are cut to 4."""
    if len(text) >= 100:
        return "LONG"
    out = []
    last = ""
    run = 0
    for char in text:
        if char.isalpha():
            code = "X" if char.isupper() else "x"
        elif char.isdigit():
            code = "d"
        else:
            code = char
        run = run + 1 if code == last else 1
        if run <= 4:
            out.append(code)
        last = code
    return "".join(out)


def is_punct(text):
    return bool(text) and all(unicodedata.category(c) in _PUNCT_CATEGORIES for c in text)


def is_space(text):
    return text.isspace()


def is_ascii(text):
    return text.isascii()


def is_bracket(text):
    return len(text) == 1 and (text in _OPEN_BRACKETS or text in _CLOSE_BRACKETS)


def is_quote(text):
    return bool(text) and all(c in _QUOTES for c in text) or text in ("''", "``")


def is_left_punct(text):
    return text in _OPEN_BRACKETS or text in ("\u201c", "\u2018", "``", "\u00ab", "\u201e")


def is_right_punct(text):
    return text in _CLOSE_BRACKETS or text in ("\u201d", "\u2019", "''", "\u00bb")


def is_currency(text):
    return bool(text) and all(unicodedata.category(c) == "Sc" for c in text)


def like_url(text):
    return len(text) < 2048 and "." in text and bool(_URL_RE.match(text))


def like_email(text):
    return len(text) < 512 and bool(_EMAIL_RE.match(text))


def like_num(text):
    return len(text) < 64 and bool(_NUM_RE.match(text))


def is_stop(text):
    return False


LEX_ATTRS = {
    "LOWER": lower,
    "NORM": norm,
    "SHAPE": shape,
    "PREFIX": prefix,
    "SUFFIX": suffix,
    "IS_ALPHA": str.isalpha,
    "IS_ASCII": is_ascii,
    "IS_DIGIT": str.isdigit,
    "IS_LOWER": str.islower,
    "IS_UPPER": str.isupper,
    "IS_TITLE": str.istitle,
    "IS_PUNCT": is_punct,
    "IS_SPACE": is_space,
    "IS_BRACKET": is_bracket,
    "IS_QUOTE": is_quote,
    "IS_LEFT_PUNCT": is_left_punct,
    "IS_RIGHT_PUNCT": is_right_punct,
    "IS_CURRENCY": is_currency,
    "LIKE_URL": like_url,
    "LIKE_EMAIL": like_email,
    "LIKE_NUM": like_num,
    "IS_STOP": is_stop,
}
