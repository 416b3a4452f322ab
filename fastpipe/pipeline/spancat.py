"""spancat and spancat_singlelabel: labelled, possibly overlapping spans in ``doc.spans[key]``.

A suggester proposes candidate spans (every 1-, 2- and 3-gram by default); the model scores
each for each label (``fastpipe.ml.spancat``). ``spancat`` gives one sigmoid per label and keeps
every (span, label) whose score is >= ``threshold`` (at most ``max_positive`` labels per span);
``spancat_singlelabel`` gives a softmax over the labels and a "no label" class, and keeps each
span whose best class is a label (with ``allow_overlap = false``, only spans that overlap no
better-scoring one). The group written to ``doc.spans[spans_key]`` is a SpanGroup whose
``attrs["scores"]`` holds each kept span's score, in the group's order.

Training: a suggested span that is a gold span of ``doc.spans[spans_key]`` has that label as its
truth; every other suggestion is a negative for every label (for the single-label model: the
"no label" class, its gradient scaled by ``negative_weight``). The gradient is scores - truth,
the cross-entropy gradient of both output layers; the reported loss is its sum of squares, as
spaCy reports. Settings and score names (``spans_{key}_p/r/f``, ``spans_{key}_per_type``)
are spaCy's.
"""
from functools import partial
from itertools import islice
from typing import Any, Callable, Dict, Iterable, List, Optional

import numpy
from thinc.api import Config, Model, Ragged, set_dropout_rate

from ..errors import Errors
from ..ml import spancat as _model  # noqa: F401  (registers the layers the defaults name)
from ..registry import factory, registry
from ..scorer import check_scorer, run_scorer, spancat_score
from ..tokens.span import Span
from ..tokens.span_group import SpanGroup
from .base import SAMPLE_SIZE, TrainablePipe, validate_examples
from .tok2vec import DEFAULT_TOK2VEC_MODEL

DEFAULT_SPANS_KEY = "sc"

DEFAULT_SPANCAT_MODEL = Config({
    "@architectures": "fastpipe.SpanCategorizer.v1",
    "tok2vec": Config(DEFAULT_TOK2VEC_MODEL).copy(),
    "reducer": {"@layers": "fastpipe.mean_max_reducer.v1", "hidden_size": 128},
    "scorer": {"@layers": "fastpipe.LinearLogistic.v1", "nO": None, "nI": None},
})
DEFAULT_SINGLELABEL_MODEL = Config(DEFAULT_SPANCAT_MODEL).copy()
DEFAULT_SINGLELABEL_MODEL["scorer"] = {"@layers": "Softmax.v2"}
DEFAULT_SUGGESTER = {"@misc": "fastpipe.ngram_suggester.v1", "sizes": [1, 2, 3]}
SPAN_SCORE_WEIGHTS = {"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0}


# -- suggesters -----------------------------------------------------------------------------------

def suggest_ngrams(docs: Iterable, *, sizes: List[int], ops=None) -> Ragged:
    """Every span of each length in ``sizes`` (that fits), per doc in the order of ``sizes``
    then of their starts: a Ragged of (start, end) rows, one block per doc."""
    lengths = numpy.asarray([len(doc) for doc in docs], dtype=numpy.int64)
    doc_of = numpy.repeat(numpy.arange(len(lengths)), lengths)
    offsets = numpy.zeros(len(lengths), dtype=numpy.int64)
    numpy.cumsum(lengths[:-1], out=offsets[1:])
    position = numpy.arange(int(lengths.sum()), dtype=numpy.int64) - offsets[doc_of]
    which, starts, ends = [], [], []
    for size in sizes:
        fits = position + size <= lengths[doc_of]
        which.append(doc_of[fits])
        starts.append(position[fits])
        ends.append(position[fits] + size)
    which = numpy.concatenate(which) if which else numpy.zeros(0, dtype=numpy.int64)
    order = numpy.argsort(which, kind="stable")
    data = numpy.empty((len(order), 2), dtype=numpy.int32)
    if len(order):
        data[:, 0] = numpy.concatenate(starts)[order]
        data[:, 1] = numpy.concatenate(ends)[order]
    counts = numpy.bincount(which, minlength=len(lengths)).astype(numpy.int32)
    return Ragged(data, counts)


def suggest_preset(docs: Iterable, *, spans_key: str, ops=None) -> Ragged:
    """The spans already in each doc's ``doc.spans[spans_key]`` (an upstream span_ruler's)."""
    rows, counts = [], []
    for doc in docs:
        group = doc.spans.get(spans_key, ())
        rows.extend((span.start, span.end) for span in group)
        counts.append(len(group))
    data = numpy.asarray(rows, dtype=numpy.int32).reshape(-1, 2)
    return Ragged(data, numpy.asarray(counts, dtype=numpy.int32))


def _check_sizes(sizes) -> List[int]:
    sizes = list(sizes)
    if not sizes or any(type(size) is not int or size < 1 for size in sizes):
        raise ValueError(Errors.E771.format(sizes=sizes))
    return sizes


@registry.misc("fastpipe.ngram_suggester.v1")
def ngram_suggester(sizes: List[int]) -> Callable:
    """Suggest every n-gram of the given lengths."""
    return partial(suggest_ngrams, sizes=_check_sizes(sizes))


@registry.misc("fastpipe.ngram_range_suggester.v1")
def ngram_range_suggester(min_size: int, max_size: int) -> Callable:
    """Suggest every n-gram from ``min_size`` to ``max_size`` tokens long (both included)."""
    return partial(suggest_ngrams, sizes=_check_sizes(range(min_size, max_size + 1)))


@registry.misc("fastpipe.preset_spans_suggester.v1")
def preset_spans_suggester(spans_key: str) -> Callable:
    """Suggest the spans an earlier component put in ``doc.spans[spans_key]``."""
    return partial(suggest_preset, spans_key=spans_key)


# -- factories ------------------------------------------------------------------------------------

@factory("spancat", default_config={"threshold": 0.5, "spans_key": DEFAULT_SPANS_KEY,
                                    "max_positive": None, "model": DEFAULT_SPANCAT_MODEL,
                                    "suggester": DEFAULT_SUGGESTER,
                                    "scorer": {"@scorers": "fastpipe.spancat_scorer.v1"}},
         default_score_weights=SPAN_SCORE_WEIGHTS, assigns=("doc.spans",))
def make_spancat(nlp: Any, name: str, suggester: Callable, model: Model, spans_key: str,
                 scorer: Optional[Callable], threshold: float,
                 max_positive: Optional[int]) -> "SpanCategorizer":
    return SpanCategorizer(nlp.vocab, model, suggester, name, spans_key=spans_key,
                           threshold=threshold, max_positive=max_positive, scorer=scorer)


@factory("spancat_singlelabel",
         default_config={"spans_key": DEFAULT_SPANS_KEY, "model": DEFAULT_SINGLELABEL_MODEL,
                         "negative_weight": 1.0, "suggester": DEFAULT_SUGGESTER,
                         "scorer": {"@scorers": "fastpipe.spancat_scorer.v1"},
                         "allow_overlap": True},
         default_score_weights=SPAN_SCORE_WEIGHTS, assigns=("doc.spans",))
def make_spancat_singlelabel(nlp: Any, name: str, suggester: Callable, model: Model,
                             spans_key: str, negative_weight: float, allow_overlap: bool,
                             scorer: Optional[Callable]) -> "SpanCategorizer":
    return SpanCategorizer(nlp.vocab, model, suggester, name, spans_key=spans_key,
                           single_label=True, negative_weight=negative_weight,
                           allow_overlap=allow_overlap, scorer=scorer)


class SpanCategorizer(TrainablePipe):
    """Labels for the spans a suggester proposes; see the module docstring."""

    def __init__(self, vocab, model: Model, suggester: Callable, name: str = "spancat", *,
                 spans_key: str = DEFAULT_SPANS_KEY, threshold: Optional[float] = 0.5,
                 max_positive: Optional[int] = None, single_label: bool = False,
                 negative_weight: float = 1.0, allow_overlap: bool = True,
                 scorer: Optional[Callable] = spancat_score):
        if not callable(suggester):
            raise TypeError(Errors.E772.format(name=name, type=type(suggester).__name__))
        if max_positive is not None and (type(max_positive) is not int or max_positive < 1):
            raise ValueError(Errors.E773.format(name=name, value=max_positive))
        super().__init__(vocab, model, name, spans_key=spans_key, threshold=threshold,
                         max_positive=max_positive, single_label=bool(single_label),
                         negative_weight=negative_weight, allow_overlap=bool(allow_overlap))
        self.suggester = suggester
        self.scorer = check_scorer(scorer, name)

    @property
    def key(self) -> str:
        return self.cfg["spans_key"]

    def _output_width(self) -> int:
        """One score per label, and one for "no label" in the single-label model."""
        return len(self.labels) + self.cfg["single_label"]

    def _before_model_load(self):
        if self.labels and self.model.has_dim("nO") is None:
            self.model.set_dim("nO", self._output_width())

    # -- initialization ---------------------------------------------------------------------------

    def initialize(self, get_examples, *, nlp=None, labels=None):
        """Labels in the order the examples' ``doc.spans[spans_key]`` first show them (or
        ``labels``); the model is sized on unigram suggestions of a few examples."""
        if labels is None:
            labels = []
            for eg in get_examples():
                for span in eg.reference.spans.get(self.key, ()):
                    if span.label_ not in labels:
                        labels.append(span.label_)
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError(Errors.E095.format(name=self.name, what=f"doc.spans[{self.key!r}]"))
        docs = [eg.predicted for eg in islice(get_examples(), SAMPLE_SIZE)]
        spans = suggest_ngrams(docs, sizes=[1])
        Y = numpy.zeros((len(spans.dataXd), self._output_width()), dtype="f")
        self.model.initialize(X=(docs, spans), Y=Y)

    # -- prediction -------------------------------------------------------------------------------

    def predict(self, docs):
        """(the suggested spans, their scores)."""
        spans = self.suggester(docs, ops=self.model.ops)
        if len(spans.dataXd) == 0:
            return spans, numpy.zeros((0, self._output_width()), dtype="f")
        return spans, numpy.asarray(self.model.predict((docs, spans)))

    def set_annotations(self, docs, spans_scores):
        spans, scores = spans_scores
        data = numpy.asarray(spans.dataXd).reshape(-1, 2)
        start = 0
        make = self._single_label_group if self.cfg["single_label"] else self._multilabel_group
        for doc, n in zip(docs, numpy.asarray(spans.lengths).tolist()):
            doc.spans[self.key] = make(doc, data[start:start + n], scores[start:start + n])
            start += n

    def _multilabel_group(self, doc, indices, scores) -> SpanGroup:
        keep = scores >= self.cfg["threshold"]
        max_positive = self.cfg["max_positive"]
        if max_positive is not None and scores.shape[1] > max_positive:
            ranked = numpy.argsort(-scores, axis=1, kind="stable")[:, max_positive:]
            numpy.put_along_axis(keep, ranked, False, axis=1)
        rows, cols = numpy.nonzero(keep)
        return self._group(doc, indices[rows], cols, scores[rows, cols])

    def _single_label_group(self, doc, indices, scores) -> SpanGroup:
        best = scores.argmax(axis=1) if len(scores) else numpy.zeros(0, dtype=numpy.int64)
        best_scores = scores[numpy.arange(len(best)), best]
        keep = numpy.nonzero(best != len(self.labels))[0]
        if not self.cfg["allow_overlap"]:
            keep = keep[numpy.argsort(-best_scores[keep], kind="stable")]
            taken = numpy.zeros(len(doc), dtype=bool)
            chosen = []
            for row in keep.tolist():
                s, e = indices[row]
                if not taken[s:e].any():
                    taken[s:e] = True
                    chosen.append(row)
            keep = numpy.asarray(chosen, dtype=numpy.int64)
        return self._group(doc, indices[keep], best[keep], best_scores[keep])

    def _group(self, doc, indices, label_ids, scores) -> SpanGroup:
        labels = self.labels
        spans = [Span(doc, int(s), int(e), label=labels[j])
                 for (s, e), j in zip(indices.tolist(), label_ids.tolist())]
        return SpanGroup(spans, name=self.key, attrs={"scores": numpy.asarray(scores, dtype="f")})

    # -- training ---------------------------------------------------------------------------------

    def update(self, examples, *, drop: float = 0.0, sgd=None,
               losses: Optional[Dict[str, float]] = None) -> Dict[str, float]:
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = validate_examples(examples, f"{type(self).__name__}.update")
        docs = [eg.predicted for eg in examples]
        spans = self.suggester(docs, ops=self.model.ops)
        if len(spans.dataXd) == 0:
            return losses
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update((docs, spans))
        loss, d_scores = self.get_loss(examples, (spans, scores))
        backprop(d_scores)
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples, spans_scores):
        spans, scores = spans_scores
        scores = numpy.asarray(scores)
        rows, label_ids = self._gold_rows(examples, spans)
        truth = numpy.zeros_like(scores)
        truth[rows, label_ids] = 1.0
        d_scores = scores - truth
        if self.cfg["single_label"]:
            negative = numpy.ones(len(scores), dtype=bool)
            negative[rows] = False
            d_scores[negative, len(self.labels)] -= 1.0
            weight = self.cfg["negative_weight"]
            if weight != 1.0:
                d_scores[negative] *= weight
        return float((d_scores ** 2).sum()), self.model.ops.asarray2f(d_scores)

    def _gold_rows(self, examples, spans):
        """(row of the suggestion, label index) for every gold span that was suggested. Gold
        spans are matched to the suggestions by their tokens in the predicted Doc (through
        their character offsets when the two Docs' tokens differ)."""
        index = {label: i for i, label in enumerate(self.labels)}
        counts = numpy.asarray(spans.lengths, dtype=numpy.int64)
        data = numpy.asarray(spans.dataXd, dtype=numpy.int64).reshape(-1, 2)
        doc_lengths = numpy.asarray([len(eg.predicted) for eg in examples], dtype=numpy.int64)
        offsets = numpy.zeros(len(examples), dtype=numpy.int64)
        numpy.cumsum(doc_lengths[:-1], out=offsets[1:])
        width = int(doc_lengths.max(initial=0)) + 1
        suggested = (data[:, 0] + numpy.repeat(offsets, counts)) * width + (data[:, 1] - data[:, 0])
        gold_keys, gold_labels = [], []
        for i, eg in enumerate(examples):
            for start, end, label in self._aligned_gold(eg):
                if label in index:
                    gold_keys.append((offsets[i] + start) * width + (end - start))
                    gold_labels.append(index[label])
        if not gold_keys:
            return numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.int64)
        order = numpy.argsort(suggested, kind="stable")
        gold_keys = numpy.asarray(gold_keys, dtype=numpy.int64)
        at = numpy.searchsorted(suggested[order], gold_keys)
        at = numpy.minimum(at, len(order) - 1)
        found = suggested[order][at] == gold_keys
        return order[at[found]], numpy.asarray(gold_labels, dtype=numpy.int64)[found]

    def _aligned_gold(self, eg):
        """(start, end, label) in the predicted Doc's tokens of each gold span."""
        gold = eg.reference.spans.get(self.key, ())
        predicted, reference = eg.predicted, eg.reference
        if (len(predicted) == len(reference) and predicted.text == reference.text
                and numpy.array_equal(predicted.to_array("IDX"), reference.to_array("IDX"))):
            return [(span.start, span.end, span.label_) for span in gold]
        out = []
        for span in gold:
            mapped = predicted.char_span(span.start_char, span.end_char)
            if mapped is not None and len(mapped):
                out.append((mapped.start, mapped.end, span.label_))
        return out

    def score(self, examples, **kwargs):
        return run_scorer(self.scorer, examples, self.cfg, self.labels, kwargs)
