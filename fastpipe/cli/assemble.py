"""``fastpipe assemble``: build, initialize and save a pipeline that has nothing to train (a
sentencizer, an entity ruler with its patterns, components sourced from trained pipelines)."""
import sys
from pathlib import Path
from typing import Dict, Optional, Union

import click

from ._app import app
from ._util import (OVERRIDES_CONTEXT, code_option, overrides_from, reporting_errors,
                    setup_logging, verbose_option)


def untrained_components(nlp) -> list:
    """Components with weights to learn that were neither sourced nor trained."""
    sourced = getattr(nlp, "_sourced", ())
    return [name for name, proc in nlp.components
            if name not in sourced and callable(getattr(proc, "update", None))
            and getattr(proc, "model", None) is not None]


def assemble(config_path: Union[str, Path], output_dir: Union[str, Path], *,
             overrides: Optional[Dict] = None, code_path=None):
    """Build the pipeline ``config_path`` describes, initialize it with its [initialize]
    settings (no training corpus is read) and save it to ``output_dir``. Returns the nlp."""
    from ..config import import_code, load_config
    from ..config_schema import validate_config, with_defaults
    from ..language import Language

    import_code(code_path)
    config = load_config(config_path, overrides or {}, interpolate=False)
    validate_config(with_defaults(config).interpolate(), where=str(config_path), training=False)
    nlp = Language.from_config(config)
    nlp.initialize()
    nlp.to_disk(output_dir)
    return nlp


@app.command("assemble", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@code_option
@verbose_option
@click.pass_context
def assemble_cli(ctx: click.Context, config_path: Path, output_dir: Path,
                 code_path: Optional[Path], verbose: bool):
    """Build the pipeline of CONFIG_PATH, initialize it (patterns, labels and other
    [initialize] settings, but no training) and save it to OUTPUT_DIR. Overrides
    (--section.key value) apply first."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        nlp = assemble(config_path, output_dir, overrides=overrides_from(ctx),
                       code_path=code_path)
    untrained = untrained_components(nlp)
    if untrained:
        click.echo(f"Note: the weights of {', '.join(untrained)} are untrained; use "
                   "fastpipe train to train them.", err=True)
    sys.stdout.write(f"Saved the pipeline ({', '.join(nlp.component_names) or 'no components'})"
                     f" to {output_dir}\n")
