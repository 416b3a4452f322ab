"""How workers exchange gradients and weights (the half of ``Worker`` that talks to peers).

Every parameter array has one owner (``params.assign_owners``). During ``finish_update`` a
``_Router`` stands in for the optimizer: the gradient of a parameter owned elsewhere is copied
into the outgoing message for its owner, tagged with the version of the weights it was computed
against, and zeroed; an owned parameter is stepped by the real optimizer with the local gradient
and then with every received gradient that is not stale (version at least ``current -
max_staleness``), one optimizer step per gradient, as one process would step once per batch.
Then the new arrays of the updated parameters and their versions go to every peer in one
message (``ray.put`` once, read by all). Sends are actor calls whose futures are checked without
waiting, except when more than ``max_inflight`` per peer are pending (a bound on how far a
worker runs ahead of a slow peer, not a barrier). Messages arrive on other threads of the actor
and wait in an inbox; between batches the newest version of each array owned elsewhere is
copied in. A peer found dead (a failed send, or the driver's word) has its parameters handed to
the survivors, every worker computing the same new mapping.
"""
import logging
import time
from collections import defaultdict
from typing import Dict, List

import numpy

from .params import reassign

logger = logging.getLogger("fastpipe")

#: A parameter taken over from a dead worker jumps ahead by this many versions, so that its
#: new versions win over any the dead owner sent before it died.
TAKEOVER_JUMP = 1 << 20


class _Router:
    """Stands in for the optimizer in ``finish_update`` (called as ``router(key, w, dw)``)."""

    def __init__(self, worker: "ParamExchange"):
        self.worker = worker

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        w = self.worker
        skey = w.table.key_of.get(key)
        if skey is None:  # a parameter created after the table was built: keep it local
            return w.optimizer(key, weights, gradient, lr_scale=lr_scale)
        owner = w.owners[skey]
        if owner == w.rank:
            return w._step_owned(skey, weights, gradient)
        w._grads_out[owner][skey] = (w.version[skey], gradient.copy())
        gradient.fill(0)
        return weights, gradient


class ParamExchange:
    """Mixed into ``Worker``, which sets the attributes these methods use."""

    # -- messages (run on the actor's other threads) --------------------------------------------

    def receive_grads(self, sender: int, steps: int, words: int, grads: Dict[str, tuple]) -> None:
        with self.lock:
            self.peer_progress[sender] = (steps, words)
            for key, (version, grad) in grads.items():
                self.in_grads[key].append((version, grad))

    def receive_params(self, sender: int, steps: int, words: int, params: Dict[str, tuple]
                       ) -> None:
        with self.lock:
            self.peer_progress[sender] = max(self.peer_progress.get(sender, (0, 0)),
                                             (steps, words))
            for key, (version, array) in params.items():
                old = self.in_params.get(key)
                if old is None or version > old[0]:
                    self.in_params[key] = (version, array)

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
        taken = [k for k, r in self.owners.items() if r == self.rank and old[k] != r]
        for key in taken:
            self.version[key] += TAKEOVER_JUMP
            self._updated.add(key)  # the new owner's copy goes to everyone
        self.stats["takeovers"] += len(taken)
        logger.warning("Worker %d: workers %s died; took over %d parameter arrays",
                       self.rank, dead, len(taken))

    # -- parameter exchange --------------------------------------------------------------------

    def _fresh(self, key: str, grads) -> list:
        current = self.version[key]
        floor = current - self.max_staleness
        fresh = [g for v, g in grads if v >= floor]
        self.stats["stale_grads"] += len(grads) - len(fresh)
        self.stats["grad_lag_total"] += sum(current - v for v, _ in grads if v >= floor)
        return fresh

    def _step_owned(self, key: str, weights, gradient):
        """Step an owned parameter with the local gradient, then with every fresh one received."""
        local = self.table.local_key(key)
        weights, gradient = self.optimizer(local, weights, gradient)
        with self.lock:
            received = self.in_grads.pop(key, [])
        for grad in self._fresh(key, received):
            weights, _ = self.optimizer(local, weights, numpy.array(grad, copy=True))
            self.stats["grads_applied"] += 1
        self.version[key] += 1
        self._updated.add(key)
        return weights, gradient

    def _step_received(self) -> None:
        """Step owned parameters that have received gradients but had no local one."""
        with self.lock:
            keys = [k for k in self.in_grads if self.owners.get(k) == self.rank]
            pending = {k: self.in_grads.pop(k) for k in keys}
            stale = [k for k in self.in_grads if self.owners.get(k) != self.rank]
            for k in stale:  # gradients for a parameter this worker no longer owns
                self.in_grads.pop(k)
        for key, grads in pending.items():
            fresh = self._fresh(key, grads)
            if not fresh:
                continue
            node, name = self.table.nodes[key]
            weights = node.get_param(name)
            for grad in fresh:
                weights, _ = self.optimizer((node.id, name), weights, numpy.array(grad, copy=True))
                self.stats["grads_applied"] += 1
            node.set_param(name, weights)
            self.version[key] += 1
            self._updated.add(key)

    def _take_params(self) -> None:
        """Copy in the newest received version of every parameter owned elsewhere."""
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

    def _send(self) -> None:
        import ray

        grads_out, self._grads_out = self._grads_out, defaultdict(dict)
        updated, self._updated = self._updated, set()
        peers = dict(self.peers)
        if updated and peers:
            payload = {k: (self.version[k], self.table.get(k)) for k in updated}
            ref = ray.put(payload)  # serialized once, read by every peer
            for r, peer in peers.items():
                self._inflight[peer.receive_params.remote(self.rank, self.steps, self.words,
                                                          ref)] = r
            self.stats["params_sent"] += len(updated) * len(peers)
        for r, grads in grads_out.items():
            if r in peers:
                self._inflight[peers[r].receive_grads.remote(self.rank, self.steps,
                                                             self.words, grads)] = r
                self.stats["grads_sent"] += len(grads)
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
