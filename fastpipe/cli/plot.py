"""``fastpipe plot``: the learning curves of a training run, drawn from the log that
``fastpipe train`` writes in its output folder (``training_log.jsonl``: one JSON object per
evaluation with ``step``, ``score``, ``scores`` {name: value}, ``losses`` {component: value}
and ``is_best``).

The scores go in the upper panel and the losses in the lower one, both over the training
steps, the best evaluation marked. matplotlib draws them; it is the optional extra
``fastpipe[plot]``, imported only when a picture is made."""
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import click

from ._app import app
from ._util import reporting_errors, verbose_option

Series = Dict[str, Tuple[List[float], List[float]]]  # name -> (steps, values)


def read_training_log(path: Union[str, Path]) -> List[Dict[str, Any]]:
    """The evaluations in a training log (a file, or the output folder holding one)."""
    from ..errors import Errors
    from ..training.training_log import LOG_FILE

    path = Path(path)
    if path.is_dir():
        path = path / LOG_FILE
    if not path.is_file():
        raise FileNotFoundError(Errors.E697.format(path=path, why="no such file"))
    records = []
    lines = path.read_text(encoding="utf8").splitlines(keepends=True)
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            if n == len(lines) and not line.endswith("\n"):
                break  # the last line of a run killed while writing it
            raise ValueError(Errors.E698.format(path=path, line=n, why=err)) from None
        why = _problem(record)
        if why:
            raise ValueError(Errors.E698.format(path=path, line=n, why=why))
        records.append(record)
    if not records:
        raise ValueError(Errors.E697.format(path=path, why="it holds no evaluations"))
    return records


def _problem(record: Any) -> Optional[str]:
    if not isinstance(record, dict):
        return f"a {type(record).__name__}, not an object"
    if not _is_number(record.get("step")):
        return f"step is {record.get('step')!r}"
    for key in ("scores", "losses"):
        if not isinstance(record.get(key, {}), dict):
            return f"{key} is {type(record[key]).__name__}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def curves(records: Sequence[Dict[str, Any]], scores: Optional[Sequence[str]] = None,
           *, where: str = "the log") -> Tuple[Series, Series]:
    """(scores, losses): each curve's steps and values, a point only where the value is a
    number. ``scores`` picks the score names (default: the weighted "score" and every score
    in the log)."""
    from ..errors import Errors

    available = ["score"] + _names(records, "scores")
    if scores:
        missing = [name for name in scores if name not in available]
        if missing:
            raise ValueError(Errors.E699.format(missing=", ".join(missing), path=where,
                                                available=", ".join(available)))
    wanted = list(scores) if scores else available

    def series(names, get) -> Series:
        out: Series = {}
        for name in names:
            points = [(r["step"], get(r, name)) for r in records if _is_number(get(r, name))]
            if points:
                out[name] = ([p[0] for p in points], [p[1] for p in points])
        return out

    return (series(wanted, lambda r, k: r.get("score") if k == "score" else
                   r.get("scores", {}).get(k)),
            series(_names(records, "losses"), lambda r, k: r.get("losses", {}).get(k)))


def _names(records, key: str) -> List[str]:
    names: Dict[str, None] = {}
    for record in records:
        for name, value in record.get(key, {}).items():
            if _is_number(value):
                names[name] = None
    return list(names)


def plot_training_log(path: Union[str, Path], output: Optional[Union[str, Path]] = None,
                      scores: Optional[Sequence[str]] = None) -> Path:
    """Draw the curves of the training log at ``path`` (a file or an output folder) to
    ``output`` (default: curves.png beside the log); the format follows the suffix."""
    from ..errors import Errors
    from ..training.training_log import LOG_FILE
    from ..util import atomic_write

    path = Path(path)
    records = read_training_log(path)
    log_path = path / LOG_FILE if path.is_dir() else path
    output = Path(output) if output is not None else log_path.parent / "curves.png"
    score_curves, loss_curves = curves(records, scores, where=str(log_path))
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(Errors.E696) from None
    n_panels = 2 if loss_curves else 1
    with rc_context({"svg.fonttype": "none"}):  # SVG text stays text
        figure = Figure(figsize=(8, 3.2 * n_panels), layout="constrained")
        formats = figure.canvas.get_supported_filetypes()
        suffix = output.suffix.lstrip(".").lower()
        if suffix not in formats:
            raise ValueError(Errors.E695.format(suffix=output.suffix, path=output,
                                                formats=", ".join(sorted(formats))))
        axes = figure.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0]
        _draw(axes[0], score_curves, "score")
        best = [r for r in records if r.get("is_best") and _is_number(r.get("score"))]
        if best:
            axes[0].plot([best[-1]["step"]], [best[-1]["score"]], "k*", markersize=12,
                         label="best", linestyle="none")
            axes[0].legend(loc="best", fontsize="small")
        if loss_curves:
            _draw(axes[1], loss_curves, "loss")
        axes[-1].set_xlabel("step")
        figure.suptitle(f"Training curves: {log_path}", fontsize="medium")
        with atomic_write(output, "wb") as f:
            figure.savefig(f, format=suffix)
    return output


def _draw(ax, series: Series, ylabel: str) -> None:
    for name, (steps, values) in series.items():
        ax.plot(steps, values, marker="o", markersize=3, label=name)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if series:
        ax.legend(loc="best", fontsize="small")


@app.command("plot")
@click.argument("output_dir", type=click.Path(path_type=Path))
@click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The picture to write; its suffix (.png, .svg, .pdf...) sets "
                                 "the format.  [default: OUTPUT_DIR/curves.png]")
@click.option("--scores", "-s", default=None,
              help="Comma-separated score names to draw (default: the weighted score and "
                   "every score in the log), e.g. tag_acc,dep_las.")
@verbose_option
def plot_cli(output_dir: Path, output_path: Optional[Path], scores: Optional[str],
             verbose: bool):
    """Draw the scores and losses of a training run over its steps, from
    OUTPUT_DIR/training_log.jsonl (what fastpipe train writes in its output folder). Needs
    matplotlib: pip install 'fastpipe[plot]'."""
    names = [s.strip() for s in scores.split(",") if s.strip()] if scores else None
    with reporting_errors(verbose):
        try:
            written = plot_training_log(output_dir, output_path, names)
        except ImportError as err:  # matplotlib missing: the message says what to install
            raise click.ClickException(str(err)) from None
    click.echo(f"Saved the training curves to {written}")
