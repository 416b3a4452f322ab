"""Named-entity IOB files to Docs.

Two layouts are read; the first line with content decides which:

- Token per line (CoNLL-2003 style): ``word TAG`` separated by a tab or spaces; with more
  columns, the first is the word and the last the entity tag (``EU NNP B-NP B-ORG``). A blank
  line ends a sentence.
- Sentence per line: ``word|TAG word|TAG ...``, or ``word|POS|TAG`` (the POS becomes the
  token's ``tag``). The layout is this one when every whitespace-separated piece of the first
  line holds a ``|``.

In both, a line whose first word is ``-DOCSTART-`` ends the current document; otherwise
documents hold ``n_sents`` sentences each. Sentence boundaries are kept as sentence starts.
Tags may be IOB2, IOB1 (an ``I-X`` that starts an entity becomes ``B-X``) or BILUO/IOBES
(``U-``/``S-`` become ``B-``, ``L-``/``E-`` become ``I-``). Words are joined by single spaces.
Malformed input raises ConversionError with ``file:line``, and so does a file without a
sentence.
"""
from typing import Iterable, Iterator, List, Optional, Tuple

from ...errors import Errors
from ...tokens.doc import Doc
from ._util import ConversionError, fix_iob, where

DOCSTART = "-DOCSTART-"

# A sentence: (words, entity tags, POS tags or None, line number of each word)
_Sent = Tuple[List[str], List[Optional[str]], Optional[List[str]], List[int]]


def iob_to_docs(lines: Iterable[str], nlp, *, source: str = "<iob>",
                n_sents: int = 10) -> Iterator[Doc]:
    """Yield Docs from the lines of an IOB file (either layout, see the module docstring)."""
    if n_sents < 1:
        raise ValueError(Errors.E313.format(value=n_sents))
    vocab = getattr(nlp, "vocab", nlp)
    batch: List[_Sent] = []
    for sent in _read_sentences(lines, source):
        if sent is None:  # a document boundary
            if batch:
                yield _build_doc(vocab, batch)
            batch = []
            continue
        batch.append(sent)
        if len(batch) == n_sents:
            yield _build_doc(vocab, batch)
            batch = []
    if batch:
        yield _build_doc(vocab, batch)


def _read_sentences(lines: Iterable[str], source: str) -> Iterator[Optional[_Sent]]:
    """Yield sentences, and None at each ``-DOCSTART-`` line."""
    piped = None  # which layout: decided by the first line with content
    found = False  # whether a sentence was read
    words: List[str] = []
    tags: List[Optional[str]] = []
    linenos: List[int] = []
    lineno = 0
    for lineno, line in enumerate(lines, 1):
        pieces = line.split()
        if not pieces:
            if words:
                found = True
                yield words, fix_iob(tags, source, linenos, allow_biluo=True), None, linenos
                words, tags, linenos = [], [], []
            continue
        if pieces[0] == DOCSTART or pieces[0].startswith(DOCSTART + "|"):
            if words:
                found = True
                yield words, fix_iob(tags, source, linenos, allow_biluo=True), None, linenos
                words, tags, linenos = [], [], []
            yield None
            continue
        if piped is None:
            piped = all("|" in piece for piece in pieces)
        if piped:
            yield _read_piped_line(pieces, source, lineno)
            found = True
            continue
        if len(pieces) < 2:
            raise ConversionError(source, lineno, Errors.E324.format(
                where=where(source, lineno), line=line.strip()))
        words.append(pieces[0])
        tags.append(pieces[-1])
        linenos.append(lineno)
    if words:
        yield words, fix_iob(tags, source, linenos, allow_biluo=True), None, linenos
    elif not found:
        raise ConversionError(source, max(lineno, 1), Errors.E620.format(
            where=where(source, max(lineno, 1)), lines=lineno, format="IOB"))


def _read_piped_line(pieces: List[str], source: str, lineno: int) -> _Sent:
    words, tags, pos = [], [], []
    for piece in pieces:
        parts = piece.split("|")
        if len(parts) not in (2, 3) or not all(parts):
            raise ConversionError(source, lineno,
                                  Errors.E325.format(where=where(source, lineno), piece=piece))
        words.append(parts[0])
        tags.append(parts[-1])
        if len(parts) == 3:
            pos.append(parts[1])
    if pos and len(pos) != len(words):
        raise ConversionError(source, lineno, Errors.E326.format(where=where(source, lineno)))
    linenos = [lineno] * len(words)
    return words, fix_iob(tags, source, linenos, allow_biluo=True), pos or None, linenos


def _build_doc(vocab, sents: List[_Sent]) -> Doc:
    words: List[str] = []
    ents: List[Optional[str]] = []
    starts: List[bool] = []
    pos: List[Optional[str]] = []
    for sent_words, sent_tags, sent_pos, _ in sents:
        words += sent_words
        ents += sent_tags
        starts.append(True)
        starts += [False] * (len(sent_words) - 1)
        pos += sent_pos if sent_pos is not None else [None] * len(sent_words)
    has_pos = any(p is not None for p in pos)
    return Doc(vocab, words=words, ents=ents, sent_starts=starts, tags=pos if has_pos else None)
