"""``fastpipe convert``: turn a CoNLL-U, IOB or text-classification file into a .fastpipe corpus."""
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Callable, Optional

import click

from ._app import app

CONVERTER_NAMES = ("auto", "conllu", "iob", "textcat")
OUTPUT_SUFFIX = ".fastpipe"


def convert_file(input_path, output_dir, *, converter: str = "auto", n_sents: int = 10,
                 lang: str = "en", progress: Optional[Callable[[int], None]] = None) -> dict:
    """Convert ``input_path`` to ``output_dir/<input stem>.fastpipe`` and return counts.

    ``converter`` is a name from ``fastpipe.gold.converters.CONVERTERS`` or "auto" (chosen from
    the file extension). ``n_sents`` sentences go into each Doc (conllu, iob). The output is
    written to a temporary file and renamed into place at the end, so a failed conversion
    leaves no output file (and an older file of that name untouched). ``progress(n_bytes)`` is
    called as the input is read. Malformed input raises ValueError with ``file:line``.
    """
    import fastpipe
    from ..errors import Errors
    from ..gold.converters import CONVERTERS, guess_converter, read_lines
    from ..tokens.docbin import DocBinWriter

    input_path = Path(input_path)
    output_dir = Path(output_dir)
    if not input_path.is_file():
        raise FileNotFoundError(Errors.E124.format(path=input_path))
    name = guess_converter(input_path) if converter == "auto" else converter
    if name not in CONVERTERS:
        raise ValueError(Errors.E125.format(name=converter,
                                            known=", ".join(("auto",) + tuple(CONVERTERS))))
    if output_dir.exists() and not output_dir.is_dir():
        raise NotADirectoryError(Errors.E126.format(path=output_dir))
    output_dir.mkdir(parents=True, exist_ok=True)
    output_path = output_dir / (input_path.stem + OUTPUT_SUFFIX)
    nlp = fastpipe.blank(lang)
    start = time.perf_counter()
    n_docs = n_tokens = n_sents_seen = 0
    lines = read_lines(input_path, progress)
    docs = CONVERTERS[name](lines, nlp, source=str(input_path), n_sents=n_sents)
    with closing(lines), DocBinWriter(output_path, store_user_data=True) as writer:
        for doc in docs:
            writer.add(doc)
            n_docs += 1
            n_tokens += len(doc)
            if doc.has_annotation("SENT_START"):
                n_sents_seen += int((doc.to_array("SENT_START") == 1).sum())
    return {
        "converter": name,
        "output": output_path,
        "docs": n_docs,
        "sentences": n_sents_seen,  # sentence boundaries written (0 for textcat)
        "tokens": n_tokens,
        "seconds": time.perf_counter() - start,
    }


@app.command("convert")
@click.argument("input_path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--converter", "-c", type=click.Choice(CONVERTER_NAMES), default="auto",
              show_default=True,
              help="Input format. auto picks by extension: .conllu/.conll -> conllu, "
                   ".iob -> iob, .tsv/.jsonl -> textcat.")
@click.option("--n-sents", "-n", default=10, show_default=True, type=click.IntRange(min=1),
              help="Sentences per document (conllu, iob; iob also ends a document at "
                   "-DOCSTART-).")
@click.option("--lang", "-l", default="en", show_default=True,
              help="Language code: its vocab, and its tokenizer for textcat texts.")
def convert_cli(input_path: Path, output_dir: Path, converter: str, n_sents: int, lang: str):
    """Convert INPUT_PATH into OUTPUT_DIR/<input stem>.fastpipe, a corpus of Docs.

    \b
    conllu   words, spaces, POS, tags, lemmas, morphology, heads, dependency
             labels, sentence boundaries, and entities from MISC NER=<IOB2 tag>
             (a sentence without NER= keys gets missing entities, not O)
    iob      "word TAG" per line (blank line between sentences, -DOCSTART-
             between documents) or "word|TAG word|TAG" per sentence line;
             IOB1, IOB2 or BILUO tags
    textcat  TSV with a header (a label column and a text/sentence/content
             column) or JSONL ({"text": ..., "label": ...} or "cats");
             doc.cats is one-hot over all the labels in the file

    A failed conversion leaves no output file behind.
    """
    size = input_path.stat().st_size if input_path.is_file() else 0
    try:
        with click.progressbar(length=size, label=f"Converting {input_path.name}",
                               file=sys.stderr, show_pos=False) as bar:
            stats = convert_file(input_path, output_dir, converter=converter, n_sents=n_sents,
                                 lang=lang, progress=bar.update)
    except (OSError, ValueError) as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(1)
    sentences = f"{stats['sentences']:,} sentences, " if stats["sentences"] else ""
    click.echo(f"Converted {input_path} with the {stats['converter']} converter: "
               f"{stats['docs']:,} docs, {sentences}{stats['tokens']:,} tokens "
               f"in {stats['seconds']:.2f}s")
    click.echo(f"Saved to {stats['output']}")
