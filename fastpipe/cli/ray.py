"""``fastpipe ray train``: train a pipeline on several Ray workers (``fastpipe.parallel``).

Ray is optional: this module only imports ``fastpipe.parallel`` (and that imports Ray) when the
command runs; without Ray the command says how to install it.
"""
import sys
from pathlib import Path
from typing import Optional

import click

from ._app import app
from ._util import (OVERRIDES_CONTEXT, code_option, overrides_from, report_training,
                    reporting_errors, setup_logging, verbose_option)


@app.group("ray")
def ray_group():
    """Train on a Ray cluster (needs: pip install fastpipe[ray])."""


@ray_group.command("train", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--n-workers", "-n", default=2, show_default=True, type=click.IntRange(min=1),
              help="Number of training workers (Ray actors, one CPU each).")
@click.option("--address", "-a", default=None,
              help="Address of a running Ray cluster to join (e.g. 'auto' or 'HOST:6379'). "
                   "Without it a local Ray is started and stopped.")
@click.option("--output", "-o", "output_path", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for model-best/ and model-last/ (created). Without it "
                                 "the pipeline is trained but not saved.")
@click.option("--on-failure", type=click.Choice(["continue", "stop"]), default="continue",
              show_default=True,
              help="When a worker dies: go on with the survivors (they take over its "
                   "parameters) or stop and save model-last/.")
@click.option("--weight-prediction", type=click.FloatRange(0.0, None), default=None,
              help="Each batch runs on weights moved on along their change since the "
                   "previous batch, times this, to make up for the updates still in "
                   "flight. Default: exchange.WEIGHT_PREDICTION in "
                   "fastpipe/parallel (measured on two workers). 0 turns it off.")
@code_option
@click.option("--gpu-id", "-g", default=-1, show_default=True, type=int,
              help="-1: the CPU. fastpipe runs on the CPU only, so a GPU id (0 or more) is "
                   "refused.")
@verbose_option
@click.pass_context
def ray_train_cli(ctx: click.Context, config_path: Path, n_workers: int, address: Optional[str],
                  output_path: Optional[Path], on_failure: str,
                  weight_prediction: Optional[float],
                  code_path: Optional[Path], gpu_id: int, verbose: bool):
    """Train a pipeline as CONFIG_PATH describes, on N Ray workers.

    Each worker reads its own shard of the training corpus; every parameter array is owned by
    one worker, which applies the gradients the others send it and broadcasts the new weights.
    Config overrides go after the options, as for `fastpipe train`
    (e.g. `--paths.train ./train.fastpipe --training.max_steps 1000`); --training.max_steps
    counts the batches of all workers together. Ctrl-C stops all workers and saves model-last.
    """
    setup_logging(verbose)
    with reporting_errors(verbose):
        from ..training.initialize import check_cpu_only

        check_cpu_only(gpu_id)  # refused before anything is started, read or written
    try:
        from ..parallel import RAY_MISSING
        import ray  # noqa: F401
    except ImportError:
        click.echo(f"Error: {RAY_MISSING}", err=True)
        sys.exit(1)
    from ..parallel import WorkerFailure, ray_train

    failure = None
    with reporting_errors(verbose):
        overrides = overrides_from(ctx)
        try:
            result = ray_train(config_path, output_path, n_workers=n_workers, address=address,
                               overrides=overrides, code_path=code_path, on_failure=on_failure,
                               weight_prediction=weight_prediction, stdout=sys.stdout,
                               stderr=sys.stderr)
        except WorkerFailure as err:
            failure = err
            result = getattr(err, "result", None)
    if result is not None:
        report_training(result, output_path, detail=f", {n_workers} workers")
    elif output_path is None:
        click.echo("No --output given: the trained pipeline was not saved.")
    if failure is not None:
        click.echo(f"Error: {failure}", err=True)
        sys.exit(1)
    if result.interrupted:
        click.echo(f"Training interrupted at step {result.steps}.", err=True)
        sys.exit(130)
