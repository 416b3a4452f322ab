"""fastpipe.Adam.v1: thinc's Adam with the same settings and the same arithmetic, done in one
fused pass per parameter (clip, moments, step, weight decay, zeroing the gradient) instead of
several numpy passes and a temporary array per step. Anything the fused pass does not cover
(RAdam, plain SGD, L2 added to the gradient, float64 weights) falls back to thinc's code.

Large tables (a hashed bag-of-words layer has 262,144 rows) are mostly rows that are zero and
have never had a gradient; such a row does not change under Adam, so the pass skips rows until
their first non-zero gradient, keeping a sorted list of the rows that had one. The result is the
same bit for bit, with a fraction of the memory traffic: a step reads the gradient once to find
its non-zero rows and updates the listed rows only."""
import math
from typing import List, Union

import numpy
from thinc.api import Optimizer
from thinc.types import Generator

from ..registry import registry
from ._optim import adam_step, adam_step_rows

#: Tables with at least this many rows are updated row by row, skipping rows still all zero.
SPARSE_MIN_ROWS = 8192

#: The parameter name of the tables that embedding layers look rows up in (thinc's HashEmbed and
#: Embed, fastpipe's MultiHashEmbed and CharacterEmbed): what ``decay_embeddings=False`` spares.
EMBEDDING_PARAM = "E"

FloatOrSeq = Union[float, List[float], Generator]


class _LiveRows:
    """The rows of one table that the row-by-row step updates (see ``adam_step_rows``)."""

    __slots__ = ("mask", "rows", "n_live", "scratch", "address")

    def __init__(self, weights, mom1, mom2):
        self.address = weights.ctypes.data  # new weights (a replaced array) need a new list
        # a row is live once any bit of its weights or moments is set (-0.0 included)
        words = [a.view(numpy.uint32).reshape(weights.shape) for a in (weights, mom1, mom2)]
        self.mask = (words[0] != 0).any(axis=1) | (words[1] != 0).any(axis=1) | (words[2] != 0).any(axis=1)
        self.mask = self.mask.astype(numpy.uint8)
        self.rows = numpy.zeros(weights.shape[0], dtype=numpy.int32)
        live = numpy.flatnonzero(self.mask)
        self.rows[:len(live)] = live
        self.n_live = len(live)
        self.scratch = numpy.zeros(weights.shape[0], dtype=numpy.int32)


class FusedAdam(Optimizer):
    __slots__ = ("live_rows", "decay_embeddings")

    def __init__(self, *args, decay_embeddings: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.live_rows = {}  # key -> _LiveRows, for the tables stepped row by row
        self.decay_embeddings = decay_embeddings

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        if not self._fusable(weights, gradient):
            if self.L2 == 0 or self._decays(key):
                return super().__call__(key, weights, gradient, lr_scale=lr_scale)
            L2, self.L2 = self.L2, 0.0  # thinc's step, without L2 for this table
            try:
                return super().__call__(key, weights, gradient, lr_scale=lr_scale)
            finally:
                self.L2 = L2
        return self._step(key, weights, gradient, lr_scale)

    def _decays(self, key) -> bool:
        """Whether L2 applies to the parameter: always, unless ``decay_embeddings`` is off and
        the key (``(node.id, name)``, a Ray block's name ending in ``#<block>``) names an
        embedding table."""
        if self.decay_embeddings or not (isinstance(key, tuple) and len(key) == 2):
            return True
        return str(key[1]).split("#", 1)[0] != EMBEDDING_PARAM

    def _uses_rows(self, weights, step: float, decay: float) -> bool:
        """Whether the step goes row by row, skipping rows still all zero (``adam_step_rows``):
        for a large table without averages, when a zero row does stay zero (eps > 0, finite
        settings; a dense step with eps 0 would fill zero rows with NaN)."""
        return (weights.ndim == 2 and weights.shape[0] >= SPARSE_MIN_ROWS
                and self.averages is None and self.eps > 0
                and all(math.isfinite(v) for v in (step, decay, self.b1, self.b2, self.eps)))

    def _fusable(self, weights, gradient) -> bool:
        return not (self.use_radam or not (self.b1 >= 0.0 and self.b2 > 0.0)
                    or (self.L2 != 0 and not self.L2_is_weight_decay)
                    or not isinstance(weights, numpy.ndarray) or weights.dtype != numpy.float32
                    or gradient.dtype != numpy.float32
                    or not (weights.flags.c_contiguous and gradient.flags.c_contiguous))

    def _step(self, key, weights, gradient, lr_scale: float):
        if len(gradient) < 1:
            return weights, gradient
        self.nr_update[key] += 1
        nr_upd = self.nr_update[key]
        if key not in self.mom1:
            self.mom1[key] = numpy.zeros(weights.size, dtype="f")
            self.mom2[key] = numpy.zeros(weights.size, dtype="f")
        fix1 = 1.0 - (self.b1 ** nr_upd)
        fix2 = 1.0 - (self.b2 ** nr_upd)
        step = self.learn_rate * fix2 ** 0.5 / fix1 * lr_scale
        decay = lr_scale * self.learn_rate * self.L2 if self.L2 != 0 and self._decays(key) else 0.0
        clip = self.grad_clip or 0.0
        if self._uses_rows(weights, step, decay):
            shape = weights.shape
            mom1, mom2 = self.mom1[key].reshape(shape), self.mom2[key].reshape(shape)
            live = self.live_rows.get(key)
            if live is None or live.address != weights.ctypes.data:
                live = self.live_rows[key] = _LiveRows(weights, mom1, mom2)
            live.n_live = adam_step_rows(weights, gradient, mom1, mom2, live.mask, live.rows,
                                         live.n_live, live.scratch, self.b1, self.b2, self.eps,
                                         step, clip, decay)
            return weights, gradient
        averages = None
        if self.averages is not None:
            if key not in self.averages:
                self.averages[key] = numpy.zeros(weights.shape, dtype="float32")
            averages = self.averages[key]
        # thinc's update_averages, in the same pass: rate 1 - min((1 + t) / (10 + t), 0.9999)
        fused = averages is not None and (averages.dtype == numpy.float32 and
                                          averages.flags.c_contiguous and
                                          averages.size == weights.size)
        average_rate = 1.0 - min((1.0 + nr_upd) / (10.0 + nr_upd), 0.9999)
        adam_step(weights.reshape(-1), gradient.reshape(-1), self.mom1[key], self.mom2[key],
                  self.b1, self.b2, self.eps, step, clip, decay,
                  averages.reshape(-1) if fused else None, average_rate)
        if averages is not None and not fused:   # e.g. averages of another dtype, restored
            from thinc.backends import get_array_ops

            get_array_ops(weights).update_averages(averages, weights, nr_upd)
        return weights, gradient


def step_in_place(optimizer, key, weights, gradient) -> None:
    """One step of any thinc-style optimizer that leaves the result in ``weights`` and a
    zeroed ``gradient``, whichever arrays the optimizer returns."""
    out, zeroed = optimizer(key, weights, gradient)
    if out is not weights:  # an optimizer that returns new arrays
        numpy.copyto(weights, out)
    if zeroed is not gradient:  # it zeroed a copy (optimizers zero the array they return)
        gradient.fill(0)


@registry.optimizers("fastpipe.Adam.v1")
def Adam(learn_rate: FloatOrSeq = 0.001, *, L2: FloatOrSeq = 0.0, beta1: FloatOrSeq = 0.9,
         beta2: FloatOrSeq = 0.999, eps: FloatOrSeq = 1e-08, grad_clip: FloatOrSeq = 1.0,
         L2_is_weight_decay: bool = True, use_averages: bool = True,
         decay_embeddings: bool = True) -> FusedAdam:
    """Adam with decoupled weight decay and gradient clipping, as thinc's Adam.v1.
    ``decay_embeddings = false`` (fastpipe's own setting, default true as in thinc) keeps L2 off
    the embedding tables: a hashed row is looked up only when its word occurs, and decay would
    shrink the rows of rare words (names) between their occurrences."""
    return FusedAdam(learn_rate, L2=L2, beta1=beta1, beta2=beta2, eps=eps, grad_clip=grad_clip,
                     L2_is_weight_decay=L2_is_weight_decay, use_averages=use_averages,
                     use_radam=False, decay_embeddings=decay_embeddings)
