"""English prefix, suffix and infix rules, token_match and url_match.

The conventions follow the English Web Treebank as tokenized in Universal Dependencies:
clitics ('s, n't, 're, ...) are their own tokens; brackets and quotes are split off one
mark (or one quote run such as ``''``) at a time; runs of sentence punctuation ("!!",
"...", "?!") and of decoration ("*****", "=====") stay whole; units after numbers ("5pm",
"10k", "35mm"), "$" and "%" are split off; hyphenated compounds are split at the hyphen
unless the first part is a bound prefix ("e-mail", "non-human", "re-run", "mid-1980s");
slashes between words are split ("and / or") but dates, fractions and URLs are kept;
abbreviations ("U.S.", "e.g.", "M.") keep their period.
"""
from ..char_classes import (
    CLAUSE,
    CLOSE_BRACKETS,
    CURRENCY,
    DEGREE,
    EMAIL_RE,
    LONG_DASHES,
    OPEN_BRACKETS,
    PERCENT,
    QUOTES,
    URL_RE,
    case_insensitive,
)

L = r"[^\W\d_]"  # any letter
LOWER = r"a-z"

# Emoticons that may be glued to a word or to other punctuation ("great:)", ":).").
_EYES = r"[:;=]"
_EMOTICON = _EYES + r"'?-?(?:\)+|\(+|[DPp](?!\w)|/(?![/\w])|\|(?!\w)|\]|\[|\*|[oO](?!\w)|3(?!\w)|[sS](?!\w))"
_EMOTICON_REV = r"\((?:[:;=]|-[:;])(?!\w)"  # "(:" and "(-:"

# Quote runs that the treebank keeps as one token: doubled single quotes used as double quotes.
_QUOTE_RUNS = r"''|``|\u2018\u2019|\u2019\u2019|\u2018\u2018|\u201c\u201c|\u201d\u201d|\"\""
_DQUOTE = "[\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u300c\u300d\uff02]"

# Bound prefixes written with a hyphen that the treebank keeps attached ("non-human").
HYPHEN_PREFIXES = (
    "e", "ex", "re", "co", "de", "un", "bi", "mis", "non", "pre", "pro", "post", "anti", "semi",
    "mid", "neo", "sub", "super", "cross", "intra", "micro", "macro", "mini", "multi", "over",
    "under", "arch", "counter", "hyper", "ultra", "pseudo", "quasi", "trans", "tri", "uni",
    "psycho", "socio", "bio", "eco", "geo", "euro", "afro", "extra", "mega", "meta", "poly",
    "mono", "auto", "retro", "infra", "omni", "cyber", "nano", "tele", "para",
)
# ... and bound suffixes ("holocaust-esque", "career-wise").
HYPHEN_SUFFIXES = ("esque", "wise", "ish", "fest", "ism", "ist")

# Units the treebank splits off a number ("5pm" -> "5 pm", "10k", "35mm", "3.8bn", "3x").
UNITS = (
    "am", "pm", "a.m.", "p.m.", "a.m", "p.m", "k", "m", "b", "bn", "mn", "mil", "t", "tr",
    "mm", "cm", "km", "ft", "in", "yd", "yds", "mi", "kg", "mg", "lb", "lbs", "oz",
    "gr", "hz", "khz", "mhz", "ghz", "kb", "mb", "gb", "tb", "kbps", "mbps", "w", "kw", "mw",
    "v", "kv", "ma", "mah", "l", "ml", "cc", "x", "p", "hh", "hr", "hrs", "min", "mins", "sec",
    "secs", "ms", "yr", "yrs", "mph", "kph", "kmh", "sqft", "dpi",
)

# Numbers the tokenizer must keep whole: phone numbers, times, dates and version-like forms.
_PHONE = r"(?:\+?1[-.])?\d{3}[-.]\d{3}[-.]\d{4}(?:[xX]\d{1,6})?|[xX]?\d{1,3}-\d{4}"


def _alternation(words, escape=True):
    words = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(case_insensitive(w) if escape else w for w in words)


def _hyphen_infix():
    """Hyphens between letters, except after a bound prefix or before a bound suffix.

    Python's ``re`` only allows fixed-width lookbehind, so each prefix gets its own
    ``(?<!\\b...)`` assertion (the word boundary makes "pre" not match inside "compre-").
    """
    not_after = "".join(f"(?<!\\b{case_insensitive(p)}-)" for p in HYPHEN_PREFIXES)
    not_before = f"(?!(?:{_alternation(HYPHEN_SUFFIXES)})\\b)"
    return f"-(?<={L}-){not_after}{not_before}(?={L})"


def make_prefixes():
    return [
        _EMOTICON + r"(?=[^\w]|$)",
        _EMOTICON_REV,
        r"<<|>>|<-+(?![\w-])|-+>|>",
        f"[{OPEN_BRACKETS}]",
        _QUOTE_RUNS,
        _DQUOTE,
        # an apostrophe or single quote, but not one abbreviating a year ("'72", "'60s")
        "['`\u2018\u2019\u201a\u201b](?!\\d\\d(?!\\d))",
        r"(?:US|AU|NZ|HK|C|A|S)\$",
        f"[{CURRENCY}]+",
        # sentence punctuation runs; a lone "." only when it is not starting ".doc" or ".5"
        r"\.{2,}[!?.\u2026]*|\.(?![\w])|[!?\u2026\u00a1\u00bf][!?.\u2026\u00a1\u00bf]*",
        f"[{CLAUSE}]+",
        # dashes: runs mixed with decoration ("----==") stay whole; a lone hyphen is split
        # off a word ("-Page", "-5") like the treebank does
        f"[{LONG_DASHES}]+|--+[-=*~_|^+]*|-",
        # decoration runs ("****", "~~~"); not "+1", "*ss"; "#" not starting a hashtag
        r"[*=~_|^+][-=*~_|^+]*(?![-\d*=~_|^+])|\*+|#+(?![\w'#])|#(?=\d)|@(?=\d)",
        r"[/\\]+",
        r"&(?![\w#]+;)",
        f"[{PERCENT}{DEGREE}\u00a7\u00b6\u2020\u2021\u2022]",
    ]


def make_suffixes():
    unit_re = _alternation(UNITS)
    return [
        # clitics: "'s", "n't", "'re", ... after a letter (not "80's", "AK-47's")
        f"(?<={L})[nN]['\u2019][tT]",
        f"(?<={L})['\u2019`](?:{_alternation(['s', 'm', 'd', 'll', 're', 've'])})",
        # emoticons closing a word or a sentence ("great:)", "fun;-)")
        _EMOTICON,
        r">>+|<<+",
        f"[{CLOSE_BRACKETS}]",
        _QUOTE_RUNS,
        _DQUOTE,
        "['`\u2018\u2019\u201a\u201b]",
        # sentence punctuation runs. A run starting with "." only continues with .!? so
        # that "etc.," ends in "," and leaves "etc." to the special cases.
        r"\.{2,}|(?<!\.)\.[!?\u2026]+|[!?\u2026][!?.\u2026]*",
        f"[{CLAUSE}](?:[!?]+|\\.(?!\\.))?",
        # a single period, except after an abbreviation-like "U.S" or an initial "M"
        f"(?<!\\.[A-Za-z])(?<![\\s{OPEN_BRACKETS}{QUOTES}][A-Z])(?<!^[A-Z])\\.",
        f"[{LONG_DASHES}]+|--+[-=*~_|^+#]*",
        r"(?<=[^\w\-])-+|(?<=\w)-(?=$)",
        r"[=*~_|^+#][-=*~_|^+#]*",
        f"(?<=\\d)(?<![A-Za-z]\\d)(?:{unit_re})",
        f"(?<=[\\d\\s])[{CURRENCY}]|[{PERCENT}]|[{DEGREE}](?:[CFK](?![a-z]))?",
        r"/(?<=[^\w/]/)",
        # CJK and full-width sentence and clause marks ("https://example.jp/\u300d\u3002")
        "[\u3001\u3002\uff01\uff0c\uff0e\uff1a\uff1b\uff1f]",
    ]


def make_infixes():
    return [
        # ellipses and dashes between words ("Graham...the", "speech--something")
        r"\.{2,}(?![.@])|\u2026",
        f"--+|[{LONG_DASHES}]+",
        _hyphen_infix(),
        # hyphens next to digits: "15-year", "F-16", "1969-1970"
        r"(?<=\d)-(?=[^\W_])|(?<=[^\W\d_])(?<!\b[mM][iI][dD])(?<!\b[pP][rR][eE])(?<!\b[pP][oO][sS][tT])-(?=\d)",
        r"(?<=\d)-(?=\d)",
        # slashes between words ("and/or"), but not between digits (dates, fractions)
        f"(?<={L})/(?={L})|(?<={L})/(?=\\d)|(?<=\\d)/(?={L})",
        # commas, semicolons and colons between letters ("farmlands,then", "NOTE:If")
        f"(?<={L})[,;:](?={L})|(?<=[^\\W\\d_]{{2}}),(?=\\d)|(?<=\\d),(?={L})|(?<={L}):(?=\\d)",
        # "am"/"pm" inside a time range ("2pm-5pm"); the last unit is a suffix
        r"(?<=\d)[aApP][mM](?=[-\u2013/])",
        # brackets inside a word ("account(s)")
        f"[{OPEN_BRACKETS}{CLOSE_BRACKETS}]",
        # "!" and "?" between lower-case words ("room!it")
        f"(?<=[{LOWER}])[!?]+(?=[A-Za-z])",
        # a period joining two words where the second starts a sentence ("Sushi.They")
        f"(?<=[{LOWER}]{{2}})\\.(?=[A-Z][{LOWER}])",
        # double quotes glued between words and punctuation: 'said"hello', 'corner"...'
        f"(?<=\\w){_DQUOTE}(?=[\\w<.,;:!?])|(?<=[.,;:!?]){_DQUOTE}(?=\\w)",
        # an e-mail address in angle brackets glued to a name: 'Reynolds"<rr@x.ca>'
        r"(?<=[\w\"'])<(?=\w)",
    ]


def make_token_match():
    slash_abbrevs = ["b/c", "w/o", "w/e", "c/o", "a/c", "n/a", "i/o", "s/w", "h/w", "b/w", "y/n", "w/"]
    return (
        r"(?:"
        + _PHONE
        # runs of one decorative or dashed kind ("*****", "=====", "-->", "---=", "<<<")
        + r"|[-=*~+#|_^]{2,}[>]?|<[-=]+|[-=]+>|<<+|>>+|[.!?\u2026]{2,}|[$\u00a3\u20ac]{2,}"
        + r"|(?:[:.!?][.!?:]+)"
        + r"|\d{1,2}-\d{1,2}-(?:\d\d){1,2}"  # dates: 11-20-2000
        + r"|[A-Za-z]/[A-Za-z]"  # b/c, w/o, I/O, l/c
        + r"|(?:https?|ftp)://\S*[\w/]|www\d{0,3}\.\S*[\w/]"
        + "|" + _alternation(slash_abbrevs)
        + r")"
    )


def make_url_match():
    return f"(?:{URL_RE}|{EMAIL_RE})"
