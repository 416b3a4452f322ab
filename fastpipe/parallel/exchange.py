"""How workers exchange gradients and weights: ``ParamExchange``, one worker's side of it.

Every parameter array, or row block of a large one, has one owner (``params.assign_owners``).
The worker trains with ``training.step.train_step`` and passes the exchange's ``Router`` as the
optimizer. During ``finish_update`` the router clips the gradient of an array cut into blocks by
the whole array's norm (as one process clips it), and cuts each array into its blocks:

- A block this worker owns is stepped by the real optimizer with the local gradient, then with
  every gradient received for it that is not stale (computed against a version at least
  ``current - max_staleness``), one optimizer step per gradient, as one process steps once per
  batch.
- The gradient of a block owned elsewhere goes into the outgoing message for its owner, tagged
  with the version of the weights it was computed against (a table gradient with fewer than
  half its rows touched goes as those rows only). This worker's copy of the block is left
  alone until the owner's new copy arrives.

At ``step_schedules``, the optimizer's last call of a batch, the router steps the owned blocks
that received gradients but had no local one. After the step the new arrays of the updated
blocks and their versions go to every peer, with the gradients (``send``). Messages arrive on
other threads of the actor and wait in an inbox; between batches the newest version of each
block owned elsewhere is copied in (``take_params``).

So each batch misses the updates still in flight, about one batch per worker: its gradient is
computed on weights a little behind the ones it will be applied to (the owner's, by then). To
make up for that the worker *predicts* the weights, as DANA (Hakimi et al. 2019) and SpecTrain
(Chen et al. 2018) do: for the batch's forward and backward pass every array is moved on along
its change since the previous batch, times ``weight_prediction`` (``WEIGHT_PREDICTION``; the
command's ``--weight-prediction``), and put back before the optimizer's first step. Adam's steps
change slowly from one batch to the next, so the changes just seen are a fair guess at the ones
in flight. (``bin/bench_ray.py`` records the measurements behind these choices.)

Each step a worker puts one object per peer in Ray's store (the new arrays and that peer's
gradients, a large array as pieces of at most ``PIECE_BYTES``) and calls the peer with its
reference; on the same machine the peer reads it without a copy, on another it downloads only
what is meant for it. The calls' futures are checked without waiting, except when more than
``max_inflight`` per peer are pending (a bound on how far a worker runs ahead of a slow peer,
not a barrier). A peer found dead (a failed send, or the driver's word) has its blocks handed
to the survivors, every worker computing the same mapping.
"""
import logging
import threading
import time
from collections import defaultdict
from typing import Any, Dict, List, Optional

import numpy

from ..ml._optim import clip_norm, extrapolate, nonzero_rows
from ..ml.optimizers import step_in_place
from .params import ParamTable, assign_owners, copy_rows, reassign

logger = logging.getLogger("fastpipe")

__all__ = ["ParamExchange", "Router", "WEIGHT_PREDICTION", "MAX_STALENESS", "MAX_INFLIGHT",
           "to_pieces", "pack_gradient", "unpack_gradient", "clip_whole"]

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


class Router:
    """Stands in for the optimizer in ``nlp.finish_update``: called as ``router(key, w, dw)``
    for every parameter, then ``step_schedules()`` once at the end of the batch."""

    def __init__(self, exchange: "ParamExchange"):
        self.exchange = exchange

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        ex = self.exchange
        ex.unpredict()  # the first step of the batch: the backward passes are done
        parts = ex.table.parts.get(key)
        if parts is None:  # a parameter created after the table was built: keep it local
            return ex.optimizer(key, weights, gradient, lr_scale=lr_scale)
        if len(parts) > 1:  # clip the whole array's gradient, as one process would
            clip_whole(ex.optimizer, gradient)
        for skey, rows in parts:
            if ex.owners[skey] == ex.rank:
                ex.step_owned(skey, weights[rows], gradient[rows])
            else:
                ex.route_grad(skey, gradient[rows])
        return weights, gradient

    def step_schedules(self) -> None:
        """The batch's last call: put the weights back if nothing stepped, step the owned
        blocks that only received gradients, and move the optimizer's schedules on."""
        ex = self.exchange
        ex.unpredict()
        ex.step_received()
        ex.optimizer.step_schedules()


class ParamExchange:
    """One worker's side of the exchange: which blocks it owns, the versions it has seen, the
    gradients and arrays waiting in its inbox and outbox, and its weight prediction.

    ``table`` names the parameters (``params.ParamTable``); ``optimizer`` steps the blocks this
    worker owns; ``rank`` is this worker among ``n_workers``. ``steps``/``words`` count this
    worker's batches and words (messages carry them: the global step is their sum over the
    workers). Peers call ``receive`` on their threads; everything else runs on the training
    thread."""

    def __init__(self, table: ParamTable, optimizer, rank: int, n_workers: int, *,
                 max_staleness: int = MAX_STALENESS, max_inflight: int = MAX_INFLIGHT,
                 weight_prediction: float = WEIGHT_PREDICTION, send_timeout: float = 60.0):
        self.table = table
        self.optimizer = optimizer
        self.rank = rank
        self.sizes = table.sizes()                      # floats per key
        self.owners = assign_owners(self.sizes, range(n_workers))  # key -> owning rank
        self.version = {key: 0 for key in table.keys}   # key -> version of this copy
        self.alive = set(range(n_workers))
        self.peers: Dict[int, Any] = {}                 # rank -> actor handle (not this one)
        self.max_staleness = max_staleness
        self.max_inflight = max_inflight
        self.weight_prediction = float(weight_prediction)
        self.send_timeout = send_timeout
        self.steps = self.words = 0
        self.stats = defaultdict(int)                   # counters and milliseconds, for logs
        self.router = Router(self)
        self.lock = threading.Lock()                    # guards the inbox and peer_progress
        self.in_params: Dict[str, tuple] = {}           # key -> (version, array), newest
        self.in_grads: Dict[str, list] = defaultdict(list)  # key -> [(sender, version, grad)]
        self.peer_progress: Dict[int, tuple] = {}       # rank -> (steps, words) last heard
        self._dead_pending: set = set()                 # ranks reported dead, not handled yet
        self._grads_out: Dict[int, dict] = defaultdict(dict)  # owner -> {key: (version, grad)}
        self._updated: set = set()                      # owned keys stepped since the last send
        self._inflight: Dict[Any, int] = {}             # Ray future -> the peer it went to
        self._before: Dict[str, numpy.ndarray] = {}     # key -> weights at the last prediction
        self._predicted: Dict[str, numpy.ndarray] = {}  # key -> the flat view moved
        self._spare: Dict[str, list] = {}               # key -> reusable gradient buffers

    def set_peers(self, peers: Dict[int, Any]) -> None:
        self.peers = {r: h for r, h in peers.items() if r != self.rank}

    def global_progress(self):
        """(steps, words) of every worker together, as far as this one has heard."""
        with self.lock:
            steps = self.steps + sum(s for s, _ in self.peer_progress.values())
            words = self.words + sum(w for _, w in self.peer_progress.values())
        return steps, words

    # -- messages (run on the actor's other threads) --------------------------------------------

    def receive(self, sender: int, steps: int, words: int, message: Dict[str, Any]) -> None:
        """A peer's message of one step: ``{"params": {key: (version, array)} of blocks it
        owns, or None, "grads": {key: (version, gradient)} for blocks this worker owns}``."""
        with self.lock:
            self.peer_progress[sender] = max(self.peer_progress.get(sender, (0, 0)),
                                             (steps, words))
            for key, (version, grad) in (message["grads"] or {}).items():
                self.in_grads[key].append((sender, version, grad))
            for key, (version, array) in (message["params"] or {}).items():
                old = self.in_params.get(key)
                if old is None or version > old[0]:
                    self.in_params[key] = (version, array)

    def peers_died(self, ranks: List[int]) -> None:
        """Note that ``ranks`` died; the training thread hands their parameters to the
        survivors at its next ``handle_deaths`` (every worker computes the same mapping)."""
        with self.lock:
            self._dead_pending.update(ranks)

    def handle_deaths(self, extra=()) -> None:
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
        taken = [k for k, r in self.owners.items() if old[k] != r and r == self.rank]
        for key in taken:
            self.version[key] += TAKEOVER_JUMP
            self._updated.add(key)  # the new owner's copy goes to everyone
        self.stats["takeovers"] += len(taken)
        logger.warning("Worker %d: workers %s died; took over %d parameter arrays",
                       self.rank, dead, len(taken))

    # -- weight prediction ----------------------------------------------------------------------

    def predict(self) -> None:
        """Move every array on along its change since the previous batch, times
        ``weight_prediction``, for this batch's forward and backward pass (``unpredict`` puts
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

    def unpredict(self) -> None:
        """Put back the weights ``predict`` moved (nothing when none are moved): before the
        optimizer's first step of the batch (a tok2vec runs its backward pass in
        ``finish_update``, on the predicted weights, before it steps), or after the batch when
        nothing stepped."""
        for key, flat in self._predicted.items():
            numpy.copyto(flat, self._before[key])
        self._predicted = {}

    # -- stepping -------------------------------------------------------------------------------

    def route_grad(self, key: str, gradient) -> None:
        """Queue the gradient of a block owned elsewhere for its owner (and zero it here)."""
        owner = self.owners[key]
        self._grads_out[owner][key] = (self.version[key], pack_gradient(gradient))
        gradient.fill(0)

    def step_owned(self, key: str, weights, gradient) -> None:
        """Step an owned block with the local gradient, then with every fresh one received."""
        step_in_place(self.optimizer, self.table.local_key(key), weights, gradient)
        with self.lock:
            received = self.in_grads.pop(key, [])
        self._apply_received(key, weights, received)
        self.version[key] += 1
        self._updated.add(key)

    def step_received(self) -> None:
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
                self._updated.add(key)

    def _apply_received(self, key: str, weights, received) -> int:
        """Step an owned block with the fresh gradients among ``received``; count them."""
        current = self.version[key]
        floor = current - self.max_staleness
        local = self.table.local_key(key)
        n = 0
        for _sender, version, data in received:
            if version < floor:
                self.stats["stale_grads"] += 1
                continue
            self.stats["grad_lag_total"] += current - version
            spare = self._spare.setdefault(key, [])
            dense = unpack_gradient(data, weights.shape, spare.pop() if spare else None)
            step_in_place(self.optimizer, local, weights, dense)
            spare.append(dense)  # a fresh large array costs page faults on every first write
            n += 1
        self.stats["grads_applied"] += n
        return n

    def take_params(self) -> None:
        """Copy in the newest received version of every block owned elsewhere (and keep the
        optimizer's average of it, when it keeps averages)."""
        from thinc.backends import get_array_ops

        with self.lock:
            incoming, self.in_params = self.in_params, {}
        averages = getattr(self.optimizer, "averages", None)
        for key, (version, array) in incoming.items():
            if self.owners.get(key) == self.rank or version <= self.version[key]:
                continue
            self.table.set(key, array)
            self.version[key] = version
            self.stats["params_taken"] += 1
            if averages is not None:
                local = self.table.local_key(key)
                param = self.table.get(key)
                if local not in averages:
                    averages[local] = numpy.zeros(param.shape, dtype="float32")
                get_array_ops(param).update_averages(averages[local], param,
                                                     max(1, version % TAKEOVER_JUMP))

    # -- sending --------------------------------------------------------------------------------

    def param_payload(self, keys) -> Dict[str, tuple]:
        """``{key: (version, array or its pieces)}`` of owned blocks."""
        return {k: (self.version[k], to_pieces(self.table.get(k))) for k in keys}

    def send(self) -> None:
        """One object per peer with the new arrays of the blocks stepped since the last send
        and that peer's gradients (across machines each peer then downloads only what is meant
        for it)."""
        import ray

        grads_out, self._grads_out = self._grads_out, defaultdict(dict)
        updated, self._updated = self._updated, set()
        peers = dict(self.peers)
        if not peers:
            return
        grads_out = {r: g for r, g in grads_out.items() if g and r in peers}
        if not updated and not grads_out:
            return
        params = self.param_payload(updated) if updated else None
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
            self.handle_deaths(dead)

    def drain_inflight(self, timeout: float) -> None:
        import ray

        refs = list(self._inflight)
        if refs:
            done, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout)
            self._reap(done)
