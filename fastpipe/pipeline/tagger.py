"""tagger: predicts a fine-grained tag (token.tag_) for every token."""
from itertools import islice
from typing import Any

import numpy
from thinc.api import Config, Model

from ..attrs import IDS
from ..errors import Errors
from ..registry import factory
from ..scorer import score_token_attr
from ._annotate import set_token_keys
from .base import TrainablePipe
from .tok2vec import DEFAULT_TOK2VEC_MODEL

DEFAULT_TAGGER_MODEL = Config({"@architectures": "fastpipe.Tagger.v1", "nO": None,
                               "tok2vec": Config(DEFAULT_TOK2VEC_MODEL).copy()})


@factory("tagger", default_config={"model": DEFAULT_TAGGER_MODEL, "overwrite": False,
                                   "label_smoothing": 0.0},
         default_score_weights={"tag_acc": 1.0}, assigns=("token.tag",))
def make_tagger(nlp: Any, name: str, model: Model, overwrite: bool, label_smoothing: float) -> "Tagger":
    return Tagger(nlp.vocab, model, name, overwrite=overwrite, label_smoothing=label_smoothing)


class Tagger(TrainablePipe):
    """Softmax over the tag set on top of a tok2vec."""

    attr = "TAG"

    def __init__(self, vocab, model: Model, name: str = "tagger", *, overwrite: bool = False,
                 label_smoothing: float = 0.0):
        super().__init__(vocab, model, name, overwrite=overwrite, label_smoothing=label_smoothing)
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

    def initialize(self, get_examples, *, nlp=None, labels=None):
        if labels is None:
            found = set()
            for eg in get_examples():
                for value in eg.get_aligned(self.attr, as_string=True):
                    if value:
                        found.add(value)
            labels = sorted(found)
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError(Errors.E095.format(name=self.name, what=f"token {self.attr.lower()}s"))
        if self.model.has_dim("nO") is None:
            self.model.set_dim("nO", len(self.labels))
        docs = [eg.predicted for eg in islice(get_examples(), 10)]
        self.model.initialize(X=docs or None)

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

    def get_loss(self, examples, scores):
        """Categorical cross-entropy; tokens with a missing gold tag contribute nothing."""
        index = self._label_index
        truth = []
        for eg in examples:
            truth.extend(index.get(value, -1) if value else -1 for value in eg.get_aligned(self.attr, as_string=True))
        truth = numpy.asarray(truth, dtype=numpy.int64)
        lengths = [len(s) for s in scores]
        probs = numpy.concatenate([numpy.asarray(s) for s in scores]) if scores else numpy.zeros((0, len(index)), "f")
        d_probs = probs.copy()
        known = truth >= 0
        rows = numpy.nonzero(known)[0]
        smoothing = self.cfg["label_smoothing"]
        if smoothing:
            d_probs[rows] -= smoothing / probs.shape[1]
            d_probs[rows, truth[rows]] -= 1.0 - smoothing
        else:
            d_probs[rows, truth[rows]] -= 1.0
        d_probs[~known] = 0.0
        loss = float(-numpy.log(numpy.clip(probs[rows, truth[rows]], 1e-8, 1.0)).sum())
        splits = numpy.cumsum(lengths)[:-1]
        return loss, [self.model.ops.asarray2f(d) for d in numpy.split(d_probs, splits)]

    def score(self, examples, **kwargs):
        return score_token_attr(examples, "tag")
