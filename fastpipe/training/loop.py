"""The training loop: batches from the batcher, updates, evaluation, checkpoints.

``train(nlp, output_path)`` trains an initialized pipeline (see ``init_nlp``) as its config's
[training] section says: dropout, ``accumulate_gradient`` (each batch split into that many
sub-batches, one optimizer step per batch), ``eval_frequency``, ``patience``, ``max_steps``,
``max_epochs`` (0: no limit; -1: stream the corpus once, without epochs or shuffling here),
``score_weights`` (the weighted score picks ``model-best``). ``model-last`` is written at the end,
also after Ctrl-C. Checkpoints are written to a temporary folder and renamed into place.
"""
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, Optional, Union

from ..util import replace_folder
from .initialize import check_nonempty, resolve_corpus, resolve_training
from .loggers import setup_logger
from .step import (Scoreboard, StepSettings, create_train_batches, subdivide_batch, train_step,
                   use_averages, weighted_score)

logger = logging.getLogger("fastpipe")

__all__ = ["train", "TrainResult", "weighted_score", "subdivide_batch", "create_train_batches",
           "save_checkpoint", "BEST_DIR", "LAST_DIR"]

BEST_DIR = "model-best"
LAST_DIR = "model-last"


@dataclass
class TrainResult(Scoreboard):
    """What ``train`` did: the trained nlp object, the saved folders (None without an output
    path), the best weighted score and its step (``Scoreboard``), and whether Ctrl-C stopped
    it."""

    nlp: Any = None
    best_path: Optional[Path] = None
    last_path: Optional[Path] = None
    steps: int = 0
    epochs: int = 0
    words: int = 0
    seconds: float = 0.0
    interrupted: bool = False


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


def train(nlp, output_path: Optional[Union[str, Path]] = None, *, stdout: IO = None,
          stderr: IO = None) -> TrainResult:
    """Train an initialized pipeline; write ``model-best`` and ``model-last`` under
    ``output_path`` (nothing is written without one). The [training] section of ``nlp.config``
    says how; the logger it names reports progress on ``stdout``/``stderr``. Each batch is one
    ``step.train_step``."""
    config = nlp.config.interpolate()
    T = resolve_training(config)
    output_path = Path(output_path) if output_path is not None else None
    train_corpus = resolve_corpus(config, T["train_corpus"])
    dev_corpus = resolve_corpus(config, T["dev_corpus"])
    dev_examples = list(check_nonempty(dev_corpus(nlp), T["dev_corpus"], config))
    optimizer = T["optimizer"]
    settings = StepSettings.from_training(T)
    weights = dict(T.get("score_weights") or {})
    eval_frequency = max(1, int(T["eval_frequency"]))
    patience = int(T["patience"] or 0)
    max_steps = int(T["max_steps"] or 0)
    before_to_disk = T.get("before_to_disk")
    batches = create_train_batches(nlp, train_corpus, T["batcher"], int(T["max_epochs"]),
                                   T["train_corpus"], config)
    log_step, finalize = setup_logger(T["logger"], nlp, stdout, stderr)
    result = TrainResult(nlp=nlp)
    averages = getattr(optimizer, "averages", None)
    start = time.perf_counter()
    losses: Dict[str, float] = {}
    since = [0, 0.0]  # words and seconds of updates since the last evaluation

    def evaluate(step: int, epoch: int) -> None:
        with use_averages(nlp, averages):
            scores = nlp.evaluate(dev_examples)
            score = weighted_score(scores, weights)
            record_performance(nlp, scores, weights, losses)
            is_best = result.record(score, step)
            if is_best and output_path is not None:
                result.best_path = save_checkpoint(nlp, output_path / BEST_DIR, before_to_disk)
        words, seconds = since
        log_step({"epoch": epoch, "step": step, "score": score, "other_scores": scores,
                  "losses": dict(losses), "checkpoints": list(result.checkpoints),
                  "words": result.words, "wps": words / seconds if seconds else 0.0,
                  "seconds": time.perf_counter() - start, "is_best": is_best})
        losses.clear()
        since[:] = [0, 0.0]

    last_eval_step = 0
    try:
        for step, (epoch, batch) in enumerate(batches, 1):
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
                last_eval_step = step
            # patience counts every step, as spaCy's does: with eval_frequency 1000 and
            # patience 1600, a best score at step 2000 ends training at step 3600
            if stop or result.out_of_patience(step, patience):
                break
        else:
            if result.steps and last_eval_step != result.steps:  # the data ran out mid-interval
                evaluate(result.steps, result.epochs)
    except KeyboardInterrupt:
        result.interrupted = True
        logger.warning("Training interrupted at step %d", result.steps)
    finally:
        finalize()
        result.seconds = time.perf_counter() - start
    if output_path is not None:
        with use_averages(nlp, averages):
            result.last_path = save_checkpoint(nlp, output_path / LAST_DIR, before_to_disk)
    return result
