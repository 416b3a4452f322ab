"""``fastpipe apply``: run a pipeline over raw text or a corpus and save the annotated Docs.

Everything streams: the input is read a line or a DocBin chunk at a time, ``nlp.pipe`` works
batch by batch and ``DocBinWriter`` writes a chunk at a time, so memory stays flat however
many documents there are. The output file appears only once every document is written.
"""
import sys
import time
from pathlib import Path
from typing import IO, Iterator, List, Optional, Union

import click

from ._app import app
from ._util import code_option, reporting_errors, setup_logging, verbose_option

TEXT_SUFFIXES = (".txt", ".jsonl")
DOC_SUFFIXES = (".fastpipe", ".spacy")
SUFFIXES = TEXT_SUFFIXES + DOC_SUFFIXES
#: Documents per memory zone (see Language.pipe(zone_size=)).
ZONE_SIZE = 10_000


def input_files(path: Union[str, Path]) -> List[Path]:
    """The files to read at ``path``: the file itself, or the .txt, .jsonl, .fastpipe and
    .spacy files below a folder (sorted)."""
    from ..errors import Errors
    from ..gold.corpus import walk_corpus

    if not Path(path).exists():
        raise FileNotFoundError(Errors.E666.format(path=path))
    files = walk_corpus(path, suffix=SUFFIXES)
    for file in files:
        if file.suffix not in SUFFIXES:
            raise ValueError(Errors.E667.format(path=file, suffix=file.suffix))
    if not files:
        raise ValueError(Errors.E666.format(path=path))
    return files


def _jsonl_texts(path: Path, key: str) -> Iterator[str]:
    import srsly

    from ..errors import Errors

    with open(path, encoding="utf8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = srsly.json_loads(line)
            except ValueError:
                record = None
            text = record.get(key) if isinstance(record, dict) else None
            if not isinstance(text, str):
                raise ValueError(Errors.E668.format(path=path, line=line_no, key=key))
            yield text


def iter_inputs(files: List[Path], vocab, text_key: str = "text") -> Iterator:
    """Texts (a line of a .txt file, ``text_key`` of a .jsonl line; blank lines skipped) and
    Docs (of .fastpipe and .spacy files), file after file, one at a time."""
    from ..tokens import docbin

    for path in files:
        if path.suffix == ".txt":
            with open(path, encoding="utf8") as f:
                yield from (line.rstrip("\r\n") for line in f if line.strip())
        elif path.suffix == ".jsonl":
            yield from _jsonl_texts(path, text_key)
        else:
            yield from docbin.iter_docs(path, vocab)


def progress_stream(progress: Union[IO, bool, None]) -> Optional[IO]:
    """Where progress goes: stderr (as it is at the call) for True, nowhere for False or
    None, else the stream given."""
    if progress is True:
        return sys.stderr
    return progress or None


class Progress:
    """A one-line counter of documents and words/s on ``stream``, redrawn at most every
    ``every`` seconds and finished with a newline."""

    def __init__(self, stream: Optional[IO], every: float = 0.5):
        self.stream, self.every = stream, every
        self.docs = self.words = 0
        self.start = self.last = time.perf_counter()

    def add(self, n_words: int) -> None:
        self.docs += 1
        self.words += n_words
        now = time.perf_counter()
        if now - self.last >= self.every:
            self.last = now
            self._draw("\r")

    def _draw(self, end: str) -> None:
        if self.stream is not None:
            seconds = max(time.perf_counter() - self.start, 1e-9)
            self.stream.write(f"\r{self.docs:,} docs, {self.words:,} words, "
                              f"{self.words / seconds:,.0f} words/s{end}")
            self.stream.flush()

    def close(self) -> float:
        self._draw("\n")
        return time.perf_counter() - self.start


def apply_pipeline(model: Union[str, Path], data: Union[str, Path], output: Union[str, Path], *,
                   text_key: str = "text", batch_size: Optional[int] = None, n_process: int = 1,
                   code_path=None, progress: Union[IO, bool] = True) -> dict:
    """Run the pipeline ``model`` over every document in ``data`` and write the annotated Docs
    to the `.fastpipe` file ``output``, counting documents on ``progress`` (see
    ``progress_stream``). Returns the counts and speed: {"docs", "words", "seconds",
    "words_per_second"}."""
    from ..config import import_code
    from ..errors import Errors
    from ..language import load
    from ..tokens.docbin import DocBinWriter

    if Path(output).suffix != ".fastpipe":
        raise ValueError(Errors.E669.format(path=output))
    for option, value in (("batch-size", batch_size), ("n-process", n_process)):
        if value is not None and value < 1 and not (option == "n-process" and value == -1):
            raise ValueError(Errors.E671.format(option=option, least=1, value=value))
    import_code(code_path)
    files = input_files(data)
    nlp = load(model)
    counter = Progress(progress_stream(progress))
    with DocBinWriter(output) as writer:
        # each Doc is copied into the writer before the next is asked for, so the strings of
        # new words can be released every ZONE_SIZE documents: flat memory on any stream
        for doc in nlp.pipe(iter_inputs(files, nlp.vocab, text_key), batch_size=batch_size,
                            n_process=n_process, zone_size=ZONE_SIZE):
            writer.add(doc)
            counter.add(len(doc))
    seconds = counter.close()
    return {"docs": counter.docs, "words": counter.words, "seconds": seconds,
            "words_per_second": counter.words / max(seconds, 1e-9)}


@app.command("apply")
@click.argument("model", type=str)
@click.argument("data", type=click.Path(path_type=Path))
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--text-key", "-tk", default="text", show_default=True,
              help="The field of a .jsonl line that holds its text.")
@click.option("--batch-size", "-b", type=int, default=None,
              help="Documents per batch (default: the pipeline's nlp.batch_size).")
@click.option("--n-process", "-n", type=int, default=1, show_default=True,
              help="Worker processes (-1: one per CPU).")
@code_option
@verbose_option
def apply_cli(model: str, data: Path, output: Path, text_key: str, batch_size: Optional[int],
              n_process: int, code_path: Optional[Path], verbose: bool):
    """Run the pipeline MODEL (a folder or an installed package's name) over DATA (a .txt file
    with a document per line, a .jsonl file with a text field per line, a .fastpipe or .spacy
    corpus, or a folder of them) and save the annotated documents to the .fastpipe file
    OUTPUT."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        stats = apply_pipeline(model, data, output, text_key=text_key, batch_size=batch_size,
                               n_process=n_process, code_path=code_path)
    click.echo(f"Saved {stats['docs']:,} documents ({stats['words']:,} words, "
               f"{stats['words_per_second']:,.0f} words/s) to {output}")
