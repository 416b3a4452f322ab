"""Training loggers (registry ``loggers``).

A registered logger function returns a setup function ``setup(nlp, stdout=..., stderr=...) ->
(log_step, finalize)``; a user's ``setup(nlp)`` without the streams works as well. The training
loop calls ``log_step(info)`` after every step: ``info`` is None between evaluations and, after
an evaluation, a dict with ``epoch``, ``step``, ``score`` (the weighted score), ``other_scores``
(everything ``nlp.evaluate`` returned), ``losses`` (per component, summed since the previous
evaluation), ``checkpoints`` (``(score, step)`` of every evaluation so far), ``words`` (training
words seen), ``wps`` (training words per second since the previous evaluation) and ``seconds``
(time since training started). ``finalize()`` is called once at the end, also after an error or
Ctrl-C. A run resumed from a checkpoint sets its logger up with ``resumed_step``: the log files
of fastpipe's loggers then keep their lines up to that step and go on after them.
"""
import json
import sys
import warnings
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union

import click

from ..errors import Errors, Warnings
from ..registry import registry
from .training_log import open_resumed

LogStep = Callable[[Optional[Dict[str, Any]]], None]
Finalize = Callable[[], None]
LoggerSetup = Callable[..., Tuple[LogStep, Finalize]]

__all__ = ["console_logger", "console_table_logger", "jsonl_logger", "chain_logger",
           "setup_logger", "score_columns", "trained_components"]


#: The step a resumed run goes on from while its logger is set up (None: a new run). The
#: loggers that write files then keep their lines up to it and append, instead of refusing or
#: replacing the file an interrupted run of the same output left.
_RESUMED_STEP: ContextVar[Optional[int]] = ContextVar("resumed_step", default=None)


def setup_logger(setup: LoggerSetup, nlp, stdout: Optional[IO] = None, stderr: Optional[IO] = None,
                 resumed_step: Optional[int] = None):
    """Call a logger's setup function with the streams when it accepts them; ``resumed_step``
    for a run resumed from a checkpoint."""
    token = _RESUMED_STEP.set(resumed_step)
    try:
        return _setup(setup, nlp, stdout, stderr)
    finally:
        _RESUMED_STEP.reset(token)


def _setup(setup: LoggerSetup, nlp, stdout: IO, stderr: IO):
    import inspect

    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        params = inspect.signature(setup).parameters
    except (TypeError, ValueError):
        params = {}
    takes_streams = "stdout" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
    if takes_streams:
        return setup(nlp, stdout=stdout, stderr=stderr)
    return setup(nlp)


def trained_components(nlp) -> List[str]:
    """Names of the components the loop updates: trainable, enabled, not frozen."""
    frozen = set(nlp.config.get("training", {}).get("frozen_components", []) or [])
    return [name for name, proc in nlp.pipeline
            if getattr(proc, "is_trainable", False) and name not in frozen]


def score_columns(nlp) -> List[str]:
    """The scores shown as columns: every score with a weight that is not null."""
    weights = nlp.config.get("training", {}).get("score_weights", {}) or {}
    return [name for name, weight in weights.items() if weight is not None]


def _format_score(name: str, value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (int, float)) and name != "speed" and 0.0 <= value <= 1.0:
        return f"{value * 100:.2f}"
    if isinstance(value, (int, float)):
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.2f}"
    return str(value)


def _progress_bar(stream: IO, total: int):
    """click's progress bar toward the next evaluation, drawn on ``stream`` when it is a
    terminal (None on a pipe or a file, which get only the table)."""
    if not getattr(stream, "isatty", lambda: False)():
        return None
    bar = click.progressbar(length=max(1, total), file=stream, width=30, show_eta=False,
                            show_pos=True, label="  steps to the next evaluation")
    bar.__enter__()  # drawn from now on; render_finish() ends its line
    return bar


#: The kinds of progress bar a console logger draws: toward the next evaluation, or toward
#: the end of training ([training] max_steps).
PROGRESS_BARS = ("eval", "train")


@registry.loggers("fastpipe.ConsoleLogger.v1")
def console_logger(progress_bar: bool = True) -> LoggerSetup:
    """A table on stdout: E (epoch), # (step), one LOSS column per trained component, every
    score with a weight (as a percentage where it is a fraction) and SCORE, the weighted total.
    With ``progress_bar``, a bar on stderr (when it is a terminal) between evaluations."""
    return console_table_logger(progress_bar="eval" if progress_bar else None)


def console_table_logger(progress_bar: Optional[str] = None, console_output: bool = True,
                         output_file: Optional[Union[str, Path]] = None) -> LoggerSetup:
    """The console logger with every setting spaCy's console loggers have: ``progress_bar``
    is None, "eval" (steps to the next evaluation) or "train" (steps to [training]
    max_steps); ``console_output=False`` leaves the table out; ``output_file`` gets one JSON
    line per evaluation (epoch, step, losses, scores as the table shows them, score). An
    ``output_file`` that already exists is kept as it is (W010) and nothing is written to it,
    unless the run resumes the one that wrote it: its lines up to the checkpoint are kept."""
    if progress_bar is not None and progress_bar not in PROGRESS_BARS:
        raise ValueError(Errors.E520.format(value=progress_bar, allowed=PROGRESS_BARS))
    out_path = Path(output_file) if output_file else None

    def setup(nlp, stdout: Optional[IO] = None,
              stderr: Optional[IO] = None) -> Tuple[LogStep, Finalize]:
        stdout = sys.stdout if stdout is None else stdout
        stderr = sys.stderr if stderr is None else stderr
        training = nlp.config.get("training", {})
        losses_cols = trained_components(nlp)
        score_cols = score_columns(nlp)
        eval_frequency = int(training.get("eval_frequency", 200) or 200)
        max_steps = int(training.get("max_steps", 0) or 0)
        headers = (["E", "#"] + [f"LOSS {n.upper()}" for n in losses_cols]
                   + [n.upper() for n in score_cols] + ["SCORE"])
        widths = [max(3, len(h)) for h in headers]
        widths[1] = max(widths[1], 6)
        aligns = ["<"] + [">"] * (len(headers) - 1)
        state = {"bar": None, "header": not console_output, "file": _open_log(out_path)}

        def row(values) -> str:
            return "  ".join(f"{v:{a}{w}}" for v, a, w in zip(values, aligns, widths)).rstrip()

        def write_header():
            stdout.write(row(headers) + "\n")
            stdout.write("  ".join("-" * w for w in widths) + "\n")
            stdout.flush()
            state["header"] = True

        def start_bar(step: int):
            if progress_bar == "train":
                bar = _progress_bar(stderr, max_steps or eval_frequency)
                if bar:
                    bar.update(step)
            else:
                bar = _progress_bar(stderr, eval_frequency)
            state["bar"] = bar or False

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            if not state["header"]:
                write_header()
            if info is None:
                if progress_bar and console_output:
                    if state["bar"] is None:
                        start_bar(0)
                    if state["bar"]:
                        state["bar"].update(1)
                return
            if state["bar"]:
                state["bar"].render_finish()
            state["bar"] = None
            losses = info.get("losses", {}) or {}
            scores = info.get("other_scores", {}) or {}
            if state["file"] is not None:
                _write_log_line(state["file"], info, losses_cols, score_cols)
            if not console_output:
                return
            values = [str(info.get("epoch", "")), str(info.get("step", ""))]
            values += [f"{losses.get(n, 0.0):.2f}" for n in losses_cols]
            values += [_format_score(n, scores.get(n)) for n in score_cols]
            score = info.get("score")
            values.append("-" if score is None else f"{score:.2f}")
            stdout.write(row(values) + "\n")
            stdout.flush()
            if progress_bar == "train":
                start_bar(int(info.get("step", 0) or 0))

        def finalize() -> None:
            if state["bar"]:
                state["bar"].render_finish()
            state["bar"] = None
            if state["file"] is not None and not state["file"].closed:
                state["file"].close()

        return log_step, finalize

    return setup


def _open_log(path: Optional[Path]):
    """The opened log file, or None: no path, or a file already there (W010: kept as it is)
    unless this run resumes the one that wrote it."""
    if path is None:
        return None
    if path.exists() and _RESUMED_STEP.get() is not None:
        return open_resumed(path, _RESUMED_STEP.get())
    if path.exists():
        warnings.warn(Warnings.W010.format(path=path))
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf8")


def _write_log_line(file_, info: Dict[str, Any], losses_cols: List[str],
                    score_cols: List[str]) -> None:
    """One evaluation as a JSON line: the losses of the trained components and the weighted
    scores as percentages (speed as it is), the way the console table shows them."""
    losses = info.get("losses", {}) or {}
    other = info.get("other_scores", {}) or {}
    scores = {}
    for name in score_cols:
        value = other.get(name)
        if isinstance(value, (int, float)):
            value = float(value) if name == "speed" else float(value) * 100
        scores[name] = _jsonable(value)
    score = info.get("score")
    record = {"epoch": info.get("epoch"), "step": info.get("step"),
              "losses": {n: float(losses.get(n, 0.0)) for n in losses_cols},
              "scores": scores, "score": None if score is None else float(score)}
    file_.write(json.dumps(record) + "\n")
    file_.flush()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    try:
        return float(value)  # numpy scalars
    except (TypeError, ValueError):
        return str(value)


@registry.loggers("fastpipe.JsonlLogger.v1")
def jsonl_logger(path: Union[str, Path], append: bool = False) -> LoggerSetup:
    """One JSON object per evaluation, one per line, in the file at ``path`` (its folder is
    created; the file is replaced unless ``append``; a resumed run keeps its lines up to the
    checkpoint): epoch, step, score, other_scores, losses, words, wps, seconds."""

    def setup(nlp, stdout: Optional[IO] = None,
              stderr: Optional[IO] = None) -> Tuple[LogStep, Finalize]:
        out_path = Path(path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if _RESUMED_STEP.get() is not None:   # the lines of the steps before the checkpoint
            file_ = open_resumed(out_path, _RESUMED_STEP.get())
        else:
            file_ = out_path.open("a" if append else "w", encoding="utf8")

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            if info is None or file_.closed:
                return
            keys = ("epoch", "step", "score", "other_scores", "losses", "words", "wps", "seconds")
            record = {k: _jsonable(info.get(k)) for k in keys if k in info}
            file_.write(json.dumps(record) + "\n")
            file_.flush()

        def finalize() -> None:
            if not file_.closed:
                file_.close()

        return log_step, finalize

    return setup


@registry.loggers("fastpipe.ChainLogger.v1")
def chain_logger(*loggers: LoggerSetup) -> LoggerSetup:
    """Several loggers at once: ``[training.logger.*.console]`` blocks, called in order."""

    def setup(nlp, stdout: Optional[IO] = None,
              stderr: Optional[IO] = None) -> Tuple[LogStep, Finalize]:
        pairs = [setup_logger(lg, nlp, stdout, stderr, resumed_step=_RESUMED_STEP.get())
                 for lg in loggers]

        def log_step(info):
            for step_fn, _ in pairs:
                step_fn(info)

        def finalize():
            for _, finalize_fn in pairs:
                finalize_fn()

        return log_step, finalize

    return setup
