# cython: language_level=3
"""Batch stepping for the transition-based components: every state of a batch advances one
move per call, feature extraction, validity, oracle costs, the loss gradient and the move
choice all in C without the GIL. The Python loop around it makes one model call per step."""
from libc.math cimport exp, log
from libc.stdint cimport int32_t
from libcpp.vector cimport vector
cimport numpy as np
import numpy

from ._parser_internals._state cimport StateC, GoldC
from ._parser_internals.stateclass cimport StateClass
from ._parser_internals.transition_system cimport Gold, TransitionSystem

np.import_array()


cdef class StateBatch:
    """The states of one batch (one per Doc), their row offsets in the batch's concatenated
    token matrix, and (when training) their golds."""
    cdef TransitionSystem moves
    cdef vector[StateC*] states          # borrowed from the StateClass objects in _keep
    cdef vector[const GoldC*] golds      # borrowed from the Gold objects in _keep; may be empty
    cdef vector[int] offsets             # global row of each state's token 0
    cdef vector[int] active              # indices of the states not yet final
    cdef readonly int n_feats            # context slots per state
    cdef list _keep

    def __init__(self, TransitionSystem moves, list states, offsets, int n_feats, golds=None):
        self.moves = moves
        self.n_feats = n_feats
        self._keep = [states, golds]
        cdef StateClass state
        cdef Gold gold
        for state in states:
            self.states.push_back(state.c)
        for offset in offsets:
            self.offsets.push_back(offset)
        if golds is not None:
            for gold in golds:
                self.golds.push_back(&gold.c)
        self._refresh()

    cdef void _refresh(self) noexcept:
        cdef vector[int] still
        cdef int i
        for i in range(<int>self.states.size()):
            if not self.moves.is_final(self.states[i]):
                still.push_back(i)
        self.active = still

    @property
    def n_active(self):
        return self.active.size()

    def features(self):
        """int32 (n_active, n_feats): global token rows of each active state's context slots,
        -1 for empty slots."""
        cdef int n = self.active.size(), k, f, s
        cdef np.ndarray[np.int32_t, ndim=2] ids = numpy.empty((n, self.n_feats), dtype=numpy.int32)
        cdef int32_t* out = <int32_t*>ids.data
        with nogil:
            for k in range(n):
                s = self.active[k]
                self.states[s].set_context_tokens(<int*>&out[k * self.n_feats], self.n_feats)
                for f in range(self.n_feats):
                    if out[k * self.n_feats + f] >= 0:
                        out[k * self.n_feats + f] += self.offsets[s]
        return ids

    def advance(self, float[:, ::1] scores):
        """Apply each active state's best-scoring valid move."""
        cdef int n = self.active.size(), n_moves = self.moves.c.size(), k, m, best
        if scores.shape[0] != n or scores.shape[1] < n_moves:
            raise ValueError(f"scores of shape {tuple(scores.shape)[:2]} for {n} states and {n_moves} moves")
        cdef vector[int] is_valid = vector[int](max(1, n_moves), 0)
        with nogil:
            for k in range(n):
                self.moves.set_valid(is_valid.data(), self.states[self.active[k]])
                best = -1
                for m in range(n_moves):
                    if is_valid[m] and (best == -1 or scores[k, m] > scores[k, best]):
                        best = m
                if best >= 0:
                    self.moves.apply(self.states[self.active[k]], best)
        self._refresh()

    def advance_and_loss(self, float[:, ::1] scores):
        """Training step: the gradient of the loss for the scores, then the model's own best
        valid move is applied (so training visits the states the model will meet).

        The loss is the cross-entropy between the softmax over the valid moves and the
        probability mass on the zero-cost ones (moves the dynamic oracle accepts). Returns
        (d_scores float32 like scores, loss)."""
        if self.golds.size() != self.states.size():
            raise ValueError("advance_and_loss needs golds")
        cdef int n = self.active.size(), n_moves = self.moves.c.size(), k, m, best, s
        if scores.shape[0] != n or scores.shape[1] < n_moves:
            raise ValueError(f"scores of shape {tuple(scores.shape)[:2]} for {n} states and {n_moves} moves")
        cdef np.ndarray[np.float32_t, ndim=2] d_arr = numpy.zeros((n, scores.shape[1]), dtype=numpy.float32)
        cdef float[:, ::1] d = d_arr
        cdef vector[int] is_valid = vector[int](max(1, n_moves), 0)
        cdef vector[float] costs = vector[float](max(1, n_moves), 0)
        cdef double loss = 0.0, top, gold_top, z, gold_z
        cdef bint any_gold
        with nogil:
            for k in range(n):
                s = self.active[k]
                self.moves.set_costs(is_valid.data(), costs.data(), self.states[s], self.golds[s])
                top = -1e30
                gold_top = -1e30
                any_gold = False
                for m in range(n_moves):
                    if is_valid[m]:
                        if scores[k, m] > top:
                            top = scores[k, m]
                        if costs[m] <= 0 and scores[k, m] > gold_top:
                            gold_top = scores[k, m]
                            any_gold = True
                best = -1
                for m in range(n_moves):
                    if is_valid[m] and (best == -1 or scores[k, m] > scores[k, best]):
                        best = m
                if any_gold:
                    z = 0.0
                    gold_z = 0.0
                    for m in range(n_moves):
                        if is_valid[m]:
                            z += exp(scores[k, m] - top)
                            if costs[m] <= 0:
                                gold_z += exp(scores[k, m] - gold_top)
                    for m in range(n_moves):
                        if is_valid[m]:
                            d[k, m] = <float>(exp(scores[k, m] - top) / z)
                            if costs[m] <= 0:
                                d[k, m] -= <float>(exp(scores[k, m] - gold_top) / gold_z)
                    loss += -(gold_top - top) - log(gold_z) + log(z)
                if best >= 0:
                    self.moves.apply(self.states[s], best)
        self._refresh()
        return d_arr, loss


def split_by_oracle(TransitionSystem moves, StateClass state, Gold gold, int max_moves, rng):
    """Start states for training a long document in pieces: the initial state and copies taken
    along the oracle's path, the next one between max_moves // 2 and max_moves moves after the
    last, so that training each for at most max_moves moves covers the whole document."""
    out = [state]
    cdef StateClass current = state.copy()
    cdef int n_moves = max(1, <int>moves.c.size()), k, m, length
    cdef vector[int] is_valid = vector[int](n_moves, 0)
    cdef vector[float] costs = vector[float](n_moves, 0)
    while True:
        length = rng.randint(max(1, max_moves // 2), max(1, max_moves))
        with nogil:
            for k in range(length):
                m = moves.oracle_move(is_valid.data(), costs.data(), current.c, &gold.c)
                if m < 0:
                    break
                moves.apply(current.c, m)
        if moves.is_final(current.c):
            return out
        out.append(current.copy())
