"""The training loop: batches from the batcher, updates, evaluation, checkpoints.

``train(nlp, output_path)`` trains an initialized pipeline (see ``init_nlp``) as its config's
[training] section says: dropout, ``accumulate_gradient`` (each batch split into that many
sub-batches, one optimizer step per batch), ``eval_frequency``, ``patience``, ``max_steps``,
``max_epochs`` (0: no limit; -1: stream the corpus once, without epochs or shuffling here),
``score_weights`` (the weighted score picks ``model-best``) and ``checkpoint_frequency``.
``model-last`` is written at the end, also after Ctrl-C, which stops training once the step
under way is done (a second Ctrl-C stops at once; none cuts the save of model-last short).
Every folder is written to a temporary sibling and renamed into place.

With an output folder, the run holds its lock (``util.OutputLock``) while it trains, logs
every evaluation to ``training_log.jsonl`` (``training_log``) and keeps a checkpoint
(``checkpoint``) every ``checkpoint_frequency`` steps (0: at each evaluation; -1: none) and at
the end. ``train(nlp, output_path, resume=True)`` continues from that checkpoint: the nlp
object must be built and initialized from the same config (``init_nlp``), and the run then
ends with the same weights, to the bit, as one that was never interrupted.
"""
import contextlib
import logging
import shutil
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, Optional, Union

from ..errors import Errors
from ..language.training import eval_batch_size
from ..util import OutputLock, clean_stale, replace_folder
from .checkpoint import CHECKPOINT_DIR, Checkpoint, config_differences, read_checkpoint, \
    write_checkpoint
from .initialize import check_nonempty, resolve_corpus, resolve_training
from .loggers import setup_logger
from .step import (Scoreboard, StepSettings, create_train_batches, n_words, subdivide_batch,
                   train_step, use_averages, weighted_score)
from .training_log import LOG_FILE, TrainingLog

logger = logging.getLogger("fastpipe")

__all__ = ["train", "TrainResult", "weighted_score", "subdivide_batch", "create_train_batches",
           "save_checkpoint", "BEST_DIR", "LAST_DIR", "CHECKPOINT_DIR", "LOG_FILE"]

BEST_DIR = "model-best"
LAST_DIR = "model-last"
@dataclass
class TrainResult(Scoreboard):
    """What ``train`` did: the trained nlp object, the saved folders (None without an output
    path), the best weighted score and its step (``Scoreboard``), whether Ctrl-C stopped it,
    and the step it resumed from (0: it started afresh)."""

    nlp: Any = None
    best_path: Optional[Path] = None
    last_path: Optional[Path] = None
    steps: int = 0
    epochs: int = 0
    words: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    resumed_step: int = 0


def save_checkpoint(nlp, path: Path, before_to_disk: Optional[Callable] = None) -> Path:
    """Write ``nlp`` (or what ``before_to_disk(nlp)`` returns, when it returns something) to
    ``path`` through a temporary sibling folder that is renamed into place
    (``util.replace_folder``), so a crash mid-write leaves the previous checkpoint whole."""
    to_save = nlp
    if before_to_disk is not None:
        result = before_to_disk(nlp)
        to_save = nlp if result is None else result
    return replace_folder(path, to_save.to_disk)


def record_performance(nlp, scores: Dict[str, Any], weights: Dict[str, Any],
                       losses: Dict[str, float]) -> None:
    """Keep an evaluation in ``nlp.meta["performance"]`` (saved in each checkpoint's
    meta.json, as spaCy's): every weighted score, and each component's loss since the
    previous evaluation as ``<name>_loss``."""
    performance = {name: scores.get(name) for name in weights}
    performance.update({f"{name}_loss": loss for name, loss in losses.items()})
    nlp.meta["performance"] = performance


def train(nlp, output_path: Optional[Union[str, Path]] = None, *, stdout: Optional[IO] = None,
          stderr: Optional[IO] = None, resume: bool = False) -> TrainResult:
    """Train an initialized pipeline; write ``model-best``, ``model-last``, the checkpoint and
    the training log under ``output_path`` (nothing is written without one). The [training]
    section of ``nlp.config`` says how; the logger it names reports progress on
    ``stdout``/``stderr``. Each batch is one ``step.train_step``. With ``resume``, training
    continues from the checkpoint in ``output_path`` (E610 when there is none)."""
    if output_path is None:
        if resume:
            raise ValueError(Errors.E611)
        return _train(nlp, None, None, stdout, stderr)
    output_path = Path(output_path)
    with OutputLock(output_path):
        clean_stale(output_path)  # a killed run's temporaries go, its folders set aside come back
        checkpoint = None
        if not resume:  # a new run: the checkpoint of an earlier one must not be resumed
            shutil.rmtree(output_path / CHECKPOINT_DIR, ignore_errors=True)
        else:
            checkpoint = read_checkpoint(output_path)
            if checkpoint is None:
                raise ValueError(Errors.E610.format(path=output_path,
                                                    checkpoint=output_path / CHECKPOINT_DIR))
            _check_same_config(nlp, checkpoint)
        return _train(nlp, output_path, checkpoint, stdout, stderr)


def _check_same_config(nlp, checkpoint: Checkpoint) -> None:
    """E613 when ``nlp`` was built from another config than the checkpoint's run (settings
    that only decide when to stop, save or report may differ)."""
    from thinc.api import Config

    from ..config import config_to_str

    saved = Config().from_str(checkpoint.config_text, interpolate=False).interpolate()
    current = Config().from_str(config_to_str(nlp.config), interpolate=False).interpolate()
    changed = config_differences(saved, current)
    if changed:
        more = f" and {len(changed) - 8} more" if len(changed) > 8 else ""
        raise ValueError(Errors.E613.format(path=checkpoint.path,
                                            settings=", ".join(changed[:8]) + more,
                                            output=checkpoint.path.parent))


def _train(nlp, output_path: Optional[Path], checkpoint: Optional[Checkpoint], stdout: IO,
           stderr: IO) -> TrainResult:
    config = nlp.config.interpolate()
    T = resolve_training(config)
    train_corpus = resolve_corpus(config, T["train_corpus"])
    dev_corpus = resolve_corpus(config, T["dev_corpus"])
    dev_examples = list(check_nonempty(dev_corpus(nlp), T["dev_corpus"], config))
    eval_batch = eval_batch_size(dev_examples, nlp.batch_size)
    optimizer = T["optimizer"]
    settings = StepSettings.from_training(T)
    weights = dict(T.get("score_weights") or {})
    eval_frequency = max(1, int(T["eval_frequency"]))
    checkpoint_frequency = int(T.get("checkpoint_frequency") or 0)
    patience = int(T["patience"] or 0)
    max_steps = int(T["max_steps"] or 0)
    before_to_disk = T.get("before_to_disk")
    batches = create_train_batches(nlp, train_corpus, T["batcher"], int(T["max_epochs"]),
                                   T["train_corpus"], config)
    log_step, finalize = setup_logger(T["logger"], nlp, stdout, stderr,
                                      resumed_step=checkpoint.step if checkpoint else None)
    result = TrainResult(nlp=nlp)
    averages = getattr(optimizer, "averages", None)
    losses: Dict[str, float] = {}
    since = [0, 0.0]  # words and seconds of updates since the last evaluation
    last = {"eval": 0, "checkpoint": 0}  # the steps of the last evaluation and checkpoint
    training_log = None
    try:
        if checkpoint is not None:
            _resume(checkpoint, nlp, optimizer, settings, batches, result, losses, since, last)
            if result.best_step is not None and output_path is not None:
                result.best_path = output_path / BEST_DIR
        if output_path is not None:
            training_log = TrainingLog(output_path / LOG_FILE,
                                       resume_at=result.steps if checkpoint else None)
    except BaseException:
        finalize()
        raise
    start = time.perf_counter() - result.seconds

    def evaluate(step: int, epoch: int) -> None:
        with use_averages(nlp, averages):
            scores = nlp.evaluate(dev_examples, batch_size=eval_batch)
            score = weighted_score(scores, weights)
            record_performance(nlp, scores, weights, losses)
            is_best = result.record(score, step)
            if is_best and output_path is not None:
                result.best_path = save_checkpoint(nlp, output_path / BEST_DIR, before_to_disk)
        words, seconds = since
        info = {"epoch": epoch, "step": step, "score": score, "other_scores": scores,
                "losses": dict(losses), "checkpoints": list(result.checkpoints),
                "words": result.words, "wps": words / seconds if seconds else 0.0,
                "seconds": time.perf_counter() - start, "is_best": is_best}
        log_step(info)
        if training_log is not None:
            training_log.write(info)
        losses.clear()
        since[:] = [0, 0.0]
        last["eval"] = step

    def keep_checkpoint() -> None:
        result.seconds = time.perf_counter() - start
        write_checkpoint(output_path / CHECKPOINT_DIR, nlp, optimizer,
                         _progress(result, losses, since, last))
        last["checkpoint"] = result.steps

    def checkpoint_due(step: int) -> bool:
        if output_path is None or checkpoint_frequency < 0:
            return False
        if checkpoint_frequency == 0:
            return last["eval"] == step
        return step % checkpoint_frequency == 0

    stopped = _out_of_steps(result, max_steps, patience)
    ctrl_c = []  # a Ctrl-C asks the loop to stop once the step it is in is done
    try:
        with _sigint_at_step_end(ctrl_c.append):
            for step, (epoch, batch) in enumerate([] if stopped else batches,
                                                  result.steps + 1):
                tick = time.perf_counter()
                words = train_step(nlp, batch, optimizer, settings, step=step, epoch=epoch,
                                   losses=losses)
                since[0] += words
                since[1] += time.perf_counter() - tick
                result.words += words
                result.steps, result.epochs = step, epoch
                stop = bool(max_steps) and step >= max_steps
                if step % eval_frequency and not stop:
                    log_step(None)
                else:
                    evaluate(step, epoch)
                if checkpoint_due(step):
                    keep_checkpoint()
                # patience counts every step, as spaCy's does: with eval_frequency 1000 and
                # patience 1600, a best score at step 2000 ends training at step 3600
                if stop or result.out_of_patience(step, patience):
                    break
                if ctrl_c:
                    result.interrupted = True
                    logger.warning("Training interrupted at step %d", step)
                    break
            else:
                if result.steps and last["eval"] != result.steps:  # the data ran out mid-interval
                    evaluate(result.steps, result.epochs)
        # the final state, so that a resumed run can go on with more steps or patience
        if output_path is not None and checkpoint_frequency >= 0 \
                and last["checkpoint"] != result.steps:
            keep_checkpoint()
    except KeyboardInterrupt:
        result.interrupted = True
        logger.warning("Training interrupted at step %d", result.steps)
    finally:
        finalize()
        if training_log is not None:
            training_log.close()
        result.seconds = time.perf_counter() - start
    if output_path is not None:
        with _sigint_deferred(), use_averages(nlp, averages):
            result.last_path = save_checkpoint(nlp, output_path / LAST_DIR, before_to_disk)
    return result


def _out_of_steps(result: TrainResult, max_steps: int, patience: int) -> bool:
    """Whether a resumed run has nothing left to train (its checkpoint is at the end)."""
    return bool(result.steps) and ((bool(max_steps) and result.steps >= max_steps)
                                   or result.out_of_patience(result.steps, patience))


def _progress(result: TrainResult, losses, since, last) -> Dict[str, Any]:
    """What the loop needs to go on from here, as JSON (``_resume`` reads it back)."""
    return {"step": result.steps, "epoch": result.epochs, "words": result.words,
            "seconds": result.seconds, "best_score": result.best_score,
            "best_step": result.best_step,
            "checkpoints": [list(entry) for entry in result.checkpoints],
            "losses": dict(losses), "since": list(since), "last_eval": last["eval"]}


def _resume(checkpoint: Checkpoint, nlp, optimizer, settings: StepSettings,
            batches: Iterator, result: TrainResult, losses, since, last) -> None:
    """Bring a fresh run to the checkpoint's step: replay the batch stream to it (without
    training; the batches are checked against the words the run had seen), move the dropout
    schedule on, and put back the weights, the optimizer and random states and the loop's
    counters."""
    progress = checkpoint.progress
    step = checkpoint.step
    started = time.perf_counter()
    words, epoch = 0, 0
    for done in range(step):
        try:
            epoch, batch = next(batches)
        except StopIteration:
            raise ValueError(Errors.E615.format(path=checkpoint.path, step=step,
                                                detail=f"the batches ran out after {done}")
                             ) from None
        words += n_words(batch)
    if words != progress["words"] or epoch != progress["epoch"]:
        raise ValueError(Errors.E615.format(
            path=checkpoint.path, step=step,
            detail=f"they hold {words} words (epoch {epoch}), where the run had seen "
                   f"{progress['words']} (epoch {progress['epoch']})"))
    if hasattr(settings.dropout, "__next__"):
        for _ in range(step):
            next(settings.dropout)
    checkpoint.restore(nlp, optimizer)
    result.steps, result.epochs, result.words = step, epoch, words
    result.seconds = float(progress["seconds"])
    result.best_score, result.best_step = progress["best_score"], progress["best_step"]
    result.checkpoints = [tuple(entry) for entry in progress["checkpoints"]]
    result.resumed_step = step
    losses.update(progress["losses"])
    since[:] = progress["since"]
    last["eval"], last["checkpoint"] = int(progress["last_eval"]), step
    logger.info("Resumed at step %d (epoch %d) from %s; replaying the batches took %.2fs",
                step, epoch, checkpoint.path, time.perf_counter() - started)


@contextlib.contextmanager
def _sigint_at_step_end(on_first: Callable[[int], None]):
    """Within the block, the first SIGINT calls ``on_first(signum)`` instead of raising
    KeyboardInterrupt (the loop then stops after its step, which leaves a whole step to
    checkpoint); Python's own handler is back at once, so a second Ctrl-C interrupts as
    usual. Only where Python's default handler is installed, in the main thread."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def handler(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        logger.warning("Ctrl-C: stopping after this step (press it again to stop at once)")
        on_first(signum)

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def _sigint_deferred():
    """Ctrl-C does not cut the block short: a SIGINT that arrives meanwhile is noted and
    dropped (the run is already ending). Only the main thread can set signal handlers; in
    any other thread the block just runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        if received:
            logger.warning("Ctrl-C while saving %s: the save was finished first", LAST_DIR)
