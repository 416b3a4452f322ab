"""The shape of a language's data: plain tables, no code paths of their own."""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from .lex_attrs import LEX_ATTRS


@dataclass
class LanguageData:
    """Everything the tokenizer and vocab need to know about one language.

    prefixes / suffixes / infixes are lists of regular-expression pieces. The tokenizer joins
    each list into one alternation: prefixes are matched at the start of a chunk, suffixes at
    its end, infixes anywhere inside. A piece must never match the empty string.
    special_cases maps an exact chunk to its tokens: a list of {"ORTH": str, "NORM": str?}
    whose ORTH values spell the chunk exactly. token_match (a regex, full match) keeps a chunk
    whole before any splitting; url_match keeps what is left once prefixes and suffixes are
    stripped whole, instead of splitting it on infixes.
    """

    lang: str
    prefixes: List[str] = field(default_factory=list)
    suffixes: List[str] = field(default_factory=list)
    infixes: List[str] = field(default_factory=list)
    special_cases: Dict[str, List[Dict[str, str]]] = field(default_factory=dict)
    token_match: Optional[str] = None
    url_match: Optional[str] = None
    lex_attr_getters: Dict[str, Callable] = field(default_factory=lambda: dict(LEX_ATTRS))
    stop_words: frozenset = frozenset()
