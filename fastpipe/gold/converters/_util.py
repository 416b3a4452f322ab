"""Helpers the converters share: located errors, reading a file line by line, IOB tag repair."""
import re
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence

from ...errors import Errors

PROGRESS_EVERY = 1 << 16  # read (and report progress) 64 KiB at a time
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BILUO = {"U": "B", "S": "B", "L": "I", "E": "I"}  # BILUO/IOBES prefixes as IOB2 prefixes


class ConversionError(ValueError):
    """Malformed input at line ``line`` of ``source``.

    ``message`` is the whole coded message, ``Errors.E3xx.format(where=where(source, line),
    ...)``, so that it reads ``[E3xx] file:line: ...`` and says what was expected.
    """

    def __init__(self, source: str, line: int, message: str):
        self.source = source
        self.line = line
        super().__init__(message)


def where(source: str, line: int) -> str:
    """The ``file:line`` that the converters' messages put right after their code."""
    return f"{source}:{line}"


def read_lines(path, progress: Optional[Callable[[int], None]] = None) -> Iterator[str]:
    """Yield the lines of a UTF-8 file, without their line ends, and a leading BOM removed.

    A line ends at LF, CRLF or a lone CR (old Mac files), so a file saved with any of them
    reads as the same lines. ``progress(n_bytes)`` is called with the number of bytes read
    since its last call, every 64 KiB or so, so a caller can drive a progress bar by file
    size. Raises ConversionError (``file:line``) on bytes that are not UTF-8.
    """
    source = str(path)
    with Path(path).open("rb") as f:
        for lineno, raw in enumerate(_split_lines(f, progress), 1):
            try:
                line = raw.decode("utf8")
            except UnicodeDecodeError as err:
                raise ConversionError(source, lineno, Errors.E311.format(
                    where=where(source, lineno), byte=err.start, reason=err.reason)) from None
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            yield line


def _split_lines(f, progress: Optional[Callable[[int], None]]) -> Iterator[bytes]:
    """The lines of a binary file, split at LF, CRLF or CR, read a block at a time."""
    pending: List[bytes] = []  # the start of a line that no block read so far has ended
    after_cr = False  # the last block ended with CR: a LF opening the next one completes it
    for block in iter(lambda: f.read(PROGRESS_EVERY), b""):
        if progress is not None:
            progress(len(block))
        if after_cr and block.startswith(b"\n"):
            block = block[1:]
        after_cr = block.endswith(b"\r")
        lines = _LINE_END.split(block)
        pending.append(lines[0])
        if len(lines) > 1:
            yield b"".join(pending)
            yield from lines[1:-1]
            pending = [lines[-1]]
    last = b"".join(pending)
    if last:
        yield last


def fix_iob(tags: List[Optional[str]], source: str, linenos: Sequence[int],
            allow_biluo: bool = False) -> List[Optional[str]]:
    """Return the tags of one sentence as clean IOB2 ("B-X", "I-X", "O"; None = missing).

    IOB1 is accepted: an "I-X" that does not continue an entity of type X (at the start, after
    "O", after a missing tag or after another type) opens a new entity and becomes "B-X".
    With ``allow_biluo``, BILUO/IOBES tags are mapped too: U-/S- to B-, L-/E- to I-.
    Anything else raises ConversionError at the tag's line.
    """
    out: List[Optional[str]] = []
    prev_type = None  # the type of the entity open at the previous token, or None
    for i, tag in enumerate(tags):
        if tag is None:
            out.append(None)
            prev_type = None
            continue
        if tag == "O":
            out.append("O")
            prev_type = None
            continue
        prefix, sep, label = tag.partition("-")
        closes = False  # L-, U- (E-, S-) end their entity: an I- after them opens a new one
        if allow_biluo and sep and label and prefix in _BILUO:
            prefix, closes = _BILUO[prefix], True
        if prefix not in ("B", "I") or not sep or not label:
            schemes = ("O, B-TYPE, I-TYPE, L-TYPE or U-TYPE" if allow_biluo
                       else "O, B-TYPE or I-TYPE")
            raise ConversionError(source, linenos[i], Errors.E312.format(
                where=where(source, linenos[i]), tag=tag, schemes=schemes))
        if prefix == "I" and prev_type != label:
            prefix = "B"
        out.append(f"{prefix}-{label}")
        prev_type = None if closes else label
    return out
