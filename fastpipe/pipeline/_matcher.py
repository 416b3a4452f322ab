"""Pattern checking and matching for the entity ruler.

Two kinds of patterns, each matched without trying every pattern at every position:

* phrase patterns: a tuple of token keys (one attribute, ORTH by default). They sit in a dict
  keyed by the tuple, and a second dict maps a first key to the lengths of the phrases that
  start with it, so a position costs one lookup plus one per such length.
* token patterns: a list of steps, each a conjunction of attribute checks with an operator.
  A pattern whose first step must consume a token with an exact value is indexed by that
  attribute and value; the rest are tried at every position. From a start position a small
  NFA (a set of pattern steps) runs over the tokens and reports every end where it accepts.

Token attribute values come from one ``doc.to_array`` call per Doc; strings are compared as
StringStore keys, REGEX and FUZZY decode them (cached per Doc).

FUZZY, as in spaCy: ``{"LOWER": {"FUZZY": "definitely"}}`` matches a token whose value equals
the pattern's or is close to it by the matcher's compare function (``levenshtein_compare`` by
default: at most max(2, round(0.3 * len(pattern))) edits); FUZZY1 ... FUZZY9 allow exactly that
many edits. The value may also be ``{"IN": [...]}`` (close to any) or ``{"NOT_IN": [...]}``
(close to none).
"""
import re
from typing import Callable, Dict, List, Sequence, Tuple

from ..attrs import IDS
from ..errors import Errors
from ..registry import registry
from ..strings import hash_string

#: Attributes whose values are strings (compared by key).
STRING_ATTRS = ("ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LEMMA", "POS", "TAG",
                "DEP", "MORPH", "ENT_TYPE", "ENT_KB_ID")
#: Attributes whose values are integers.
INT_ATTRS = ("LENGTH",)
#: Boolean lexical flags (IS_DIGIT, LIKE_NUM, ...): every attribute id below 64.
FLAG_ATTRS = tuple(sorted(name for name, value in IDS.items() if 0 < value < 64))
ALIASES = {"TEXT": "ORTH"}
#: Operators: "1" exactly one (the default), "?" zero or one, "*" zero or more, "+" one or more,
#: "!" exactly one token that does NOT satisfy the checks.
OPS = ("1", "?", "*", "+", "!")
#: Token attributes a phrase pattern may be matched on (the ones the tokenizer alone sets).
PHRASE_ATTRS = ("ORTH", "LOWER", "NORM", "SHAPE")

EQ, IN, NOT_IN, REGEX, FUZZY = 0, 1, 2, 3, 4
#: FUZZY (the compare function's own allowance) and FUZZY1..FUZZY9 (that many edits).
FUZZY_PREDICATES = ("FUZZY",) + tuple(f"FUZZY{n}" for n in range(1, 10))


def levenshtein(a: str, b: str, limit: int) -> int:
    """The edit distance (insertions, deletions, substitutions) of a and b, or ``limit + 1``
    as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def levenshtein_compare(input_text: str, pattern_text: str, fuzzy: int = -1) -> bool:
    """spaCy's fuzzy compare: ``fuzzy`` edits at most, or when ``fuzzy`` is -1 (plain FUZZY)
    max(2, round(0.3 * len(pattern_text))): always room for one transposition, more for long
    words."""
    limit = fuzzy if fuzzy >= 0 else max(2, round(0.3 * len(pattern_text)))
    return levenshtein(input_text, pattern_text, limit) <= limit


@registry.misc("fastpipe.levenshtein_compare.v1")
def make_levenshtein_compare() -> Callable[[str, str, int], bool]:
    """The entity ruler's default ``matcher_fuzzy_compare``."""
    return levenshtein_compare
PATTERN_KEYS = ("label", "pattern", "id")


class PatternError(ValueError):
    """A pattern that cannot be used; the message says which part is wrong."""


def canonical_attr(name: str) -> str:
    key = name.upper().rstrip("_") if isinstance(name, str) else name
    return ALIASES.get(key, key)


def check_entry(entry, where: str = "pattern") -> None:
    """Raise PatternError unless ``entry`` is {"label": str, "pattern": str | list, "id"?: str}.

    ``where`` names the pattern in the message (``"patterns.jsonl:3"``, ``"... pattern 2"``)."""
    if not isinstance(entry, dict):
        raise PatternError(Errors.E254.format(where=where, type=type(entry).__name__))
    unknown = sorted(set(entry) - set(PATTERN_KEYS))
    if unknown:
        raise PatternError(Errors.E255.format(where=where, keys=unknown, known=list(PATTERN_KEYS)))
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise PatternError(Errors.E256.format(where=where, label=label))
    if "id" in entry and not isinstance(entry["id"], str):
        raise PatternError(Errors.E257.format(where=where, type=type(entry["id"]).__name__))
    pattern = entry.get("pattern")
    if isinstance(pattern, str):
        if not pattern.strip():
            raise PatternError(Errors.E258.format(where=where))
        return
    if not isinstance(pattern, list):
        raise PatternError(Errors.E259.format(where=where, type=type(pattern).__name__))
    if not pattern:
        raise PatternError(Errors.E260.format(where=where))
    for i, spec in enumerate(pattern):
        _check_spec(spec, f"{where}: token {i}")
    if all(spec.get("OP", "1") in ("?", "*") for spec in pattern):
        raise PatternError(Errors.E261.format(where=where))


def _check_spec(spec, where: str) -> None:
    if not isinstance(spec, dict):
        raise PatternError(Errors.E262.format(where=where, type=type(spec).__name__))
    for key, value in spec.items():
        if key == "OP":
            if value not in OPS:
                raise PatternError(Errors.E263.format(where=where, value=value,
                                                      known=list(OPS[1:])))
            continue
        attr = canonical_attr(key)
        if attr in STRING_ATTRS:
            _check_value(key, value, str, True, where)
        elif attr in INT_ATTRS:
            _check_value(key, value, int, False, where)
        elif attr in FLAG_ATTRS:
            if not isinstance(value, bool):
                raise PatternError(Errors.E264.format(where=where, key=key, value=value))
        else:
            known = sorted(STRING_ATTRS + INT_ATTRS + FLAG_ATTRS + tuple(ALIASES) + ("OP",))
            raise PatternError(Errors.E265.format(where=where, key=key, known=", ".join(known)))


def _check_value(key, value, kind, allow_regex: bool, where: str) -> None:
    def ok(v):
        return isinstance(v, kind) and not isinstance(v, bool)

    if ok(value):
        return
    predicates = ("IN", "NOT_IN", "REGEX", "FUZZY") if allow_regex else ("IN", "NOT_IN")
    if not isinstance(value, dict) or len(value) != 1:
        forms = ", ".join(f"{{'{p}': {'...' if p in ('REGEX', 'FUZZY') else '[...]'}}}" for p in predicates)
        raise PatternError(Errors.E266.format(where=where, key=key, kind=kind.__name__,
                                              predicates=forms, value=value))
    (pred, arg), = value.items()
    if pred in ("IN", "NOT_IN"):
        if not isinstance(arg, list) or not all(ok(v) for v in arg):
            raise PatternError(Errors.E267.format(where=where, key=key, predicate=pred,
                                                  kind=kind.__name__, value=arg))
    elif pred in FUZZY_PREDICATES and allow_regex:
        _check_fuzzy(key, pred, arg, where)
    elif pred == "REGEX" and allow_regex:
        if not isinstance(arg, str):
            raise PatternError(Errors.E268.format(where=where, key=key, value=arg))
        try:
            re.compile(arg)
        except re.error as err:
            raise PatternError(Errors.E269.format(where=where, key=key, value=arg,
                                                  err=err)) from None
    else:
        raise PatternError(Errors.E270.format(where=where, predicate=pred, key=key,
                                              known=" or ".join(predicates)))


def _check_fuzzy(key, pred, arg, where: str) -> None:
    if isinstance(arg, str):
        return
    if isinstance(arg, dict) and len(arg) == 1:
        (inner, values), = arg.items()
        if inner in ("IN", "NOT_IN") and isinstance(values, list) \
                and all(isinstance(v, str) for v in values):
            return
    raise PatternError(Errors.E554.format(where=where, key=key, predicate=pred, value=arg))


def _value_key(attr: str, value):
    if attr in STRING_ATTRS:
        return hash_string(value)
    return int(value)


def compile_spec(spec: dict) -> Tuple[tuple, str]:
    """A checked token dict -> (checks, op); a check is (attr_id, kind, value)."""
    checks = []
    for key, value in spec.items():
        if key == "OP":
            continue
        attr = canonical_attr(key)
        attr_id = IDS[attr]
        if not isinstance(value, dict):
            checks.append((attr_id, EQ, _value_key(attr, value)))
            continue
        (pred, arg), = value.items()
        if pred == "REGEX":
            checks.append((attr_id, REGEX, re.compile(arg)))
        elif pred in FUZZY_PREDICATES:
            checks.append((attr_id, FUZZY, _compile_fuzzy(pred, arg)))
        else:
            keys = frozenset(_value_key(attr, v) for v in arg)
            checks.append((attr_id, IN if pred == "IN" else NOT_IN, keys))
    # Exact checks first: they are the cheapest and most selective.
    checks.sort(key=lambda c: c[1])
    return tuple(checks), spec.get("OP", "1")


def _compile_fuzzy(pred: str, arg) -> tuple:
    """(allowed edits or -1, True unless NOT_IN, the texts)."""
    edits = int(pred[len("FUZZY"):] or -1)
    if isinstance(arg, str):
        return edits, True, (arg,)
    (inner, values), = arg.items()
    return edits, inner == "IN", tuple(values)


class TokenPattern:
    """A compiled token pattern: steps, epsilon closures and the accept state."""

    __slots__ = ("index", "steps", "closures", "accept")

    def __init__(self, index: int, specs: Sequence[dict]):
        self.index = index
        self.steps = tuple(compile_spec(spec) for spec in specs)
        self.accept = len(self.steps)
        closures: List[frozenset] = [frozenset([self.accept])]
        for checks, op in reversed(self.steps):
            k = self.accept - len(closures)
            skip = closures[-1] if op in ("?", "*") else frozenset()
            closures.append(frozenset([k]) | skip)
        self.closures = tuple(reversed(closures))

    def ends(self, start: int, n: int, token_ok) -> List[int]:
        """Every end j > start such that tokens [start, j) match the pattern."""
        steps, closures, accept = self.steps, self.closures, self.accept
        states = closures[0]
        found = []
        j = start
        while states and j < n:
            new = set()
            for k in states:
                if k == accept:
                    continue
                checks, op = steps[k]
                if token_ok(checks, j) != (op == "!"):
                    new |= closures[k + 1]
                    if op in ("*", "+"):
                        new.add(k)
            j += 1
            if accept in new:
                found.append(j)
            states = new
        return found


class PatternMatcher:
    """All matches of phrase and token patterns in a Doc, as (start, end, pattern_index)."""

    def __init__(self, phrase_attr: str = "ORTH", fuzzy_compare: Callable = levenshtein_compare):
        self.phrase_attr = IDS[phrase_attr]
        self.fuzzy_compare = fuzzy_compare
        self.phrases: Dict[tuple, List[int]] = {}
        self.phrase_lengths: Dict[int, List[int]] = {}
        self.indexed: Dict[int, Dict[int, List[TokenPattern]]] = {}
        self.unindexed: List[TokenPattern] = []
        self.attrs: List[int] = []

    def add_phrase(self, index: int, keys: Sequence[int]) -> None:
        keys = tuple(keys)
        self.phrases.setdefault(keys, []).append(index)
        lengths = self.phrase_lengths.setdefault(keys[0], [])
        if len(keys) not in lengths:
            lengths.append(len(keys))

    def add_tokens(self, index: int, specs: Sequence[dict]) -> None:
        pattern = TokenPattern(index, specs)
        for checks, _ in pattern.steps:
            for attr_id, _, _ in checks:
                if attr_id not in self.attrs:
                    self.attrs.append(attr_id)
        first_checks, first_op = pattern.steps[0]
        exact = [c for c in first_checks if c[1] == EQ] if first_op in ("1", "+") else []
        if exact:
            attr_id, _, key = exact[0]
            self.indexed.setdefault(attr_id, {}).setdefault(key, []).append(pattern)
        else:
            self.unindexed.append(pattern)

    def __call__(self, doc) -> List[Tuple[int, int, int]]:
        n = len(doc)
        if n == 0:
            return []
        matches: List[Tuple[int, int, int]] = []
        if self.phrases:
            self._match_phrases(doc.to_array(self.phrase_attr).tolist(), n, matches)
        if self.attrs:
            self._match_tokens(doc, n, matches)
        return matches

    def _match_phrases(self, keys: List[int], n: int, matches: list) -> None:
        phrases, lengths_of = self.phrases, self.phrase_lengths
        for i, key in enumerate(keys):
            lengths = lengths_of.get(key)
            if lengths is None:
                continue
            for length in lengths:
                if i + length <= n:
                    for index in phrases.get(tuple(keys[i:i + length]), ()):
                        matches.append((i, i + length, index))

    def _match_tokens(self, doc, n: int, matches: list) -> None:
        array = doc.to_array(self.attrs).reshape((n, len(self.attrs)))
        cols = {attr_id: array[:, j].tolist() for j, attr_id in enumerate(self.attrs)}
        strings = doc.vocab.strings
        decoded: Dict[int, str] = {}
        compare = self.fuzzy_compare

        def text_of(v):
            text = decoded.get(v)
            if text is None:
                text = decoded[v] = strings[v] if v else ""
            return text

        def token_ok(checks, i):
            for attr_id, kind, value in checks:
                v = cols[attr_id][i]
                if kind == EQ:
                    if v != value:
                        return False
                elif kind == IN:
                    if v not in value:
                        return False
                elif kind == NOT_IN:
                    if v in value:
                        return False
                elif kind == REGEX:
                    if value.search(text_of(v)) is None:
                        return False
                else:
                    edits, wanted, texts = value
                    text = text_of(v)
                    if any(text == t or compare(text, t, edits) for t in texts) != wanted:
                        return False
            return True

        indexed = [(cols[attr_id], table) for attr_id, table in self.indexed.items()]
        for start in range(n):
            candidates = list(self.unindexed)
            for col, table in indexed:
                found = table.get(col[start])
                if found:
                    candidates.extend(found)
            for pattern in candidates:
                for end in pattern.ends(start, n, token_ok):
                    matches.append((start, end, pattern.index))


def resolve_overlaps(matches, n: int,
                     blocked: Sequence[Tuple[int, int]] = ()) -> List[Tuple[int, int, int]]:
    """Keep the longest matches that overlap neither each other nor a ``blocked`` range; ties go
    to the earlier start, then to the pattern added first. Returned in document order."""
    taken = bytearray(n)
    for start, end in blocked:
        taken[start:end] = b"\x01" * (end - start)
    kept = []
    for start, end, index in sorted(set(matches), key=lambda m: (m[0] - m[1], m[0], m[2])):
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, index))
    kept.sort()
    return kept
