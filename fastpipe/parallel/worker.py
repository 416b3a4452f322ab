"""One training worker: a Ray actor that trains on its shard and owns some parameters.

Every worker builds the same nlp object and optimizer from the config (the same seed gives the
same initial weights; the driver checks this and copies worker 0's weights where they differ),
reads every ``n``-th training example from position ``rank`` (its shard), and runs the batches
of the single-process loop (batcher, ``accumulate_gradient``, dropout, ``before_update``) with
``nlp.update(..., sgd=None)``. ``finish_update`` then gets a ``_Router`` instead of the
optimizer, and the gradients and weights go to and come from the peers (``exchange``). Each
batch runs on predicted weights (``weight_prediction``, see ``exchange``); a worker told not to
predict lowers Adam's ``beta1`` for asynchrony instead (``exchange.async_beta1``), unless the
driver passes a ``beta1``.
``training.max_steps`` counts the batches of all workers together (the global step: this
worker's steps plus the latest counts its peers reported), so a config trains on about as many
words with any number of workers. A worker whose shard is used up, or that reaches max_steps,
keeps serving: it steps the parameters it owns with what its peers still send until the driver
stops it.

The lowest live rank is the evaluator: it scores the dev set whenever the global step (its own
steps plus the latest counts its peers reported) passes a multiple of ``eval_frequency`` and
hands the driver the scores and, for a new best, the saved pipeline's files (``snapshot``).
"""
import logging
import os
import threading
import time
from collections import defaultdict, deque
from typing import Any, Dict, List, Optional

import numpy

from .exchange import (MAX_INFLIGHT, MAX_STALENESS, WEIGHT_PREDICTION, ParamExchange, _Router,
                       async_beta1)
from .params import ParamTable, assign_owners

logger = logging.getLogger("fastpipe")


class Worker(ParamExchange):
    def __init__(self, rank: int, n_workers: int, config_text: str, overrides: Dict[str, Any],
                 code_path: Optional[str] = None, cwd: Optional[str] = None, where: str = "",
                 max_staleness: int = MAX_STALENESS, max_inflight: int = MAX_INFLIGHT,
                 send_timeout: float = 60.0,
                 echo: bool = False, beta1: Optional[float] = None,
                 weight_prediction: float = WEIGHT_PREDICTION):
        from ..config import import_code, load_config_from_str
        from ..training.initialize import init_nlp, resolve_training
        from thinc.api import fix_random_seed

        if cwd and os.path.isdir(cwd):
            os.chdir(cwd)
        import_code(code_path)
        config = load_config_from_str(config_text, overrides, interpolate=False, where=where)
        self.nlp = init_nlp(config, where=where)
        self.config = self.nlp.config.interpolate()
        self.T = resolve_training(self.config, where=where)
        seed = self.T.get("seed")
        if seed is not None:  # the weights are built; shuffling and dropout differ per worker
            fix_random_seed(int(seed) + 1000 * rank)
        self.rank, self.n_workers = rank, n_workers
        self.optimizer = self.T["optimizer"]
        self.weight_prediction = float(weight_prediction)
        self.beta1 = _set_beta1(self.optimizer, n_workers, beta1,
                                lower=not self.weight_prediction)
        self.table = ParamTable(self.nlp, n_blocks=n_workers)
        self.sizes = self.table.sizes()
        self.owners = assign_owners(self.sizes, range(n_workers))
        self.version = {key: 0 for key in self.table.keys}
        self.alive = set(range(n_workers))
        self.peers: Dict[int, Any] = {}
        self.max_staleness, self.max_inflight = max_staleness, max_inflight
        self.echo = echo
        self._before: Dict[str, numpy.ndarray] = {}
        self._predicted: Dict[str, numpy.ndarray] = {}  # key: the flat view moved
        self.applied: Dict[str, Dict[int, int]] = defaultdict(dict)
        self._deltas: Dict[str, deque] = defaultdict(deque)
        self._spare: Dict[str, list] = {}
        self.send_timeout = send_timeout
        self.lock = threading.Lock()
        self.in_params: Dict[str, tuple] = {}
        self.in_grads: Dict[str, list] = defaultdict(list)
        self.peer_progress: Dict[int, tuple] = {}
        self._grads_out: Dict[int, dict] = defaultdict(dict)
        self._updated: set = set()
        self._inflight: Dict[Any, int] = {}
        self._router = _Router(self)
        self.steps = self.words = self.epoch = 0
        self.stats = defaultdict(int)
        self.losses: Dict[str, float] = {}
        self.reports: List[dict] = []
        self.stop_flag = threading.Event()
        self._dead_pending: set = set()
        self.done = False
        self.reason = ""
        self.best_score: Optional[float] = None
        self.best_step: Optional[int] = None
        self.last_eval_step = 0
        self._dev = None
        self._eval_clock = (time.perf_counter(), 0)

    # -- set-up --------------------------------------------------------------------------------

    def ping(self) -> int:
        return os.getpid()

    def progress(self) -> tuple:
        """(steps, words) of this worker; unlike ``status`` it takes no reports away."""
        return self.steps, self.words

    def describe(self) -> Dict[str, Any]:
        return {"pid": os.getpid(), "fingerprint": self.table.fingerprint(), "beta1": self.beta1,
                "weight_prediction": self.weight_prediction,
                "sizes": self.sizes, "nbytes": self.table.nbytes(),
                "owned": sum(1 for r in self.owners.values() if r == self.rank)}

    def get_params(self) -> Dict[str, numpy.ndarray]:
        return self.table.export()

    def set_params(self, params: Dict[str, numpy.ndarray]) -> str:
        for key, value in params.items():
            self.table.set(key, value)
        return self.table.fingerprint()

    def set_peers(self, peers: Dict[int, Any]) -> None:
        self.peers = {r: h for r, h in peers.items() if r != self.rank}

    @property
    def is_evaluator(self) -> bool:
        return self.rank == min(self.alive)

    def status(self) -> Dict[str, Any]:
        with self.lock:
            reports, self.reports = self.reports, []
        return {"rank": self.rank, "steps": self.steps, "words": self.words,
                "epoch": self.epoch, "done": self.done, "reason": self.reason,
                "reports": reports, "stats": dict(self.stats)}

    def stop(self) -> None:
        self.stop_flag.set()

    # -- the training loop ---------------------------------------------------------------------

    def run(self) -> Dict[str, Any]:
        from ..training.initialize import resolve_corpus
        from ..training.loop import _next_value, create_train_batches, subdivide_batch

        T = self.T
        corpus = resolve_corpus(self.config, T["train_corpus"])
        rank, n = self.rank, self.n_workers

        def shard(nlp):
            for i, eg in enumerate(corpus(nlp)):
                if i % n == rank:
                    yield eg

        frozen = list(T.get("frozen_components") or [])
        annotating = list(T.get("annotating_components") or [])
        accumulate = max(1, int(T["accumulate_gradient"]))
        max_steps = int(T["max_steps"] or 0)
        eval_frequency = max(1, int(T["eval_frequency"]))
        patience = int(T["patience"] or 0)
        before_update = T.get("before_update")
        batches = create_train_batches(self.nlp, shard, T["batcher"], int(T["max_epochs"]),
                                       T["train_corpus"], self.config)
        clock = time.perf_counter
        for epoch, batch in batches:
            if self.stop_flag.is_set():
                break
            if not self.steps:  # words/s counts from the first batch, not the corpus loading
                self._eval_clock = (clock(), 0)
            t0 = clock()
            c0 = time.thread_time()
            self._handle_deaths()
            self._take_params()
            if before_update is not None:
                before_update(self.nlp, {"step": self.steps + 1, "epoch": epoch})
            self._predict()
            t1 = clock()
            drop = _next_value(T["dropout"], self.steps + 1)
            for sub in subdivide_batch(batch, accumulate):
                self.nlp.update(sub, drop=drop, sgd=None, losses=self.losses, exclude=frozen,
                                annotates=annotating)
            t2 = clock()
            for name, proc in self.nlp.pipeline:
                if name not in frozen and hasattr(proc, "finish_update"):
                    proc.finish_update(self._router)
            self._unpredict()
            self._step_received()
            self.optimizer.step_schedules()
            self.steps += 1
            self.epoch = epoch
            self.words += sum(len(eg) for eg in batch)
            t3 = clock()
            self._send()
            t4 = clock()
            self.stats["thread_cpu_ms"] += int(1000 * (time.thread_time() - c0))
            self.stats["process_cpu_ms"] = int(1000 * time.process_time())
            self.stats["step_ms"] += int(1000 * (t4 - t0))
            for name, seconds in (("take_ms", t1 - t0), ("update_ms", t2 - t1),
                                  ("optimize_ms", t3 - t2), ("send_ms", t4 - t3)):
                self.stats[name] += int(1000 * seconds)
            if self._check_progress(max_steps, eval_frequency, patience):
                break
        else:
            self.reason = self.reason or "data"
        self.done = True
        while not self.stop_flag.wait(0.005):  # serve: keep stepping what the peers send
            self._handle_deaths()
            self._step_received()
            self._take_params()
            self._send()
            if not self.reason.startswith("patience"):
                self._check_progress(max_steps, eval_frequency, patience)
        self._step_received()
        self._send()
        self._drain_inflight(timeout=self.send_timeout)
        return {"rank": self.rank, "steps": self.steps, "words": self.words,
                "reason": self.reason, "stats": dict(self.stats)}

    def _check_progress(self, max_steps: int, eval_frequency: int, patience: int) -> bool:
        """Evaluate when this worker is the evaluator and the global step passed a multiple of
        ``eval_frequency``; True when training should stop (max_steps or patience)."""
        global_steps = self.global_progress()[0]
        if self.is_evaluator and global_steps // eval_frequency > \
                self.last_eval_step // eval_frequency:
            self.evaluate(global_steps)
            if patience and self.best_step is not None \
                    and global_steps - self.best_step >= patience:
                self.reason = "patience"
                return True
        if max_steps and global_steps >= max_steps:
            self.reason = self.reason or "max_steps"
            return True
        return False

    def global_progress(self):
        with self.lock:
            steps = self.steps + sum(s for s, _ in self.peer_progress.values())
            words = self.words + sum(w for _, w in self.peer_progress.values())
        return steps, words

    # -- evaluation and snapshots --------------------------------------------------------------

    def evaluate(self, global_steps: int, final: bool = False) -> Dict[str, Any]:
        from ..training.initialize import check_nonempty, resolve_corpus
        from ..training.loop import weighted_score

        if self._dev is None:
            dev_corpus = resolve_corpus(self.config, self.T["dev_corpus"])
            self._dev = list(check_nonempty(dev_corpus(self.nlp), self.T["dev_corpus"],
                                            self.config))
        global_words = self.global_progress()[1]
        start, words_then = self._eval_clock
        seconds = time.perf_counter() - start
        with self._averages_in_use():
            scores = self.nlp.evaluate(self._dev)
        score = weighted_score(scores, dict(self.T.get("score_weights") or {}))
        is_best = self.best_score is None or score > self.best_score
        if is_best:
            self.best_score, self.best_step = score, global_steps
        info = {"epoch": self.epoch, "step": global_steps, "score": score,
                "other_scores": scores, "losses": dict(self.losses), "words": global_words,
                "wps": (global_words - words_then) / seconds if seconds > 0 else 0.0,
                "is_best": is_best, "rank": self.rank, "final": final}
        if is_best:
            info["files"] = self.snapshot()
        self.losses = {}
        self.last_eval_step = global_steps
        with self.lock:
            self.reports.append(info)
        self._eval_clock = (time.perf_counter(), global_words)
        return info

    def finish(self) -> Optional[Dict[str, Any]]:
        """After every worker stopped: take the last messages in, evaluate once more when the
        global step moved since the last evaluation, and return the reports still pending with
        the files of the last pipeline (``last_files``)."""
        self._handle_deaths()
        self._step_received()
        self._take_params()
        steps = self.global_progress()[0]
        if steps and steps != self.last_eval_step:
            self.evaluate(steps, final=True)
        with self.lock:
            reports, self.reports = self.reports, []
        return {"reports": reports, "steps": steps, "last_files": self.snapshot()}

    def _averages_in_use(self):
        """``use_averages`` with the optimizer's averages, those of arrays cut into blocks
        put back together (``ParamTable.whole_averages``)."""
        from types import SimpleNamespace

        from ..training.loop import use_averages

        averages = self.table.whole_averages(getattr(self.optimizer, "averages", None))
        return use_averages(self.nlp, SimpleNamespace(averages=averages))

    def snapshot(self) -> Dict[str, bytes]:
        """The files ``nlp.to_disk`` writes (with the optimizer's averages swapped in, after
        ``before_to_disk``), as ``{relative path: bytes}``: the driver writes them where it
        likes, so the workers need not share its file system."""
        import tempfile
        from pathlib import Path

        before_to_disk = self.T.get("before_to_disk")
        with tempfile.TemporaryDirectory(prefix="fastpipe-snapshot-") as tmp:
            with self._averages_in_use():
                to_save = self.nlp
                if before_to_disk is not None:
                    result = before_to_disk(self.nlp)
                    to_save = self.nlp if result is None else result
                to_save.to_disk(Path(tmp) / "model")
            root = Path(tmp) / "model"
            return {str(p.relative_to(root)): p.read_bytes()
                    for p in sorted(root.rglob("*")) if p.is_file()}


def _set_beta1(optimizer, n_workers: int, beta1: Optional[float], lower: bool = True
               ) -> Optional[float]:
    """Set the optimizer's first-moment decay to ``beta1`` when given, else, with ``lower``
    (workers that do not predict their weights), lower it for asynchronous training
    (``async_beta1``); a schedule is changed at every value. Returns the value now in use
    (None for an optimizer without one)."""
    if not hasattr(optimizer, "b1"):
        return None
    if beta1 is None and not lower:
        return optimizer.b1
    schedules = getattr(optimizer, "schedules", {})
    if beta1 is None:
        def value(v):
            return async_beta1(v, n_workers)
    else:
        def value(v):
            return float(beta1)
    if "b1" in schedules:
        original = schedules["b1"]
        schedules["b1"] = (value(v) for v in original)
    optimizer.b1 = value(optimizer.b1)
    return optimizer.b1
