"""trainable_lemmatizer: predicts each token's lemma as the edit tree that rewrites its form.

Every training pair (form, lemma) gives an edit tree (``_edit_tree``: "walked" -> "walk" and
"jumped" -> "jump" share one), and the trees seen at least ``min_tree_freq`` times are the
labels: the tagger's model and loss pick one per token (a token whose tree is not a label, or
whose lemma is missing, gives no loss). A label is the tree's canonical text, so the labels
saved with the component are its trees. Predicting, the ``top_k`` best trees are tried in
order and the first that fits the form makes the lemma; when none fits, ``backoff`` gives it
("orth": the form itself, "lower": the lower-cased form, None: the lemma is left as it is).
Settings, with spaCy's meanings: ``backoff``, ``min_tree_freq``, ``overwrite`` (replace lemmas
already set), ``top_k`` and ``scorer``.
"""
import json
from collections import Counter
from itertools import islice
from typing import Any, Callable, Optional

import numpy
from thinc.api import Config, Model

from ..attrs import IDS
from ..errors import Errors
from ..registry import factory
from ..scorer import lemmatizer_score
from ._annotate import set_token_keys
from ._edit_tree import EditTrees
from .base import TrainablePipe
from .tagger import DEFAULT_TAGGER_MODEL, Tagger

BACKOFFS = ("orth", "lower", None)
#: How spaCy's saved trees write "no subtree".
_SPACY_NO_TREE = 2 ** 32 - 1
_LEMMA = IDS["LEMMA"]


@factory("trainable_lemmatizer",
         default_config={"model": Config(DEFAULT_TAGGER_MODEL).copy(), "backoff": "orth",
                         "min_tree_freq": 3, "overwrite": False, "top_k": 1,
                         "scorer": {"@scorers": "fastpipe.lemmatizer_scorer.v1"}},
         default_score_weights={"lemma_acc": 1.0}, assigns=("token.lemma",))
def make_trainable_lemmatizer(nlp: Any, name: str, model: Model, backoff: Optional[str],
                              min_tree_freq: int, overwrite: bool, top_k: int,
                              scorer: Optional[Callable]) -> "EditTreeLemmatizer":
    return EditTreeLemmatizer(nlp.vocab, model, name, backoff=backoff,
                              min_tree_freq=min_tree_freq, overwrite=overwrite, top_k=top_k,
                              scorer=scorer)


def _check_count(name: str, setting: str, value) -> int:
    if type(value) is not int or value < 1:
        raise ValueError(Errors.E741.format(name=name, setting=setting, value=value))
    return value


class EditTreeLemmatizer(Tagger):
    """The tagger over edit trees; sets ``token.lemma``."""

    def __init__(self, vocab, model: Model, name: str = "trainable_lemmatizer", *,
                 backoff: Optional[str] = "orth", min_tree_freq: int = 3,
                 overwrite: bool = False, top_k: int = 1,
                 scorer: Optional[Callable] = lemmatizer_score):
        if backoff not in BACKOFFS:
            raise ValueError(Errors.E740.format(name=name, value=backoff))
        self.trees = EditTrees()
        self._label_trees = numpy.zeros((0,), dtype=numpy.int32)
        super().__init__(vocab, model, name, overwrite=overwrite, scorer=scorer,
                         neg_prefix=None, label_smoothing=0.0)
        self.cfg.update(backoff=backoff, min_tree_freq=_check_count(name, "min_tree_freq", min_tree_freq),
                        top_k=_check_count(name, "top_k", top_k))

    # -- labels: the trees ----------------------------------------------------------------------

    def _tree_of(self, label: str) -> int:
        try:
            return self.trees.from_str(label)
        except ValueError as err:
            raise ValueError(Errors.E742.format(name=self.name, label=label, why=err)) from None

    def _sync_labels(self):
        self._label_trees = numpy.asarray([self._tree_of(label) for label in self.labels],
                                          dtype=numpy.int32)
        self._label_index = {label: i for i, label in enumerate(self.labels)}

    def add_label(self, label):
        if isinstance(label, str):
            self._tree_of(label)
        return super().add_label(label)

    def state_problem(self, state):
        problem = super().state_problem(state)
        if problem is None:
            trees = EditTrees()
            for label in state.get("cfg", {}).get("labels", []):
                try:
                    trees.from_str(label)
                except ValueError as err:
                    return f"its label {label!r} is not an edit tree ({err})"
        return problem

    def initialize(self, get_examples, *, nlp=None, labels=None):
        """The labels: the trees of the training lemmas seen ``min_tree_freq`` times or more
        (most frequent first), or ``labels``: tree texts, as ``fastpipe init labels`` saves
        them, or the map spaCy's ``init labels`` saves (``_labels_from_spacy``)."""
        if labels is None:
            labels = self._labels_from(get_examples)
        elif isinstance(labels, dict):
            labels = self._labels_from_spacy(labels)
        for label in labels:
            self._tree_of(label)
            TrainablePipe.add_label(self, label)
        self._sync_labels()
        self.initialize_model([eg.predicted for eg in islice(get_examples(), 10)])

    def _labels_from(self, get_examples):
        counts = Counter()
        trees = self.trees
        for eg in get_examples():
            for token in eg.reference:
                lemma = token.lemma_
                if lemma:
                    counts[trees.add(token.text, lemma)] += 1
        if not counts:
            raise ValueError(Errors.E095.format(name=self.name, what="token lemmas"))
        min_freq = self.cfg["min_tree_freq"]
        frequent = sorted((-n, trees.to_str(tree)) for tree, n in counts.items() if n >= min_freq)
        if not frequent:
            raise ValueError(Errors.E743.format(name=self.name, n_trees=len(counts),
                                                min_freq=min_freq))
        return [label for _, label in frequent]

    def _labels_from_spacy(self, data: dict) -> list:
        """The tree texts of spaCy's saved labels: {"trees": its node table, "labels": the
        ids of the label trees in it}; a node is {"orig", "subst"} or {"prefix_len",
        "suffix_len", "prefix_tree", "suffix_tree"}, 2**32 - 1 standing for no subtree."""
        nodes = data.get("trees")

        def node(i, below):
            # a subtree was added before its parent: its id is smaller (no cycles)
            if i == _SPACY_NO_TREE:
                return None
            if not isinstance(nodes, list) or type(i) is not int or not 0 <= i < below:
                raise ValueError(Errors.E742.format(name=self.name, label=i,
                                                    why="not a node of the saved trees"))
            found = nodes[i]
            if isinstance(found, dict) and "orig" in found:
                return [found["orig"], found.get("subst")]
            if isinstance(found, dict) and "prefix_len" in found:
                return [found["prefix_len"], found.get("suffix_len"),
                        node(found.get("prefix_tree"), i), node(found.get("suffix_tree"), i)]
            raise ValueError(Errors.E742.format(name=self.name, label=found,
                                                why="neither kind of spaCy tree node"))

        labels = []
        for tree_id in data.get("labels") or ():
            text = json.dumps(node(tree_id, len(nodes) if isinstance(nodes, list) else 0),
                              ensure_ascii=False)
            labels.append(self.trees.to_str(self._tree_of(text)))
        return labels

    # -- training -------------------------------------------------------------------------------

    def _gold_indices(self, examples):
        """Per predicted token: (the label of the tree from its text to its gold lemma, or
        -1 where the lemma is missing or its tree is not a label, -1)."""
        trees = [self.trees.add_doc(eg.predicted, eg.get_aligned("LEMMA", as_string=True))
                 for eg in examples]
        trees = numpy.concatenate(trees) if trees else numpy.zeros((0,), dtype=numpy.int32)
        label_of = numpy.full((len(self.trees) + 1,), -1, dtype=numpy.int64)  # [-1]: no tree
        label_of[self._label_trees] = numpy.arange(len(self._label_trees))
        truth = label_of[trees]
        return truth, numpy.full(truth.shape, -1, dtype=numpy.int64)

    # -- prediction -----------------------------------------------------------------------------

    def set_annotations(self, docs, scores):
        top_k = min(self.cfg["top_k"], len(self.labels))
        backoff = self.cfg["backoff"]
        overwrite = self.cfg["overwrite"]
        for doc, doc_scores in zip(docs, scores):
            if not len(doc):
                continue
            doc_scores = numpy.asarray(doc_scores)
            if top_k == 1:
                best = doc_scores.argmax(axis=1)[:, None]
            else:
                best = numpy.argsort(-doc_scores, axis=1, kind="stable")[:, :top_k]
            ranked = numpy.ascontiguousarray(self._label_trees[best])
            keys = self.trees.lemma_keys(doc, ranked, backoff)
            set_token_keys(doc, _LEMMA, keys, overwrite)
