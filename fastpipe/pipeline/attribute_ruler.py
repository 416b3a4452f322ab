"""attribute_ruler: token patterns that set attributes (TAG, POS, LEMMA, MORPH, NORM) of one
token of each match.

A rule is ``add(patterns, attrs, index=0)``: token patterns in the entity ruler's format (a list
of token dicts each, matched by the same matcher, ``_matcher.PatternMatcher``), the attributes to
set (keys in any case: ``{"POS": "PROPN", "lemma": "be", "MORPH": "Number=Sing"}``, a MORPH
may also be a dict of features), and which token of the match gets them (negative: from the
end). Rules apply in the order they were added, so a later rule wins on a token both match.
``load_from_tag_map`` (tag -> attributes and features) and ``load_from_morph_rules`` (tag ->
word -> attributes) add rules from spaCy's tables. Saved as the list of rules
(``patterns``). Settings, with spaCy's meanings: ``validate`` (fastpipe checks every pattern
whatever it says) and ``scorer`` (tag_acc, pos_acc, morph_acc, morph_per_feat, lemma_acc).
"""
import copy
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

import srsly

from ..errors import Errors
from ..registry import factory
from ..scorer import attribute_ruler_score, check_scorer, run_scorer
from ..tokens.morphanalysis import features_to_string, to_parsed
from ._matcher import PatternError, PatternMatcher, check_entry
from .base import Pipe, read_state, unpack_state

PATTERNS_FILE = "patterns"
#: The attributes a rule may set, and the Token property that holds each as a string.
SETTABLE = {"TAG": "tag_", "POS": "pos_", "LEMMA": "lemma_", "MORPH": "morph_", "NORM": "norm_"}


@factory("attribute_ruler", default_config={
    "validate": False, "scorer": {"@scorers": "fastpipe.attribute_ruler_scorer.v1"}},
    assigns=("token.tag", "token.pos", "token.lemma", "token.morph", "token.norm"))
def make_attribute_ruler(nlp: Any, name: str, validate: bool,
                         scorer: Optional[Callable]) -> "AttributeRuler":
    return AttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


class AttributeRuler(Pipe):
    """Set token attributes where token patterns match; see the module docstring."""

    def __init__(self, vocab, name: str = "attribute_ruler", *, validate: bool = False,
                 scorer: Optional[Callable] = attribute_ruler_score):
        self.vocab = vocab
        self.name = name
        self.validate = bool(validate)
        self.scorer = check_scorer(scorer, name)
        self.clear()

    def clear(self) -> None:
        """Remove every rule."""
        self._rules: List[dict] = []      # {"patterns", "attrs", "index"} as added
        self._settings: List[tuple] = []  # per rule: ((Token property, value), ...)
        self._matcher = PatternMatcher()

    # -- rules ------------------------------------------------------------------------------------

    def add(self, patterns: Iterable[List[dict]], attrs: Dict[str, Any], index: int = 0) -> None:
        """Set ``attrs`` on token ``index`` of every match of ``patterns``; a bad pattern or
        attribute is refused, naming it, and nothing is added."""
        rule_no = len(self._rules)
        where = f"attribute_ruler {self.name!r}: rule {rule_no}"
        patterns = list(patterns) if isinstance(patterns, (list, tuple)) else patterns
        if not isinstance(patterns, list) or not patterns:
            raise PatternError(Errors.E777.format(where=where, value=_short(patterns)))
        for i, pattern in enumerate(patterns):
            check_entry({"label": "attrs", "pattern": pattern}, f"{where}, pattern {i}")
            if not isinstance(pattern, list):
                raise PatternError(Errors.E777.format(where=where, value=_short(pattern)))
        if type(index) is not int:
            raise PatternError(Errors.E778.format(where=where, value=index))
        settings = self._normalize(attrs, where)
        for pattern in patterns:
            self._matcher.add_tokens(rule_no, pattern)
        self._rules.append({"patterns": copy.deepcopy(patterns), "attrs": copy.deepcopy(attrs),
                            "index": index})
        self._settings.append(settings)

    def _normalize(self, attrs, where: str) -> tuple:
        if not isinstance(attrs, dict) or not attrs:
            raise PatternError(Errors.E779.format(where=where, value=_short(attrs),
                                                  known=", ".join(SETTABLE)))
        settings = []
        for key, value in attrs.items():
            name = key.upper().rstrip("_") if isinstance(key, str) else key
            if name not in SETTABLE:
                raise PatternError(Errors.E779.format(where=where, value=_short(key),
                                                      known=", ".join(SETTABLE)))
            if name == "MORPH" and isinstance(value, (str, dict)):
                value = features_to_string(to_parsed(value))
            if not isinstance(value, str):
                raise PatternError(Errors.E780.format(where=where, key=key, value=_short(value)))
            self.vocab.strings.add(value)
            settings.append((SETTABLE[name], value))
        return tuple(settings)

    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add rules given as dicts with the keys of ``add``: patterns, attrs, index."""
        for rule in patterns:
            if not isinstance(rule, dict) or set(rule) - {"patterns", "attrs", "index"}:
                where = f"attribute_ruler {self.name!r}: rule {len(self._rules)}"
                raise PatternError(Errors.E781.format(where=where, value=_short(rule)))
            self.add(rule.get("patterns"), rule.get("attrs"), rule.get("index", 0))

    def load_from_tag_map(self, tag_map: Dict[str, Dict[str, Any]]) -> None:
        """A rule per tag: [{"TAG": tag}] -> its attributes; keys that are not attributes are
        morphological features, which become its MORPH unless it gives one."""
        for tag, attrs in tag_map.items():
            self.add([[{"TAG": tag}]], _with_features(attrs))

    def load_from_morph_rules(self, morph_rules: Dict[str, Dict[str, Dict[str, Any]]]) -> None:
        """A rule per tag and word: [{"ORTH": word, "TAG": tag}] -> its attributes (features
        as in load_from_tag_map)."""
        for tag, words in morph_rules.items():
            for word, attrs in words.items():
                self.add([[{"ORTH": word, "TAG": tag}]], _with_features(attrs))

    @property
    def patterns(self) -> List[dict]:
        """The rules, as added: {"patterns", "attrs", "index"} each (copies)."""
        return copy.deepcopy(self._rules)

    @property
    def labels(self) -> tuple:
        """The attribute values the rules set."""
        return tuple(sorted({value for settings in self._settings for _, value in settings}))

    def __len__(self) -> int:
        return len(self._rules)

    # -- annotation ---------------------------------------------------------------------------------

    def match(self, doc) -> List[tuple]:
        """(rule, start, end) of every match, in the order the rules apply."""
        return sorted({(rule, start, end) for start, end, rule in self._matcher(doc)})

    def __call__(self, doc):
        if self._rules:
            self.set_annotations(doc, self.match(doc))
        return doc

    def set_annotations(self, doc, matches: List[tuple]) -> None:
        for rule, start, end in matches:
            index = self._rules[rule]["index"]
            position = (start if index >= 0 else end) + index
            if not start <= position < end:
                raise ValueError(Errors.E782.format(
                    name=self.name, rule=rule, index=index,
                    words=[t.text for t in doc[start:end]]))
            token = doc[position]
            for prop, value in self._settings[rule]:
                setattr(token, prop, value)

    def score(self, examples, **kwargs) -> Dict:
        return run_scorer(self.scorer, examples, {}, None, kwargs)

    def initialize(self, get_examples: Callable, *, nlp=None, patterns: Optional[Iterable[dict]] = None,
                   tag_map: Optional[dict] = None, morph_rules: Optional[dict] = None):
        """Replace the rules by those given (``patterns`` as for add_patterns, a tag map, morph
        rules); with none of them, keep the rules already added."""
        if patterns is None and tag_map is None and morph_rules is None:
            return
        self.clear()
        if patterns is not None:
            self.add_patterns(patterns)
        if tag_map is not None:
            self.load_from_tag_map(tag_map)
        if morph_rules is not None:
            self.load_from_morph_rules(morph_rules)

    # -- serialization ------------------------------------------------------------------------------

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"patterns": self._rules})

    def from_bytes(self, data: bytes, *, exclude=()) -> "AttributeRuler":
        where = f"the bytes of component {self.name!r}"
        self._load_rules(unpack_state(data, where, self.name), where)
        return self

    def to_disk(self, path, *, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_msgpack(path / PATTERNS_FILE, {"patterns": self._rules})

    def from_disk(self, path, *, exclude=()) -> "AttributeRuler":
        path = Path(path) / PATTERNS_FILE
        self._load_rules(read_state(path, self.name), path)
        return self

    def _load_rules(self, msg, where) -> None:
        if not isinstance(msg, dict) or not isinstance(msg.get("patterns"), list):
            raise ValueError(Errors.E642.format(where=where, name=self.name,
                                                problem="expected a map with a list of patterns"))
        self.clear()
        self.add_patterns(msg["patterns"])


def _with_features(attrs: Dict[str, Any]) -> Dict[str, Any]:
    """spaCy's tables mix attributes and features: the features go into MORPH."""
    out, features = {}, {}
    for key, value in attrs.items():
        name = key.upper().rstrip("_") if isinstance(key, str) else key
        (out if name in SETTABLE else features)[key] = value
    if features and not any(k.upper() == "MORPH" for k in out):
        out["MORPH"] = features
    return out


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
