"""span_finder: unlabelled, possibly overlapping candidate spans in ``doc.spans[spans_key]``.

The model (``fastpipe.ml.span_finder``) gives each token two probabilities: that a span starts
there and that a span ends there. Every pair (start token, end token at or after it, in the same
Doc) whose two probabilities are both >= ``threshold`` and whose length in tokens lies within
[``min_length``, ``max_length``] (null: no bound) becomes a span, in the order of their starts,
then of their ends. A spancat with ``fastpipe.preset_spans_suggester.v1`` on the same key then
labels these candidates instead of every n-gram; name span_finder in ``[training]
annotating_components`` so that spancat trains on its candidates.

Training: the truth of a token is 1 in the start column when a gold span of the reference's
``doc.spans[spans_key]`` starts on it, 1 in the end column when one ends on it (its last token),
0 otherwise; the gradient is scores - truth, the reported loss its sum of squares. The score
names (``spans_{key}_p/r/f``, the spans compared without their labels) and the settings are
spaCy's.
"""
from itertools import islice
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy
from thinc.api import Config, Model

from ..errors import Errors
from ..ml import span_finder as _model  # noqa: F401  (registers the architecture)
from ..ml import spancat as _layers  # noqa: F401  (registers the scorer layer)
from ..ml.span_finder import N_BOUNDARIES
from ..registry import factory
from ..scorer import check_scorer, run_scorer, span_finder_score
from ..tokens.span import Span
from ..tokens.span_group import SpanGroup
from .base import SAMPLE_SIZE, TrainablePipe
from .spancat import DEFAULT_SPANS_KEY, SPAN_SCORE_WEIGHTS
from .tok2vec import DEFAULT_TOK2VEC_MODEL

DEFAULT_SPAN_FINDER_MODEL = Config({
    "@architectures": "fastpipe.SpanFinder.v1",
    "tok2vec": Config(DEFAULT_TOK2VEC_MODEL).copy(),
    "scorer": {"@layers": "fastpipe.LinearLogistic.v1", "nO": N_BOUNDARIES, "nI": None},
})


@factory("span_finder", default_config={"threshold": 0.5, "spans_key": DEFAULT_SPANS_KEY,
                                        "max_length": 25, "min_length": None,
                                        "model": DEFAULT_SPAN_FINDER_MODEL,
                                        "scorer": {"@scorers": "fastpipe.span_finder_scorer.v1"}},
         default_score_weights=SPAN_SCORE_WEIGHTS, assigns=("doc.spans",))
def make_span_finder(nlp: Any, name: str, model: Model, spans_key: str, threshold: float,
                     max_length: Optional[int], min_length: Optional[int],
                     scorer: Optional[Callable]) -> "SpanFinder":
    return SpanFinder(nlp.vocab, model, name, spans_key=spans_key, threshold=threshold,
                      max_length=max_length, min_length=min_length, scorer=scorer)


def _check_length(name: str, setting: str, value) -> Optional[int]:
    if value is not None and (type(value) is not int or value < 1):
        raise ValueError(Errors.E831.format(name=name, setting=setting, value=value))
    return value


def pair_boundaries(scores: numpy.ndarray, doc_lengths: numpy.ndarray, threshold: float,
                    min_length: Optional[int], max_length: Optional[int]
                    ) -> Tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The spans of a batch: (starts, ends, spans per Doc), starts and ends in each Doc's own
    tokens, ordered by Doc, start, end. ``scores`` is the model's (n_tokens, 2) output for
    Docs of ``doc_lengths`` tokens. No loop per token: each start's ends are a run of the
    sorted end tokens, found by two binary searches."""
    doc_lengths = numpy.asarray(doc_lengths, dtype=numpy.int64)
    offsets = numpy.zeros(len(doc_lengths), dtype=numpy.int64)
    numpy.cumsum(doc_lengths[:-1], out=offsets[1:])
    doc_ends = offsets + doc_lengths
    starts = numpy.flatnonzero(scores[:, 0] >= threshold)
    ends = numpy.flatnonzero(scores[:, 1] >= threshold)  # a span's last token
    doc_of = numpy.searchsorted(doc_ends, starts, side="right")
    lowest = starts + ((min_length or 1) - 1)
    highest = doc_ends[doc_of] - 1
    if max_length is not None:
        highest = numpy.minimum(highest, starts + (max_length - 1))
    first = numpy.searchsorted(ends, lowest, side="left")
    counts = numpy.maximum(numpy.searchsorted(ends, highest, side="right") - first, 0)
    total = int(counts.sum())
    run_starts = numpy.zeros(len(counts), dtype=numpy.int64)
    numpy.cumsum(counts[:-1], out=run_starts[1:])
    which = numpy.arange(total, dtype=numpy.int64) + numpy.repeat(first - run_starts, counts)
    span_docs = numpy.repeat(doc_of, counts)
    span_starts = numpy.repeat(starts, counts) - offsets[span_docs]
    span_ends = ends[which] + 1 - offsets[span_docs]
    per_doc = numpy.bincount(doc_of, weights=counts, minlength=len(doc_lengths)).astype(numpy.int64)
    return span_starts, span_ends, per_doc


class SpanFinder(TrainablePipe):
    """Candidate spans from start and end probabilities; see the module docstring."""

    def __init__(self, vocab, model: Model, name: str = "span_finder", *,
                 spans_key: str = DEFAULT_SPANS_KEY, threshold: float = 0.5,
                 max_length: Optional[int] = None, min_length: Optional[int] = None,
                 scorer: Optional[Callable] = span_finder_score):
        if not isinstance(spans_key, str) or not spans_key:
            raise ValueError(Errors.E832.format(name=name, value=spans_key))
        super().__init__(vocab, model, name, spans_key=spans_key, threshold=threshold,
                         max_length=_check_length(name, "max_length", max_length),
                         min_length=_check_length(name, "min_length", min_length))
        self.scorer = check_scorer(scorer, name)

    @property
    def key(self) -> str:
        return self.cfg["spans_key"]

    def _output_width(self) -> int:
        return N_BOUNDARIES

    def initialize(self, get_examples, *, nlp=None, labels=None):
        """The model, on sample Docs; span_finder has no labels to learn."""
        self.initialize_model([eg.predicted for eg in islice(get_examples(), SAMPLE_SIZE)])

    # -- prediction -------------------------------------------------------------------------------

    def predict(self, docs) -> numpy.ndarray:
        """(n_tokens of the batch, 2): each token's start and end probabilities."""
        if not any(len(doc) for doc in docs):
            return numpy.zeros((0, N_BOUNDARIES), dtype="f")
        return numpy.asarray(self.model.predict(docs))

    def set_annotations(self, docs, scores) -> None:
        cfg = self.cfg
        starts, ends, per_doc = pair_boundaries(
            numpy.asarray(scores), [len(doc) for doc in docs], cfg["threshold"],
            cfg["min_length"], cfg["max_length"])
        starts, ends = starts.tolist(), ends.tolist()
        first = 0
        for doc, n in zip(docs, per_doc.tolist()):
            doc.spans[self.key] = SpanGroup(
                [Span(doc, s, e) for s, e in zip(starts[first:first + n], ends[first:first + n])],
                name=self.key)
            first += n

    # -- training ---------------------------------------------------------------------------------

    def get_loss(self, examples, scores):
        scores = numpy.asarray(scores)
        truth = numpy.zeros_like(scores)
        offset = 0
        for eg in examples:
            for start, end in self._aligned_gold(eg):
                truth[offset + start, 0] = 1.0
                truth[offset + end - 1, 1] = 1.0
            offset += len(eg.predicted)
        d_scores = scores - truth
        return float((d_scores ** 2).sum()), self.model.ops.asarray2f(d_scores)

    def _aligned_gold(self, eg) -> List[Tuple[int, int]]:
        """(start, end) in the predicted Doc's tokens of each gold span (through character
        offsets where the two Docs' tokens differ; a span no tokens match is left out)."""
        gold = eg.reference.spans.get(self.key, ())
        predicted, reference = eg.predicted, eg.reference
        if (len(predicted) == len(reference) and predicted.text == reference.text
                and numpy.array_equal(predicted.to_array("IDX"), reference.to_array("IDX"))):
            return [(span.start, span.end) for span in gold]
        out = []
        for span in gold:
            mapped = predicted.char_span(span.start_char, span.end_char)
            if mapped is not None and len(mapped):
                out.append((mapped.start, mapped.end))
        return out

    def score(self, examples, **kwargs) -> Dict:
        return run_scorer(self.scorer, examples, self.cfg, None, kwargs)
