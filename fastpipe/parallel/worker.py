"""One training worker: a Ray actor that trains on its shard and owns some parameters.

Every worker builds the same nlp object and optimizer from the config (the same seed gives the
same initial weights; the driver checks this and copies worker 0's weights where they differ),
reads every ``n``-th training example from position ``rank`` (its shard), and trains with the
single-process loop's step, ``training.step.train_step`` (batcher, ``accumulate_gradient``,
dropout, ``before_update``), passing the exchange's router as the optimizer: the gradients and
weights go to and come from the peers (``exchange.ParamExchange``). Each batch runs on predicted
weights (``weight_prediction``, see ``exchange``).
``training.max_steps`` counts the batches of all workers together (the global step: this
worker's steps plus the latest counts its peers reported), so a config trains on about as many
words with any number of workers. A worker whose shard is used up, or that reaches max_steps,
keeps serving: it steps the parameters it owns with what its peers still send until the driver
stops it.

The lowest live rank is the evaluator: it scores the dev set whenever the global step passes a
multiple of ``eval_frequency`` and hands the driver the scores and, for a new best, the saved
pipeline's files (``snapshot``).
"""
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy
from thinc.api import fix_random_seed

from ..config import import_code, load_config_from_str
from ..training.initialize import check_nonempty, init_nlp, resolve_corpus, resolve_training
from ..training.step import (Scoreboard, StepSettings, create_train_batches, train_step,
                             use_averages, weighted_score)
from .exchange import MAX_INFLIGHT, MAX_STALENESS, WEIGHT_PREDICTION, ParamExchange
from .params import ParamTable


class Worker:
    def __init__(self, rank: int, n_workers: int, config_text: str, overrides: Dict[str, Any],
                 code_path: Optional[str] = None, cwd: Optional[str] = None, where: str = "",
                 max_staleness: int = MAX_STALENESS, max_inflight: int = MAX_INFLIGHT,
                 send_timeout: float = 60.0, weight_prediction: float = WEIGHT_PREDICTION):
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
        self.table = ParamTable(self.nlp, n_blocks=n_workers)
        self.exchange = ParamExchange(self.table, self.optimizer, rank, n_workers,
                                      max_staleness=max_staleness, max_inflight=max_inflight,
                                      weight_prediction=weight_prediction,
                                      send_timeout=send_timeout)
        self.epoch = 0
        self.losses: Dict[str, float] = {}
        self.reports: List[dict] = []                   # evaluations the driver has not taken
        self.stop_flag = threading.Event()
        self.done = False
        self.reason = ""                                # why training stopped
        self.scores = Scoreboard()
        self.last_eval_step = 0
        self._dev = None
        self._eval_clock = (time.perf_counter(), 0)     # (time, global words) of the last eval

    @property
    def steps(self) -> int:
        return self.exchange.steps

    @property
    def words(self) -> int:
        return self.exchange.words

    # -- set-up and the driver's calls ---------------------------------------------------------

    def ping(self) -> int:
        return os.getpid()

    def progress(self) -> tuple:
        """(steps, words) of this worker; unlike ``status`` it takes no reports away."""
        return self.steps, self.words

    def describe(self) -> Dict[str, Any]:
        return {"pid": os.getpid(), "fingerprint": self.table.fingerprint(),
                "weight_prediction": self.exchange.weight_prediction,
                "sizes": self.exchange.sizes, "nbytes": self.table.nbytes(),
                "owned": sum(1 for r in self.exchange.owners.values() if r == self.rank)}

    def get_params(self) -> Dict[str, numpy.ndarray]:
        return self.table.export()

    def set_params(self, params: Dict[str, numpy.ndarray]) -> str:
        for key, value in params.items():
            self.table.set(key, value)
        return self.table.fingerprint()

    def set_peers(self, peers: Dict[int, Any]) -> None:
        self.exchange.set_peers(peers)

    def receive(self, sender: int, steps: int, words: int, message: Dict[str, Any]) -> None:
        """A peer's message (see ``ParamExchange.receive``); runs on another thread."""
        self.exchange.receive(sender, steps, words, message)

    def peers_died(self, ranks: List[int], best_score=None, best_step=None) -> None:
        """``ranks`` died; the driver's best score so far comes along, so that a survivor that
        becomes the evaluator judges patience from it."""
        if best_score is not None and (self.scores.best_score is None
                                       or best_score > self.scores.best_score):
            self.scores.best_score, self.scores.best_step = best_score, best_step
        self.exchange.peers_died(ranks)

    @property
    def is_evaluator(self) -> bool:
        return self.rank == min(self.exchange.alive)

    def status(self) -> Dict[str, Any]:
        with self.exchange.lock:
            reports, self.reports = self.reports, []
        return {"rank": self.rank, "steps": self.steps, "words": self.words,
                "epoch": self.epoch, "done": self.done, "reason": self.reason,
                "reports": reports, "stats": dict(self.exchange.stats)}

    def stop(self) -> None:
        self.stop_flag.set()

    # -- the training loop ---------------------------------------------------------------------

    def run(self) -> Dict[str, Any]:
        T = self.T
        ex = self.exchange
        corpus = resolve_corpus(self.config, T["train_corpus"])
        rank, n = self.rank, self.n_workers

        def shard(nlp):
            for i, eg in enumerate(corpus(nlp)):
                if i % n == rank:
                    yield eg

        settings = StepSettings.from_training(T)
        user_before_update = settings.before_update

        def before_update(nlp, info):  # the user's callback, then this batch's weights
            if user_before_update is not None:
                user_before_update(nlp, info)
            ex.predict()

        settings.before_update = before_update
        max_steps = int(T["max_steps"] or 0)
        eval_frequency = max(1, int(T["eval_frequency"]))
        patience = int(T["patience"] or 0)
        batches = create_train_batches(self.nlp, shard, T["batcher"], int(T["max_epochs"]),
                                       T["train_corpus"], self.config)
        stats, clock = ex.stats, time.perf_counter
        for epoch, batch in batches:
            if self.stop_flag.is_set():
                break
            if not self.steps:  # words/s counts from the first batch, not the corpus loading
                self._eval_clock = (clock(), 0)
            t0, c0 = clock(), time.thread_time()
            ex.handle_deaths()
            ex.take_params()
            t1 = clock()
            words = train_step(self.nlp, batch, ex.router, settings, step=self.steps + 1,
                               epoch=epoch, losses=self.losses)
            ex.steps += 1
            ex.words += words
            self.epoch = epoch
            t2 = clock()
            ex.send()
            t3 = clock()
            stats["thread_cpu_ms"] += int(1000 * (time.thread_time() - c0))
            stats["process_cpu_ms"] = int(1000 * time.process_time())
            stats["step_ms"] += int(1000 * (t3 - t0))
            for name, seconds in (("take_ms", t1 - t0), ("train_ms", t2 - t1),
                                  ("send_ms", t3 - t2)):
                stats[name] += int(1000 * seconds)
            if self._check_progress(max_steps, eval_frequency, patience):
                break
        else:
            self.reason = self.reason or "data"
        self.done = True
        while not self.stop_flag.wait(0.005):  # serve: keep stepping what the peers send
            ex.handle_deaths()
            ex.step_received()
            ex.take_params()
            ex.send()
            if not self.reason.startswith("patience"):
                self._check_progress(max_steps, eval_frequency, patience)
        ex.step_received()
        ex.send()
        ex.drain_inflight(timeout=ex.send_timeout)
        return {"rank": self.rank, "steps": self.steps, "words": self.words,
                "reason": self.reason, "stats": dict(stats)}

    def _check_progress(self, max_steps: int, eval_frequency: int, patience: int) -> bool:
        """Evaluate when this worker is the evaluator and the global step passed a multiple of
        ``eval_frequency``; True when training should stop (max_steps or patience)."""
        global_steps = self.exchange.global_progress()[0]
        if self.is_evaluator and global_steps // eval_frequency > \
                self.last_eval_step // eval_frequency:
            self.evaluate(global_steps)
            if self.scores.out_of_patience(global_steps, patience):
                self.reason = "patience"
                return True
        if max_steps and global_steps >= max_steps:
            self.reason = self.reason or "max_steps"
            return True
        return False

    # -- evaluation and snapshots --------------------------------------------------------------

    def evaluate(self, global_steps: int, final: bool = False) -> Dict[str, Any]:
        """Score the dev set with the optimizer's averages; a new best comes with its files."""
        if self._dev is None:
            dev_corpus = resolve_corpus(self.config, self.T["dev_corpus"])
            self._dev = list(check_nonempty(dev_corpus(self.nlp), self.T["dev_corpus"],
                                            self.config))
        global_words = self.exchange.global_progress()[1]
        start, words_then = self._eval_clock
        seconds = time.perf_counter() - start
        with self._averages_in_use():
            scores = self.nlp.evaluate(self._dev)
        score = weighted_score(scores, dict(self.T.get("score_weights") or {}))
        is_best = self.scores.record(score, global_steps)
        info = {"epoch": self.epoch, "step": global_steps, "score": score,
                "other_scores": scores, "losses": dict(self.losses), "words": global_words,
                "wps": (global_words - words_then) / seconds if seconds > 0 else 0.0,
                "is_best": is_best, "rank": self.rank, "final": final}
        if is_best:
            info["files"] = self.snapshot()
        self.losses = {}
        self.last_eval_step = global_steps
        with self.exchange.lock:
            self.reports.append(info)
        self._eval_clock = (time.perf_counter(), global_words)
        return info

    def finish(self) -> Optional[Dict[str, Any]]:
        """After every worker stopped: take the last messages in, evaluate once more when the
        global step moved since the last evaluation, and return the reports still pending with
        the files of the last pipeline (``last_files``)."""
        ex = self.exchange
        ex.handle_deaths()
        ex.step_received()
        ex.take_params()
        steps = ex.global_progress()[0]
        if steps and steps != self.last_eval_step:
            self.evaluate(steps, final=True)
        with ex.lock:
            reports, self.reports = self.reports, []
        return {"reports": reports, "steps": steps, "last_files": self.snapshot()}

    def _averages_in_use(self):
        """``use_averages`` with the optimizer's averages, those of arrays cut into blocks
        put back together (``ParamTable.whole_averages``)."""
        averages = self.table.whole_averages(getattr(self.optimizer, "averages", None))
        return use_averages(self.nlp, averages)

    def snapshot(self) -> Dict[str, bytes]:
        """The files ``nlp.to_disk`` writes (with the optimizer's averages swapped in, after
        ``before_to_disk``), as ``{relative path: bytes}``: the driver writes them where it
        likes, so the workers need not share its file system."""
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
