from libcpp.pair cimport pair
from libcpp.vector cimport vector

from ._state cimport StateC, GoldC
from .transition_system cimport TransitionSystem


cdef struct BeamNode:
    int parent          # the node of the history one move shorter; -1 for a start
    int step            # the batch step whose scores chose the move; -1 for a start
    int row             # the parent state's row in that step's scores
    int move            # the move made; -1 for a start
    double score        # the history's model score: the sum of its moves' log-probabilities
    bint gold           # training: every move so far was one of the oracle's best


cdef struct BeamEntry:
    StateC* state       # owned by the batch (exactly one entry holds each state)
    int node            # the entry's history (training; -1 when decoding)
    double score        # the history's model score
    bint gold           # training: the history is gold-consistent
    int row             # its row in the current step's scores; -1 when it is done
    bint done           # final (or left without a valid move)


cdef class BeamBatch:
    cdef TransitionSystem moves
    cdef readonly int width             # histories kept per beam
    cdef readonly int n_feats           # context slots per state
    cdef double log_density             # prune candidates below best + log(density)
    cdef bint training                  # two beams per document: predicted and gold-only
    cdef vector[vector[BeamEntry]] beams
    cdef vector[int] offsets            # per beam: the global row of its doc's token 0
    cdef vector[const GoldC*] golds     # per beam (training)
    cdef vector[BeamNode] nodes         # training: every history made, parents first
    cdef vector[int] live_beam          # the live entries of the current step, in row order
    cdef vector[int] live_entry
    cdef vector[vector[float]] probs    # training, per step: softmax over the valid moves
    cdef vector[int] step_cols          # training, per step: columns of the scores
    cdef vector[double] worst_gap       # training, per doc: the largest violation so far
    cdef vector[vector[int]] at_worst   # training, per doc: the nodes of both beams then
    cdef vector[vector[int]] gold_at_worst
    cdef int n_steps
    cdef list _keep

    cdef void _start(self, const StateC* state, int offset, const GoldC* gold)
    cdef void _advance_beam(self, int b, float[:, ::1] scores, float* probs, int n_cols,
                            int* is_valid, float* costs, vector[pair[double, int]]& order,
                            vector[int]& cand_entry, vector[int]& cand_move,
                            vector[double]& cand_score, vector[bint]& cand_gold) noexcept nogil
    cdef void _snapshot(self, int doc)
