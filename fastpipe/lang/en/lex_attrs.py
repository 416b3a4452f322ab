"""English lexical attributes: number words for LIKE_NUM, and norms of clitics."""
import re

from ..lex_attrs import LEX_ATTRS, like_num as _generic_like_num

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = "hundred thousand million billion trillion quadrillion gazillion".split()
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth hundredth thousandth "
    "millionth billionth trillionth"
).split()
_OTHER = "dozen dozens hundreds thousands millions billions trillions couple".split()

NUMBER_WORDS = frozenset(_UNITS + _TENS + _SCALES + _OTHER)
ORDINAL_WORDS = frozenset(_ORDINALS)

# "twenty-one", "ninety-ninth"
_COMPOUND = re.compile(r"^(?:%s)-(?:%s)$" % ("|".join(_TENS), "|".join(_UNITS[1:10] + _ORDINALS[:9])))
_FRACTION = re.compile(r"^[+\-]?\d+/\d+$")

# Norms for the clitics and fused pieces the tokenizer splits off.
NORMS = {
    "n't": "not", "n\u2019t": "not", "nt": "not",
    "'m": "am", "\u2019m": "am",
    "'re": "are", "\u2019re": "are",
    "'ve": "have", "\u2019ve": "have",
    "'ll": "will", "\u2019ll": "will",
    "\u2019s": "'s", "\u2019d": "'d",
    "ca": "can", "wo": "will", "sha": "shall", "ai": "am",
    "gon": "going", "wan": "want",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "``": '"', "''": '"',
    "\u2013": "--", "\u2014": "--",
}


def like_num(text):
    """Digits ("1,000", "3.5", "1/2", "10th") or English number words ("twenty-one", "third")."""
    if _generic_like_num(text):
        return True
    if len(text) > 40:
        return False
    lower = text.lower()
    if lower.startswith(("+", "-", "\u00b1", "~")):
        lower = lower[1:]
    if _FRACTION.match(lower):
        return True
    return lower in NUMBER_WORDS or lower in ORDINAL_WORDS or bool(_COMPOUND.match(lower))


def norm(text):
    lower = text.lower()
    return NORMS.get(lower, lower)


def make_lex_attr_getters():
    getters = dict(LEX_ATTRS)
    getters["LIKE_NUM"] = like_num
    getters["NORM"] = norm
    return getters
