"""The exponential-backtracking check the tokenizer runs on patterns it loads."""
import pytest

import fastpipe
from fastpipe.regex_check import unsafe_reason

# each of these backtracks exponentially in Python's re when the match fails (for example
# (a|a)*b takes about 20 s on 25 a's), or is a form that can
CATASTROPHIC = [
    r"(a|a)*b", r"(a+)+b", r"(a*)*b", r"(\w+\s?)*$", r"(a|b*)*c", r"(x+x+)+y", r"(a|aa)*b",
    r"(.*a){20}", r"(a|a){0,62}b", r"(?:\d+\.?)+x", r"(?:(?:|)a)*b", r"x(?=(a|a)*b)",
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}[a-z]{2,3}$",
    r"(?i)(?:ab|AB)*c", r"(a)(\1|a)*b",
]
SAFE = [
    r"(\w+\.)*\w+", r"a*b*c*", r"(ab|cd)*", r"[a-z]+@[a-z]+\.com", r"(a?)*", r"(?:a|ab)*c",
    r"(?:[^\W_](?:[\w\-]{0,62})\.)+", r"\d{1,3}(?:,\d{3})*", r"(?:ab|cd|ef)+", r"(\w|\d)*!",
    r"\.{2,}[!?.]*", r"(x|x)(y|y)", r"(?<=[a-z])-(?=[a-z])", r"(?:US|AU|C)\$",
]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_found(pattern):
    assert unsafe_reason(pattern) is not None


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_pass(pattern):
    assert unsafe_reason(pattern) is None


@pytest.mark.parametrize("lang", ["en", "xx"])
def test_every_built_in_tokenizer_pattern_passes(lang):
    rules = fastpipe.blank(lang).tokenizer.rules
    patterns = rules["prefixes"] + rules["suffixes"] + rules["infixes"]
    patterns += [p for p in (rules["token_match"], rules["url_match"]) if p]
    assert len(patterns) > 20
    assert [p for p in patterns if unsafe_reason(p)] == []


def test_reason_names_the_loop():
    assert "'a'" in unsafe_reason(r"(a|a)*b")
    assert "same text" in unsafe_reason(r"(?:[a-z]|[k-p]x?)+!")
