"""Training loggers (registry ``loggers``).

A registered logger function returns a setup function ``setup(nlp, stdout=..., stderr=...) ->
(log_step, finalize)``; a user's ``setup(nlp)`` without the streams works as well. The training
loop calls ``log_step(info)`` after every step: ``info`` is None between evaluations and, after
an evaluation, a dict with ``epoch``, ``step``, ``score`` (the weighted score), ``other_scores``
(everything ``nlp.evaluate`` returned), ``losses`` (per component, summed since the previous
evaluation), ``checkpoints`` (``(score, step)`` of every evaluation so far), ``words`` (training
words seen), ``wps`` (training words per second since the previous evaluation) and ``seconds``
(time since training started). ``finalize()`` is called once at the end, also after an error or
Ctrl-C.
"""
import json
import sys
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union

import click

from ..registry import registry

LogStep = Callable[[Optional[Dict[str, Any]]], None]
Finalize = Callable[[], None]
LoggerSetup = Callable[..., Tuple[LogStep, Finalize]]

__all__ = ["console_logger", "jsonl_logger", "chain_logger", "setup_logger", "score_columns",
           "trained_components"]


def setup_logger(setup: LoggerSetup, nlp, stdout: IO = None, stderr: IO = None):
    """Call a logger's setup function with the streams when it accepts them."""
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


@registry.loggers("fastpipe.ConsoleLogger.v1")
def console_logger(progress_bar: bool = True) -> LoggerSetup:
    """A table on stdout: E (epoch), # (step), one LOSS column per trained component, every
    score with a weight (as a percentage where it is a fraction) and SCORE, the weighted total.
    With ``progress_bar``, a bar on stderr (when it is a terminal) between evaluations."""

    def setup(nlp, stdout: IO = None, stderr: IO = None) -> Tuple[LogStep, Finalize]:
        stdout = sys.stdout if stdout is None else stdout
        stderr = sys.stderr if stderr is None else stderr
        losses_cols = trained_components(nlp)
        score_cols = score_columns(nlp)
        eval_frequency = int(nlp.config.get("training", {}).get("eval_frequency", 200) or 200)
        headers = (["E", "#"] + [f"LOSS {n.upper()}" for n in losses_cols]
                   + [n.upper() for n in score_cols] + ["SCORE"])
        widths = [max(3, len(h)) for h in headers]
        widths[1] = max(widths[1], 6)
        aligns = ["<"] + [">"] * (len(headers) - 1)
        state = {"bar": None, "header": False, "words": 0}

        def row(values) -> str:
            return "  ".join(f"{v:{a}{w}}" for v, a, w in zip(values, aligns, widths)).rstrip()

        def write_header():
            stdout.write(row(headers) + "\n")
            stdout.write("  ".join("-" * w for w in widths) + "\n")
            stdout.flush()
            state["header"] = True

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            if not state["header"]:
                write_header()
            if info is None:
                if progress_bar:
                    if state["bar"] is None:
                        state["bar"] = _progress_bar(stderr, eval_frequency) or False
                    if state["bar"]:
                        state["bar"].update(1)
                return
            if state["bar"]:
                state["bar"].render_finish()
            state["bar"] = None
            losses = info.get("losses", {}) or {}
            scores = info.get("other_scores", {}) or {}
            values = [str(info.get("epoch", "")), str(info.get("step", ""))]
            values += [f"{losses.get(n, 0.0):.2f}" for n in losses_cols]
            values += [_format_score(n, scores.get(n)) for n in score_cols]
            score = info.get("score")
            values.append("-" if score is None else f"{score:.2f}")
            stdout.write(row(values) + "\n")
            stdout.flush()

        def finalize() -> None:
            if state["bar"]:
                state["bar"].render_finish()
            state["bar"] = None

        return log_step, finalize

    return setup


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
    created; the file is replaced unless ``append``): epoch, step, score, other_scores, losses,
    words, wps, seconds."""

    def setup(nlp, stdout: IO = None, stderr: IO = None) -> Tuple[LogStep, Finalize]:
        out_path = Path(path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
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

    def setup(nlp, stdout: IO = None, stderr: IO = None) -> Tuple[LogStep, Finalize]:
        pairs = [setup_logger(lg, nlp, stdout, stderr) for lg in loggers]

        def log_step(info):
            for step_fn, _ in pairs:
                step_fn(info)

        def finalize():
            for _, finalize_fn in pairs:
                finalize_fn()

        return log_step, finalize

    return setup
