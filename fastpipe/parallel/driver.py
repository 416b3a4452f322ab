"""The driver of ``fastpipe ray train``: starts the workers, watches them, writes the outputs.

``ray_train(config_path, output_path, n_workers=2)`` loads the config with its overrides (the
same way ``fastpipe train`` does), starts a local Ray (or joins ``address``), creates one
``Worker`` actor per worker, checks that they all start from the same weights, lets them train,
and polls them every ``poll_interval`` seconds. The evaluator's reports are logged with the
config's logger on the driver, and a new best pipeline is written to ``model-best/``; at the end
(max_steps, patience, every shard exhausted, Ctrl-C, or a fault) the workers are stopped, the
evaluator takes in the last updates, evaluates once more and hands over the files that the
driver writes to ``model-last/``. Every wait on a worker has a timeout.

Faults: a worker whose actor dies (``RayActorError``) or that does not answer a status request
within ``status_timeout`` is killed and counted dead. With ``on_failure="continue"`` (the
default) the survivors split its parameters (each survivor computes the same new mapping) and
training goes on; its shard is not read any more. With ``"stop"`` training stops as after
Ctrl-C: ``model-last/`` is written from a survivor and ``ray_train`` raises ``WorkerFailure``.
If no worker is left, ``model-last/`` becomes a copy of the last ``model-best/``.
"""
import contextlib
import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Union

from ..config import import_code, load_config
from ..errors import Errors
from ..language import Language, load
from ..training.initialize import resolve_training
from ..training.loggers import setup_logger
from ..training.loop import BEST_DIR, LAST_DIR, TrainResult, save_checkpoint
from ..util import atomic_write
from ._ray import init_ray, remote_worker_class
from .exchange import MAX_INFLIGHT, MAX_STALENESS, WEIGHT_PREDICTION

logger = logging.getLogger("fastpipe")

__all__ = ["ray_train", "WorkerFailure"]


class WorkerFailure(RuntimeError):
    """A worker died and training stopped (or no worker was left)."""


class _Files:
    """A saved pipeline as ``{relative path: bytes}``, written by ``to_disk`` (so that
    ``save_checkpoint`` can write it atomically)."""

    def __init__(self, files: Dict[str, bytes]):
        self.files = files

    def to_disk(self, path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for rel, data in self.files.items():
            target = path / rel
            with atomic_write(target) as f:  # makes the parent folders too
                f.write(data)


def ray_train(config_path: Union[str, Path], output_path: Optional[Union[str, Path]] = None, *,
              n_workers: int = 2, address: Optional[str] = None,
              overrides: Optional[Dict[str, Any]] = None,
              code_path: Optional[Union[str, Path]] = None, stdout: Optional[IO] = None,
              stderr: Optional[IO] = None,
              on_failure: str = "continue", poll_interval: float = 0.25,
              setup_timeout: float = 600.0, status_timeout: float = 60.0,
              stop_timeout: float = 120.0, max_staleness: int = MAX_STALENESS,
              max_inflight: int = MAX_INFLIGHT,
              weight_prediction: Optional[float] = None,
              ray_options: Optional[Dict[str, Any]] = None, on_start=None) -> TrainResult:
    """Train the pipeline ``config_path`` describes on ``n_workers`` Ray workers; see the
    module docstring. ``weight_prediction`` is how far each batch's weights are moved on along
    their last change (default ``exchange.WEIGHT_PREDICTION``; 0: not at all).
    ``on_start(workers)`` (for tests) is called with the actor handles once training runs.
    Returns a TrainResult (``nlp`` is the pipeline loaded from ``model-last`` when there is an
    output path, else None)."""
    if on_failure not in ("continue", "stop"):
        raise ValueError(Errors.E401.format(value=on_failure))
    if n_workers < 1:
        raise ValueError(Errors.E402.format(value=n_workers))
    try:
        import ray
    except ImportError:
        raise ImportError(Errors.E400) from None
    import_code(code_path)
    where = str(config_path)
    config = load_config(config_path, overrides or {}, interpolate=False)
    output_path = Path(output_path) if output_path is not None else None
    if output_path is not None:
        if output_path.exists() and not output_path.is_dir():
            raise NotADirectoryError(Errors.E113.format(path=output_path,
                                                        err="it exists and is not a folder"))
        output_path.mkdir(parents=True, exist_ok=True)
    nlp = Language.from_config(config)  # not initialized: for the logger's columns only
    T = resolve_training(nlp.config.interpolate(), where=where)
    log_step, finalize = setup_logger(T["logger"], nlp, stdout, stderr)
    started_ray = init_ray(ray, address, n_workers, ray_options)
    result = TrainResult(nlp=None)
    start = time.perf_counter()
    watch = _Watch(ray, result, output_path, log_step, status_timeout)
    try:
        Remote = remote_worker_class(ray, local=not address)
        code = str(Path(code_path).resolve()) if code_path else None
        watch.workers = {
            rank: Remote.remote(rank, n_workers, config.to_str(), {}, code, os.getcwd(), where,
                                max_staleness=max_staleness, max_inflight=max_inflight,
                                weight_prediction=(WEIGHT_PREDICTION if weight_prediction is None
                                                   else weight_prediction))
            for rank in range(n_workers)}
        watch.alive = set(range(n_workers))
        _start(ray, watch, setup_timeout)
        if on_start is not None:
            on_start(dict(watch.workers))
        try:
            with _note_sigint(watch.interrupted):
                watch.loop(poll_interval, on_failure)
        except KeyboardInterrupt:
            result.interrupted = True
            logger.warning("Training interrupted; stopping the workers")
        watch.stop_all(stop_timeout)
        watch.finish(stop_timeout)
    finally:
        finalize()
        result.seconds = time.perf_counter() - start
        watch.kill_all()
        if started_ray:
            ray.shutdown()
    if output_path is not None and result.last_path is None and result.best_path is not None:
        logger.warning("No worker was left to save the last weights: model-last is a copy "
                       "of model-best")
        last = output_path / LAST_DIR
        if last.exists():
            shutil.rmtree(last)
        shutil.copytree(result.best_path, last)
        result.last_path = last
    if output_path is not None and result.last_path is not None:
        result.nlp = load(result.last_path)
    result.worker_stats = dict(watch.stats)
    result.param_bytes = watch.param_bytes
    result.lost_workers = dict(watch.lost)
    if watch.failure is not None:
        err = WorkerFailure(watch.failure)
        err.result = result
        raise err
    return result


def _start(ray, watch: "_Watch", setup_timeout: float) -> None:
    """Wait for every worker to be built; give them all worker 0's weights when they differ;
    introduce them to each other and start their loops."""
    workers = watch.workers
    refs = [workers[r].describe.remote() for r in sorted(workers)]
    try:
        infos = ray.get(refs, timeout=setup_timeout)
    except ray.exceptions.GetTimeoutError:
        raise WorkerFailure(Errors.E403.format(seconds=setup_timeout)) from None
    except ray.exceptions.RayActorError as err:
        raise WorkerFailure(Errors.E404.format(err=_cause(err))) from None
    watch.param_bytes = infos[0]["nbytes"]
    if len(workers) > 1:
        logger.info("Weight prediction on the workers: %g", infos[0]["weight_prediction"])
    watch.n_params = len(infos[0]["sizes"])
    if len({i["fingerprint"] for i in infos}) > 1:
        logger.info("Initial weights differ between workers; copying worker 0's")
        params = ray.put(ray.get(workers[0].get_params.remote(), timeout=setup_timeout))
        prints = ray.get([workers[r].set_params.remote(params) for r in sorted(workers) if r],
                         timeout=setup_timeout)
        if any(p != infos[0]["fingerprint"] for p in prints):
            raise WorkerFailure(Errors.E405)
    ray.get([w.set_peers.remote(workers) for w in workers.values()], timeout=setup_timeout)
    watch.runs = {rank: w.run.remote() for rank, w in workers.items()}


@contextlib.contextmanager
def _note_sigint(flag: threading.Event):
    """While the driver watches the workers, Ctrl-C also sets ``flag``, which ``_Watch.loop``
    checks at every poll: a KeyboardInterrupt that surfaces inside one of Ray's calls and is
    lost there still stops training. The previous handler runs as before (it raises)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        flag.set()
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _cause(err) -> str:
    """The first sentence of a Ray error (they run to many lines of advice)."""
    lines = [line for line in str(err).strip().splitlines() if line.strip()]
    text = lines[-1] if lines else type(err).__name__
    for stop in (". Worker exit", ". Some common causes"):
        if stop in text:
            text = text[:text.index(stop) + 1]
    return text[:300]


class _Watch:
    """The driver's view of the workers while they train."""

    def __init__(self, ray, result: TrainResult, output_path: Optional[Path], log_step,
                 status_timeout: float):
        self.ray = ray
        self.result = result
        self.output_path = output_path
        self.log_step = log_step
        self.status_timeout = status_timeout
        self.workers: Dict[int, Any] = {}
        self.runs: Dict[int, Any] = {}
        self.alive: set = set()
        self.progress: Dict[int, tuple] = {}
        self.failure: Optional[str] = None
        self.logged_steps = 0
        self.param_bytes = 0
        self.n_params = 0
        self.stats: Dict[int, dict] = {}
        self.started = time.perf_counter()
        self.lost: Dict[int, str] = {}
        self.interrupted = threading.Event()  # set by Ctrl-C (_note_sigint)

    def loop(self, poll_interval: float, on_failure: str) -> None:
        ray = self.ray
        while True:
            if self.interrupted.is_set():
                raise KeyboardInterrupt
            refs = [self.runs[r] for r in sorted(self.alive)]
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=poll_interval)
            for rank in sorted(self.alive):
                if self.runs[rank] in ready:
                    self._check_run(rank)
            statuses = self._poll()
            if self.failure is None and self.dead and on_failure == "stop":
                self.failure = Errors.E407.format(ranks=sorted(self.dead))
                return
            if not self.alive:
                self.failure = Errors.E408
                return
            if any(s["reason"] == "patience" for s in statuses.values()):
                return
            if statuses and all(s["done"] for s in statuses.values()) \
                    and len(statuses) == len(self.alive):
                return

    @property
    def dead(self) -> set:
        return set(self.workers) - self.alive

    def _check_run(self, rank: int) -> None:
        """A run finished before it was told to stop: a crash, or an actor that died."""
        try:
            self.ray.get(self.runs[rank], timeout=self.status_timeout)
        except self.ray.exceptions.RayActorError as err:
            self._lost([rank], _cause(err))
        except self.ray.exceptions.RayTaskError as err:
            self._lost([rank], None)
            raise WorkerFailure(Errors.E406.format(rank=rank, err=err)) from None

    def _poll(self) -> Dict[int, dict]:
        ray = self.ray
        refs = {rank: self.workers[rank].status.remote() for rank in sorted(self.alive)}
        ready, _ = ray.wait(list(refs.values()), num_returns=len(refs),
                            timeout=self.status_timeout)
        statuses, lost = {}, []
        for rank, ref in refs.items():
            if ref not in ready:
                lost.append((rank, f"no answer within {self.status_timeout:.0f}s"))
                continue
            try:
                statuses[rank] = ray.get(ref, timeout=self.status_timeout)
            except ray.exceptions.RayActorError as err:
                lost.append((rank, _cause(err)))
        for rank, why in lost:
            self._lost([rank], why)
        for rank, status in statuses.items():
            self.progress[rank] = (status["steps"], status["words"])
            self.stats[rank] = status["stats"]
            for info in status["reports"]:
                self.report(info)
        steps = sum(s for s, _ in self.progress.values())
        while self.logged_steps < steps:  # the progress bar between evaluations
            self.log_step(None)
            self.logged_steps += 1
        return {r: s for r, s in statuses.items() if r in self.alive}

    def report(self, info: Dict[str, Any]) -> None:
        result = self.result
        files = info.pop("files", None)
        step = info["step"]
        info["is_best"] = is_best = result.record(info["score"], step)
        if is_best and files is not None and self.output_path is not None:
            result.best_path = save_checkpoint(_Files(files), self.output_path / BEST_DIR)
        result.steps = max(result.steps, step)
        result.words = max(result.words, info.get("words", 0))
        result.epochs = max(result.epochs, info.get("epoch", 0))
        info["checkpoints"] = list(result.checkpoints)
        info["seconds"] = time.perf_counter() - self.started
        self.log_step(info)

    def _lost(self, ranks: List[int], why: Optional[str]) -> None:
        ranks = [r for r in ranks if r in self.alive]
        if not ranks:
            return
        for rank in ranks:
            logger.warning("Worker %d is lost%s", rank, f": {why}" if why else "")
            self.lost[rank] = why or "failed"
            self.alive.discard(rank)
            try:
                self.ray.kill(self.workers[rank], no_restart=True)
            except Exception:  # noqa: BLE001 - it may be gone already
                pass
        for rank in sorted(self.alive):
            self.workers[rank].peers_died.remote(ranks, self.result.best_score,
                                                 self.result.best_step)

    def stop_all(self, timeout: float) -> None:
        ray = self.ray
        for rank in sorted(self.alive):
            self.workers[rank].stop.remote()
        refs = {rank: self.runs[rank] for rank in sorted(self.alive) if rank in self.runs}
        if not refs:
            return
        ready, _ = ray.wait(list(refs.values()), num_returns=len(refs), timeout=timeout)
        for rank, ref in refs.items():
            if ref not in ready:
                self._lost([rank], f"did not stop within {timeout:.0f}s")
                continue
            try:
                summary = ray.get(ref, timeout=timeout)
                self.progress[rank] = (summary["steps"], summary["words"])
                self.stats[rank] = summary["stats"]
            except ray.exceptions.RayActorError as err:
                self._lost([rank], _cause(err))
            except ray.exceptions.RayTaskError as err:
                self._lost([rank], str(err))

    def finish(self, timeout: float) -> None:
        """The evaluator's last evaluation and the files of model-last."""
        ray = self.ray
        self.result.steps = max(self.result.steps, sum(s for s, _ in self.progress.values()))
        self.result.words = max(self.result.words, sum(w for _, w in self.progress.values()))
        for rank in sorted(self.alive):
            try:
                final = ray.get(self.workers[rank].finish.remote(), timeout=timeout)
            except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError,
                    ray.exceptions.RayTaskError) as err:
                self._lost([rank], _cause(err))
                continue
            for info in final["reports"]:
                self.report(info)
            self.result.steps = max(self.result.steps, final["steps"])
            if self.output_path is not None:
                self.result.last_path = save_checkpoint(_Files(final["last_files"]),
                                                        self.output_path / LAST_DIR)
            return

    def kill_all(self) -> None:
        for rank, worker in self.workers.items():
            try:
                self.ray.kill(worker, no_restart=True)
            except Exception:  # noqa: BLE001
                pass
