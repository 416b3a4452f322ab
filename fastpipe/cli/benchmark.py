"""``fastpipe benchmark speed`` (words per second, after warm-up, with its spread over batches)
and ``fastpipe benchmark accuracy`` (the scores ``fastpipe evaluate`` prints)."""
import itertools
import statistics
import time
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Union

import click

from ._app import app
from ._util import code_option, reporting_errors, setup_logging, verbose_option
from .apply import progress_stream
from .evaluate import evaluate_cli


def _texts(data: Path, vocab, n: int) -> List[str]:
    """``n`` texts of the documents in ``data`` (any input ``fastpipe apply`` reads), cycling
    through them when there are fewer; documents without words are left out."""
    from ..errors import Errors
    from .apply import input_files, iter_inputs

    texts = [x if isinstance(x, str) else x.text
             for x in itertools.islice(iter_inputs(input_files(data), vocab), n)]
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise ValueError(Errors.E670.format(path=data))
    return list(itertools.islice(itertools.cycle(texts), n))


def benchmark_speed(model, data, *, batch_size: int = 128, n_batches: int = 10,
                    warmup: int = 2, code_path=None,
                    progress: Union[IO, bool] = True) -> Dict[str, Any]:
    """Time the pipeline ``model`` on ``n_batches`` batches of ``batch_size`` texts from
    ``data``, each batch through ``nlp.pipe`` after ``warmup`` untimed batches. Returns words/s
    per batch and their mean, standard deviation, minimum and maximum; each batch's speed is
    shown on ``progress`` (stderr for True, nothing for False)."""
    from ..config import import_code
    from ..errors import Errors
    from ..language import load

    for option, value, least in (("batch-size", batch_size, 1), ("n-batches", n_batches, 1),
                                 ("warmup", warmup, 0)):
        if value < least:
            raise ValueError(Errors.E671.format(option=option, least=least, value=value))
    import_code(code_path)
    stream = progress_stream(progress)
    nlp = load(model)
    texts = _texts(Path(data), nlp.vocab, batch_size * (n_batches + warmup))
    batches = [texts[i:i + batch_size] for i in range(0, len(texts), batch_size)]
    for batch in batches[:warmup]:
        list(nlp.pipe(batch, batch_size=batch_size))
    speeds = []
    for i, batch in enumerate(batches[warmup:], 1):
        start = time.perf_counter()
        words = sum(len(doc) for doc in nlp.pipe(batch, batch_size=batch_size))
        speeds.append(words / max(time.perf_counter() - start, 1e-9))
        if stream is not None:
            stream.write(f"\rbatch {i}/{n_batches}: {speeds[-1]:,.0f} words/s")
            stream.flush()
    if stream is not None:
        stream.write("\n")
    return {"words_per_second": speeds, "mean": statistics.fmean(speeds),
            "std": statistics.stdev(speeds) if len(speeds) > 1 else 0.0,
            "min": min(speeds), "max": max(speeds), "batch_size": batch_size,
            "n_batches": n_batches, "warmup": warmup}


@app.group("benchmark")
def benchmark_group():
    """Measure a trained pipeline: its speed, or its accuracy on a corpus."""


@benchmark_group.command("speed")
@click.argument("model", type=str)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--batch-size", "-b", type=int, default=128, show_default=True,
              help="Documents per timed batch.")
@click.option("--n-batches", "-n", type=int, default=10, show_default=True,
              help="Timed batches: the mean and spread are over them.")
@click.option("--warmup", "-w", type=int, default=2, show_default=True,
              help="Untimed batches first (caches, lazy set-up).")
@code_option
@verbose_option
def speed_cli(model: str, data: Path, batch_size: int, n_batches: int, warmup: int,
              code_path: Optional[Path], verbose: bool):
    """Time the pipeline MODEL on the documents in DATA (a corpus, .txt or .jsonl, or a
    folder of them; reused in turn when there are too few) and print its words per second."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        result = benchmark_speed(model, data, batch_size=batch_size, n_batches=n_batches,
                                 warmup=warmup, code_path=code_path)
    click.echo(f"{result['mean']:,.0f} words/s (std {result['std']:,.0f}, min "
               f"{result['min']:,.0f}, max {result['max']:,.0f}) over {n_batches} batches of "
               f"{batch_size} documents after {warmup} warm-up batches")


benchmark_group.add_command(evaluate_cli, "accuracy")
