"""``fastpipe init vectors``: a blank pipeline holding static word vectors read from a file.

The readers take the formats word vectors are published in: word2vec text (a ``rows width``
header line, then a word and its numbers per line), GloVe text (the same without the header),
fastText ``.vec`` (word2vec text), and word2vec binary (the header, then each word, a space
and ``width`` little-endian float32 values); each may be gzipped (``.gz``) or the only member
of a ``.zip``. A text row whose word holds spaces (as a few of GloVe's do) keeps them: the
last ``width`` fields are the numbers. Malformed rows are refused naming the file and line.

With ``--mode floret`` the file is a floret table as floret's ``save_floret_vectors`` writes
it: a header ``rows width minn maxn hash_count hash_seed bow eow``, then each row's number and
its values. Its rows belong to hashed character n-grams, not to words.
"""
import gzip
import sys
import zipfile
from pathlib import Path
from typing import BinaryIO, Callable, Dict, List, Optional, Tuple, Union

import click
import numpy

from ..errors import Errors
from ._util import reporting_errors, setup_logging, verbose_option
from .init import init_group

#: How many rows between two progress lines.
PROGRESS_EVERY = 100_000
#: Bytes after the header line looked at to tell a binary word2vec file from a text one.
SNIFF_BYTES = 4096

Progress = Optional[Callable[[int], None]]


def open_vectors_file(path: Path) -> BinaryIO:
    """The file's bytes: gunzipped for ``.gz``, the single member of a ``.zip``."""
    if not path.is_file():
        raise ValueError(Errors.E726.format(path=path))
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    if path.suffix == ".zip":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            archive.close()
            raise ValueError(Errors.E731.format(path=path, names=names or "none"))
        return archive.open(names[0])
    return open(path, "rb")


def read_vectors(path: Union[str, Path], *, truncate: int = 0,
                 progress: Optional[Progress] = None) -> Tuple[List[str], numpy.ndarray]:
    """The words and vectors (float32, one row per word, in the file's order) of a vectors
    file; only the first ``truncate`` rows when it is above 0. A word seen twice keeps its
    first vector. ``progress(n)`` is called every PROGRESS_EVERY rows."""
    path = Path(path)
    with open_vectors_file(path) as f:
        first = f.readline()
        header = _header(first)
        if header is not None and _is_binary(path, f.peek(SNIFF_BYTES)):
            words, rows = _read_binary(f, path, header, truncate, progress)
        else:
            lines = f if header is not None else _chain(first, f)
            words, rows = _read_text(lines, path, 2 if header is not None else 1,
                                     header[1] if header is not None else None, truncate,
                                     progress)
    if not words:
        raise ValueError(Errors.E729.format(path=path))
    return words, numpy.vstack(rows)


def _header(line: bytes) -> Optional[Tuple[int, int]]:
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _is_binary(path: Path, sample: bytes) -> bool:
    if ".bin" in path.suffixes:
        return True
    if b"\0" in sample:
        return True
    try:
        sample[:max(0, len(sample) - 4)].decode("utf8")  # a cut character may end the sample
    except UnicodeDecodeError:
        return True
    return False


def _chain(first: bytes, rest):
    yield first
    yield from rest


def _read_text(lines, path: Path, first_line: int, width: Optional[int], truncate: int,
               progress: Progress):
    words, rows, seen = [], [], set()
    for line_no, raw in enumerate(lines, first_line):
        line = raw.decode("utf8", errors="surrogateescape").rstrip()
        if not line:
            continue
        parts = line.split(" ")
        if width is None:
            width = len(parts) - 1
        if len(parts) - 1 < width or width < 1:
            raise ValueError(Errors.E727.format(path=path, line=line_no, found=len(parts) - 1,
                                                expected=width))
        word_parts, values = parts[:-width], parts[-width:]
        if len(word_parts) > 1 and all(_is_number(p) for p in word_parts[1:]):
            raise ValueError(Errors.E727.format(path=path, line=line_no, found=len(parts) - 1,
                                                expected=width))
        try:
            row = numpy.array(values, dtype=numpy.float32)
        except ValueError:
            bad = next(v for v in values if not _is_number(v))
            raise ValueError(Errors.E728.format(path=path, line=line_no, value=bad)) from None
        word = " ".join(word_parts)
        if word in seen:
            continue
        seen.add(word)
        words.append(word)
        rows.append(row)
        if progress is not None and len(words) % PROGRESS_EVERY == 0:
            progress(len(words))
        if truncate and len(words) >= truncate:
            break
    return words, rows


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_binary(f: BinaryIO, path: Path, header: Tuple[int, int], truncate: int,
                 progress: Progress):
    n_rows, width = header
    n_bytes = 4 * width
    words, rows, seen = [], [], set()
    for row in range(min(n_rows, truncate) if truncate else n_rows):
        word = bytearray()
        while True:
            byte = f.read(1)
            if not byte:
                raise ValueError(Errors.E730.format(path=path, row=row + 1, n_rows=n_rows,
                                                    width=width))
            if byte == b" ":
                break
            if byte != b"\n" or word:
                word += byte
        data = f.read(n_bytes)
        if len(data) < n_bytes:
            raise ValueError(Errors.E730.format(path=path, row=row + 1, n_rows=n_rows,
                                                width=width))
        text = word.decode("utf8", errors="surrogateescape")
        if text in seen:
            continue
        seen.add(text)
        words.append(text)
        rows.append(numpy.frombuffer(data, dtype="<f4").astype(numpy.float32))
        if progress is not None and len(words) % PROGRESS_EVERY == 0:
            progress(len(words))
    return words, rows


def read_floret(path: Union[str, Path], *, progress: Optional[Progress] = None
                ) -> Tuple[numpy.ndarray, Dict[str, Union[int, str]]]:
    """The table (float32, rows x width) and settings (minn, maxn, hash_count, hash_seed, bow,
    eow) of a ``.floret`` file; every row must be there once."""
    from ..vectors import floret_settings

    path = Path(path)
    with open_vectors_file(path) as f:
        first = f.readline().decode("utf8", errors="surrogateescape")
        fields = first.split()
        if len(fields) != 8 or not all(field.isdigit() for field in fields[:6]):
            raise ValueError(Errors.E843.format(path=path, found=first.strip()[:80]))
        n_rows, width, minn, maxn, hash_count, hash_seed = (int(x) for x in fields[:6])
        settings = floret_settings(minn, maxn, hash_count, hash_seed, fields[6], fields[7])
        data = numpy.zeros((n_rows, width), dtype=numpy.float32)
        seen = numpy.zeros(n_rows, dtype=bool)
        for line_no, raw in enumerate(f, 2):
            parts = raw.split()
            if not parts:
                continue
            _floret_row(parts, path, line_no, data, seen)
            if progress is not None and (line_no - 1) % PROGRESS_EVERY == 0:
                progress(line_no - 1)
    if not seen.all():
        raise ValueError(Errors.E845.format(path=path, found=int(seen.sum()), n_rows=n_rows))
    return data, settings


def _floret_row(parts: List[bytes], path: Path, line_no: int, data: numpy.ndarray,
                seen: numpy.ndarray) -> None:
    n_rows, width = data.shape

    def refuse(problem: str):
        return ValueError(Errors.E844.format(path=path, line=line_no, problem=problem,
                                             last=n_rows - 1, width=width))

    index = parts[0].decode("utf8", errors="replace")
    if not index.isdigit() or int(index) >= n_rows:
        raise refuse(f"{index!r} is not a row number below {n_rows}")
    row = int(index)
    if seen[row]:
        raise refuse(f"row {row} is given a second time")
    if len(parts) - 1 != width:
        raise refuse(f"row {row} has {len(parts) - 1} numbers")
    try:
        data[row] = numpy.array(parts[1:], dtype=numpy.float32)
    except ValueError:
        bad = next(p for p in parts[1:] if not _is_number(p.decode("utf8", errors="replace")))
        raise refuse(f"{bad.decode('utf8', errors='replace')!r} is not a number") from None
    seen[row] = True


def init_vectors(lang: str, vectors_loc: Union[str, Path], output_dir: Union[str, Path], *,
                 prune: int = -1, truncate: int = 0, mode: str = "default",
                 name: Optional[str] = None, progress: Optional[Progress] = None):
    """Read the vectors file ``vectors_loc`` into a blank ``lang`` pipeline, keep only the
    first ``prune`` rows when it is above 0 (the other words take the row of their nearest
    kept word), and save the pipeline to ``output_dir``. Returns the nlp object."""
    from ..language import Language
    from ..vectors import Vectors

    if mode not in ("default", "floret"):
        raise ValueError(Errors.E841.format(mode=mode))
    if mode == "floret" and prune != -1:
        raise ValueError(Errors.E846.format(option="--prune", action="prune"))
    if mode == "floret" and truncate:
        raise ValueError(Errors.E846.format(option="--truncate", action="truncate"))
    if truncate < 0:
        raise ValueError(Errors.E725.format(what="--truncate", least=0, value=truncate))
    if prune == 0 or prune < -1:
        raise ValueError(Errors.E725.format(what="--prune (or -1 to keep every row)", least=1,
                                            value=prune))
    nlp = Language.blank(lang)
    if mode == "floret":
        data, settings = read_floret(vectors_loc, progress=progress)
        nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, mode="floret",
                                    name=name or f"{lang}_vectors", **settings)
    else:
        words, data = read_vectors(vectors_loc, truncate=truncate, progress=progress)
        nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, keys=words,
                                    name=name or f"{lang}_vectors")
    if prune > 0:
        nlp.vocab.prune_vectors(prune)
    vectors = nlp.vocab.vectors
    nlp.meta["vectors"] = {"width": vectors.shape[1], "vectors": vectors.shape[0],
                           "keys": vectors.n_keys, "name": vectors.name, "mode": vectors.mode}
    nlp.to_disk(output_dir)
    return nlp


@init_group.command("vectors")
@click.argument("lang")
@click.argument("vectors_loc", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--prune", "-p", type=int, default=-1, show_default=True,
              help="Keep this many rows; the other words take their nearest kept row "
                   "(-1: keep all).")
@click.option("--truncate", "-t", type=int, default=0, show_default=True,
              help="Read only the first N rows of the file (0: all).")
@click.option("--mode", "-m", default="default", show_default=True,
              help="\"default\" (a vector per word) or \"floret\" (VECTORS_LOC is a "
                   ".floret table of hashed subwords: every word gets a vector).")
@click.option("--name", "-n", default=None, help="Name of the vectors (default: LANG_vectors).")
@verbose_option
def init_vectors_cli(lang: str, vectors_loc: Path, output_dir: Path, prune: int,
                     truncate: int, mode: str, name: Optional[str], verbose: bool):
    """Read VECTORS_LOC (word2vec text or binary, GloVe, fastText .vec, or with --mode floret
    a .floret table; also .gz or .zip) into a blank LANG pipeline and save it to OUTPUT_DIR,
    for [initialize] vectors."""
    setup_logging(verbose)

    def progress(n: int) -> None:
        click.echo(f"Read {n:,} vectors...", err=True)

    with reporting_errors(verbose):
        nlp = init_vectors(lang, vectors_loc, output_dir, prune=prune, truncate=truncate,
                           mode=mode, name=name, progress=progress)
    vectors = nlp.vocab.vectors
    words = "floret subword" if vectors.mode == "floret" else f"{vectors.n_keys:,} words,"
    click.echo(f"{words} {vectors.shape[0]:,} vectors of width {vectors.shape[1]}", err=True)
    sys.stdout.write(f"Saved a blank {lang} pipeline with the vectors to {output_dir}\n")
