"""``fastpipe train``: train a pipeline from a config file, or go on with an interrupted run."""
import sys
from pathlib import Path
from typing import IO, Any, Dict, Optional, Union

import click

from ._app import app
from ._util import (OVERRIDES_CONTEXT, code_option, overrides_from, report_training,
                    reporting_errors, setup_logging, verbose_option)


def train_from_config(config_path: Union[str, Path], output_path: Optional[Union[str, Path]] = None,
                      *, overrides: Optional[Dict[str, Any]] = None,
                      code_path: Optional[Union[str, Path]] = None, use_gpu: int = -1,
                      stdout: Optional[IO] = None, stderr: Optional[IO] = None,
                      resume: bool = False):
    """Import ``code_path``, load the config with ``overrides``, build and initialize the
    pipeline, train it, and save ``model-best``/``model-last`` under ``output_path`` (created;
    nothing is saved without it). With ``resume``, training goes on from the checkpoint in
    ``output_path``; ``config_path`` may then be that folder, whose checkpoint holds the run's
    config. Returns the loop's TrainResult."""
    from ..config import import_code, load_config
    from ..errors import Errors
    from ..training.initialize import init_nlp, setup_gpu
    from ..training.loop import train

    setup_gpu(use_gpu)  # a GPU id is refused before anything is read or written
    config_path, output_path = _resolve_paths(Path(config_path), output_path, resume)
    import_code(code_path)
    config = load_config(config_path, overrides or {}, interpolate=False)
    if output_path is not None:
        output_path = Path(output_path)
        if output_path.exists() and not output_path.is_dir():
            raise NotADirectoryError(Errors.E113.format(path=output_path,
                                                        err="it exists and is not a folder"))
        output_path.mkdir(parents=True, exist_ok=True)
    # training reads the corpus right after: the initialization's read serves it
    nlp = init_nlp(config, use_gpu=use_gpu, where=str(config_path), hold_train_docs=True)
    return train(nlp, output_path, stdout=stdout, stderr=stderr, resume=resume)


def _resolve_paths(config_path: Path, output_path, resume: bool):
    """(config file, output folder): ``fastpipe train --resume OUTPUT_DIR`` reads the config
    the run saved in its checkpoint."""
    from ..errors import Errors
    from ..training.checkpoint import read_checkpoint

    if config_path.is_dir() and not resume:
        raise ValueError(Errors.E612.format(path=config_path))
    if not resume or config_path.is_file() or str(config_path) == "-":
        if resume and output_path is None:
            raise ValueError(Errors.E611)
        return config_path, output_path
    if output_path is not None and Path(output_path).resolve() != config_path.resolve():
        raise ValueError(Errors.E618.format(output=output_path, folder=config_path))
    checkpoint = read_checkpoint(config_path)
    if checkpoint is None:
        raise ValueError(Errors.E610.format(path=config_path,
                                            checkpoint=config_path / "checkpoint"))
    return checkpoint.path / "model" / "config.cfg", config_path


@app.command("train", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--output", "-o", "output_path", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for model-best/ and model-last/ (created), the "
                                 "checkpoint/ a run can be resumed from, and training_log.jsonl. "
                                 "Without it the pipeline is trained but not saved.")
@click.option("--resume", is_flag=True, default=False,
              help="Go on with the run interrupted in the --output folder, from its last "
                   "checkpoint, as if it had never stopped. Give the same config and overrides, "
                   "or only the folder: `fastpipe train --resume OUTPUT_DIR` uses the config "
                   "saved there (--code is still needed).")
@code_option
@click.option("--gpu-id", "-g", default=-1, show_default=True, type=int,
              help="-1: the CPU. fastpipe runs on the CPU only, so a GPU id (0 or more) is "
                   "refused.")
@verbose_option
@click.pass_context
def train_cli(ctx: click.Context, config_path: Path, output_path: Optional[Path], resume: bool,
              code_path: Optional[Path], gpu_id: int, verbose: bool):
    """Train a pipeline as CONFIG_PATH describes.

    Any setting of the config can be overridden after the options, for example
    `--paths.train ./train.fastpipe --paths.dev ./dev.fastpipe --training.max_steps 1000`;
    the environment variable FASTPIPE_CONFIG_OVERRIDES takes the same syntax and wins over
    the command line. Ctrl-C stops training after the step under way (press it twice to stop
    at once) and still saves model-last.

    With --output, a checkpoint is kept every [training] checkpoint_frequency steps (0, the
    default: at each evaluation; -1: never). After a crash, a kill or Ctrl-C, run the same
    command with --resume (or `fastpipe train --resume OUTPUT_DIR`): training goes on from
    the last checkpoint and ends with the same weights as a run that never stopped. A
    finished run resumed with a larger --training.max_steps trains on.
    """
    setup_logging(verbose)
    with reporting_errors(verbose):
        overrides = overrides_from(ctx)
        result = train_from_config(config_path, output_path, overrides=overrides,
                                   code_path=code_path, use_gpu=gpu_id, stdout=sys.stdout,
                                   stderr=sys.stderr, resume=resume)
    if result.resumed_step:
        click.echo(f"Resumed from the checkpoint at step {result.resumed_step}.")
    report_training(result, output_path or (config_path if resume else None))
    if result.interrupted:
        click.echo(f"Training interrupted at step {result.steps}.", err=True)
        sys.exit(130)
