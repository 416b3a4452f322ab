"""Generic language data: the fallback for any language code without its own package, and
the tables of ``xx`` (fastpipe.lang.xx, MultiLanguage).

Only script-neutral rules: brackets, quotes, currency signs and punctuation are split off
words (using Unicode-wide character classes, so CJK, Arabic or Devanagari punctuation and
full-width forms are handled too); runs of the same punctuation stay whole ("!!!", "...");
URLs, e-mail addresses and emoticons are kept whole; numbers keep their separators
("1,000.50", "12:30", "3/4"). Hyphenated words and apostrophes inside words are kept, since
how they split is language-specific. There are no special cases besides emoticons and no
stop words.
"""
from .base import LanguageData, defaults_class
from .char_classes import (
    CLAUSE,
    CLOSE_BRACKETS,
    CURRENCY,
    DECORATION,
    DEGREE,
    DOUBLE_QUOTES,
    EMAIL_RE,
    EMOTICONS,
    LONG_DASHES,
    LOWER,
    OPEN_BRACKETS,
    PERCENT,
    QUOTES,
    SINGLE_QUOTES,
    TERMINAL,
    UPPER,
    URL_RE,
    URL_START,
)
from .lex_attrs import LEX_ATTRS

L = r"[^\W\d_]"
_TERM = f"[{TERMINAL}]"
_EMOTICON = r"[:;=]'?-?(?:\)+|\(+|[DPp](?!\w)|/(?![/\w])|\|(?!\w)|\]|\[|\*|[oO](?!\w))"


def make_prefixes():
    return [
        _EMOTICON + r"(?=[^\w]|$)",
        r"<<+",
        f"[{OPEN_BRACKETS}]",
        f"[{DOUBLE_QUOTES}]+",
        # a single quote or apostrophe, but not one abbreviating a year ('72)
        f"[{SINGLE_QUOTES}](?!\\d\\d(?!\\d))",
        f"[{CURRENCY}]+",
        # sentence punctuation runs ("...", "!?"); a lone "." only when it does not start ".5"
        f"\\.{{2,}}|\\.(?!\\w)|[{TERMINAL.replace('.', '')}]+",
        f"[{CLAUSE}]+",
        f"[{LONG_DASHES}]+|--+|-(?!\\d)",
        f"[{DECORATION}]+(?![\\w{DECORATION}])",
        # decoration before a URL ("**http://example.com**")
        f"[{DECORATION}]+(?={URL_START})",
        r"[/\\]+",
        f"[{PERCENT}{DEGREE}\u00a7\u00b6\u2020\u2021]",
    ]


def make_suffixes():
    return [
        _EMOTICON,
        r">>+",
        f"[{CLOSE_BRACKETS}]",
        f"[{DOUBLE_QUOTES}]+",
        f"[{SINGLE_QUOTES}]",
        # sentence punctuation runs, and a run starting with "." only of .!? marks
        f"\\.{{2,}}|\\.[!?\u2026]+|[{TERMINAL.replace('.', '')}][{TERMINAL}]*",
        f"[{CLAUSE}]",
        # a single period, except in a dotted abbreviation ("z.B.") or after an initial ("J.")
        f"(?<!\\.{L})(?<![\\s{OPEN_BRACKETS}{QUOTES}]{L})(?<!^{L})\\.",
        f"[{LONG_DASHES}]+|--+|(?<=[^\\w\\-])-+",
        f"[{DECORATION}]+",
        f"[{PERCENT}]|[{DEGREE}](?:[CFK](?![a-z]))?",
        f"(?<=\\d)[{CURRENCY}]",
    ]


def make_infixes():
    return [
        # ellipses and long dashes between words
        r"\.{2,}(?![.@])|\u2026",
        f"--+|[{LONG_DASHES}]+",
        # clause punctuation glued between words ("one,two", "note:this"), not in numbers
        f"(?<={L})[{CLAUSE}](?={L})|(?<=\\d)[,;](?={L})|(?<={L})[,;](?=\\d)",
        # brackets inside a word ("account(s)")
        f"[{OPEN_BRACKETS}{CLOSE_BRACKETS}]",
        # terminal punctuation between a lower-case word and the capitalised start of the next
        f"(?<=[{LOWER}]{{2}})[{TERMINAL}]+(?=[{UPPER}])",
        # CJK and other unspaced sentence and clause marks always split
        "[\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f\u061f\u060c\u061b\u0964\u0965]",
        # double quotes glued to a word
        f"(?<=\\w)[{DOUBLE_QUOTES}](?=\\w)",
    ]


def make_token_match():
    return (
        r"(?:"
        r"[-=*~+#|_^]{2,}>?|<[-=]+|[-=]+>|<<+|>>+|[.!?\u2026]{2,}"
        r"|(?:https?|ftp)://\S*[\w/]|www\d{0,3}\.\S*[\w/]"
        r")"
    )


def make_url_match():
    return f"(?:{URL_RE}|{EMAIL_RE})"


def make_special_cases():
    return {emoticon: [{"ORTH": emoticon}] for emoticon in EMOTICONS}


def make_data() -> LanguageData:
    return LanguageData(
        lang="xx",
        prefixes=make_prefixes(),
        suffixes=make_suffixes(),
        infixes=make_infixes(),
        special_cases=make_special_cases(),
        token_match=make_token_match(),
        url_match=make_url_match(),
        lex_attr_getters=dict(LEX_ATTRS),
        stop_words=frozenset(),
    )


#: Language.Defaults: the generic tables as spaCy's Language.Defaults attributes, for the codes
#: without data of their own (MultiLanguage, "xx", has its own copy).
GenericDefaults = defaults_class("GenericDefaults", make_data(), __name__)
