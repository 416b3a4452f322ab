"""senter: a trainable sentence-boundary tagger.

Every token gets one of two labels, "S" (starts a sentence) or "I" (does not), from the
tagger's model and loss; a Doc's first token always starts one. It sets ``is_sent_start``
only, so it can run before a parser (which then parses within its sentences), instead of one,
or frozen in a pipeline that sources it. Settings, with spaCy's meanings: ``overwrite``
(replace boundaries already set) and ``scorer``.
"""
from itertools import islice
from typing import Any, Callable, Optional

import numpy
from thinc.api import Config, Model

from ..errors import Errors
from ..registry import factory
from ..scorer import senter_score
from ._annotate import set_sent_starts
from .tagger import Tagger

#: The labels, in spaCy's order: inside a sentence, sentence start.
LABELS = ("I", "S")

DEFAULT_SENTER_MODEL = Config().from_str("""
[model]
@architectures = "fastpipe.Tagger.v1"
nO = null

[model.tok2vec]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 12
depth = 1
embed_size = 2000
window_size = 1
maxout_pieces = 2
subword_features = true
""")["model"]


@factory("senter", default_config={"model": DEFAULT_SENTER_MODEL, "overwrite": False,
                                   "scorer": {"@scorers": "fastpipe.senter_scorer.v1"}},
         default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
         assigns=("token.is_sent_start",))
def make_senter(nlp: Any, name: str, model: Model, overwrite: bool,
                scorer: Optional[Callable]) -> "SentenceRecognizer":
    return SentenceRecognizer(nlp.vocab, model, name, overwrite=overwrite, scorer=scorer)


class SentenceRecognizer(Tagger):
    """The tagger over the labels "I" and "S"; sets ``token.is_sent_start``."""

    def __init__(self, vocab, model: Model, name: str = "senter", *, overwrite: bool = False,
                 scorer: Optional[Callable] = senter_score):
        super().__init__(vocab, model, name, overwrite=overwrite, scorer=scorer,
                         neg_prefix=None, label_smoothing=0.0)

    def initialize(self, get_examples, *, nlp=None, labels=None):
        """The labels are always "I" and "S"; E095 when no example has a sentence boundary
        to learn from."""
        if not any(eg.reference.has_annotation("SENT_START") for eg in get_examples()):
            raise ValueError(Errors.E095.format(name=self.name, what="sentence boundaries"))
        for label in LABELS:
            self.add_label(label)
        self.initialize_model([eg.predicted for eg in islice(get_examples(), 10)])

    def _gold_indices(self, examples):
        """Per predicted token: (1 for a gold sentence start, 0 for a token inside one, -1
        where the boundary is unknown or the tokens do not align, -1)."""
        start, inside = self._label_index["S"], self._label_index["I"]
        truth = [-1 if value is None else (start if value else inside)
                 for eg in examples for value in eg.get_aligned("SENT_START")]
        truth = numpy.asarray(truth, dtype=numpy.int64)
        return truth, numpy.full(truth.shape, -1, dtype=numpy.int64)

    def set_annotations(self, docs, scores):
        start = self._label_index["S"]
        overwrite = self.cfg["overwrite"]
        for doc, doc_scores in zip(docs, scores):
            if not len(doc):
                continue
            starts = numpy.where(numpy.asarray(doc_scores).argmax(axis=1) == start, 1, -1)
            starts = starts.astype(numpy.int8)
            if not overwrite:
                existing = doc.to_array("SENT_START").astype(numpy.int64).astype(numpy.int8)
                starts = numpy.where(existing != 0, existing, starts).astype(numpy.int8)
            starts[0] = 1
            set_sent_starts(doc, starts)
