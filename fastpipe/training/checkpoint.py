"""Checkpoints that let an interrupted ``fastpipe train`` go on exactly where it stopped.

A checkpoint is the folder ``OUTPUT/checkpoint/``, replaced as a whole
(``util.replace_folder``), so a crash leaves the previous one:

- ``model/``: the pipeline with its raw weights (``nlp.to_disk``; loadable like model-best,
  but without parameter averages swapped in), whose ``config.cfg`` is the run's config;
- ``arrays.npz``: the optimizer's moments and parameter averages, named by component and
  position in the model tree (thinc keys them by node ids, which differ between processes),
  and numpy's random state;
- ``state.json``: the step, epoch, words and seconds so far, the scoreboard (best score, its
  step, every evaluation), the losses and speed counters since the last evaluation, the
  optimizer's update counts and scheduled values, and Python's random state.

Resuming (``Checkpoint.restore``) works on a pipeline built and initialized from the same config
as the interrupted run (the same seed, so the same corpus and the same first random draws):
the loop replays the batch stream up to the saved step without training (batches depend only
on the corpus, the seed and the batcher's schedule), then the weights, optimizer state,
schedule positions and random states are put back. The next step is then the one the
interrupted run would have taken, bit for bit.
"""
import json
import random
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import numpy

from ..errors import Errors
from ..util import recover_folder, replace_folder

__all__ = ["CHECKPOINT_DIR", "Checkpoint", "write_checkpoint", "read_checkpoint",
           "parameter_names", "config_differences", "RESUMABLE_CHANGES"]

CHECKPOINT_DIR = "checkpoint"
MODEL_DIR = "model"
ARRAYS_FILE = "arrays.npz"
STATE_FILE = "state.json"
FORMAT = 1

#: [training] settings a resumed run may change: they decide when training stops, how often it
#: saves and how it reports, not the steps already taken.
RESUMABLE_CHANGES = ("training.max_steps", "training.patience", "training.checkpoint_frequency",
                     "training.logger")

#: The optimizer attributes a schedule may drive (thinc's Optimizer.schedules keys).
SCHEDULED = ("learn_rate", "grad_clip", "b1", "b2", "eps", "L2")


def parameter_names(nlp) -> Dict[int, str]:
    """A name for every model node of the pipeline's components that is the same in every
    process building the pipeline from the same config: ``component.position`` in the order
    ``model.walk()`` visits the nodes (a node shared by two components keeps its first name)."""
    names: Dict[int, str] = {}
    for component, proc in nlp.components:
        model = getattr(proc, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for i, node in enumerate(model.walk()):
            names.setdefault(node.id, f"{component}.{i}")
    return names


def _optimizer_state(nlp, optimizer) -> Tuple[Dict[str, Any], Dict[str, numpy.ndarray]]:
    """The optimizer's state as JSON-able settings and named arrays."""
    names = parameter_names(nlp)

    def name_of(key) -> str:
        node_id, param = key
        if node_id not in names:
            raise ValueError(Errors.E616.format(detail=f"the optimizer has state for a model "
                                                       f"node (id {node_id}) of no component"))
        return f"{names[node_id]}:{param}"

    arrays: Dict[str, numpy.ndarray] = {}
    for kind in ("mom1", "mom2"):
        for key, value in getattr(optimizer, kind, {}).items():
            arrays[f"{kind}:{name_of(key)}"] = numpy.asarray(value)
    averages = getattr(optimizer, "averages", None)
    for key, value in (averages or {}).items():
        arrays[f"averages:{name_of(key)}"] = numpy.asarray(value)
    meta = {
        "nr_update": {name_of(k): int(v) for k, v in getattr(optimizer, "nr_update", {}).items()},
        "last_seen": {name_of(k): int(v) for k, v in getattr(optimizer, "last_seen", {}).items()},
        "scheduled": {k: float(getattr(optimizer, k)) for k in getattr(optimizer, "schedules", {})
                      if k in SCHEDULED},
    }
    return meta, arrays


def _restore_optimizer(nlp, optimizer, meta: Dict[str, Any], arrays) -> None:
    ids = {name: node_id for node_id, name in parameter_names(nlp).items()}

    def key_of(name: str):
        node, _, param = name.rpartition(":")
        if node not in ids:
            raise ValueError(Errors.E616.format(
                detail=f"{node}, a model node its optimizer updated, is not in this pipeline"))
        return ids[node], param

    for kind in ("mom1", "mom2", "averages"):
        target = getattr(optimizer, kind, None)
        if target is None:
            continue
        target.clear()
        for entry in arrays.files:
            stored_kind, _, name = entry.partition(":")
            if stored_kind == kind:
                target[key_of(name)] = numpy.array(arrays[entry])
    for kind in ("nr_update", "last_seen"):
        counts = getattr(optimizer, kind, None)
        if counts is not None:
            counts.clear()
            counts.update({key_of(name): n for name, n in meta.get(kind, {}).items()})


def _restore_weights(nlp, model_dir: Path) -> None:
    """Read each trainable component's saved weights into the pipeline in place. The vocab,
    the tokenizer and the rule components are left alone (training does not change them, and
    the corpus held in memory points into this vocab)."""
    for name, proc in nlp.components:
        if getattr(proc, "is_trainable", False) and (model_dir / name).exists():
            proc.from_disk(model_dir / name)


def config_differences(saved: Dict[str, Any], current: Dict[str, Any]) -> list:
    """The dotted names of the settings (interpolated configs) that differ between ``saved``
    and ``current``, leaving out those a resumed run may change (``RESUMABLE_CHANGES``)."""
    from ..config import walk_settings

    flat = [{".".join(path): value for path, value in walk_settings(cfg)}
            for cfg in (saved, current)]
    changed = sorted(k for k in set(flat[0]) | set(flat[1])
                     if flat[0].get(k, ...) != flat[1].get(k, ...))
    return [k for k in changed if not any(k == allowed or k.startswith(allowed + ".")
                                          for allowed in RESUMABLE_CHANGES)]


class Checkpoint:
    """A checkpoint read back: ``progress`` (what the loop saved: step, epoch, scoreboard and
    counters), and ``restore(nlp, optimizer)`` for the weights, optimizer and random states."""

    def __init__(self, path: Path, state: Dict[str, Any]):
        self.path = Path(path)
        self.state = state
        self.progress: Dict[str, Any] = state["progress"]

    @property
    def step(self) -> int:
        return int(self.progress["step"])

    @property
    def config_text(self) -> str:
        return (self.path / MODEL_DIR / "config.cfg").read_text(encoding="utf8")

    def restore(self, nlp, optimizer) -> None:
        """Put the saved weights, optimizer state and random states back. The optimizer must
        be freshly built from the run's config: its schedules are moved on by the saved
        number of steps (thinc 8's schedules are generators, which cannot be saved)."""
        _restore_weights(nlp, self.path / MODEL_DIR)
        with numpy.load(self.path / ARRAYS_FILE, allow_pickle=False) as arrays:
            _restore_optimizer(nlp, optimizer, self.state["optimizer"], arrays)
            numpy_state = self.state["numpy_random"]
            numpy.random.set_state((numpy_state["name"], numpy.array(arrays["numpy_random_keys"]),
                                    numpy_state["pos"], numpy_state["has_gauss"],
                                    numpy_state["cached_gaussian"]))
        for _ in range(self.step):
            optimizer.step_schedules()
        for name, value in self.state["optimizer"].get("scheduled", {}).items():
            if float(getattr(optimizer, name)) != value:
                raise ValueError(Errors.E617.format(path=self.path, name=name, value=value,
                                                    now=getattr(optimizer, name), step=self.step))
        version, internal, gauss = self.state["python_random"]
        random.setstate((version, tuple(internal), gauss))


def write_checkpoint(folder: Path, nlp, optimizer, progress: Dict[str, Any]) -> Path:
    """Replace the checkpoint folder ``folder`` with the pipeline's raw weights, ``optimizer``'s
    state, the random states and ``progress`` (JSON-able: the loop's counters)."""
    meta, arrays = _optimizer_state(nlp, optimizer)
    name, keys, pos, has_gauss, cached = numpy.random.get_state()
    arrays["numpy_random_keys"] = keys
    version, internal, gauss = random.getstate()
    state = {"format": FORMAT, "progress": progress, "optimizer": meta,
             "python_random": [version, list(internal), gauss],
             "numpy_random": {"name": name, "pos": int(pos), "has_gauss": int(has_gauss),
                              "cached_gaussian": float(cached)}}

    def write(tmp: Path) -> None:
        nlp.to_disk(tmp / MODEL_DIR)
        numpy.savez(tmp / ARRAYS_FILE, **arrays)
        (tmp / STATE_FILE).write_text(json.dumps(state), encoding="utf8")

    return replace_folder(folder, write)


def read_checkpoint(output_path: Path) -> Optional[Checkpoint]:
    """The checkpoint in the output folder ``output_path``; None when there is none (one that a
    writer killed between its two renames left aside is put back first). A folder that is
    there but cannot be read raises E614."""
    folder = recover_folder(Path(output_path) / CHECKPOINT_DIR)  # a kill between two renames
    if not folder.exists():
        return None
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf8"))
        if state.get("format") != FORMAT or not (folder / ARRAYS_FILE).is_file() \
                or not (folder / MODEL_DIR / "config.cfg").is_file():
            raise ValueError("missing parts or an unknown format")
        int(state["progress"]["step"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(Errors.E614.format(path=folder, err=err)) from None
    return Checkpoint(folder, state)
