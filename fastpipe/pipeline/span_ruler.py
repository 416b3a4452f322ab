"""span_ruler: spans from phrase and token patterns into ``doc.spans[spans_key]``, and
optionally into ``doc.ents``.

The patterns, their checks, files, matching and saving are the entity ruler's (this component
is an EntityRuler that annotates differently; see ``entity_ruler`` for the pattern format). Every
match is kept in the span group, overlapping ones included (a match found by two patterns of
the same label and id once), in document order; a pattern's "id" becomes the span's
``kb_id``. Settings, with spaCy's meanings: ``spans_key`` (null: no span group),
``spans_filter`` (a function of the group's existing spans and the matches that returns the
spans to add), ``annotate_ents`` and ``ents_filter`` (a function of the existing entities and
the matches that returns non-overlapping entities), ``overwrite`` (replace the group, or the
entities, instead of adding to them), ``phrase_matcher_attr``, ``matcher_fuzzy_compare``,
``validate`` and ``scorer``.
"""
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from ..errors import Errors
from ..registry import factory, registry
from ..scorer import run_scorer, spancat_score
from ..tokens.span import Span
from ..tokens.span_group import SpanGroup
from ._matcher import levenshtein_compare
from .entity_ruler import EntityRuler

DEFAULT_SPANS_KEY = "ruler"


# -- filters --------------------------------------------------------------------------------------

def _longest_first(spans: Iterable[Span]) -> List[Span]:
    return sorted(spans, key=lambda s: (s.end - s.start, -s.start), reverse=True)


def first_longest_spans(*groups: Iterable[Span]) -> List[Span]:
    """Of all the spans given, the longest (then the earliest) that overlap none kept before,
    in document order."""
    taken, kept = set(), []
    for span in _longest_first(s for group in groups for s in group):
        if span.start not in taken and span.end - 1 not in taken:
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


def prioritize_new_ents(entities: Iterable[Span], spans: Iterable[Span]) -> List[Span]:
    """The matches (longest first, overlapping none kept before) win: an entity they overlap
    is dropped."""
    entities = list(entities)
    taken, new = set(), []
    for span in _longest_first(spans):
        if taken.isdisjoint(range(span.start, span.end)):
            new.append(span)
            taken.update(range(span.start, span.end))
            entities = [e for e in entities if not (e.start < span.end and span.start < e.end)]
    return entities + new


def prioritize_existing_ents(entities: Iterable[Span], spans: Iterable[Span]) -> List[Span]:
    """The entities stay; a match is added where it overlaps no entity and no longer match."""
    entities = list(entities)
    taken = {i for e in entities for i in range(e.start, e.end)}
    new = []
    for span in _longest_first(spans):
        if taken.isdisjoint(range(span.start, span.end)):
            new.append(span)
            taken.update(range(span.start, span.end))
    return entities + new


@registry.misc("fastpipe.first_longest_spans_filter.v1")
def make_first_longest_spans_filter() -> Callable:
    return first_longest_spans


@registry.misc("fastpipe.prioritize_new_ents_filter.v1")
def make_prioritize_new_ents_filter() -> Callable:
    return prioritize_new_ents


@registry.misc("fastpipe.prioritize_existing_ents_filter.v1")
def make_prioritize_existing_ents_filter() -> Callable:
    return prioritize_existing_ents


@registry.scorers("fastpipe.overlapping_labeled_spans_scorer.v1")
def make_overlapping_labeled_spans_scorer(spans_key: str = DEFAULT_SPANS_KEY) -> Callable:
    """spans_{key}_p/r/f and spans_{key}_per_type of the group ``spans_key``."""
    def score(examples, **kwargs) -> Dict:
        kwargs["spans_key"] = spans_key
        return spancat_score(examples, **kwargs)

    return score


# -- the component ------------------------------------------------------------------------------

@factory("span_ruler",
         default_config={"spans_key": DEFAULT_SPANS_KEY, "spans_filter": None,
                         "annotate_ents": False,
                         "ents_filter": {"@misc": "fastpipe.first_longest_spans_filter.v1"},
                         "phrase_matcher_attr": None,
                         "matcher_fuzzy_compare": {"@misc": "fastpipe.levenshtein_compare.v1"},
                         "validate": False, "overwrite": True,
                         "scorer": {"@scorers": "fastpipe.overlapping_labeled_spans_scorer.v1",
                                    "spans_key": DEFAULT_SPANS_KEY}},
         default_score_weights={f"spans_{DEFAULT_SPANS_KEY}_f": 1.0,
                                f"spans_{DEFAULT_SPANS_KEY}_p": 0.0,
                                f"spans_{DEFAULT_SPANS_KEY}_r": 0.0,
                                f"spans_{DEFAULT_SPANS_KEY}_per_type": None},
         assigns=("doc.spans",))
def make_span_ruler(nlp: Any, name: str, spans_key: Optional[str],
                    spans_filter: Optional[Callable], annotate_ents: bool,
                    ents_filter: Callable, phrase_matcher_attr: Optional[Union[int, str]],
                    matcher_fuzzy_compare: Callable, validate: bool, overwrite: bool,
                    scorer: Optional[Callable]) -> "SpanRuler":
    return SpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter,
                     annotate_ents=annotate_ents, ents_filter=ents_filter,
                     phrase_matcher_attr=phrase_matcher_attr,
                     matcher_fuzzy_compare=matcher_fuzzy_compare, validate=validate,
                     overwrite=overwrite, scorer=scorer)


class SpanRuler(EntityRuler):
    """Matches of the patterns as a span group (and, with ``annotate_ents``, entities)."""

    def __init__(self, nlp, name: str = "span_ruler", *,
                 spans_key: Optional[str] = DEFAULT_SPANS_KEY,
                 spans_filter: Optional[Callable] = None, annotate_ents: bool = False,
                 ents_filter: Callable = first_longest_spans,
                 phrase_matcher_attr: Optional[str] = None,
                 matcher_fuzzy_compare: Callable = levenshtein_compare, validate: bool = False,
                 overwrite: bool = True,
                 scorer: Optional[Callable] = make_overlapping_labeled_spans_scorer(),
                 patterns: Optional[Iterable[dict]] = None):
        for setting, value in (("spans_filter", spans_filter), ("ents_filter", ents_filter)):
            if value is not None and not callable(value):
                raise TypeError(Errors.E774.format(name=name, setting=setting,
                                                   type=type(value).__name__))
        if spans_key is not None and (not isinstance(spans_key, str) or not spans_key):
            raise ValueError(Errors.E775.format(name=name, value=spans_key))
        self.spans_key = spans_key
        self.spans_filter = spans_filter
        self.annotate_ents = bool(annotate_ents)
        self.ents_filter = ents_filter
        super().__init__(nlp, name, phrase_matcher_attr=phrase_matcher_attr,
                         matcher_fuzzy_compare=matcher_fuzzy_compare, validate=validate,
                         overwrite_ents=overwrite, scorer=scorer, patterns=patterns)

    @property
    def key(self) -> Optional[str]:
        return self.spans_key

    @property
    def overwrite(self) -> bool:
        return self.overwrite_ents

    def _where(self, i: int, entry) -> str:
        return super()._where(i, entry).replace("entity_ruler", "span_ruler", 1)

    def match(self, doc) -> List[Span]:
        """Every match as a Span (label, and the pattern's id as kb_id), in document order;
        one Span per distinct (start, end, label, id)."""
        found = {}
        for start, end, index in self._matcher(doc):
            if end > start:
                entry = self._patterns[index]
                found.setdefault((start, end, entry["label"], entry.get("id") or ""), None)
        return [Span(doc, start, end, label=label, kb_id=kb_id)
                for start, end, label, kb_id in sorted(found)]

    def __call__(self, doc):
        self.set_annotations(doc, self.match(doc))
        return doc

    def set_annotations(self, doc, matches: List[Span]) -> None:
        if self.spans_key is not None:
            spans = [] if self.overwrite else list(doc.spans.get(self.spans_key, ()))
            spans.extend(self.spans_filter(spans, matches) if self.spans_filter else matches)
            doc.spans[self.spans_key] = SpanGroup(spans, name=self.spans_key)
        if self.annotate_ents:
            entities = self.ents_filter([] if self.overwrite else list(doc.ents), matches)
            try:
                doc.ents = sorted(entities, key=lambda s: (s.start, s.end))
            except ValueError as err:
                raise ValueError(Errors.E776.format(name=self.name, err=err)) from None

    def score(self, examples, **kwargs) -> Dict:
        # the scorer's own spans_key names the group it scores, as in spaCy
        return run_scorer(self.scorer, examples, {}, self.labels, kwargs)

    # -- saved settings ---------------------------------------------------------------------------

    def get_state(self) -> dict:
        state = super().get_state()
        state.update({"spans_key": self.spans_key, "annotate_ents": self.annotate_ents})
        return state

    def state_problem(self, state):
        problem = super().state_problem(state)
        if problem is None and not isinstance(state.get("spans_key", ""), (str, type(None))):
            problem = f"its spans_key is {state['spans_key']!r}, not a string or null"
        if problem is None and not isinstance(state.get("annotate_ents", False), bool):
            problem = f"its annotate_ents is {state['annotate_ents']!r}, not true or false"
        return problem

    def _load_settings(self, state, where) -> None:
        super()._load_settings(state, where)
        self.spans_key = state.get("spans_key", self.spans_key)
        self.annotate_ents = state.get("annotate_ents", self.annotate_ents)
