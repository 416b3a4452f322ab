"""entity_ruler: entities from phrase and token patterns.

Patterns are dicts, one per line in a JSONL file::

    {"label": "ORG", "pattern": "Apple Inc.", "id": "apple"}
    {"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}]}

A string pattern is a phrase: it is tokenized with the pipeline's tokenizer and matched on the
token attribute ``phrase_matcher_attr`` (ORTH unless set to LOWER, NORM or SHAPE). A list
pattern gives one dict per token: attribute -> value, where a value is exact, or
``{"IN": [...]}``, ``{"NOT_IN": [...]}`` or ``{"REGEX": "..."}`` (``re.search`` on the string);
"OP" is "?", "*", "+" or "!" (exactly one token that fails the checks). ``{"FUZZY": "..."}``
(and FUZZY1..FUZZY9) match close spellings through ``matcher_fuzzy_compare``. See ``_matcher``.

The factory takes spaCy 3.8's settings: ``phrase_matcher_attr``, ``matcher_fuzzy_compare``,
``overwrite_ents``, ``scorer``, ``validate`` (fastpipe checks every pattern whatever it says:
a bad pattern fails with the message naming it, never later) and ``ent_id_sep`` (kept and
saved; fastpipe stores a pattern's label and id apart, so it never joins them with it).
"""
import copy
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

import srsly

from ..errors import Errors
from ..registry import factory, registry
from ..scorer import check_scorer, ents_score, run_scorer
from ._matcher import (PHRASE_ATTRS, PatternError, PatternMatcher, check_entry,
                       levenshtein_compare, resolve_overlaps)
from .base import Pipe, read_state, unpack_state

PATTERNS_FILE = "patterns.jsonl"
SETTINGS_FILE = "cfg"
DEFAULT_ENT_ID_SEP = "||"


@factory("entity_ruler",
         default_config={"phrase_matcher_attr": None,
                         "matcher_fuzzy_compare": {"@misc": "fastpipe.levenshtein_compare.v1"},
                         "validate": False, "overwrite_ents": False,
                         "ent_id_sep": DEFAULT_ENT_ID_SEP,
                         "scorer": {"@scorers": "fastpipe.entity_ruler_scorer.v1"}},
         default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0},
         assigns=("doc.ents", "token.ent_type", "token.ent_iob", "token.ent_kb_id"))
def make_entity_ruler(nlp: Any, name: str, phrase_matcher_attr: Optional[Union[str, int]],
                      matcher_fuzzy_compare: Callable, validate: bool, overwrite_ents: bool,
                      ent_id_sep: str, scorer: Optional[Callable]) -> "EntityRuler":
    return EntityRuler(nlp, name, phrase_matcher_attr=phrase_matcher_attr,
                       matcher_fuzzy_compare=matcher_fuzzy_compare, validate=validate,
                       overwrite_ents=overwrite_ents, ent_id_sep=ent_id_sep, scorer=scorer)


@registry.readers("fastpipe.read_patterns_jsonl.v1")
def create_patterns_reader(path: str) -> List[dict]:
    """The patterns of a JSONL file, for ``[initialize.components.<ruler>.patterns]``."""
    return read_patterns_jsonl(path)


def read_patterns_jsonl(path: Union[str, Path]) -> List[dict]:
    """Read and check one pattern per non-blank line; errors name ``file:line``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(Errors.E250.format(path=path))
    patterns = []
    with path.open("r", encoding="utf8") as file:
        for line_no, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                entry = srsly.json_loads(line)
            except ValueError as err:
                raise ValueError(Errors.E251.format(where=f"{path}:{line_no}", err=err)) from None
            check_entry(entry, f"{path}:{line_no}: bad pattern")
            patterns.append(entry)
    return patterns


class EntityRuler(Pipe):
    """Set entities where patterns match.

    Resolution: of all matches, the longest win, then the earlier start, then the pattern added
    first; kept matches never overlap. Entities already in the Doc are kept, and matches that
    overlap them are dropped; with ``overwrite_ents`` matches win instead, and an existing
    entity a kept match overlaps is removed whole (its tokens that no match covers become O).

    Annotation outside the new entities is left as it was (``set_ents(default="unmodified")``):
    tokens without entity annotation stay missing rather than becoming O, so a statistical
    recognizer later in the pipeline still predicts them. The pattern's "id" is written as the
    tokens' ``ent_kb_id``.
    """

    def __init__(self, nlp, name: str = "entity_ruler", *,
                 phrase_matcher_attr: Optional[str] = None,
                 matcher_fuzzy_compare: Callable = levenshtein_compare, validate: bool = False,
                 overwrite_ents: bool = False, ent_id_sep: str = DEFAULT_ENT_ID_SEP,
                 scorer: Optional[Callable] = ents_score,
                 patterns: Optional[Iterable[dict]] = None):
        self.nlp = nlp
        self.vocab = nlp.vocab
        self.name = name
        self.overwrite_ents = bool(overwrite_ents)
        self.phrase_matcher_attr = self._check_phrase_attr(phrase_matcher_attr)
        if not callable(matcher_fuzzy_compare):
            raise TypeError(Errors.E553.format(name=name, type=type(matcher_fuzzy_compare).__name__))
        self.matcher_fuzzy_compare = matcher_fuzzy_compare
        self.validate = bool(validate)
        self.ent_id_sep = ent_id_sep
        self.scorer = check_scorer(scorer, name)
        self.clear()
        if patterns is not None:
            self.add_patterns(patterns)

    def _check_phrase_attr(self, attr: Optional[str]) -> Optional[str]:
        if attr is None:
            return None
        key = attr.upper().rstrip("_") if isinstance(attr, str) else attr
        if key == "TEXT":
            key = "ORTH"
        if key not in PHRASE_ATTRS:
            raise ValueError(Errors.E252.format(name=self.name, value=attr,
                                                known=", ".join(PHRASE_ATTRS)))
        return key

    # -- patterns -------------------------------------------------------------------------------

    @classmethod
    def from_jsonl(cls, nlp, path: Union[str, Path], **settings) -> "EntityRuler":
        """A ruler with the patterns of a JSONL file (see read_patterns_jsonl)."""
        return cls(nlp, patterns=read_patterns_jsonl(path), **settings)

    def clear(self) -> None:
        """Remove every pattern."""
        self._patterns: List[dict] = []
        self._matcher = PatternMatcher(self.phrase_matcher_attr or "ORTH",
                                       self.matcher_fuzzy_compare)

    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Check and add patterns; if any is bad, none is added and the error names it."""
        patterns = list(patterns)
        for i, entry in enumerate(patterns):
            check_entry(entry, self._where(i, entry))
        compiled = [(entry, self._phrase_keys(entry, i) if isinstance(entry["pattern"], str)
                     else None) for i, entry in enumerate(patterns)]
        for entry, keys in compiled:
            index = len(self._patterns)
            entry = _copy_entry(entry)
            self._patterns.append(entry)
            self.vocab.strings.add(entry["label"])
            if "id" in entry:
                self.vocab.strings.add(entry["id"])
            if keys is not None:
                self._matcher.add_phrase(index, keys)
            else:
                self._matcher.add_tokens(index, entry["pattern"])

    def _phrase_keys(self, entry: dict, i: int) -> List[int]:
        doc = self.nlp.make_doc(entry["pattern"])
        if not len(doc):
            raise PatternError(Errors.E253.format(where=self._where(i, entry)))
        return doc.to_array(self.phrase_matcher_attr or "ORTH").tolist()

    def _where(self, i: int, entry) -> str:
        return f"entity_ruler {self.name!r}: pattern {i} ({_short(entry)})"

    @property
    def patterns(self) -> List[dict]:
        """The patterns, as added (copies)."""
        return [_copy_entry(entry) for entry in self._patterns]

    @property
    def labels(self) -> tuple:
        return tuple(sorted({entry["label"] for entry in self._patterns}))

    @property
    def ids(self) -> tuple:
        return tuple(sorted({entry["id"] for entry in self._patterns if "id" in entry}))

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, label: str) -> bool:
        return any(entry["label"] == label for entry in self._patterns)

    # -- annotation -----------------------------------------------------------------------------

    def match(self, doc) -> List[tuple]:
        """The matches that would be set: (start, end, label, id or None), in document order."""
        return [m[:4] for m in self._resolve(doc)[0]]

    def _resolve(self, doc):
        n = len(doc)
        existing = list(doc.ents)
        blocked = [] if self.overwrite_ents else [(e.start, e.end) for e in existing]
        kept = resolve_overlaps(self._matcher(doc), n, blocked)
        out = []
        for start, end, index in kept:
            entry = self._patterns[index]
            out.append((start, end, entry["label"], entry.get("id"), index))
        removed = []
        if self.overwrite_ents and out:
            covered = bytearray(n)
            for start, end, *_ in out:
                covered[start:end] = b"\x01" * (end - start)
            removed = [e for e in existing if covered.find(1, e.start, e.end) != -1]
        return out, removed

    def __call__(self, doc):
        if not self._patterns:
            return doc
        matches, removed = self._resolve(doc)
        if not matches:
            return doc
        strings = doc.vocab.strings
        spans = [(label, start, end) for start, end, label, _, _ in matches]
        doc.set_ents(spans, outside=removed or None, default="unmodified")
        kb_ids = doc.to_array("ENT_KB_ID")
        for e in removed:
            kb_ids[e.start:e.end] = 0
        for start, end, _, ent_id, _ in matches:
            kb_ids[start:end] = strings.add(ent_id) if ent_id else 0
        doc.from_array("ENT_KB_ID", kb_ids)
        return doc

    def score(self, examples, **kwargs) -> Dict:
        return run_scorer(self.scorer, examples, self.get_state(), self.labels, kwargs)

    def initialize(self, get_examples: Callable, *, nlp=None,
                   patterns: Optional[Iterable[dict]] = None):
        """With ``patterns`` (for example from fastpipe.read_patterns_jsonl.v1), replace the
        patterns by them; without, keep the ones already added."""
        if nlp is not None:
            self.nlp = nlp
        if patterns is not None:
            patterns = list(patterns)
            old = self._patterns
            self.clear()
            try:
                self.add_patterns(patterns)
            except Exception:
                self.clear()
                self.add_patterns(old)
                raise

    # -- serialization --------------------------------------------------------------------------

    def get_state(self) -> dict:
        return {"phrase_matcher_attr": self.phrase_matcher_attr,
                "overwrite_ents": self.overwrite_ents, "ent_id_sep": self.ent_id_sep}

    def set_state(self, state: dict) -> None:
        self.overwrite_ents = bool(state.get("overwrite_ents", self.overwrite_ents))
        self.ent_id_sep = state.get("ent_id_sep", self.ent_id_sep)
        attr = self._check_phrase_attr(state.get("phrase_matcher_attr", self.phrase_matcher_attr))
        if attr != self.phrase_matcher_attr:
            self.phrase_matcher_attr = attr
            patterns = self._patterns
            self.clear()
            self.add_patterns(patterns)

    def to_disk(self, path, *, exclude=()) -> None:
        """Write ``patterns.jsonl`` (one pattern per line) and ``cfg`` (the settings)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_msgpack(path / SETTINGS_FILE, self.get_state())
        srsly.write_jsonl(path / PATTERNS_FILE, self._patterns)

    def from_disk(self, path, *, exclude=()) -> "EntityRuler":
        """Read what to_disk wrote (or a bare patterns.jsonl file); replaces the patterns."""
        path = Path(path)
        if path.is_file():
            patterns_path = path
        else:
            patterns_path = path / PATTERNS_FILE
            if (path / SETTINGS_FILE).exists():
                self._load_settings(read_state(path / SETTINGS_FILE, self.name), path / SETTINGS_FILE)
        patterns = read_patterns_jsonl(patterns_path) if patterns_path.exists() else []
        self.clear()
        self.add_patterns(patterns)
        return self

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"state": self.get_state(), "patterns": self._patterns})

    def from_bytes(self, data: bytes, *, exclude=()) -> "EntityRuler":
        where = f"the bytes of component {self.name!r}"
        msg = unpack_state(data, where, self.name)
        if not isinstance(msg, dict) or not isinstance(msg.get("patterns", []), list):
            raise ValueError(Errors.E642.format(where=where, name=self.name,
                                                problem="expected a map with a list of patterns"))
        self._load_settings(msg.get("state", {}), where)
        self.clear()
        self.add_patterns(msg.get("patterns", []))
        return self

    def state_problem(self, state):
        problem = super().state_problem(state)
        kinds = (("overwrite_ents", bool, "true or false"), ("ent_id_sep", str, "a string"),
                 ("phrase_matcher_attr", (str, type(None)), "an attribute name or null"))
        for key, kind, what in kinds if problem is None else ():
            if key in state and not isinstance(state[key], kind):
                return f"its {key} is {state[key]!r}, not {what}"
        return problem

    def _load_settings(self, state, where) -> None:
        problem = self.state_problem(state)
        if problem is not None:
            raise ValueError(Errors.E642.format(where=where, name=self.name, problem=problem))
        self.overwrite_ents = state.get("overwrite_ents", self.overwrite_ents)
        self.ent_id_sep = state.get("ent_id_sep", self.ent_id_sep)
        self.phrase_matcher_attr = self._check_phrase_attr(state.get("phrase_matcher_attr"))


def _copy_entry(entry: dict) -> dict:
    return copy.deepcopy(dict(entry))


def _short(entry) -> str:
    text = repr(entry)
    return text if len(text) <= 80 else text[:77] + "..."
