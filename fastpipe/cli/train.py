"""``fastpipe train``: train a pipeline from a config file."""
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
                      stdout: IO = None, stderr: IO = None):
    """Import ``code_path``, load the config with ``overrides``, build and initialize the
    pipeline, train it, and save ``model-best``/``model-last`` under ``output_path`` (created;
    nothing is saved without it). Returns the loop's TrainResult."""
    from ..config import import_code, load_config
    from ..errors import Errors
    from ..training.initialize import init_nlp, setup_gpu
    from ..training.loop import train

    setup_gpu(use_gpu)  # a GPU id is refused before anything is read or written
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
    return train(nlp, output_path, stdout=stdout, stderr=stderr)


@app.command("train", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--output", "-o", "output_path", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for model-best/ and model-last/ (created). Without it "
                                 "the pipeline is trained but not saved.")
@code_option
@click.option("--gpu-id", "-g", default=-1, show_default=True, type=int,
              help="-1: the CPU. fastpipe runs on the CPU only, so a GPU id (0 or more) is "
                   "refused.")
@verbose_option
@click.pass_context
def train_cli(ctx: click.Context, config_path: Path, output_path: Optional[Path],
              code_path: Optional[Path], gpu_id: int, verbose: bool):
    """Train a pipeline as CONFIG_PATH describes.

    Any setting of the config can be overridden after the options, for example
    `--paths.train ./train.fastpipe --paths.dev ./dev.fastpipe --training.max_steps 1000`;
    the environment variable FASTPIPE_CONFIG_OVERRIDES takes the same syntax and wins over
    the command line. Ctrl-C stops training and still saves model-last.
    """
    setup_logging(verbose)
    with reporting_errors(verbose):
        overrides = overrides_from(ctx)
        result = train_from_config(config_path, output_path, overrides=overrides,
                                   code_path=code_path, use_gpu=gpu_id, stdout=sys.stdout,
                                   stderr=sys.stderr)
    report_training(result, output_path)
    if result.interrupted:
        click.echo(f"Training interrupted at step {result.steps}.", err=True)
        sys.exit(130)
