"""morphologizer: predicts every token's UPOS and morphological features as one label.

A label joins the two, ``POS=NOUN|Case=Nom|Number=Sing`` (the POS first, then the features in
canonical order), and the label set is every such combination the training data has: the
tagger's model and softmax over it, with the tagger's loss (label smoothing included). A
token with a POS and no features has the label ``POS=PUNCT``; one with neither is missing.

Settings, with spaCy's meanings: ``overwrite`` (replace a POS or features already set),
``extend`` (keep a token's existing features and add the predicted ones; with ``overwrite``
the predicted value of a field wins, without it the existing one), ``label_smoothing`` and
``scorer``.
"""
from functools import lru_cache
from itertools import islice
from typing import Any, Callable, Optional

import numpy
from thinc.api import Config, Model

from ..attrs import IDS
from ..errors import Errors
from ..registry import factory
from ..scorer import morphologizer_score
from ..tokens.morphanalysis import (FEATURE_SEP, FIELD_SEP, features_to_string,
                                    parse_features, to_parsed)
from ._annotate import set_token_keys
from .tagger import DEFAULT_TAGGER_MODEL, Tagger

POS_FIELD = "POS"
_POS_PREFIX = POS_FIELD + FIELD_SEP
_MORPH, _POS = IDS["MORPH"], IDS["POS"]


@factory("morphologizer",
         default_config={"model": Config(DEFAULT_TAGGER_MODEL).copy(), "overwrite": True,
                         "extend": False, "label_smoothing": 0.0,
                         "scorer": {"@scorers": "fastpipe.morphologizer_scorer.v1"}},
         default_score_weights={"pos_acc": 0.5, "morph_acc": 0.5, "morph_per_feat": None},
         assigns=("token.morph", "token.pos"))
def make_morphologizer(nlp: Any, name: str, model: Model, overwrite: bool, extend: bool,
                       label_smoothing: float, scorer: Optional[Callable]) -> "Morphologizer":
    return Morphologizer(nlp.vocab, model, name, overwrite=overwrite, extend=extend,
                         label_smoothing=label_smoothing, scorer=scorer)


@lru_cache(maxsize=1 << 14)
def join_label(pos: Optional[str], morph: Optional[str]) -> Optional[str]:
    """The label of a POS and a feature string (either may be None or ""); None when both
    are missing."""
    feats = features_to_string(parse_features(morph)) if morph else ""
    if not pos:
        return feats or None
    return _POS_PREFIX + pos + (FEATURE_SEP + feats if feats else "")


def split_label(label: str):
    """(POS or "", canonical feature string) of a label."""
    if label.startswith(_POS_PREFIX):
        pos, _, feats = label[len(_POS_PREFIX):].partition(FEATURE_SEP)
        return pos, feats
    return "", label


class Morphologizer(Tagger):
    """The tagger over joined POS+features labels; sets ``token.pos`` and ``token.morph``."""

    def __init__(self, vocab, model: Model, name: str = "morphologizer", *,
                 overwrite: bool = True, extend: bool = False, label_smoothing: float = 0.0,
                 scorer: Optional[Callable] = morphologizer_score):
        super().__init__(vocab, model, name, overwrite=overwrite, scorer=scorer,
                         neg_prefix=None, label_smoothing=label_smoothing)
        self.cfg["extend"] = extend
        self._pos_keys = self._morph_keys = numpy.zeros((0,), dtype=numpy.uint64)

    def _sync_labels(self):
        super()._sync_labels()
        strings = self.vocab.strings
        parts = [split_label(label) for label in self.labels]
        self._pos_keys = numpy.asarray([strings.add(p) for p, _ in parts], dtype=numpy.uint64)
        self._morph_keys = numpy.asarray([strings.add(m) for _, m in parts], dtype=numpy.uint64)

    def _gold_labels(self, eg):
        """The label of each predicted token, None where the reference has neither POS nor
        features for it (or no one-to-one token)."""
        pos = eg.get_aligned("POS", as_string=True)
        morphs = eg.get_aligned("MORPH", as_string=True)
        return [join_label(p, m) for p, m in zip(pos, morphs)]

    def initialize(self, get_examples, *, nlp=None, labels=None):
        if labels is None:
            found = set()
            for eg in get_examples():
                found.update(label for label in self._gold_labels(eg) if label)
            labels = sorted(found)
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError(Errors.E095.format(name=self.name,
                                                what="token POS tags or morphological features"))
        self.initialize_model([eg.predicted for eg in islice(get_examples(), 10)])

    def _gold_indices(self, examples):
        """Per predicted token: (the gold label's index or -1, -1); a missing or unknown label
        gives no loss."""
        index = self._label_index
        truth = [index.get(label, -1) if label else -1
                 for eg in examples for label in self._gold_labels(eg)]
        truth = numpy.asarray(truth, dtype=numpy.int64)
        return truth, numpy.full(truth.shape, -1, dtype=numpy.int64)

    def set_annotations(self, docs, scores):
        overwrite = self.cfg["overwrite"]
        extend = self.cfg.get("extend", False)
        for doc, doc_scores in zip(docs, scores):
            if not len(doc):
                continue
            best = numpy.asarray(doc_scores).argmax(axis=1)
            morph_keys = self._morph_keys[best]
            if extend:
                morph_keys = self._extended(doc, morph_keys, overwrite)
            set_token_keys(doc, _MORPH, morph_keys, overwrite or extend)
            set_token_keys(doc, _POS, self._pos_keys[best], overwrite)

    def _extended(self, doc, predicted, overwrite: bool):
        """The predicted features merged into each token's existing ones (the predicted
        value of a field wins with ``overwrite``)."""
        strings = self.vocab.strings
        existing = doc.to_array("MORPH")
        keys = predicted.copy()
        for i in numpy.nonzero(existing)[0]:
            old = dict(parse_features(strings[int(existing[i])]))
            new = dict(parse_features(strings[int(predicted[i])]))
            merged = {**old, **new} if overwrite else {**new, **old}
            keys[i] = strings.add(features_to_string(to_parsed(merged)))
        return keys
