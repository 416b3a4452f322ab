"""Helpers the converters share: located errors, reading a file line by line, IOB tag repair."""
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence

from ...errors import Errors

PROGRESS_EVERY = 1 << 16  # report progress to the callback every 64 KiB read
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

    ``progress(n_bytes)`` is called with the number of bytes read since its last call, every
    64 KiB or so and once at the end, so a caller can drive a progress bar by file size.
    Raises ConversionError (``file:line``) on bytes that are not UTF-8.
    """
    path = Path(path)
    pending = 0
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            pending += len(raw)
            if progress is not None and pending >= PROGRESS_EVERY:
                progress(pending)
                pending = 0
            try:
                line = raw.decode("utf8")
            except UnicodeDecodeError as err:
                raise ConversionError(str(path), lineno, Errors.E311.format(
                    where=where(str(path), lineno), byte=err.start, reason=err.reason)) from None
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            yield line.rstrip("\r\n")
    if progress is not None and pending:
        progress(pending)


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
