"""How workers exchange gradients and weights (the half of ``Worker`` that talks to peers).

Every parameter array, or row block of a large one, has one owner (``params.assign_owners``).
During ``finish_update`` a ``_Router`` stands in for the optimizer, clips the gradient of an
array cut into blocks by the whole array's norm (as one process clips it), and cuts each array
into its blocks:

- A block this worker owns is stepped by the real optimizer with the local gradient, then with
  every gradient received for it that is not stale (computed against a version at least
  ``current - max_staleness``), one optimizer step per gradient, as one process steps once per
  batch. The owner notes, per sender, the last step of that sender it has accounted for.
- The gradient of a block owned elsewhere goes into the outgoing message for its owner, tagged
  with the version of the weights it was computed against and this worker's step number (a
  table gradient with fewer than half its rows touched goes as those rows only). With
  ``echo`` on (not the default) it is also applied here at once, to this worker's copy, with
  this worker's own optimizer state, and the change it made is kept until the owner's copy
  accounts for it, so the next batch sees this worker's own last update.

After the step the new arrays of the updated blocks, their versions and the per-sender step
counts go to every peer, with the gradients. Messages arrive on other threads of the actor and
wait in an inbox; between batches the newest version of each block owned elsewhere is copied
in (with ``echo``, plus the changes of this worker's own steps that the owner had not accounted
for yet). So each batch misses the updates still in flight, about one batch per worker: its
gradient is computed on weights a little behind the ones it will be applied to (the owner's,
by then). To make up for that the worker *predicts* the weights, as DANA (Hakimi et al. 2019)
and SpecTrain (Chen et al. 2018) do: for the batch's forward and backward pass every array is
moved on along its change since the previous batch, times ``weight_prediction``
(``WEIGHT_PREDICTION``; the command's ``--weight-prediction``), and put back before the
optimizer steps. Adam's steps change slowly from one batch to the next, so the changes just
seen are a fair guess at the ones in flight.

Measured on two workers (tagger and parser on EWT, 400 steps, interleaved runs, against one
process on one thread; means over seeds 1-8 unless noted):

- no prediction, echo, ``beta1`` lowered (the design before): 1.60x the words/s, LAS -0.85;
- echo, prediction 1.0: 1.58x, LAS +0.26, UAS +0.08, tag -0.01 (0.5: LAS -0.44, seeds 1-4);
- no echo, prediction 1.5 (the default): 1.60x, LAS +0.17, UAS +0.01, tag -0.05
  (prediction 1.0: LAS -0.18, seeds 1-4).

Without echo a batch also misses the worker's own last update until the owner's copy comes
back, so more is in flight and a larger prediction fits; the echo's extra optimizer pass over
the blocks owned elsewhere cost about 2% of the words per second, and prediction makes it
unnecessary. The two passes of the prediction cost about 1.5%.

Without prediction, gradients that arrive one batch late act like extra momentum
("asynchrony begets momentum", Mitliagkas et al. 2016: with ``M`` asynchronous workers, about
``1 - 1/M``), so a worker that does not predict runs Adam with ``beta1`` lowered by that much
(``async_beta1``; ``--async-beta1`` sets it). Prediction takes that momentum away instead, so
with it the config's ``beta1`` stays.

Each step a worker puts one object per peer in Ray's store (the new arrays and that peer's
gradients, a large array as pieces of at most ``PIECE_BYTES``) and calls the peer with its
reference; on the same machine the peer reads it without a copy, on another it downloads only
what is meant for it. The calls' futures are checked without waiting, except when more than
``max_inflight`` per peer are pending (a bound on how far a worker runs ahead of a slow peer,
not a barrier). A peer found dead (a failed send, or the driver's word) has its blocks handed
to the survivors, every worker computing the same mapping.
"""
import logging
import time
from collections import defaultdict
from typing import Any, Dict, List, Optional

import numpy

from ..ml._optim import clip_norm, extrapolate, nonzero_rows
from ..ml.optimizers import step_in_place, step_recording
from .params import copy_rows, reassign

logger = logging.getLogger("fastpipe")

#: A parameter taken over from a dead worker jumps ahead by this many versions, so that its
#: new versions win over any the dead owner sent before it died.
TAKEOVER_JUMP = 1 << 20

#: For each batch, every array is moved on along its change since the previous batch, times
#: this (0 turns the prediction off; see the module docstring).
WEIGHT_PREDICTION = 1.5

#: Gradients computed against a version more than this many versions old are dropped.
MAX_STALENESS = 8

#: Messages a worker may have in flight per peer before it waits for the oldest (flow
#: control: a bound on how far it runs ahead of a slow peer, not a barrier).
MAX_INFLIGHT = 4

#: Gradients of arrays with at least this many rows go as the touched rows only, when fewer
#: than half of the rows are touched (a hash-embedding table's gradient usually is).
SPARSE_MIN_ROWS = 512


def async_beta1(beta1: float, n_workers: int) -> float:
    """Adam's first-moment decay for ``n_workers`` asynchronous workers: the config's value
    less the momentum that asynchrony adds, ``1 - 1/n_workers``, and at least 0."""
    return max(0.0, float(beta1) - (1.0 - 1.0 / max(1, n_workers)))


#: An array goes into a message as row pieces of at most this many bytes. Ray copies a buffer
#: of more than about 1 MB into its object store with a pool of threads, which on a machine
#: whose cores are all training costs more than it saves: with both cores busy, putting a
#: 4.8 MB array took 3.2-3.5 ms whole and 2.0 ms in pieces.
PIECE_BYTES = 1 << 19


def to_pieces(array: numpy.ndarray):
    """``array`` itself when it is small, else a list of views of consecutive rows (elements,
    for a vector) of at most ``PIECE_BYTES`` each; ``params.copy_rows`` puts them back."""
    if array.ndim == 0 or array.nbytes <= PIECE_BYTES:
        return array
    step = max(1, PIECE_BYTES // max(1, array.nbytes // array.shape[0]))
    return [array[i:i + step] for i in range(0, array.shape[0], step)]


def pack_gradient(gradient: numpy.ndarray):
    """A copy of ``gradient`` to send: the array, or ``(rows, values)`` for a table whose
    touched rows are fewer than half (large arrays in pieces, ``to_pieces``)."""
    if gradient.ndim == 2 and gradient.shape[0] >= SPARSE_MIN_ROWS:
        if gradient.dtype == numpy.float32 and gradient.flags.c_contiguous:
            rows = nonzero_rows(gradient)
        else:
            rows = numpy.flatnonzero(gradient.any(axis=1)).astype(numpy.int32)
        if 2 * len(rows) < gradient.shape[0]:
            return (rows, to_pieces(gradient[rows]))
    return to_pieces(gradient.copy())


def unpack_gradient(data, shape, out: Optional[numpy.ndarray] = None) -> numpy.ndarray:
    """The dense, writable gradient ``pack_gradient`` packed, written into ``out`` (a buffer
    of that shape, reused) when given."""
    sparse = isinstance(data, tuple)
    values = data[1] if sparse else data
    if sparse and isinstance(values, list):
        values = numpy.concatenate(values)
    if out is None:
        first = values[0] if isinstance(values, list) else values
        out = numpy.empty(shape, dtype=first.dtype)
    if sparse:
        out.fill(0)
        out[data[0]] = values
    else:
        copy_rows(values, out)
    return out


def clip_whole(optimizer, gradient: numpy.ndarray) -> None:
    """Clip the gradient of an array cut into blocks by its whole norm, in place, when the
    optimizer clips (``grad_clip``). Each block's step clips again by the block's norm, which
    is then at most the threshold, so the result is the one process's."""
    threshold = float(getattr(optimizer, "grad_clip", 0.0) or 0.0)
    if threshold <= 0:
        return
    if gradient.dtype == numpy.float32 and gradient.flags.c_contiguous:
        clip_norm(gradient.reshape(-1), threshold)
    else:
        from thinc.backends import get_array_ops

        get_array_ops(gradient).clip_gradient(gradient, threshold)


class _Router:
    """Stands in for the optimizer in ``finish_update`` (called as ``router(key, w, dw)``)."""

    def __init__(self, worker: "ParamExchange"):
        self.worker = worker

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        w = self.worker
        if w._predicted:  # the first step of the batch: the backward passes are done
            w._unpredict()
        parts = w.table.parts.get(key)
        if parts is None:  # a parameter created after the table was built: keep it local
            return w.optimizer(key, weights, gradient, lr_scale=lr_scale)
        if len(parts) > 1:  # clip the whole array's gradient, as one process would
            clip_whole(w.optimizer, gradient)
        for skey, rows in parts:
            if w.owners[skey] == w.rank:
                w._step_owned(skey, weights[rows], gradient[rows])
            else:
                w._route_grad(skey, weights[rows], gradient[rows])
        return weights, gradient


class ParamExchange:
    """Mixed into ``Worker``, which sets the attributes these methods use."""

    # -- messages (run on the actor's other threads) --------------------------------------------

    def receive(self, sender: int, steps: int, words: int, message: Dict[str, Any]) -> None:
        """A peer's message of one step: ``{"params": new arrays of blocks it owns, or None,
        "grads": gradients for blocks this worker owns}``."""
        if message["grads"]:
            self.receive_grads(sender, steps, words, message["grads"])
        if message["params"]:
            self.receive_params(sender, steps, words, message["params"])

    def receive_grads(self, sender: int, steps: int, words: int, grads: Dict[str, tuple]) -> None:
        with self.lock:
            self.peer_progress[sender] = (steps, words)
            for key, (version, step, grad) in grads.items():
                self.in_grads[key].append((sender, version, step, grad))

    def receive_params(self, sender: int, steps: int, words: int, params: Dict[str, tuple]
                       ) -> None:
        with self.lock:
            self.peer_progress[sender] = max(self.peer_progress.get(sender, (0, 0)),
                                             (steps, words))
            for key, (version, array, accounted) in params.items():
                old = self.in_params.get(key)
                if old is None or version > old[0]:
                    self.in_params[key] = (version, array, accounted)

    def peers_died(self, ranks: List[int], best_score=None, best_step=None) -> None:
        """Note that ``ranks`` died; the training thread hands their parameters to the
        survivors at its next batch (every worker computes the same mapping)."""
        with self.lock:
            self._dead_pending.update(ranks)
            if best_score is not None and (self.best_score is None
                                           or best_score > self.best_score):
                self.best_score, self.best_step = best_score, best_step

    def _handle_deaths(self, extra=()) -> None:
        with self.lock:
            pending = set(self._dead_pending) | set(extra)
            self._dead_pending.clear()
        dead = sorted(r for r in pending if r in self.alive and r != self.rank)
        if not dead:
            return
        self.alive.difference_update(dead)
        for r in dead:
            self.peers.pop(r, None)
        old = self.owners
        self.owners = reassign(old, self.sizes, sorted(self.alive))
        moved = [k for k, r in self.owners.items() if old[k] != r]
        taken = [k for k in moved if self.owners[k] == self.rank]
        for key in moved:
            # what was sent to the dead owner is lost; this copy keeps its own changes
            self._deltas.pop(key, None)
            self.applied.pop(key, None)
        for key in taken:
            self.version[key] += TAKEOVER_JUMP
            self._updated.add(key)  # the new owner's copy goes to everyone
        self.stats["takeovers"] += len(taken)
        logger.warning("Worker %d: workers %s died; took over %d parameter arrays",
                       self.rank, dead, len(taken))

    # -- parameter exchange --------------------------------------------------------------------

    def _predict(self) -> None:
        """Move every array on along its change since the previous batch, times
        ``weight_prediction``, for this batch's forward and backward pass (``_unpredict`` puts
        the weights back). An array seen for the first time is only noted."""
        self._predicted = {}
        if not self.weight_prediction or len(self.alive) < 2:  # alone, nothing is in flight
            return
        for key in self.table.keys:
            view = self.table.get(key)
            if view.dtype != numpy.float32 or not view.flags.c_contiguous:
                continue
            flat = view.reshape(-1)
            before = self._before.get(key)
            if before is None or before.shape != flat.shape:
                self._before[key] = flat.copy()
                continue
            extrapolate(flat, before, self.weight_prediction)
            self._predicted[key] = flat

    def _unpredict(self) -> None:
        """Put back the weights ``_predict`` moved: before the optimizer's first step of the
        batch (a tok2vec runs its backward pass in ``finish_update``, on the predicted
        weights, before it steps), or after the batch when nothing stepped."""
        for key, flat in self._predicted.items():
            numpy.copyto(flat, self._before[key])
        self._predicted = {}

    def _optimize(self, local_key, weights, gradient) -> None:
        """One optimizer step of ``weights`` (a view) in place; the gradient ends zeroed."""
        step_in_place(self.optimizer, local_key, weights, gradient)

    def _route_grad(self, key: str, weights, gradient) -> None:
        """Queue the gradient of a block owned elsewhere, and echo it onto this copy."""
        owner = self.owners[key]
        self._grads_out[owner][key] = (self.version[key], self.steps, pack_gradient(gradient))
        if not self.echo:
            gradient.fill(0)
            return
        change = self._buffer(key, weights)
        step_recording(self.optimizer, self.table.local_key(key), weights, gradient, change)
        pending = self._deltas[key]
        pending.append((self.steps, change))
        while len(pending) > self.max_staleness + 2:  # an owner that stopped answering
            self._recycle(key, pending.popleft()[1])

    def _buffer(self, key: str, like) -> numpy.ndarray:
        """A spare array shaped like ``like``: one used before for ``key`` when there is one
        (a fresh large array costs page faults on every first write)."""
        spare = self._spare.get(key)
        if spare:
            return spare.pop()
        return numpy.empty_like(like)

    def _recycle(self, key: str, array) -> None:
        self._spare.setdefault(key, []).append(array)

    def _apply_received(self, key: str, weights, received) -> int:
        """Step an owned block with the fresh gradients among ``received``; count them."""
        current = self.version[key]
        floor = current - self.max_staleness
        accounted = self.applied[key]
        local = self.table.local_key(key)
        n = 0
        for sender, version, step, data in received:
            if step > accounted.get(sender, -1):
                accounted[sender] = step  # stale or not, the sender may forget its change
            if version < floor:
                self.stats["stale_grads"] += 1
                continue
            self.stats["grad_lag_total"] += current - version
            dense = unpack_gradient(data, weights.shape, self._buffer(key, weights))
            self._optimize(local, weights, dense)
            self._recycle(key, dense)
            n += 1
        self.stats["grads_applied"] += n
        return n

    def _step_owned(self, key: str, weights, gradient) -> None:
        """Step an owned block with the local gradient, then with every fresh one received."""
        self._optimize(self.table.local_key(key), weights, gradient)
        with self.lock:
            received = self.in_grads.pop(key, [])
        self._apply_received(key, weights, received)
        self.version[key] += 1
        self._updated.add(key)

    def _step_received(self) -> None:
        """Step owned blocks that have received gradients but had no local one."""
        with self.lock:
            keys = [k for k in self.in_grads if self.owners.get(k) == self.rank]
            pending = {k: self.in_grads.pop(k) for k in keys}
            stale = [k for k in self.in_grads if self.owners.get(k) != self.rank]
            for k in stale:  # gradients for a parameter this worker no longer owns
                self.in_grads.pop(k)
        for key, grads in pending.items():
            if self._apply_received(key, self.table.get(key), grads):
                self.version[key] += 1
            self._updated.add(key)  # the senders learn what was accounted for

    def _take_params(self) -> None:
        """Copy in the newest received version of every block owned elsewhere, plus the
        changes of this worker's own steps that its owner had not accounted for."""
        from thinc.backends import get_array_ops

        with self.lock:
            incoming, self.in_params = self.in_params, {}
        averages = getattr(self.optimizer, "averages", None)
        for key, (version, array, accounted) in incoming.items():
            if self.owners.get(key) == self.rank or version <= self.version[key]:
                continue
            self.table.set(key, array)
            pending = self._deltas.get(key)
            if pending:
                mine = accounted.get(self.rank, -1)
                while pending and pending[0][0] <= mine:
                    self._recycle(key, pending.popleft()[1])
                if pending:
                    view = self.table.get(key)
                    for _, delta in pending:
                        view += delta
            self.version[key] = version
            self.stats["params_taken"] += 1
            if averages is not None:
                local = self.table.local_key(key)
                param = self.table.get(key)
                if local not in averages:
                    averages[local] = numpy.zeros(param.shape, dtype="float32")
                get_array_ops(param).update_averages(averages[local], param,
                                                     max(1, version % TAKEOVER_JUMP))

    def _param_payload(self, keys) -> Dict[str, tuple]:
        """``{key: (version, array or its pieces, {sender: last step accounted for})}`` of
        owned blocks."""
        return {k: (self.version[k], to_pieces(self.table.get(k)),
                    dict(self.applied.get(k, {})))
                for k in keys}

    def _send(self) -> None:
        import ray

        grads_out, self._grads_out = self._grads_out, defaultdict(dict)
        updated, self._updated = self._updated, set()
        peers = dict(self.peers)
        if not peers:
            return
        # one object per peer and step: the new arrays and that peer's gradients (across
        # machines each peer then downloads only what is meant for it)
        grads_out = {r: g for r, g in grads_out.items() if g and r in peers}
        if not updated and not grads_out:
            return
        params = self._param_payload(updated) if updated else None
        for r, peer in peers.items():
            grads = grads_out.get(r, {})
            ref = ray.put({"params": params, "grads": grads})
            self._inflight[peer.receive.remote(self.rank, self.steps, self.words, ref)] = r
            self.stats["grads_sent"] += len(grads)
        self.stats["params_sent"] += len(updated) * len(peers)
        self._check_inflight()

    def _check_inflight(self) -> None:
        import ray

        if not self._inflight:
            return
        refs = list(self._inflight)
        done, pending = ray.wait(refs, num_returns=len(refs), timeout=0)
        excess = len(pending) - self.max_inflight * max(1, len(self.peers))
        if excess > 0:  # flow control: a peer is far behind; let it catch up a little
            tick = time.perf_counter()
            more, pending = ray.wait(pending, num_returns=excess, timeout=self.send_timeout)
            done += more
            self.stats["flow_wait_ms"] += int(1000 * (time.perf_counter() - tick))
        self._reap(done)

    def _reap(self, done) -> None:
        import ray
        from ray.exceptions import RayActorError

        dead = set()
        for ref in done:
            rank = self._inflight.pop(ref, None)
            try:
                ray.get(ref, timeout=0)
            except RayActorError:
                dead.add(rank)
            except Exception as err:  # noqa: BLE001 - a failed delivery is logged, not fatal
                logger.warning("Worker %d: message to worker %s failed: %s", self.rank, rank, err)
        dead.discard(None)
        if dead:
            self._handle_deaths(dead)

    def _drain_inflight(self, timeout: float) -> None:
        import ray

        refs = list(self._inflight)
        if refs:
            done, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout)
            self._reap(done)
