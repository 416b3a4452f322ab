"""``fastpipe pretrain``: train a pipeline's tok2vec on raw text (``training.pretrain``)."""
import sys
from pathlib import Path
from typing import IO, Any, Dict, Optional, Union

import click

from ._app import app
from ._util import OVERRIDES_CONTEXT, code_option, overrides_from, reporting_errors, \
    setup_logging, verbose_option


def pretrain_from_config(config_path: Union[str, Path], output_dir: Union[str, Path], *,
                         overrides: Optional[Dict[str, Any]] = None,
                         code_path: Optional[Union[str, Path]] = None,
                         resume_path: Optional[Union[str, Path]] = None,
                         epoch_resume: Optional[int] = None, skip_last: bool = False,
                         use_gpu: int = -1, stderr: Optional[IO] = None):
    """Import ``code_path``, load the config with ``overrides`` and pretrain as its
    [pretraining] section says, writing under ``output_dir``. Returns the PretrainResult."""
    from ..config import import_code, load_config
    from ..training.initialize import setup_gpu
    from ..training.pretrain import pretrain

    setup_gpu(use_gpu)  # a GPU id is refused before anything is read or written
    import_code(code_path)
    config = load_config(config_path, overrides or {}, interpolate=False)
    return pretrain(config, output_dir, resume_path=resume_path, epoch_resume=epoch_resume,
                    skip_last=skip_last, where=str(config_path), stderr=stderr)


@app.command("pretrain", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(allow_dash=True, path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@code_option
@click.option("--resume-path", "-r", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Weights a run wrote (modelN.bin) to go on from.")
@click.option("--epoch-resume", "-er", type=int, default=None,
              help="The number of the first epoch of the resumed run (default: the epoch after "
                   "the one in the --resume-path file's name), so that no weights file is "
                   "written over.")
@click.option("--gpu-id", "-g", default=-1, show_default=True, type=int,
              help="-1: the CPU. fastpipe runs on the CPU only, so a GPU id (0 or more) is "
                   "refused.")
@click.option("--skip-last", "-L", is_flag=True, default=False,
              help="Do not write model-last.bin at the end.")
@verbose_option
@click.pass_context
def pretrain_cli(ctx: click.Context, config_path: Path, output_dir: Path,
                 code_path: Optional[Path], resume_path: Optional[Path],
                 epoch_resume: Optional[int], gpu_id: int, skip_last: bool, verbose: bool):
    """Pretrain the tok2vec of CONFIG_PATH on raw text and write its weights to OUTPUT_DIR.

    The config's [pretraining] section says which component's model to train, on which
    corpus (give the texts with --paths.raw_text TEXTS.jsonl, lines of {"text": ...}), with
    which objective; `fastpipe init fill-config CONFIG OUT --pretraining` adds spaCy's
    defaults. After each epoch the weights go to OUTPUT_DIR/modelN.bin, and log.jsonl gets
    a line; train with them by setting [initialize] init_tok2vec (--paths.init_tok2vec) to
    one of these files, with the same config.
    """
    setup_logging(verbose)
    with reporting_errors(verbose):
        result = pretrain_from_config(config_path, output_dir, overrides=overrides_from(ctx),
                                      code_path=code_path, resume_path=resume_path,
                                      epoch_resume=epoch_resume, skip_last=skip_last,
                                      use_gpu=gpu_id, stderr=sys.stderr)
    if result.saved:
        click.echo(f"Saved the weights of {len(result.epochs)} epoch(s) to {output_dir} (last: "
                   f"{result.saved[-1].name})")
