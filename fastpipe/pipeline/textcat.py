"""textcat (exclusive classes) and textcat_multilabel: scores for labels of whole Docs."""
from itertools import islice
from typing import Any, Callable, Optional

import numpy
from thinc.api import Config, Model

from ..errors import Errors
from ..registry import factory
from ..scorer import check_scorer, run_scorer, textcat_multilabel_score, textcat_score
from .base import TrainablePipe

DEFAULT_TEXTCAT_MODEL = Config().from_str("""
[model]
@architectures = "fastpipe.TextCatEnsemble.v1"
nO = null

[model.tok2vec]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 64
depth = 2
embed_size = 2000
window_size = 1
maxout_pieces = 3
subword_features = true

[model.linear_model]
@architectures = "fastpipe.TextCatBOW.v1"
exclusive_classes = true
ngram_size = 1
no_output_layer = false
""")["model"]

DEFAULT_MULTILABEL_MODEL = Config(DEFAULT_TEXTCAT_MODEL).copy()
DEFAULT_MULTILABEL_MODEL["linear_model"]["exclusive_classes"] = False


@factory("textcat", default_config={"model": DEFAULT_TEXTCAT_MODEL, "threshold": 0.0,
                                    "scorer": {"@scorers": "fastpipe.textcat_scorer.v1"}},
         default_score_weights={"cats_score": 1.0}, assigns=("doc.cats",))
def make_textcat(nlp: Any, name: str, model: Model, threshold: float,
                 scorer: Optional[Callable]) -> "TextCategorizer":
    """Exclusive classes; ``threshold`` is passed to the scorer, which (as spaCy's) predicts
    the highest-scoring label whatever its score."""
    component = TextCategorizer(nlp.vocab, model, name, threshold=threshold, multi_label=False)
    component.scorer = check_scorer(scorer, name)
    return component


@factory("textcat_multilabel", default_config={"model": DEFAULT_MULTILABEL_MODEL, "threshold": 0.5,
                                               "scorer": {"@scorers": "fastpipe.textcat_multilabel_scorer.v1"}},
         default_score_weights={"cats_score": 1.0}, assigns=("doc.cats",))
def make_multilabel_textcat(nlp: Any, name: str, model: Model, threshold: float,
                            scorer: Optional[Callable]) -> "TextCategorizer":
    """Independent labels; the scorer predicts every label whose score is >= ``threshold``."""
    component = TextCategorizer(nlp.vocab, model, name, threshold=threshold, multi_label=True)
    component.scorer = check_scorer(scorer, name)
    return component


class TextCategorizer(TrainablePipe):
    """Scores each label for a whole Doc: softmax over exclusive classes, or independent
    logistic scores when ``multi_label``."""

    outputs_per = "doc"  # one row of label scores per Doc (the sample outputs at initialize)

    def __init__(self, vocab, model: Model, name: str = "textcat", *, threshold: float = 0.0,
                 multi_label: bool = False):
        super().__init__(vocab, model, name, threshold=threshold, multi_label=multi_label)

    def _before_model_load(self):
        if self.labels and self.model.has_dim("nO") is None:
            self.model.set_dim("nO", len(self.labels))

    def _output_width(self):
        return len(self.labels)

    def initialize(self, get_examples, *, nlp=None, labels=None):
        if labels is None:
            found = []
            for eg in get_examples():
                for label in eg.reference.cats:
                    if label not in found:
                        found.append(label)
            labels = found
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError(Errors.E095.format(name=self.name, what="doc.cats"))
        if not self.cfg["multi_label"] and len(self.labels) < 2:
            raise ValueError(Errors.E097.format(name=self.name, labels=list(self.labels)))
        self.initialize_model([eg.predicted for eg in islice(get_examples(), 10)])

    def predict(self, docs):
        if not docs:
            return numpy.zeros((0, len(self.labels)), dtype="f")
        return self.model.predict(docs)

    def set_annotations(self, docs, scores):
        scores = numpy.asarray(scores)
        labels = self.labels
        for doc, row in zip(docs, scores):
            for label, value in zip(labels, row):
                doc.cats[label] = float(value)

    def get_loss(self, examples, scores):
        """Gradient of the scores against the gold cats; a label missing from an example's cats
        is not penalised (for exclusive classes, an example without cats is skipped). The loss
        is the mean squared error over the batch's scores, the number spaCy reports."""
        labels = self.labels
        shape = (len(examples), len(labels))
        everything = [1.0] * len(labels) if not self.cfg["multi_label"] else None
        truth, mask = [], []
        for eg in examples:  # rows built as lists: one array each, not one write per cell
            cats = eg.reference.cats
            truth.append([float(cats.get(label, 0.0)) for label in labels])
            mask.append(everything if cats and everything else [float(label in cats) for label in labels])
        truth = numpy.asarray(truth, dtype="f").reshape(shape)
        mask = numpy.asarray(mask, dtype="f").reshape(shape)
        d_scores = (numpy.asarray(scores) - truth) * mask
        loss = float((d_scores ** 2).mean()) if d_scores.size else 0.0
        return loss, self.model.ops.asarray2f(d_scores)

    def score(self, examples, **kwargs):
        # a TextCategorizer made without a factory scores with the built-in scorer
        default = textcat_multilabel_score if self.cfg["multi_label"] else textcat_score
        return run_scorer(getattr(self, "scorer", default), examples, self.cfg, self.labels, kwargs)
