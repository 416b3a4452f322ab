"""Character classes shared by the language data tables.

Every value here is a fragment meant to sit inside a regex character class (``[...]``)
or, for the ``*_RE`` names, a complete regex piece. The tokenizer compiles pieces with
Python's ``re`` module, so the classes use ``\\w``-style escapes rather than ``\\p{..}``.
Letters are ``[^\\W\\d_]`` (any unicode letter); digits are ``\\d`` (any unicode digit).
"""

# Letters, upper- and lower-case letters. Python's re has no \p{Lu}; the upper/lower classes
# spell out the Latin, Greek and Cyrillic ranges, which is what the case-sensitive rules need.
ALPHA = r"^\W\d_"  # use inside brackets: [^\W\d_]
LETTER = r"[^\W\d_]"
UPPER = r"A-Z\u00c0-\u00d6\u00d8-\u00de\u0391-\u03a9\u0410-\u042f\u0400-\u040f"
LOWER = r"a-z\u00df-\u00f6\u00f8-\u00ff\u03b1-\u03c9\u0430-\u044f\u0450-\u045f"

# Opening and closing brackets (ASCII, CJK and full-width forms).
OPEN_BRACKETS = r"(\[{<\u27e8\u3008\u300a\u3010\u3014\u3016\u3018\u301a\uff08\uff3b\uff5b\uff62\u2329\u276a\u2770"
CLOSE_BRACKETS = r")\]}>\u27e9\u3009\u300b\u3011\u3015\u3017\u3019\u301b\uff09\uff3d\uff5d\uff63\u232a\u276b\u2771"

# Quotation marks. Straight quotes, curly quotes, low-9 quotes, guillemets, CJK corner quotes.
DOUBLE_QUOTES = "\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f\u301d\u301e\uff02"
SINGLE_QUOTES = "'`\u2018\u2019\u201a\u201b\u2039\u203a\u00b4"
QUOTES = DOUBLE_QUOTES + SINGLE_QUOTES

# Currency signs: the common ones spelled out, plus the whole Unicode currency block.
CURRENCY = r"$\u00a2\u00a3\u00a4\u00a5\u058f\u060b\u09f2\u09f3\u0e3f\u17db\u20a0-\u20cf\ufe69\uff04\uffe0\uffe1\uffe5\uffe6"

# Sentence-level punctuation that runs together into one token ("!!", "?!", "...").
# Includes the ellipsis, the inverted marks, full-width and CJK/Arabic/Devanagari stops.
TERMINAL = r"!?.\u2026\u00a1\u00bf\u203c\u2047\u2048\u2049\u3002\uff01\uff0e\uff1f\u061f\u06d4\u0964\u0965"
CLAUSE = r",;:\u060c\u061b\u3001\uff0c\uff1a\uff1b"

# Dashes: hyphen-minus, the Unicode dash block, minus sign, small/full-width hyphens.
DASHES = r"\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
HYPHENS = r"\-\u2010\u2011"  # the joining hyphens (no en/em dash)
LONG_DASHES = r"\u2012-\u2015\u2e3a\u2e3b\ufe58"

# Symbols that tend to be repeated as decoration ("*****", "=====", "~*~*~", "+++").
DECORATION = r"*=~+#_|^\u2022\u00b7"

# Percent and per-mille, degree signs and other unit-like symbols that follow numbers.
PERCENT = r"%\u2030\u2031\uff05"
DEGREE = r"\u00b0\u2103\u2109"

# Common emoticons, written out by hand: eyes, optional nose, mouth (and a few reversed).
EMOTICONS = [
    ":)", ":-)", ":))", ":)))", ":(", ":-(", ":((", ":D", ":-D", ":P", ":-P", ":p", ":-p",
    ":/", ":-/", ":|", ":-|", ":O", ":-O", ":o", ":*", ":-*", ":'(", ":')", ":]", ":[",
    ";)", ";-)", ";D", ";P", ";p", ";(", "=)", "=(", "=D", "=P", "=]", "=/", "8-)", "B-)", "xD", "XD", "xP", "XP", ">:(", ">:)", ">:-(", "(:", "(;", "<3", "</3",
    "^_^", "^^", "^.^", "-_-", "o_O", "O_o", "o.O", "O.o", "T_T", ":3", ":-3", ":S", ":s",
]

# URLs and e-mail addresses, shared by every language. Written to be linear-time: each
# repeated group ends in a character the group's body cannot contain. Schemes and "www." match
# in any letter case ("MAILTO:", "WWW."), as they do in browsers.
def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in word)


_MAILTO = _any_case("mailto:")
_SCHEME = (
    r"(?:[A-Za-z][A-Za-z0-9+.\-]{0,15}://|(?:"
    + "|".join(_any_case(s) for s in ("mailto", "ymsgr", "aim", "skype", "news"))
    + r"):|" + _any_case("www") + r"\d{0,3}\.)"
)
# How a URL with a scheme or "www." begins, for rules that look ahead at one.
URL_START = _SCHEME
# Top-level domains a bare host name ("example.co.uk", "Newsfeed.Com") may end in. Country
# codes that are also common words ("in", "it", "is", "me", "to", "no", "us", ...) are left
# out so that "end.It" is not taken for a host name.
TLDS = (
    "com net org edu gov mil int info biz name pro mobi aero asia coop jobs travel museum "
    "io ai co tv cc fm ly app dev xyz online site blog news shop tech club web "
    "uk de fr ca au jp cn ru nl es ch se dk fi ie nz za br mx kr pl gr il ir pk ar cz hu ro "
    "tr tw hk sg ph th vn eu pt ua bg hr sk si lt lv ee rs cl pe ve ng ke eg sa ae"
).split()
_TLD = "(?:" + "|".join(
    _any_case(tld) for tld in sorted(TLDS, key=lambda t: (-len(t), t))
) + ")"
_HOST = r"(?:[^\W_](?:[\w\-]{0,62})\.)+" + _TLD + r"(?![\w\-])"
_PORT_PATH = r"(?::\d{1,5})?(?:[/?#]\S*)?"
URL_RE = (
    r"(?:" + _SCHEME + r"\S+"  # anything with a scheme or www. up to the next space
    + r"|" + _HOST + _PORT_PATH  # bare host names with a known-looking TLD
    + r")"
)
# The local part may contain dot runs: web archives truncate addresses as "name...@host.com".
EMAIL_RE = r"(?:" + _MAILTO + r")?[\w!#$%&*+=?^`{|}~.\-]+@[\w\-]+(?:\.[\w\-]+)*"


def case_insensitive(word: str) -> str:
    """A regex spelling of ``word`` matching any letter case ("n't" -> "[nN]'[tT]").

    Used instead of inline flags so pieces keep their meaning whatever flags the
    tokenizer compiles the joined alternation with.
    """
    out = []
    for char in word:
        if char.isalpha() and char.lower() != char.upper():
            out.append(f"[{char.lower()}{char.upper()}]")
        elif char.isalnum() or char in " _":
            out.append(char)
        else:
            out.append("\\" + char if char in r".^$*+?{}[]\|()-/'" else char)
    return "".join(out)
