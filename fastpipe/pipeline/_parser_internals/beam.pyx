# cython: language_level=3
"""Beam search for the transition-based components, over the same C++ states as the greedy
batch (fastpipe.pipeline._parser_steps).

A ``BeamBatch`` keeps up to ``width`` histories (a state and the sum of its moves'
log-probabilities) per document. Each step, the live states of every beam of the batch are
scored by one model call (``features`` gives their context rows, like the greedy batch's);
``advance`` extends each by its valid moves, scored by the log-softmax over the valid moves,
drops the candidates whose probability is below ``density`` times the beam's best, and keeps
the ``width`` best (ties: the earlier parent, then the lower move number, so that a width of 1
makes exactly the greedy parser's choices). A state the top candidates share is copied; its last
child takes it over, so a width of 1 copies nothing. Finished histories stay in the beam with
their score; the batch is done when every history is final, and the best final one is the
analysis.

Training (``golds`` given) runs a second beam per document restricted to the oracle's best moves
(zero cost under the dynamic oracle, or the least cost when none is free), and records each
step's move probabilities. The update is a global, max-violation one (Huang et al. 2012; the
loss is the beam's probabilistic one of Zhou et al. 2015 and Andor et al. 2016): at the step
where the best predicted history leads the best gold one by the most (the last such step; the
end when the gold never falls behind), the loss is -log of the probability mass of the gold
histories among the predicted beam's other histories and the gold beam's. ``gradients`` turns
it into the gradient of every step's scores by following each history back to its start.
"""
from libc.math cimport exp, log, INFINITY
from libcpp.algorithm cimport partial_sort
from libcpp.pair cimport pair
from libcpp.vector cimport vector
cimport numpy as np
import numpy

from ...errors import Errors
from ._state cimport StateC, GoldC
from .stateclass cimport StateClass
from .transition_system cimport Gold, TransitionSystem

np.import_array()


cdef class BeamBatch:
    """``BeamBatch(moves, states, offsets, n_feats, width, density=0.0, golds=None)``: beams
    started from copies of ``states`` (StateClass, one per document or document piece), whose
    token 0 is the global row ``offsets[i]`` of the batch's token matrix."""

    def __init__(self, TransitionSystem moves, list states, offsets, int n_feats, int width,
                 double density=0.0, golds=None):
        if width < 1:
            raise ValueError(Errors.E860.format(name="BeamBatch", value=width))
        if not 0.0 <= density < 1.0:
            raise ValueError(Errors.E861.format(name="BeamBatch", value=density))
        self.moves = moves
        self.n_feats = n_feats
        self.width = width
        self.log_density = log(density) if density > 0 else -INFINITY
        self.training = golds is not None
        self._keep = [states, golds]
        self.n_steps = 0
        offsets = list(offsets)
        cdef StateClass state
        cdef Gold gold
        cdef int i, copies = 2 if self.training else 1
        for i, state in enumerate(states):
            gold = golds[i] if self.training else None
            for _ in range(copies):
                self._start(state.c, offsets[i], &gold.c if gold is not None else NULL)
        if self.training:
            self.worst_gap = vector[double](len(states), -INFINITY)
            self.at_worst.resize(len(states))
            self.gold_at_worst.resize(len(states))
            for i in range(<int>len(states)):
                self._snapshot(i)

    cdef void _start(self, const StateC* state, int offset, const GoldC* gold):
        cdef BeamNode node
        node.parent = -1
        node.step = -1
        node.row = -1
        node.move = -1
        node.score = 0.0
        node.gold = True
        self.nodes.push_back(node)
        cdef BeamEntry entry
        entry.state = new StateC(state[0])
        entry.node = <int>self.nodes.size() - 1
        entry.score = 0.0
        entry.gold = True
        entry.row = -1
        entry.done = self.moves.is_final(entry.state)
        self.beams.push_back(vector[BeamEntry](1, entry))
        self.offsets.push_back(offset)
        if gold is not NULL:
            self.golds.push_back(gold)

    def __dealloc__(self):
        cdef size_t b, e
        for b in range(self.beams.size()):
            for e in range(self.beams[b].size()):
                if self.beams[b][e].state is not NULL:
                    del self.beams[b][e].state
                    self.beams[b][e].state = NULL

    @property
    def n_active(self):
        """The number of live (unfinished) histories over all beams."""
        cdef size_t b, e
        cdef int n = 0
        for b in range(self.beams.size()):
            for e in range(self.beams[b].size()):
                n += not self.beams[b][e].done
        return n

    def features(self):
        """int32 (n_active, n_feats): the global token rows of each live history's context
        slots (-1 for empty slots); the rows of the scores ``advance`` expects, in order."""
        self.live_beam.clear()
        self.live_entry.clear()
        cdef int b, e
        for b in range(<int>self.beams.size()):
            for e in range(<int>self.beams[b].size()):
                if self.beams[b][e].done:
                    self.beams[b][e].row = -1
                else:
                    self.beams[b][e].row = <int>self.live_beam.size()
                    self.live_beam.push_back(b)
                    self.live_entry.push_back(e)
        cdef int n = self.live_beam.size(), k, f
        cdef np.ndarray[np.int32_t, ndim=2] ids = numpy.empty((n, self.n_feats), dtype=numpy.int32)
        cdef int* out = <int*>ids.data
        with nogil:
            for k in range(n):
                b = self.live_beam[k]
                self.beams[b][self.live_entry[k]].state.set_context_tokens(
                    &out[k * self.n_feats], self.n_feats)
                for f in range(self.n_feats):
                    if out[k * self.n_feats + f] >= 0:
                        out[k * self.n_feats + f] += self.offsets[b]
        return ids

    def advance(self, float[:, ::1] scores):
        """Extend every beam by one move from the scores of the rows ``features`` gave."""
        cdef int n = self.live_beam.size(), n_moves = self.moves.c.size()
        if scores.shape[0] != n or scores.shape[1] < n_moves:
            raise ValueError(f"scores of shape {tuple(scores.shape)[:2]} for {n} states and "
                             f"{n_moves} moves")
        cdef int n_cols = scores.shape[1]
        cdef float* probs = NULL
        if self.training:
            self.probs.push_back(vector[float](max(1, n * n_cols), 0.0))
            self.step_cols.push_back(n_cols)
            probs = self.probs.back().data()
        cdef vector[int] is_valid = vector[int](max(1, n_moves), 0)
        cdef vector[float] costs = vector[float](max(1, n_moves), 0)
        cdef vector[pair[double, int]] order
        cdef vector[int] cand_entry, cand_move
        cdef vector[double] cand_score
        cdef vector[bint] cand_gold
        cdef int b
        with nogil:
            for b in range(<int>self.beams.size()):
                self._advance_beam(b, scores, probs, n_cols, is_valid.data(), costs.data(),
                                   order, cand_entry, cand_move, cand_score, cand_gold)
        if self.training:
            for b in range(<int>self.beams.size() // 2):
                self._snapshot(b)
        self.n_steps += 1

    cdef void _advance_beam(self, int b, float[:, ::1] scores, float* probs, int n_cols,
                            int* is_valid, float* costs, vector[pair[double, int]]& order,
                            vector[int]& cand_entry, vector[int]& cand_move,
                            vector[double]& cand_score, vector[bint]& cand_gold) noexcept nogil:
        cdef vector[BeamEntry]* beam = &self.beams[b]
        cdef bint gold_only = self.training and b % 2 == 1
        cdef int n_moves = self.moves.c.size(), e, m, r, k
        cdef double top, z, log_z, best = -INFINITY, base, min_cost, s
        cdef bint node_gold, any_valid, is_gold
        cdef BeamEntry* entry
        cand_entry.clear()
        cand_move.clear()
        cand_score.clear()
        cand_gold.clear()
        for e in range(<int>beam.size()):
            entry = &beam[0][e]
            base = entry.score
            node_gold = entry.gold
            if entry.done:
                _add_candidate(cand_entry, cand_move, cand_score, cand_gold, e, -1, base,
                               node_gold)
                best = max(best, base)
                continue
            r = entry.row
            if self.training:
                self.moves.set_costs(is_valid, costs, entry.state, self.golds[b])
            else:
                self.moves.set_valid(is_valid, entry.state)
            top = -INFINITY
            min_cost = INFINITY
            any_valid = False
            for m in range(n_moves):
                if is_valid[m]:
                    any_valid = True
                    top = max(top, <double>scores[r, m])
                    if self.training:
                        min_cost = min(min_cost, <double>costs[m])
            if not any_valid:  # cannot happen in a sound system; keep the history as it is
                entry.done = True
                _add_candidate(cand_entry, cand_move, cand_score, cand_gold, e, -1, base,
                               node_gold)
                best = max(best, base)
                continue
            # (decoding leaves out of the normalizer the moves below e^-20 of the best: at
            # most 2e-9 each, and most moves of a trained model; training needs them all)
            z = 0.0
            for m in range(n_moves):
                if is_valid[m] and (probs is not NULL or scores[r, m] - top > -20.0):
                    z += exp(scores[r, m] - top)
            log_z = log(z)
            for m in range(n_moves):
                if not is_valid[m]:
                    continue
                if probs is not NULL:
                    probs[r * n_cols + m] = <float>(exp(scores[r, m] - top) / z)
                s = base + (scores[r, m] - top) - log_z
                is_gold = node_gold and self.training and costs[m] <= min_cost
                if gold_only and not is_gold:
                    continue
                _add_candidate(cand_entry, cand_move, cand_score, cand_gold, e, m, s, is_gold)
                best = max(best, s)
        # the best candidates within the density threshold, best first (ties: earlier first)
        order.clear()
        for k in range(<int>cand_score.size()):
            if cand_score[k] >= best + self.log_density:
                order.push_back(pair[double, int](-cand_score[k], k))
        cdef int keep = min(self.width, <int>order.size())
        partial_sort(order.begin(), order.begin() + keep, order.end())
        # states shared by several kept candidates are copied (into the states of the dropped
        # histories, whose vectors keep their memory); the last child takes the original
        cdef vector[int] n_children = vector[int](beam.size(), 0)
        for k in range(keep):
            n_children[cand_entry[order[k].second]] += 1
        cdef vector[StateC*] spare
        for e in range(<int>beam.size()):
            if n_children[e] == 0:
                spare.push_back(beam[0][e].state)
                beam[0][e].state = NULL
        cdef vector[BeamEntry] kept
        cdef BeamEntry child
        cdef BeamNode node
        cdef int c
        for k in range(keep):
            c = order[k].second
            e = cand_entry[c]
            entry = &beam[0][e]
            if cand_move[c] == -1:
                kept.push_back(entry[0])
                entry.state = NULL
                continue
            n_children[e] -= 1
            if n_children[e] == 0:
                child.state = entry.state
                entry.state = NULL
            elif spare.size():
                child.state = spare.back()
                spare.pop_back()
                child.state[0] = entry.state[0]
            else:
                child.state = new StateC(entry.state[0])
            self.moves.apply(child.state, cand_move[c])
            child.score = cand_score[c]
            child.gold = cand_gold[c]
            child.node = -1
            if self.training:  # the histories, for the update
                node.parent = entry.node
                node.step = self.n_steps
                node.row = entry.row
                node.move = cand_move[c]
                node.score = cand_score[c]
                node.gold = cand_gold[c]
                self.nodes.push_back(node)
                child.node = <int>self.nodes.size() - 1
            child.row = -1
            child.done = self.moves.is_final(child.state)
            kept.push_back(child)
        for k in range(<int>spare.size()):
            del spare[k]
        beam.swap(kept)

    cdef void _snapshot(self, int doc):
        """Training: remember both beams of a document when its violation (best predicted
        score minus best gold score) is the largest so far (ties: the later step)."""
        cdef vector[BeamEntry]* pred = &self.beams[2 * doc]
        cdef vector[BeamEntry]* gold = &self.beams[2 * doc + 1]
        cdef double best_pred = -INFINITY, best_gold = -INFINITY
        cdef size_t e
        for e in range(pred.size()):
            best_pred = max(best_pred, pred[0][e].score)
        for e in range(gold.size()):
            best_gold = max(best_gold, gold[0][e].score)
        if gold.size() == 0 or best_pred - best_gold < self.worst_gap[doc]:
            return
        self.worst_gap[doc] = best_pred - best_gold
        self.at_worst[doc].clear()
        self.gold_at_worst[doc].clear()
        for e in range(pred.size()):
            if not pred[0][e].gold:
                self.at_worst[doc].push_back(pred[0][e].node)
        for e in range(gold.size()):
            self.gold_at_worst[doc].push_back(gold[0][e].node)

    def gradients(self):
        """Training: (d_scores, loss): for every step made, float32 (n_rows, n_cols) gradients
        of the loss for that step's scores, and the summed loss of the documents."""
        if not self.training:
            raise ValueError(Errors.E862)
        cdef vector[double] weight = vector[double](self.nodes.size(), 0.0)
        cdef double loss = 0.0, lse_all, lse_gold, top
        cdef size_t doc, k
        cdef int node
        for doc in range(self.at_worst.size()):
            if self.gold_at_worst[doc].size() == 0:
                continue
            top = -INFINITY
            for k in range(self.at_worst[doc].size()):
                top = max(top, self.nodes[self.at_worst[doc][k]].score)
            for k in range(self.gold_at_worst[doc].size()):
                top = max(top, self.nodes[self.gold_at_worst[doc][k]].score)
            lse_all = 0.0
            lse_gold = 0.0
            for k in range(self.at_worst[doc].size()):
                lse_all += exp(self.nodes[self.at_worst[doc][k]].score - top)
            for k in range(self.gold_at_worst[doc].size()):
                lse_gold += exp(self.nodes[self.gold_at_worst[doc][k]].score - top)
            lse_all = log(lse_all + lse_gold) + top
            lse_gold = log(lse_gold) + top
            loss += lse_all - lse_gold
            for k in range(self.at_worst[doc].size()):
                node = self.at_worst[doc][k]
                weight[node] += exp(self.nodes[node].score - lse_all)
            for k in range(self.gold_at_worst[doc].size()):
                node = self.gold_at_worst[doc][k]
                weight[node] += exp(self.nodes[node].score - lse_all) \
                    - exp(self.nodes[node].score - lse_gold)
        out = [numpy.zeros((self.probs[t].size() // self.step_cols[t], self.step_cols[t]),
                           dtype=numpy.float32) for t in range(self.n_steps)]
        cdef float[:, ::1] d
        cdef int n, t, cols
        cdef float* p
        cdef BeamNode* nd
        for n in range(<int>self.nodes.size() - 1, -1, -1):
            nd = &self.nodes[n]
            if weight[n] == 0.0 or nd.parent < 0:
                continue
            weight[nd.parent] += weight[n]
            d = out[nd.step]
            cols = self.step_cols[nd.step]
            p = &self.probs[nd.step][nd.row * cols]
            for t in range(cols):
                d[nd.row, t] -= <float>(weight[n] * p[t])
            d[nd.row, nd.move] += <float>weight[n]
        return out, loss

    def best_states(self):
        """The best final history's state of every document (StateClass objects that own them;
        training: of the predicted beams), taken out of the batch."""
        out = []
        cdef int doc, e, best, copies = 2 if self.training else 1
        cdef vector[BeamEntry]* beam
        cdef StateClass original
        for doc, original in enumerate(self._keep[0]):
            beam = &self.beams[doc * copies]
            best = -1
            for e in range(<int>beam.size()):
                if best == -1 or beam[0][e].score > beam[0][best].score:
                    best = e
            out.append(StateClass.take(beam[0][best].state, original.doc))
            beam[0][best].state = NULL
            beam.erase(beam.begin() + best)
        return out

    def scores(self):
        """The model score (sum of log-probabilities) of every history of every beam, best
        first, one list per document (training: of the predicted beams)."""
        cdef int copies = 2 if self.training else 1
        return [sorted((entry.score for entry in self.beams[b]), reverse=True)
                for b in range(0, <int>self.beams.size(), copies)]


cdef inline void _add_candidate(vector[int]& entries, vector[int]& moves, vector[double]& scores,
                                vector[bint]& golds, int entry, int move, double score,
                                bint gold) noexcept nogil:
    entries.push_back(entry)
    moves.push_back(move)
    scores.push_back(score)
    golds.push_back(gold)
