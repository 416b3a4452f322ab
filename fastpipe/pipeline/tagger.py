"""tagger: predicts a fine-grained tag (token.tag_) for every token.

Settings, with spaCy's meanings: ``overwrite`` (replace tags already set), ``neg_prefix``
(a gold tag "!X" says only "not X": the loss lowers X's probability and leaves the other tags
alone; "!X" is never a label itself), ``label_smoothing`` (the target puts 1 - s on the gold tag
and s / (n - 1) on each other one) and ``scorer``.
"""
from itertools import islice
from typing import Any, Callable, Optional

import numpy
from thinc.api import Config, Model

from ..attrs import IDS
from ..errors import Errors
from ..registry import factory
from ..scorer import check_scorer, run_scorer, tagger_score
from ._annotate import set_token_keys
from .base import TrainablePipe
from .tok2vec import DEFAULT_TOK2VEC_MODEL

DEFAULT_TAGGER_MODEL = Config({"@architectures": "fastpipe.Tagger.v1", "nO": None,
                               "tok2vec": Config(DEFAULT_TOK2VEC_MODEL).copy()})


@factory("tagger", default_config={"model": DEFAULT_TAGGER_MODEL, "overwrite": False,
                                   "scorer": {"@scorers": "fastpipe.tagger_scorer.v1"},
                                   "neg_prefix": "!", "label_smoothing": 0.0},
         default_score_weights={"tag_acc": 1.0}, assigns=("token.tag",))
def make_tagger(nlp: Any, name: str, model: Model, overwrite: bool, scorer: Optional[Callable],
                neg_prefix: str, label_smoothing: float) -> "Tagger":
    return Tagger(nlp.vocab, model, name, overwrite=overwrite, scorer=scorer,
                  neg_prefix=neg_prefix, label_smoothing=label_smoothing)


class Tagger(TrainablePipe):
    """Softmax over the tag set on top of a tok2vec."""

    attr = "TAG"

    def __init__(self, vocab, model: Model, name: str = "tagger", *, overwrite: bool = False,
                 scorer: Optional[Callable] = tagger_score, neg_prefix: str = "!",
                 label_smoothing: float = 0.0):
        super().__init__(vocab, model, name, overwrite=overwrite, neg_prefix=neg_prefix,
                         label_smoothing=label_smoothing)
        self.scorer = check_scorer(scorer, name)
        self._label_keys = numpy.zeros((0,), dtype=numpy.uint64)
        self._label_index = {}

    def _sync_labels(self):
        strings = self.vocab.strings
        self._label_keys = numpy.asarray([strings.add(label) for label in self.labels], dtype=numpy.uint64)
        self._label_index = {label: i for i, label in enumerate(self.labels)}

    def add_label(self, label):
        added = super().add_label(label)
        self._sync_labels()
        return added

    def set_state(self, state):
        super().set_state(state)
        self._sync_labels()

    def _before_model_load(self):
        if self.labels and self.model.has_dim("nO") is None:
            self.model.set_dim("nO", len(self.labels))

    def _output_width(self):
        return len(self.labels)

    def initialize(self, get_examples, *, nlp=None, labels=None):
        if labels is None:
            found = set()
            neg_prefix = self.cfg.get("neg_prefix")
            for eg in get_examples():
                for value in eg.get_aligned(self.attr, as_string=True):
                    if value and not (neg_prefix and value.startswith(neg_prefix)):
                        found.add(value)
            labels = sorted(found)
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError(Errors.E095.format(name=self.name, what=f"token {self.attr.lower()}s"))
        self.initialize_model([eg.predicted for eg in islice(get_examples(), 10)])

    def predict(self, docs):
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((len(doc), len(self.labels)), dtype="f") for doc in docs]
        return self.model.predict(docs)

    def set_annotations(self, docs, scores):
        keys = self._label_keys
        attr_id = IDS[self.attr]
        overwrite = self.cfg["overwrite"]
        for doc, doc_scores in zip(docs, scores):
            if len(doc):
                best = numpy.asarray(doc_scores).argmax(axis=1)
                set_token_keys(doc, attr_id, keys[best], overwrite)

    def _gold_indices(self, examples):
        """Per predicted token: (the gold tag's index or -1, the negated tag's index or -1).
        A missing tag, an unknown one and a negated unknown one are (-1, -1): no loss."""
        index = self._label_index
        neg_prefix = self.cfg.get("neg_prefix")
        truth, negated = [], []
        for eg in examples:
            for value in eg.get_aligned(self.attr, as_string=True):
                if value and neg_prefix and value.startswith(neg_prefix):
                    truth.append(-1)
                    negated.append(index.get(value[len(neg_prefix):], -1))
                else:
                    truth.append(index.get(value, -1) if value else -1)
                    negated.append(-1)
        return numpy.asarray(truth, dtype=numpy.int64), numpy.asarray(negated, dtype=numpy.int64)

    def _smoothing(self, n_labels: int) -> float:
        value = self.cfg["label_smoothing"]
        if not value:
            return 0.0
        limit = (n_labels - 1) / n_labels
        if not 0.0 <= value < limit:
            raise ValueError(Errors.E551.format(name=self.name, limit=limit, n=n_labels, value=value))
        return value

    def get_loss(self, examples, scores):
        """Categorical cross-entropy against the (smoothed) gold tags: the gradient is the
        probabilities minus the target; tokens with a missing gold tag contribute nothing. On
        a negated tag ("!X") only X's probability is pushed down (target 0), and the loss adds
        -log(1 - p(X))."""
        truth, negated = self._gold_indices(examples)
        lengths = [len(s) for s in scores]
        n_labels = len(self._label_index)
        probs = numpy.concatenate([numpy.asarray(s) for s in scores]) if scores else numpy.zeros((0, n_labels), "f")
        d_probs = probs.copy()
        rows = numpy.nonzero(truth >= 0)[0]
        smoothing = self._smoothing(probs.shape[1])
        if smoothing:
            off = smoothing / (probs.shape[1] - 1)
            d_probs[rows] -= off
            d_probs[rows, truth[rows]] -= 1.0 - smoothing - off
        else:
            d_probs[rows, truth[rows]] -= 1.0
        neg_rows = numpy.nonzero(negated >= 0)[0]
        d_probs[truth < 0] = 0.0
        d_probs[neg_rows, negated[neg_rows]] = probs[neg_rows, negated[neg_rows]]
        loss = float(-numpy.log(numpy.clip(probs[rows, truth[rows]], 1e-8, 1.0)).sum())
        loss += float(-numpy.log(numpy.clip(1.0 - probs[neg_rows, negated[neg_rows]], 1e-8, 1.0)).sum())
        splits = numpy.cumsum(lengths)[:-1]
        return loss, [self.model.ops.asarray2f(d) for d in numpy.split(d_probs, splits)]

    def score(self, examples, **kwargs):
        return run_scorer(self.scorer, examples, self.cfg, self.labels, kwargs)
