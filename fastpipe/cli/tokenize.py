"""``fastpipe tokenize``: tokenize a text file, report the speed, optionally save a corpus."""
import sys
import time
from pathlib import Path
from typing import Optional

import click

from ._app import app


def tokenize_file(input_path: Path, lang: str = "en", output: Optional[Path] = None,
                  repeat: int = 1) -> dict:
    """Tokenize every non-empty line of a UTF-8 text file.

    Returns counts and speed. With ``output``, the Docs are written as a .fastpipe DocBin.
    """
    import fastpipe
    from ..errors import Errors

    path = Path(input_path)
    if not path.is_file():
        raise FileNotFoundError(Errors.E124.format(path=path))
    try:
        lines = [line.rstrip("\n") for line in path.read_text(encoding="utf8").splitlines()]
    except UnicodeDecodeError as err:
        raise ValueError(Errors.E127.format(path=path, byte=err.start, reason=err.reason)) from None
    lines = [line for line in lines if line.strip()]
    nlp = fastpipe.blank(lang)
    tokenizer = nlp.tokenizer
    docs = []
    n_tokens = 0
    best = float("inf")
    for round_ in range(max(1, repeat)):
        start = time.perf_counter()
        n_tokens = 0
        for line in lines:
            doc = tokenizer(line)
            n_tokens += len(doc)
            if output is not None and round_ == 0:
                docs.append(doc)
        best = min(best, time.perf_counter() - start)
    if output is not None:
        from ..tokens.docbin import DocBin

        DocBin(docs=docs).to_disk(output)
    return {
        "lines": len(lines),
        "tokens": n_tokens,
        "seconds": best,
        "tokens_per_second": n_tokens / best if best > 0 else float("inf"),
    }


@app.command("tokenize")
@click.argument("input_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", default="en", show_default=True, help="Language code of the tokenizer rules.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the tokenized lines as a .fastpipe corpus.")
@click.option("--repeat", default=1, show_default=True, type=click.IntRange(min=1),
              help="Tokenize the file this many times and report the fastest run.")
def tokenize_cli(input_path: Path, lang: str, output: Optional[Path], repeat: int):
    """Tokenize each line of INPUT_PATH and print tokens per second."""
    try:
        stats = tokenize_file(input_path, lang=lang, output=output, repeat=repeat)
    except (FileNotFoundError, ValueError) as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(1)
    click.echo(f"{stats['lines']:,} lines, {stats['tokens']:,} tokens in {stats['seconds']:.3f}s: "
               f"{stats['tokens_per_second']:,.0f} tokens/sec")
    if output is not None:
        click.echo(f"Saved {stats['lines']:,} docs to {output}")
