"""English language data, following the tokenization of the English Web Treebank (UD)."""
from ...language import Language
from ..base import LanguageData, defaults_class
from .exceptions import make_special_cases
from .lex_attrs import make_lex_attr_getters
from .punctuation import make_infixes, make_prefixes, make_suffixes, make_token_match, make_url_match
from .stop_words import STOP_WORDS

__all__ = ["make_data", "STOP_WORDS", "EnglishDefaults", "English"]


def make_data() -> LanguageData:
    return LanguageData(
        lang="en",
        prefixes=make_prefixes(),
        suffixes=make_suffixes(),
        infixes=make_infixes(),
        special_cases=make_special_cases(),
        token_match=make_token_match(),
        url_match=make_url_match(),
        lex_attr_getters=make_lex_attr_getters(),
        stop_words=STOP_WORDS,
    )


#: English.Defaults: the tables above as spaCy's Language.Defaults attributes.
EnglishDefaults = defaults_class("EnglishDefaults", make_data(), __name__)


class English(Language):
    """English, tokenized as the English Web Treebank is; English stop words, norms and
    number words."""

    lang = "en"
    Defaults = EnglishDefaults
