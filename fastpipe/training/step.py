"""One training step and the record of one evaluation: what the single-process loop
(``training.loop.train``) and every Ray worker (``parallel.worker.Worker``) share.

``train_step(nlp, batch, optimizer, settings, ...)`` is the body of a batch: the
``before_update`` callback, ``nlp.update`` on each of the ``accumulate_gradient`` sub-batches,
one ``nlp.finish_update(optimizer)`` and ``optimizer.step_schedules()``. A Ray worker passes its
router (``parallel.exchange.Router``) as the optimizer: it steps the parameters the worker owns
and sends the other gradients to their owners.

``Scoreboard.record(score, step)`` is the one place that decides whether an evaluation is the
best so far (which ``model-best`` then holds) and keeps the list of checkpoints.
"""
import contextlib
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from ..errors import ConfigError, Errors
from ..gold.corpus import gc_paused, release_held_docs
from .initialize import check_nonempty

__all__ = ["StepSettings", "train_step", "next_value", "subdivide_batch", "create_train_batches",
           "n_words", "weighted_score", "use_averages", "Scoreboard"]


@dataclass
class StepSettings:
    """The [training] settings a step reads."""

    dropout: Any = 0.0                  # a number, or a schedule (generator or callable of the step)
    accumulate: int = 1                 # sub-batches per batch (accumulate_gradient)
    frozen: List[str] = field(default_factory=list)       # components not updated
    annotating: List[str] = field(default_factory=list)   # components that annotate while training
    before_update: Optional[Callable] = None              # callback(nlp, {"step", "epoch"})

    @classmethod
    def from_training(cls, T: Dict[str, Any]) -> "StepSettings":
        """The settings of a resolved [training] section (``initialize.resolve_training``)."""
        return cls(dropout=T["dropout"], accumulate=max(1, int(T["accumulate_gradient"])),
                   frozen=list(T.get("frozen_components") or []),
                   annotating=list(T.get("annotating_components") or []),
                   before_update=T.get("before_update"))


def train_step(nlp, batch: List[Any], optimizer, settings: StepSettings, *, step: int,
               epoch: int, losses: Dict[str, float]) -> int:
    """Train ``nlp`` on one batch of Examples: call ``before_update``, update every trainable
    component that is not frozen on each sub-batch (gradients add up), then step them once
    with ``optimizer`` and move its schedules on. Adds to ``losses``; returns the batch's
    number of words."""
    if settings.before_update is not None:
        settings.before_update(nlp, {"step": step, "epoch": epoch})
    drop = next_value(settings.dropout, step)
    for sub in subdivide_batch(batch, settings.accumulate):
        nlp.update(sub, drop=drop, sgd=False, losses=losses, exclude=settings.frozen,
                   annotates=settings.annotating)
    nlp.finish_update(optimizer, exclude=settings.frozen)
    optimizer.step_schedules()
    return n_words(batch)


def next_value(setting, step: int) -> float:
    """A number, or the next value of a schedule (a generator, or a callable of the step)."""
    if hasattr(setting, "__next__"):
        return next(setting)
    if callable(setting):
        return setting(step)
    return setting


def n_words(batch: Iterable[Any]) -> int:
    return sum(len(eg) for eg in batch)


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
    unshuffled (a reader that shuffles or repeats itself is then in charge). Documents the
    initialization held for ``nlp`` (``init_nlp(hold_train_docs=True)``) serve the pass
    into memory and are released after it (a streamed pass releases them unused).

    The shuffles draw from a generator of their own that starts from the state of Python's
    ``random`` once the corpus is read: the batches depend on the corpus, the seed and the
    batcher only, never on what training draws, so a resumed run replays them exactly."""
    if max_epochs == -1:
        release_held_docs(nlp)
        for batch in batcher(check_nonempty(corpus(nlp), name, config or {})):
            yield 0, batch
        return
    with gc_paused():
        examples = list(check_nonempty(corpus(nlp), name, config or {}))
    release_held_docs(nlp)
    shuffler = random.Random()
    shuffler.setstate(random.getstate())
    epoch = 0
    while max_epochs == 0 or epoch < max_epochs:
        shuffler.shuffle(examples)
        for batch in batcher(examples):
            yield epoch, batch
        epoch += 1


def weighted_score(scores: Dict[str, Any], weights: Dict[str, Optional[float]]) -> float:
    """Sum of ``weight * score`` over the weighted scores; scores that are None (nothing to
    score yet) and null or zero weights are skipped. A name with a non-zero weight that the
    pipeline never scores raises ConfigError naming it (a zero weight may name a score the
    pipeline does not produce, as spaCy's generated configs do: ``pos_acc = 0.0`` beside a
    tagger)."""
    missing = [k for k, w in weights.items() if w and k not in scores]
    if missing:
        errors = [{"loc": ["training", "score_weights", k], "value": weights[k],
                   "msg": "the pipeline produces no score of this name"} for k in missing]
        available = ", ".join(sorted(k for k, v in scores.items() if not isinstance(v, dict)))
        raise ConfigError(Errors.E120.format(available=available), errors)
    total = 0.0
    for name, weight in weights.items():
        value = scores.get(name)
        if weight and value is not None and not isinstance(value, dict):
            total += weight * float(value)
    return total


@contextlib.contextmanager
def use_averages(nlp, averages: Optional[Dict]):
    """Swap the parameter averages an optimizer keeps (``optimizer.averages``; nothing when
    None or empty) into every component's model for the block."""
    with contextlib.ExitStack() as stack:
        if averages:
            seen = set()
            for _, proc in nlp.components:
                model = getattr(proc, "model", None)
                if model is not None and hasattr(model, "use_params") and id(model) not in seen:
                    seen.add(id(model))
                    stack.enter_context(model.use_params(averages))
        yield


@dataclass
class Scoreboard:
    """The weighted score of every evaluation so far, and the best one."""

    best_score: Optional[float] = None
    best_step: Optional[int] = None
    checkpoints: List[Tuple[float, int]] = field(default_factory=list)  # (score, step)

    def record(self, score: float, step: int) -> bool:
        """Note an evaluation at ``step``; True when it is the best so far (the first one is).
        A tie is not an improvement: the earlier checkpoint stays the best."""
        is_best = self.best_score is None or score > self.best_score
        if is_best:
            self.best_score, self.best_step = score, step
        self.checkpoints.append((score, step))
        return is_best

    def out_of_patience(self, step: int, patience: int) -> bool:
        """True when ``patience`` (0: no limit) steps have passed without a better score."""
        return bool(patience) and self.best_step is not None \
            and step - self.best_step >= patience
