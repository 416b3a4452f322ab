# cython: language_level=3
"""The base of fastpipe's transition systems: a table of moves, labels, and the Python and C
entry points the parser model and components call.

C level (all ``nogil``; a state and a gold are plain C++ objects):

- ``new_state(doc)`` -> a ``StateC*`` the caller owns (``del`` it) over the Doc's tokens;
- ``set_valid(is_valid, state)``: ``is_valid[i]`` = 1 for every move allowed in the state;
- ``set_costs(is_valid, costs, state, gold)``: validity, and for every valid move the number of
  gold annotations it makes unreachable (0 = the move keeps the best analysis reachable;
  missing gold costs nothing); costs of invalid moves are 0 and must be ignored;
- ``apply(state, move)``, ``is_final(state)``;
- ``oracle_move(is_valid, costs, state, gold)``: the first valid move of minimal cost.

Moves are numbered in the order the model's output layer uses; adding a label appends moves,
so existing numbers never change.
"""
from libc.stdlib cimport malloc, free
from libcpp.vector cimport vector

import numpy

from ...errors import Errors
from ...strings cimport StringStore
from ...tokens.doc cimport Doc
from ...typedefs cimport attr_t
from ._state cimport StateC, GoldC, TransitionC
from .stateclass cimport StateClass


cdef class Gold:
    """The gold annotation of one example on its predicted tokens, usable without the GIL.
    Build it with ``moves.init_gold(example)``."""

    def __init__(self, example_id=None):
        self.example_id = example_id

    def __len__(self):
        return self.c.length

    @property
    def heads(self):
        """Gold head per token: a position, None for a root, -1 where missing."""
        return [None if h == self.c.length else h for h in self.c.heads]

    @property
    def sent_starts(self):
        """Positions where a gold sentence starts (token 0 aside; where heads are known)."""
        return [i for i, v in enumerate(self.c.sent_starts) if v]

    @property
    def ner_tags(self):
        return list(self.c.ner_tags)

    @property
    def negs(self):
        """(start, end, label key) of the spans known not to be entities (label 0: any)."""
        return [(span.start, span.end, span.label) for span in self.c.negs]


cdef class TransitionSystem:
    """Base class: ``ArcEager`` (dependency parsing) and ``BiluoPushDown`` (entities)."""

    def __init__(self, strings, labels=None):
        if hasattr(strings, "strings"):  # a Vocab
            strings = strings.strings
        if not isinstance(strings, StringStore):
            raise TypeError(Errors.E200.format(type=type(strings).__name__))
        self.strings = strings
        self.cfg = {"labels": []}
        self._init_moves()
        for label in labels or ():
            self.add_label(label)

    def _init_moves(self):
        """Add the unlabelled moves (subclasses)."""

    def __reduce__(self):
        return (_rebuild, (type(self), self.strings, self.to_dict()))

    # -- moves and labels -----------------------------------------------------------------------

    @property
    def n_moves(self):
        return <int>self.c.size()

    @property
    def labels(self):
        return tuple(self.cfg["labels"])

    def move_name(self, int move):
        if not 0 <= move < <int>self.c.size():
            raise IndexError(Errors.E201.format(move=move, n_moves=self.c.size(),
                                                last=<int>self.c.size() - 1))
        name = self.action_names[self.c[move].action]
        if self.c[move].label:
            return f"{name}-{self.strings[self.c[move].label]}"
        return name

    @property
    def move_names(self):
        return [self.move_name(i) for i in range(self.c.size())]

    def move_id(self, name):
        """The number of the move called ``name`` (as move_name writes it)."""
        for i in range(self.c.size()):
            if self.move_name(i) == name:
                return i
        raise KeyError(Errors.E202.format(name=name, known=self.move_names[:12]))

    def _append_move(self, int action, attr_t label):
        cdef TransitionC t
        t.action = action
        t.label = label
        self.c.push_back(t)

    def add_label(self, label):
        """Add the moves of a label; False if it was already known."""
        if not isinstance(label, str) or not label:
            raise ValueError(Errors.E203.format(label=label))
        if label in self.cfg["labels"]:
            return False
        cdef attr_t key = self.strings.add(label)
        self.cfg["labels"].append(label)
        self.label_keys.push_back(key)
        self._add_label_moves(key)
        return True

    def _add_label_moves(self, attr_t key):
        raise NotImplementedError

    cdef int label_index(self, attr_t label) noexcept nogil:
        cdef int i
        for i in range(<int>self.label_keys.size()):
            if self.label_keys[i] == label:
                return i
        return -1

    def get_actions(self, examples, min_freq=1):
        """Label -> count over the examples' gold annotation, keeping labels seen at least
        ``min_freq`` times (the components' ``min_action_freq``)."""
        counts = self.count_labels(examples)
        return {label: n for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                if n >= min_freq}

    def count_labels(self, examples):
        raise NotImplementedError

    def initialize(self, examples, min_freq=1):
        """Add the labels of the examples seen at least ``min_freq`` times; the labels added."""
        return [label for label in self.get_actions(examples, min_freq) if self.add_label(label)]

    def to_dict(self):
        return {key: (list(value) if isinstance(value, (list, tuple)) else value)
                for key, value in self.cfg.items()}

    def from_dict(self, cfg):
        for label in cfg.get("labels", ()):
            self.add_label(label)
        return self

    # -- states ---------------------------------------------------------------------------------

    cdef StateC* new_state(self, Doc doc) except NULL:
        return new StateC(doc.c, doc.length, self.feature_set)

    def init_state(self, Doc doc):
        """A fresh state over the Doc (a StateClass that owns its C state)."""
        return StateClass.take(self.new_state(doc), doc)

    def init_gold(self, example):
        raise NotImplementedError

    cdef int set_valid(self, int* is_valid, const StateC* st) noexcept nogil:
        return 0

    cdef int set_costs(self, int* is_valid, float* costs, const StateC* st,
                       const GoldC* gold) noexcept nogil:
        return 0

    cdef void apply(self, StateC* st, int move) noexcept nogil:
        pass

    cdef bint is_final(self, const StateC* st) noexcept nogil:
        return True

    cdef int oracle_move(self, int* is_valid, float* costs, const StateC* st,
                         const GoldC* gold) noexcept nogil:
        cdef int i, best = -1
        self.set_costs(is_valid, costs, st, gold)
        for i in range(<int>self.c.size()):
            if is_valid[i] and (best == -1 or costs[i] < costs[best]):
                best = i
        return best

    cdef int set_annotations_c(self, const StateC* st, Doc doc) except -1:
        return 0

    # -- Python entry points (tests, debugging, components' Python code) ------------------------

    def _check(self, StateClass state, Gold gold=None):
        if state.c.feature_set != self.feature_set:
            raise ValueError(Errors.E204)
        if gold is not None and gold.c.length != state.c.length:
            raise ValueError(Errors.E205.format(id=gold.example_id, n_gold=gold.c.length,
                                                n_state=state.c.length))

    def valid_moves(self, StateClass state):
        """The numbers of the moves valid in the state."""
        self._check(state)
        cdef vector[int] is_valid = vector[int](max(1, <int>self.c.size()), 0)
        self.set_valid(is_valid.data(), state.c)
        return [i for i in range(self.c.size()) if is_valid[i]]

    def is_valid(self, StateClass state, int move):
        return move in self.valid_moves(state)

    def get_costs(self, StateClass state, Gold gold):
        """(is_valid, costs) arrays over all moves (costs of invalid moves are meaningless)."""
        self._check(state, gold)
        n = max(1, <int>self.c.size())
        is_valid = numpy.zeros(n, dtype=numpy.int32)
        costs = numpy.zeros(n, dtype=numpy.float32)
        cdef int[::1] v = is_valid
        cdef float[::1] c = costs
        self.set_costs(&v[0], &c[0], state.c, &gold.c)
        return is_valid[:self.c.size()], costs[:self.c.size()]

    def apply_move(self, StateClass state, move):
        """Apply a move (its number or name); ValueError if it is not valid in the state."""
        cdef int m = self.move_id(move) if isinstance(move, str) else move
        if m not in self.valid_moves(state):
            raise ValueError(Errors.E206.format(name=self.move_name(m), state=repr(state)))
        self.apply(state.c, m)

    def is_final_state(self, StateClass state):
        self._check(state)
        return bool(self.is_final(state.c))

    def oracle(self, StateClass state, Gold gold):
        """The first valid move of minimal cost, or -1 when the state is final."""
        self._check(state, gold)
        if self.is_final(state.c):
            return -1
        cdef vector[int] is_valid = vector[int](max(1, <int>self.c.size()), 0)
        cdef vector[float] costs = vector[float](max(1, <int>self.c.size()), 0)
        return self.oracle_move(is_valid.data(), costs.data(), state.c, &gold.c)

    def follow_oracle(self, states, golds):
        """Drive every state to its end along oracle moves, without the GIL; the number of
        moves made."""
        cdef vector[StateC*] sts
        cdef vector[const GoldC*] gs
        cdef StateClass state
        cdef Gold gold
        for state, gold in zip(states, golds):
            self._check(state, gold)
            sts.push_back(state.c)
            gs.push_back(&gold.c)
        cdef int n_moves = max(1, <int>self.c.size())
        cdef long steps = 0
        cdef int k, m
        cdef int* is_valid = <int*>malloc(n_moves * sizeof(int))
        cdef float* costs = <float*>malloc(n_moves * sizeof(float))
        if is_valid is NULL or costs is NULL:
            free(is_valid)
            free(costs)
            raise MemoryError()
        with nogil:
            for k in range(<int>sts.size()):
                while not self.is_final(sts[k]):
                    m = self.oracle_move(is_valid, costs, sts[k], gs[k])
                    if m < 0:
                        break
                    self.apply(sts[k], m)
                    steps += 1
        free(is_valid)
        free(costs)
        return steps

    def set_annotations(self, StateClass state, Doc doc=None):
        """Write the state's analysis into its Doc (or ``doc``, which must be the same length)."""
        self._check(state)
        if doc is None:
            doc = state.doc
        if doc.length != state.c.length:
            raise ValueError(Errors.E207.format(n_state=state.c.length, n_doc=doc.length))
        self.set_annotations_c(state.c, doc)


def _rebuild(cls, strings, cfg):
    return cls(strings).from_dict(cfg)
