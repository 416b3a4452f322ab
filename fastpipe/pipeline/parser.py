"""parser and ner: transition-based components over a batch of states.

Per batch, the model runs the tok2vec once and precomputes its hidden layer for every token;
then each step scores all unfinished states at once (one model call), and a compiled batch
(fastpipe.pipeline._parser_steps) extracts features, checks validity, computes the oracle's
costs and the loss, and applies moves without the GIL. Training follows the model's own best
valid move (dynamic oracle), so it learns to recover from its mistakes.

Settings, with spaCy's meanings: ``update_with_oracle_cut_size``, ``scorer``; the parser's
``min_action_freq`` (a label seen fewer times in the training data is trained and predicted as
the back-off label "dep") and ``learn_tokens`` (not supported: E079); the ner's
``incorrect_spans_key`` (the spans of the reference's ``doc.spans[key]`` are known not to be
entities: training makes predicting them costly, see _parser_internals/ner.pyx).

``beam_parser`` and ``beam_ner`` are the same components with spaCy's beam settings:
``beam_width`` histories kept per document (1 = greedy), ``beam_density`` (candidates less
probable than that share of the beam's best are dropped) and ``beam_update_prob`` (the share of
batches trained with the beam's global update instead of the greedy one); the search and the
update are in _parser_internals/beam.pyx. Any parser or ner decodes with a beam when its
``cfg["beam_width"]`` is above 1, so a greedily trained model can be searched too.
"""
import random
from itertools import islice
from typing import Any, Callable, Optional

import numpy
from thinc.api import Config, Model, set_dropout_rate

from ..errors import Errors
from ..ml.parser_model import resize_output
from ..registry import factory
from ..scorer import check_scorer, ents_score, parser_score, run_scorer
from ._parser_internals.arc_eager import ArcEager
from ._parser_internals.beam import BeamBatch
from ._parser_internals.ner import BiluoPushDown
from ._parser_steps import StateBatch, split_by_oracle
from .base import TrainablePipe, labels_problem, validate_examples
from .tok2vec import DEFAULT_TOK2VEC_MODEL

#: The number spaCy's arc-eager system gives its BREAK move, under which its ``init labels``
#: file lists the labels seen on sentence roots.
SPACY_BREAK_MOVE = "4"


def _default_model(state_type: str) -> Config:
    return Config({"@architectures": "fastpipe.TransitionBasedParser.v1", "state_type": state_type,
                   "extra_state_tokens": False, "hidden_width": 64, "maxout_pieces": 2,
                   "use_upper": True, "nO": None, "tok2vec": Config(DEFAULT_TOK2VEC_MODEL).copy()})


DEFAULT_PARSER_MODEL = _default_model("parser")
DEFAULT_NER_MODEL = _default_model("ner")


PARSER_SETTINGS = {"moves": None, "update_with_oracle_cut_size": 100, "learn_tokens": False,
                   "min_action_freq": 30}
PARSER_WEIGHTS = {"dep_uas": 0.5, "dep_las": 0.5, "dep_las_per_type": None, "sents_p": None,
                  "sents_r": None, "sents_f": 0.0}
PARSER_ASSIGNS = ("token.dep", "token.head", "token.is_sent_start", "doc.sents")
NER_WEIGHTS = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None}
NER_ASSIGNS = ("doc.ents", "token.ent_iob", "token.ent_type")


@factory("parser", default_config={"model": DEFAULT_PARSER_MODEL, **PARSER_SETTINGS,
                                   "scorer": {"@scorers": "fastpipe.parser_scorer.v1"}},
         default_score_weights=PARSER_WEIGHTS, assigns=PARSER_ASSIGNS)
def make_parser(nlp: Any, name: str, model: Model, moves: Optional[ArcEager],
                update_with_oracle_cut_size: int, learn_tokens: bool, min_action_freq: int,
                scorer: Optional[Callable]) -> "TransitionParser":
    if learn_tokens:
        raise ValueError(Errors.E079)
    return TransitionParser(nlp.vocab, model, name, moves=moves or ArcEager(nlp.vocab.strings),
                            min_action_freq=min_action_freq,
                            update_with_oracle_cut_size=update_with_oracle_cut_size, scorer=scorer)


@factory("ner", default_config={"model": DEFAULT_NER_MODEL, "moves": None,
                                "update_with_oracle_cut_size": 100, "incorrect_spans_key": None,
                                "scorer": {"@scorers": "fastpipe.ner_scorer.v1"}},
         default_score_weights=NER_WEIGHTS, assigns=NER_ASSIGNS)
def make_ner(nlp: Any, name: str, model: Model, moves: Optional[BiluoPushDown],
             update_with_oracle_cut_size: int, incorrect_spans_key: Optional[str],
             scorer: Optional[Callable]) -> "TransitionParser":
    return TransitionParser(nlp.vocab, model, name, moves=moves or BiluoPushDown(nlp.vocab.strings),
                            min_action_freq=1,
                            update_with_oracle_cut_size=update_with_oracle_cut_size,
                            incorrect_spans_key=incorrect_spans_key, scorer=scorer)


@factory("beam_parser", default_config={"model": DEFAULT_PARSER_MODEL, **PARSER_SETTINGS,
                                        "beam_width": 8, "beam_density": 0.0001,
                                        "beam_update_prob": 0.5,
                                        "scorer": {"@scorers": "fastpipe.parser_scorer.v1"}},
         default_score_weights=PARSER_WEIGHTS, assigns=PARSER_ASSIGNS)
def make_beam_parser(nlp: Any, name: str, model: Model, moves: Optional[ArcEager],
                     update_with_oracle_cut_size: int, learn_tokens: bool, min_action_freq: int,
                     beam_width: int, beam_density: float, beam_update_prob: float,
                     scorer: Optional[Callable]) -> "TransitionParser":
    if learn_tokens:
        raise ValueError(Errors.E079)
    return TransitionParser(nlp.vocab, model, name, moves=moves or ArcEager(nlp.vocab.strings),
                            min_action_freq=min_action_freq,
                            update_with_oracle_cut_size=update_with_oracle_cut_size,
                            beam_width=beam_width, beam_density=beam_density,
                            beam_update_prob=beam_update_prob, scorer=scorer)


@factory("beam_ner", default_config={"model": DEFAULT_NER_MODEL, "moves": None,
                                     "update_with_oracle_cut_size": 100, "beam_density": 0.01,
                                     "beam_update_prob": 0.5, "beam_width": 32,
                                     "incorrect_spans_key": None,
                                     "scorer": {"@scorers": "fastpipe.ner_scorer.v1"}},
         default_score_weights=NER_WEIGHTS, assigns=NER_ASSIGNS)
def make_beam_ner(nlp: Any, name: str, model: Model, moves: Optional[BiluoPushDown],
                  update_with_oracle_cut_size: int, beam_width: int, beam_density: float,
                  beam_update_prob: float, incorrect_spans_key: Optional[str],
                  scorer: Optional[Callable]) -> "TransitionParser":
    return TransitionParser(nlp.vocab, model, name, moves=moves or BiluoPushDown(nlp.vocab.strings),
                            min_action_freq=1,
                            update_with_oracle_cut_size=update_with_oracle_cut_size,
                            beam_width=beam_width, beam_density=beam_density,
                            beam_update_prob=beam_update_prob,
                            incorrect_spans_key=incorrect_spans_key, scorer=scorer)


class TransitionParser(TrainablePipe):
    """A transition-based parser or entity recognizer (the moves decide which), greedy or with
    a beam (beam_width > 1).

    update_with_oracle_cut_size: in training, a document needing more moves than this is cut
    into pieces along the oracle's path, and each piece is trained for at most that many
    moves; batches of long documents then take fewer, fuller steps (0 = never cut).
    beam_width, beam_density, beam_update_prob: see the module docstring."""

    def __init__(self, vocab, model: Model, name: str, *, moves, min_action_freq: int = 1,
                 update_with_oracle_cut_size: int = 100, beam_width: int = 1,
                 beam_density: float = 0.0, beam_update_prob: float = 0.0,
                 incorrect_spans_key: Optional[str] = None, scorer: Any = "default"):
        if update_with_oracle_cut_size < 0:
            raise ValueError(Errors.E078.format(name=name, value=update_with_oracle_cut_size))
        where = f"Component {name!r}"
        if isinstance(beam_width, bool) or not isinstance(beam_width, int) or beam_width < 1:
            raise ValueError(Errors.E860.format(name=where, value=beam_width))
        if not 0.0 <= beam_density < 1.0:
            raise ValueError(Errors.E861.format(name=where, value=beam_density))
        if not 0.0 <= beam_update_prob <= 1.0:
            raise ValueError(Errors.E863.format(name=name, value=beam_update_prob))
        super().__init__(vocab, model, name, min_action_freq=min_action_freq,
                         update_with_oracle_cut_size=update_with_oracle_cut_size,
                         beam_width=beam_width, beam_density=beam_density,
                         beam_update_prob=beam_update_prob)
        self.moves = moves
        self.is_ner = isinstance(moves, BiluoPushDown)
        if self.is_ner:
            self.cfg["incorrect_spans_key"] = incorrect_spans_key
        if scorer == "default":
            scorer = ents_score if self.is_ner else parser_score
        self.scorer = check_scorer(scorer, name)

    @property
    def labels(self):
        return tuple(self.moves.labels)

    @property
    def label_data(self):
        """The labels as spaCy's ``init labels`` writes them, move number -> {label: count},
        which ``initialize(labels=)`` reads back with the parser's root labels (its BREAK
        labels). Counts are not kept after initialization: they are 0."""
        labels = dict.fromkeys(self.labels, 0)
        if self.is_ner:  # spaCy's moves: 0 MISSING, 1 BEGIN, 2 IN, 3 LAST, 4 UNIT, 5 OUT
            return {"0": {}, "1": dict(labels), "2": dict(labels), "3": dict(labels),
                    "4": {**labels, "": 0}, "5": {"": 0}}
        # spaCy's moves: 0 SHIFT, 1 REDUCE, 2 LEFT, 3 RIGHT, 4 BREAK
        roots = dict.fromkeys(self.moves.cfg.get("root_labels", ()), 0)
        return {"0": {"": 0}, "1": {"": 0}, "2": dict(labels), "3": dict(labels),
                SPACY_BREAK_MOVE: {"": 0, **roots}}

    def add_label(self, label):
        before = self.moves.n_moves
        self.moves.add_label(label)
        if self.moves.n_moves != before and self._model_ready():
            resize_output(self.model, self.moves.n_moves)
        return int(self.moves.n_moves != before)

    def _model_ready(self) -> bool:
        return self.model.has_dim("nO") is True

    # -- initialization -----------------------------------------------------------------------

    def _has_gold(self, eg) -> bool:
        if self.is_ner:
            neg_key = self.cfg.get("incorrect_spans_key")
            return (eg.reference.has_annotation("ENT_IOB")
                    or bool(neg_key is not None and eg.reference.spans.get(neg_key)))
        return eg.reference.has_annotation("DEP")

    def _init_gold(self, eg):
        if self.is_ner:
            return self.moves.init_gold(eg, neg_key=self.cfg.get("incorrect_spans_key"))
        return self.moves.init_gold(eg)

    def initialize(self, get_examples, *, nlp=None, labels=None):
        examples = [eg for eg in get_examples() if self._has_gold(eg)]
        if labels is not None:
            for label, root in self._given_labels(labels):
                if root:
                    self.moves.add_label(label, root=True)
                else:
                    self.moves.add_label(label)
        else:
            if not examples:
                what = "entities" if self.is_ner else "dependency parses"
                raise ValueError(Errors.E095.format(name=self.name, what=what))
            self.moves.initialize(examples, min_freq=self.cfg["min_action_freq"])
        resize_output(self.model, self.moves.n_moves)
        docs = [eg.predicted for eg in islice(examples, 10)]
        self.model.initialize(X=docs or None)

    def _given_labels(self, labels):
        """(label, is a root label) pairs of initialize's ``labels``: a list of labels
        (fastpipe's ``init labels``) or the dict spaCy's ``init labels`` writes, move number ->
        {label: count}, taken most frequent first; there the parser's BREAK labels are its root
        labels, and the empty label of label-less moves is skipped."""
        if not isinstance(labels, dict):
            return [(label, False) for label in labels]
        counts, roots = {}, set()
        for move, per_label in labels.items():
            if not isinstance(per_label, dict) or not all(
                    isinstance(n, int) and not isinstance(n, bool) for n in per_label.values()):
                raise ValueError(Errors.E760.format(name=self.name, move=move,
                                                    value=per_label))
            for label, n in per_label.items():
                if label:
                    counts[label] = counts.get(label, 0) + n
                    if str(move) == SPACY_BREAK_MOVE and not self.is_ner:
                        roots.add(label)
        ordered = sorted(counts, key=lambda label: (-counts[label], label))
        return [(label, label in roots) for label in ordered]

    # -- prediction -----------------------------------------------------------------------------

    def predict(self, docs):
        states = [self.moves.init_state(doc) for doc in docs]
        if not any(len(doc) for doc in docs):
            return states
        step = self.model.predict(docs)
        offsets = step.get_doc_offsets()[:-1]
        if self.cfg.get("beam_width", 1) > 1:
            return self._beam_predict(step, states, offsets)
        batch = StateBatch(self.moves, states, offsets, self.model.attrs["n_feats"])
        while batch.n_active:
            scores = step.predict_reusing(batch.features())
            batch.advance(numpy.ascontiguousarray(scores, dtype=numpy.float32))
        return states

    def _beam_batch(self, states, offsets, golds=None):
        return BeamBatch(self.moves, states, offsets, self.model.attrs["n_feats"],
                         self.cfg["beam_width"], self.cfg.get("beam_density", 0.0), golds)

    def _beam_predict(self, step, states, offsets):
        """The best final state of every doc's beam (beam search, see beam.pyx)."""
        batch = self._beam_batch(states, offsets)
        while batch.n_active:
            scores = step.predict_reusing(batch.features())
            batch.advance(numpy.ascontiguousarray(scores, dtype=numpy.float32))
        return batch.best_states()

    def set_annotations(self, docs, states):
        for doc, state in zip(docs, states):
            self.moves.set_annotations(state, doc)

    # -- training -------------------------------------------------------------------------------

    def update(self, examples, *, drop: float = 0.0, sgd=None, losses=None):
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = [eg for eg in validate_examples(examples, f"{self.name}.update")
                    if self._has_gold(eg) and len(eg.predicted)]
        if not examples:
            return losses
        docs = [eg.predicted for eg in examples]
        set_dropout_rate(self.model, drop)
        step, finish = self.model.begin_update(docs)
        doc_offsets = step.get_doc_offsets()
        cut = self.cfg["update_with_oracle_cut_size"]
        states, golds, offsets = [], [], []
        for i, eg in enumerate(examples):
            gold = self._init_gold(eg)
            state = self.moves.init_state(eg.predicted)
            pieces = [state]
            if cut and 2 * len(eg.predicted) > cut:
                pieces = split_by_oracle(self.moves, state, gold, cut, random)
            states.extend(pieces)
            golds.extend([gold] * len(pieces))
            offsets.extend([int(doc_offsets[i])] * len(pieces))
        if (self.cfg.get("beam_width", 1) > 1
                and random.random() < self.cfg.get("beam_update_prob", 0.0)):
            total = self._beam_update(step, states, offsets, golds, cut)
        else:
            total = self._greedy_update(step, states, offsets, golds, cut)
        finish()
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += total
        return losses

    def _greedy_update(self, step, states, offsets, golds, cut):
        """Follow the model's best valid moves, learning the oracle's at every step."""
        batch = StateBatch(self.moves, states, offsets, self.model.attrs["n_feats"], golds)
        total = 0.0
        n_steps = 0
        while batch.n_active and (not cut or n_steps < cut):
            n_steps += 1
            scores, backprop_step = step.begin_update(batch.features())
            d_scores, loss = batch.advance_and_loss(numpy.ascontiguousarray(scores, dtype=numpy.float32))
            backprop_step(d_scores)
            total += loss
        return total

    def _beam_update(self, step, states, offsets, golds, cut):
        """Search with the beam and a gold-only beam, then one global max-violation update
        (beam.pyx); the steps' gradients wait until the search ends."""
        batch = self._beam_batch(states, offsets, golds)
        backprops = []
        while batch.n_active and (not cut or len(backprops) < cut):
            scores, backprop_step = step.begin_update(batch.features())
            batch.advance(numpy.ascontiguousarray(scores, dtype=numpy.float32))
            backprops.append(backprop_step)
        d_steps, loss = batch.gradients()
        for backprop_step, d_scores in zip(backprops, d_steps):
            backprop_step(d_scores)
        return loss

    def get_loss(self, examples, scores):
        raise NotImplementedError(Errors.E280.format(name=self.name))

    # -- scores and serialization ---------------------------------------------------------------

    def score(self, examples, **kwargs):
        return run_scorer(self.scorer, examples, self.cfg, self.labels, kwargs)

    def get_state(self):
        return {"cfg": self.cfg, "moves": self.moves.to_dict()}

    def set_state(self, state):
        self.cfg = dict(state.get("cfg", self.cfg))
        if "moves" in state:
            self.moves.from_dict(state["moves"])
        for label in self.moves.labels:
            self.vocab.strings.add(label)

    def state_problem(self, state):
        problem = super().state_problem(state)
        moves = state.get("moves", {}) if problem is None else {}
        if problem is None and not isinstance(moves, dict):
            problem = f"its 'moves' are {type(moves).__name__}, not a map"
        if problem is None:
            problem = labels_problem(moves.get("labels", []), "move labels")
        if problem is None:
            problem = labels_problem(moves.get("root_labels", []), "root labels")
        if problem is None:
            labels, after = moves.get("labels", []), moves.get("break_after", [])
            if any(root not in labels for root in moves.get("root_labels", [])):
                problem = "a root label is not one of its move labels"
            elif not isinstance(after, list) or any(
                    not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= len(labels)
                    for n in after):
                problem = "its 'break_after' is not a list of positions among its labels"
        return problem

    def _before_model_load(self):
        if self.moves.n_moves and not self._model_ready():
            resize_output(self.model, self.moves.n_moves)

    def _output_width(self):
        return self.moves.n_moves
