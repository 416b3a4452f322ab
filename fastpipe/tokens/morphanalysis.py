"""Morphological features of a token: ``Token.morph`` as a MorphAnalysis.

A token's features live in the Doc as one StringStore key (``TokenC.morph``) of a feature
string in the Universal Dependencies form ``Field=Value|Field=Value1,Value2``. fastpipe writes
that string in one canonical order, UD's: fields sorted case-insensitively, the values of a
field likewise and without repeats, so that one analysis always has one key (spaCy sorts by
code point instead: the two differ only where a field name has a capital inside, such as
``NumType`` beside ``Number``). The empty analysis is the empty string, key 0 (missing).

Parsing a string is cached, so reading ``token.morph`` over a corpus parses each distinct
feature string once.
"""
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Tuple, Union

from ..errors import Errors
from ..strings import hash_string

#: Separators of the UD feature string: features, field from values, values.
FEATURE_SEP, FIELD_SEP, VALUE_SEP = "|", "=", ","
#: A field's values as a string ("Int,Prs"), a list of values, or one value.
Features = Union[str, Dict[str, Union[str, List[str], Tuple[str, ...]]], None]

_Parsed = Tuple[Tuple[str, Tuple[str, ...]], ...]


def _order(name: str):
    return name.lower(), name


def _check_part(part: str, what: str, text) -> str:
    if not isinstance(part, str) or not part or any(c in part for c in "|=,"):
        raise ValueError(Errors.E700.format(value=text, what=what, part=part))
    return part


def _canonical(pairs, text) -> _Parsed:
    """Sorted (field, sorted values) pairs from (field, [values]) pairs; a repeated field
    merges its values."""
    fields: Dict[str, set] = {}
    for field, values in pairs:
        _check_part(field, "field", text)
        found = fields.setdefault(field, set())
        for value in values:
            found.add(_check_part(value, "value", text))
    return tuple((field, tuple(sorted(fields[field], key=_order)))
                 for field in sorted(fields, key=_order))


@lru_cache(maxsize=1 << 14)
def parse_features(text: str) -> _Parsed:
    """The canonical (field, values) pairs of a UD feature string ("" and "_" have none);
    E700 when it is not one."""
    if text in ("", "_"):
        return ()
    pairs = []
    for feature in text.split(FEATURE_SEP):
        field, sep, values = feature.partition(FIELD_SEP)
        if not sep:
            raise ValueError(Errors.E700.format(value=text, what="feature", part=feature))
        pairs.append((field, values.split(VALUE_SEP)))
    return _canonical(pairs, text)


def _from_dict(feats: dict) -> _Parsed:
    pairs = []
    for field, values in feats.items():
        if isinstance(values, str):
            values = values.split(VALUE_SEP)
        elif not isinstance(values, (list, tuple)):
            raise ValueError(Errors.E700.format(value=feats, what="value", part=values))
        pairs.append((field, values))
    return _canonical(pairs, feats)


def features_to_string(parsed: _Parsed) -> str:
    return FEATURE_SEP.join(f"{field}{FIELD_SEP}{VALUE_SEP.join(values)}"
                            for field, values in parsed)


@lru_cache(maxsize=1 << 14)
def canonical_string(text: str) -> str:
    """A feature string in canonical order ("" for none)."""
    return features_to_string(parse_features(text))


def to_parsed(features: Features) -> _Parsed:
    """The canonical pairs of a feature string, a dict or a MorphAnalysis (None: none)."""
    if features is None:
        return ()
    if isinstance(features, MorphAnalysis):
        return features._parsed
    if isinstance(features, str):
        return parse_features(features)
    if isinstance(features, dict):
        return _from_dict(features)
    raise TypeError(Errors.E701.format(type=type(features).__name__))


class MorphAnalysis:
    """The features of one token: ``str(m)`` is the canonical UD string, ``m.get("Case")``
    a field's values, ``"Case=Nom" in m``, iteration gives each ``Field=Value``."""

    __slots__ = ("vocab", "_parsed", "_text")

    def __init__(self, vocab, features: Optional[Features] = None):
        self.vocab = vocab
        self._parsed = to_parsed(features)
        self._text = features_to_string(self._parsed)

    @property
    def key(self) -> int:
        """The StringStore key of the canonical string (0 for no features)."""
        return hash_string(self._text)

    def get(self, field: str, default: Optional[List[str]] = None) -> List[str]:
        """The values of ``field`` (``default``, or [], when the token has none)."""
        for name, values in self._parsed:
            if name == field:
                return list(values)
        return [] if default is None else default

    def to_dict(self) -> Dict[str, str]:
        """{field: "Value1,Value2"}."""
        return {field: VALUE_SEP.join(values) for field, values in self._parsed}

    def to_json(self) -> str:
        return self._text

    def __contains__(self, feature) -> bool:
        """Whether every ``Field=Value`` of ``feature`` (a string such as "Case=Nom") is here."""
        if not isinstance(feature, str):
            return False
        wanted = parse_features(feature)
        have = dict(self._parsed)
        return bool(wanted) and all(set(values) <= set(have.get(field, ()))
                                    for field, values in wanted)

    def __iter__(self) -> Iterator[str]:
        for field, values in self._parsed:
            for value in values:
                yield f"{field}{FIELD_SEP}{value}"

    def __len__(self) -> int:
        return sum(len(values) for _, values in self._parsed)

    def __eq__(self, other) -> bool:
        if isinstance(other, MorphAnalysis):
            return self._parsed == other._parsed
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._parsed)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text
