"""The training loop: batches from the batcher, updates, evaluation, checkpoints.

``train(nlp, output_path)`` trains an initialized pipeline (see ``init_nlp``) as its config's
[training] section says: dropout, ``accumulate_gradient`` (each batch split into that many
sub-batches, one optimizer step per batch), ``eval_frequency``, ``patience``, ``max_steps``,
``max_epochs`` (0: no limit; -1: stream the corpus once, without epochs or shuffling here),
``score_weights`` (the weighted score picks ``model-best``). ``model-last`` is written at the end,
also after Ctrl-C. Checkpoints are written to a temporary folder and renamed into place.
"""
import contextlib
import logging
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ..errors import ConfigError
from .initialize import check_nonempty, resolve_corpus, resolve_training
from .loggers import setup_logger

logger = logging.getLogger("fastpipe")

__all__ = ["train", "TrainResult", "weighted_score", "subdivide_batch", "create_train_batches",
           "save_checkpoint", "BEST_DIR", "LAST_DIR"]

BEST_DIR = "model-best"
LAST_DIR = "model-last"


@dataclass
class TrainResult:
    """What ``train`` did: the trained nlp object, the saved folders (None without an output
    path), the best weighted score and its step, and whether Ctrl-C stopped it."""

    nlp: Any
    best_path: Optional[Path] = None
    last_path: Optional[Path] = None
    best_score: Optional[float] = None
    best_step: Optional[int] = None
    steps: int = 0
    epochs: int = 0
    words: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    checkpoints: List[Tuple[float, int]] = field(default_factory=list)


def weighted_score(scores: Dict[str, Any], weights: Dict[str, Optional[float]]) -> float:
    """Sum of ``weight * score`` over the weighted scores; scores that are None (nothing to
    score yet) and null weights are skipped. A weighted name the pipeline never scores raises
    ConfigError naming it."""
    missing = [k for k, w in weights.items() if w is not None and k not in scores]
    if missing:
        errors = [{"loc": ["training", "score_weights", k], "value": weights[k],
                   "msg": "the pipeline produces no score of this name"} for k in missing]
        available = ", ".join(sorted(k for k, v in scores.items() if not isinstance(v, dict)))
        raise ConfigError(f"Score weights name scores that evaluation does not produce "
                          f"(the scores are: {available}):", errors)
    total = 0.0
    for name, weight in weights.items():
        value = scores.get(name)
        if weight and value is not None and not isinstance(value, dict):
            total += weight * float(value)
    return total


def subdivide_batch(batch: List[Any], accumulate_gradient: int) -> Iterator[List[Any]]:
    """Split a batch into ``accumulate_gradient`` sub-batches of about as many words each
    (longest examples first, so each sub-batch pads little); one sub-batch when it is 1."""
    if accumulate_gradient <= 1 or len(batch) <= 1:
        yield list(batch)
        return
    ordered = sorted(batch, key=len, reverse=True)
    n = min(accumulate_gradient, len(ordered))
    target = sum(len(eg) for eg in ordered) / n
    sub: List[Any] = []
    words = 0
    for eg in ordered:
        sub.append(eg)
        words += len(eg)
        if words >= target and n > 1:
            yield sub
            sub, words, n = [], 0, n - 1
    if sub:
        yield sub


def create_train_batches(nlp, corpus: Callable, batcher: Callable, max_epochs: int,
                         name: str = "corpora.train", config=None
                         ) -> Iterator[Tuple[int, List[Any]]]:
    """Yield ``(epoch, batch)``. With ``max_epochs`` >= 0 the corpus is read once into memory
    and shuffled before every epoch (0: epochs without end); with -1 it is streamed once,
    unshuffled (a reader that shuffles or repeats itself is then in charge)."""
    if max_epochs == -1:
        for batch in batcher(check_nonempty(corpus(nlp), name, config or {})):
            yield 0, batch
        return
    examples = list(check_nonempty(corpus(nlp), name, config or {}))
    epoch = 0
    while max_epochs == 0 or epoch < max_epochs:
        random.shuffle(examples)
        for batch in batcher(examples):
            yield epoch, batch
        epoch += 1


@contextlib.contextmanager
def use_averages(nlp, optimizer):
    """Swap in the optimizer's parameter averages (when it keeps them) for every component."""
    averages = getattr(optimizer, "averages", None)
    with contextlib.ExitStack() as stack:
        if averages:
            seen = set()
            for _, proc in nlp.components:
                model = getattr(proc, "model", None)
                if model is not None and hasattr(model, "use_params") and id(model) not in seen:
                    seen.add(id(model))
                    stack.enter_context(model.use_params(averages))
        yield


def save_checkpoint(nlp, path: Path, before_to_disk: Optional[Callable] = None) -> Path:
    """Write ``nlp`` to ``path`` through a temporary sibling folder that is renamed into place,
    so a crash mid-write leaves the previous checkpoint whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    old = path.parent / f".{path.name}.old"
    for stale in (tmp, old):
        if stale.exists():
            shutil.rmtree(stale)
    to_save = nlp
    if before_to_disk is not None:
        result = before_to_disk(nlp)
        to_save = nlp if result is None else result
    to_save.to_disk(tmp)
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    if old.exists():
        shutil.rmtree(old)
    return path


def _next_value(setting, step: int) -> float:
    """A number, or the next value of a schedule (a generator, or a callable of the step)."""
    if hasattr(setting, "__next__"):
        return next(setting)
    if callable(setting):
        return setting(step)
    return setting


def _n_words(batch: Iterable[Any]) -> int:
    return sum(len(eg) for eg in batch)


def train(nlp, output_path: Optional[Union[str, Path]] = None, *, stdout: IO = None,
          stderr: IO = None) -> TrainResult:
    """Train an initialized pipeline; write ``model-best`` and ``model-last`` under
    ``output_path`` (nothing is written without one). The [training] section of ``nlp.config``
    says how; the logger it names reports progress on ``stdout``/``stderr``."""
    config = nlp.config.interpolate()
    T = resolve_training(config)
    output_path = Path(output_path) if output_path is not None else None
    train_corpus = resolve_corpus(config, T["train_corpus"])
    dev_corpus = resolve_corpus(config, T["dev_corpus"])
    dev_examples = list(check_nonempty(dev_corpus(nlp), T["dev_corpus"], config))
    optimizer = T["optimizer"]
    weights = dict(T.get("score_weights") or {})
    frozen = list(T.get("frozen_components") or [])
    annotating = list(T.get("annotating_components") or [])
    eval_frequency = max(1, int(T["eval_frequency"]))
    patience = int(T["patience"] or 0)
    max_steps = int(T["max_steps"] or 0)
    accumulate = max(1, int(T["accumulate_gradient"]))
    dropout = T["dropout"]
    before_update = T.get("before_update")
    before_to_disk = T.get("before_to_disk")
    batches = create_train_batches(nlp, train_corpus, T["batcher"], int(T["max_epochs"]),
                                   T["train_corpus"], config)
    log_step, finalize = setup_logger(T["logger"], nlp, stdout, stderr)
    result = TrainResult(nlp=nlp)
    best_dir = output_path / BEST_DIR if output_path is not None else None

    def evaluate() -> Tuple[float, Dict[str, Any]]:
        with use_averages(nlp, optimizer):
            scores = nlp.evaluate(dev_examples)
        return weighted_score(scores, weights), scores

    losses: Dict[str, float] = {}
    start = time.perf_counter()
    train_seconds = 0.0  # time spent on updates since the last evaluation
    words_since = 0
    last_eval_step = 0
    epoch = 0
    try:
        for step, (epoch, batch) in enumerate(batches, 1):
            tick = time.perf_counter()
            if before_update is not None:
                before_update(nlp, {"step": step, "epoch": epoch})
            drop = _next_value(dropout, step)
            for sub in subdivide_batch(batch, accumulate):
                nlp.update(sub, drop=drop, sgd=None, losses=losses, exclude=frozen,
                           annotates=annotating)
            for name, proc in nlp.pipeline:
                if name not in frozen and hasattr(proc, "finish_update"):
                    proc.finish_update(optimizer)
            optimizer.step_schedules()
            n_words = _n_words(batch)
            result.words += n_words
            words_since += n_words
            train_seconds += time.perf_counter() - tick
            result.steps, result.epochs = step, epoch
            stop = (max_steps and step >= max_steps)
            if step % eval_frequency and not stop:
                log_step(None)
                continue
            info = _evaluate_step(evaluate, result, step, epoch, losses, words_since,
                                  train_seconds, start)
            last_eval_step = step
            if info["is_best"] and best_dir is not None:
                with use_averages(nlp, optimizer):
                    result.best_path = save_checkpoint(nlp, best_dir, before_to_disk)
            log_step(info)
            losses, words_since, train_seconds = {}, 0, 0.0
            if stop or (patience and step - result.best_step >= patience):
                break
        else:
            if result.steps and last_eval_step != result.steps:  # the data ran out mid-interval
                info = _evaluate_step(evaluate, result, result.steps, epoch, losses, words_since,
                                      train_seconds, start)
                if info["is_best"] and best_dir is not None:
                    with use_averages(nlp, optimizer):
                        result.best_path = save_checkpoint(nlp, best_dir, before_to_disk)
                log_step(info)
    except KeyboardInterrupt:
        result.interrupted = True
        logger.warning("Training interrupted at step %d", result.steps)
    finally:
        finalize()
        result.seconds = time.perf_counter() - start
    if output_path is not None:
        with use_averages(nlp, optimizer):
            result.last_path = save_checkpoint(nlp, output_path / LAST_DIR, before_to_disk)
    return result


def _evaluate_step(evaluate, result: TrainResult, step: int, epoch: int, losses, words_since,
                   train_seconds, start) -> Dict[str, Any]:
    score, other_scores = evaluate()
    is_best = result.best_score is None or score > result.best_score
    if is_best:
        result.best_score, result.best_step = score, step
    result.checkpoints.append((score, step))
    return {
        "epoch": epoch, "step": step, "score": score, "other_scores": other_scores,
        "losses": dict(losses), "checkpoints": list(result.checkpoints),
        "words": result.words, "wps": words_since / train_seconds if train_seconds else 0.0,
        "seconds": time.perf_counter() - start, "is_best": is_best,
    }
