"""``OUTPUT/training_log.jsonl``: one JSON object per evaluation, written by ``fastpipe train``
whatever logger the config names, for ``fastpipe plot`` and other tools to read.

Each line holds ``step``, ``epoch``, ``seconds`` (since training started, resumed runs
included), ``words`` (training words seen), ``score`` (the weighted score), ``scores`` (every
score of the evaluation that is a number, as a float; per-label tables are left out),
``losses`` (each component's loss since the previous evaluation) and ``is_best``. Each line is
flushed as it is written, so a killed run keeps every evaluation it finished; a resumed run
first drops the lines after the step it resumes from.
"""
import json
import math
from pathlib import Path
from typing import IO, Any, Dict, Optional

from ..util import write_text_atomic

__all__ = ["LOG_FILE", "TrainingLog", "log_record", "open_resumed"]

LOG_FILE = "training_log.jsonl"


def _number(value) -> Optional[float]:
    """``value`` as a float when it is a finite number (numpy scalars too), else None."""
    if isinstance(value, (bool, str, dict, list, tuple)) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def log_record(info: Dict[str, Any]) -> Dict[str, Any]:
    """The line for one evaluation, from the dict the loop gives its logger."""
    scores = {}
    for name, value in (info.get("other_scores") or {}).items():
        number = _number(value)
        if number is not None:
            scores[str(name)] = number
    return {"step": int(info["step"]), "epoch": int(info["epoch"]),
            "seconds": float(info["seconds"]), "words": int(info["words"]),
            "score": _number(info.get("score")), "scores": scores,
            "losses": {str(k): float(v) for k, v in (info.get("losses") or {}).items()},
            "is_best": bool(info.get("is_best"))}


def open_resumed(path: Path, step: int) -> IO:
    """A JSONL log of evaluations (each line with a "step"), opened to append after keeping
    only its lines up to ``step``: what a run resumed from that step goes on writing."""
    path = Path(path)
    write_text_atomic(path, "".join(_lines_until(path, step)))
    return path.open("a", encoding="utf8")


def _lines_until(path: Path, step: int):
    if not path.exists():
        return
    with path.open(encoding="utf8") as f:
        for line in f:
            try:
                kept = json.loads(line)["step"] <= step
            except (ValueError, KeyError, TypeError):  # a line cut off by a kill
                kept = False
            if kept:
                yield line if line.endswith("\n") else line + "\n"


class TrainingLog:
    """The log file of one run: ``TrainingLog(path)`` starts it afresh, ``resume_at=step``
    keeps the lines up to ``step`` and appends after them."""

    def __init__(self, path: Path, resume_at: Optional[int] = None):
        self.path = Path(path)
        if resume_at is None:
            write_text_atomic(self.path, "")
            self._file: Optional[IO] = self.path.open("a", encoding="utf8")
        else:
            self._file = open_resumed(self.path, resume_at)

    def write(self, info: Dict[str, Any]) -> None:
        if self._file is not None:
            self._file.write(json.dumps(log_record(info)) + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
