"""The shape of a language's data: plain tables, no code paths of their own.

Two forms of the same tables: ``LanguageData`` is what the tokenizer and vocab read (regexes as
strings, so a tokenizer saves its rules); a ``Defaults`` class (``BaseDefaults`` and its
subclasses, spaCy's ``Language.Defaults``) holds them as class attributes with spaCy's names
and types, for code that changes a language's data before a pipeline is made from it.
"""
import copy
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from ..attrs import NAMES as ATTR_NAMES
from ..errors import Errors
from .lex_attrs import LEX_ATTRS


def _left_to_right() -> Dict[str, Any]:
    return {"direction": "ltr", "has_case": True, "has_letters": True}


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
    writing_system: Dict[str, Any] = field(default_factory=_left_to_right)


class RulePatterns(tuple):
    """A tuple of regex strings that a list can also be added to.

    spaCy's training guide extends the rules with a tuple (``Defaults.suffixes + (r"-+$",)``)
    while spaCy 3.8 itself holds lists (``Defaults.suffixes + [r"-+$"]``): both run here.
    """

    def __add__(self, other):
        if not isinstance(other, (list, tuple)):
            return NotImplemented
        return RulePatterns(tuple(self) + tuple(other))

    def __radd__(self, other):
        if isinstance(other, list):
            return other + list(self)
        if isinstance(other, tuple):
            return RulePatterns(other + tuple(self))
        return NotImplemented


#: The tables of a Defaults class, by their spaCy names.
DEFAULTS_TABLES = ("tokenizer_exceptions", "prefixes", "suffixes", "infixes", "token_match",
                   "url_match", "lex_attr_getters", "stop_words", "writing_system")


class BaseDefaults:
    """A language's data as class attributes, named and typed as spaCy's ``Language.Defaults``.

    ``tokenizer_exceptions`` (str -> list of {"ORTH", "NORM"} dicts), ``prefixes``,
    ``suffixes``, ``infixes`` (tuples of regex strings), ``token_match`` and ``url_match``
    (a compiled regex's ``fullmatch``, or None), ``lex_attr_getters`` (attribute name -> function
    of the text), ``stop_words`` (a set) and ``writing_system`` (a dict). Code may replace or
    change them in place before a pipeline is made from the class.

    Every subclass owns copies of the tables it inherits, taken when it is defined, so that
    changing one class's Defaults never changes another's (in spaCy a subclass shares its
    parent's sets and dicts).
    """

    tokenizer_exceptions: Dict[str, List[Dict[str, str]]] = {}
    prefixes: RulePatterns = RulePatterns()
    suffixes: RulePatterns = RulePatterns()
    infixes: RulePatterns = RulePatterns()
    token_match: Optional[Callable] = None
    url_match: Optional[Callable] = None
    lex_attr_getters: Dict[str, Callable] = dict(LEX_ATTRS)
    stop_words: set = set()
    writing_system: Dict[str, Any] = _left_to_right()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in DEFAULTS_TABLES:
            if name not in cls.__dict__:
                setattr(cls, name, _own_copy(getattr(cls, name)))


def _own_copy(value):
    # containers are copied whole (exceptions hold lists of dicts); functions and regexes shared
    return copy.deepcopy(value) if isinstance(value, (dict, list, set)) else value


def defaults_class(name: str, data: LanguageData, module: str) -> type:
    """A BaseDefaults subclass holding ``data``'s tables, importable as ``module.name``."""
    tables = {
        "tokenizer_exceptions": copy.deepcopy(data.special_cases),
        "prefixes": RulePatterns(data.prefixes),
        "suffixes": RulePatterns(data.suffixes),
        "infixes": RulePatterns(data.infixes),
        "token_match": _as_matcher(data.token_match),
        "url_match": _as_matcher(data.url_match),
        "lex_attr_getters": dict(data.lex_attr_getters),
        "stop_words": set(data.stop_words),
        "writing_system": dict(data.writing_system),
    }
    return type(name, (BaseDefaults,), {"__module__": module, "__qualname__": name, **tables})


def defaults_tables(defaults: type) -> Dict[str, Any]:
    """The tables of a Defaults class, by name."""
    return {name: getattr(defaults, name) for name in DEFAULTS_TABLES}


def data_from_defaults(defaults: type, lang: str) -> LanguageData:
    """The LanguageData a pipeline for ``lang`` is made from, read from a Defaults class as it
    is now; each table is checked, and a bad one named (E590, E591, E593)."""
    where = getattr(defaults, "__qualname__", repr(defaults))
    return LanguageData(
        lang=lang,
        prefixes=_patterns(defaults, "prefixes", where),
        suffixes=_patterns(defaults, "suffixes", where),
        infixes=_patterns(defaults, "infixes", where),
        special_cases=_exceptions(defaults, where),
        token_match=_regex_of(defaults, "token_match", where),
        url_match=_regex_of(defaults, "url_match", where),
        lex_attr_getters=dict(_table(defaults, "lex_attr_getters", dict, "a dict", where)),
        stop_words=frozenset(_table(defaults, "stop_words", (set, frozenset, list, tuple),
                                    "a set of str", where)),
        writing_system=dict(_table(defaults, "writing_system", dict, "a dict", where)),
    )


def _table(defaults, name, types, expected, where):
    value = getattr(defaults, name, None)
    if value is None:
        value = types[0]() if isinstance(types, tuple) else types()
    if not isinstance(value, types):
        raise TypeError(Errors.E590.format(where=where, name=name, expected=expected, got=value))
    return value


def _patterns(defaults, name, where) -> List[str]:
    value = _table(defaults, name, (list, tuple), "a tuple or list of regex strings", where)
    for piece in value:
        if not isinstance(piece, str):
            raise TypeError(Errors.E590.format(where=where, name=name,
                                               expected="a tuple or list of regex strings",
                                               got=piece))
    return list(value)


_ORTH_KEYS = ("ORTH", "orth")
_NORM_KEYS = ("NORM", "norm")


def _exceptions(defaults, where) -> Dict[str, List[Dict[str, str]]]:
    """tokenizer_exceptions with each token's keys as "ORTH"/"NORM" (spaCy writes the attribute
    ids, ``{ORTH: "gim", NORM: "give"}``)."""
    table = _table(defaults, "tokenizer_exceptions", dict, "a dict of str -> list of dicts", where)
    out = {}
    for key, tokens in table.items():
        if not isinstance(tokens, (list, tuple)):
            raise TypeError(Errors.E593.format(where=where, key=key, token=tokens))
        out[key] = [_token_dict(where, key, token) for token in tokens]
    return out


def _token_dict(where, key, token) -> Dict[str, str]:
    if not isinstance(token, dict):
        raise TypeError(Errors.E593.format(where=where, key=key, token=token))
    out = {}
    for attr, value in token.items():
        name = ATTR_NAMES.get(attr, attr) if isinstance(attr, int) else attr
        if name in _ORTH_KEYS:
            out["ORTH"] = value
        elif name in _NORM_KEYS:
            out["NORM"] = value
        else:
            raise ValueError(Errors.E593.format(where=where, key=key, token=token))
    return out


def _as_matcher(pattern: Optional[str]) -> Optional[Callable]:
    return None if pattern is None else re.compile(pattern).fullmatch


_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"),
                 (re.ASCII, "a"))
#: how a method of a compiled regex maps onto a full match of the chunk
_METHOD_WRAPS = {"fullmatch": "{}", "match": "(?:{})[\\s\\S]*", "search": "[\\s\\S]*?(?:{})[\\s\\S]*"}


def _regex_of(defaults, name, where) -> Optional[str]:
    """token_match / url_match as a regex string for a full match of a chunk: from a str, a
    compiled regex, or a compiled regex's fullmatch / match / search method (spaCy's own
    ``url_match`` is ``re.compile(...).match``)."""
    value = getattr(defaults, name, None)
    if value is None or isinstance(value, str):
        return value
    method = "fullmatch"
    if not isinstance(value, re.Pattern):
        owner = getattr(value, "__self__", None)
        method = getattr(value, "__name__", "")
        if not isinstance(owner, re.Pattern) or method not in _METHOD_WRAPS:
            raise TypeError(Errors.E591.format(where=where, name=name, got=value))
        value = owner
    if not isinstance(value.pattern, str):
        raise TypeError(Errors.E591.format(where=where, name=name, got=value))
    flags = "".join(letter for flag, letter in _SCOPED_FLAGS if value.flags & flag)
    pattern = f"(?{flags}:{value.pattern})" if flags else value.pattern
    return _METHOD_WRAPS[method].format(pattern)
