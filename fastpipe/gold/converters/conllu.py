"""CoNLL-U (Universal Dependencies) to Docs.

Each Doc holds ``n_sents`` consecutive sentences (the last one fewer), with their boundaries
kept as sentence starts and their heads shifted to absolute positions in the Doc.

Per word (the syntactic words: a multiword token ``3-4 don't`` gives the words of lines 3 and 4,
``do`` and ``n't``):

- FORM -> the token text; UPOS -> ``pos``; XPOS -> ``tag``; LEMMA -> ``lemma``; FEATS ->
  ``morph``; DEPREL -> ``dep``, as given (the root keeps the treebank's label ``root``);
  HEAD (1-based, 0 = root) -> ``head`` (a root is its own head). ``_`` means missing, except a
  LEMMA ``_`` of the FORM ``_``.
- Spaces: a word is followed by a space unless its MISC has ``SpaceAfter=No``. Inside a
  multiword token there is no space between the words; the last word takes the range line's
  ``SpaceAfter``.
- Entities: MISC ``NER=<tag>`` in IOB2 (``B-PER``, ``I-PER``, ``O``). A sentence whose words
  carry no ``NER=`` key has *missing* entity annotation (IOB code missing), not ``O``; within a
  sentence with NER, a word without the key is missing too. An ``I-X`` that continues no ``X``
  entity is read as IOB1 and opens a new entity (``B-X``); any other tag is an error.
- Empty nodes (IDs like ``8.1``) and the DEPS column are skipped (empty node IDs are checked).
- ``# sent_id = ...`` comments are kept, one per sentence (None where absent), in
  ``doc.user_data["sent_ids"]`` (write the DocBin with ``store_user_data=True`` to keep them).

Malformed input raises ConversionError (a ValueError) whose message names ``file:line`` right
after its code and says what was expected (E311-E323, E620-E628): a column count other than 10,
a bad ID or HEAD (ASCII numbers only), a HEAD outside the sentence or naming its own word, a
second root (HEAD 0) in a sentence, words out of order, an empty node ID that is not ``N.M``
after word N, an unfinished multiword token or one whose range line carries annotation, heads
that form a cycle, a bad NER tag, ``NER`` or ``SpaceAfter`` given twice in a MISC column, a
``SpaceAfter`` other than ``No``, and a file without a single sentence. Nothing is dropped or
bent silently.
"""
import re
from typing import Iterable, Iterator, List, Optional

from ...errors import Errors
from ...tokens.doc import Doc
from ._util import ConversionError, fix_iob, where

COLUMNS = "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC"
_RANGE_EMPTY = COLUMNS.split()[2:9]  # a multiword token's range line has _ in these
_WORD_ID = re.compile(r"[1-9][0-9]*")  # a word number: ASCII digits, no leading zero
_MISC_KEYS = ("NER", "SpaceAfter")  # the MISC keys read (each at most once a word)


class _Sentence:
    """The words of one sentence as parallel lists (None = missing), and where they came from."""

    __slots__ = ("words", "spaces", "lemmas", "pos", "tags", "morphs", "heads", "deps", "ner",
                 "has_ner", "sent_id", "linenos")

    def __init__(self):
        self.words: List[str] = []
        self.spaces: List[bool] = []
        self.lemmas: List[Optional[str]] = []
        self.pos: List[Optional[str]] = []
        self.tags: List[Optional[str]] = []
        self.morphs: List[Optional[str]] = []
        self.heads: List[Optional[int]] = []  # 1-based as in the file, 0 = root
        self.deps: List[Optional[str]] = []
        self.ner: List[Optional[str]] = []
        self.has_ner = False
        self.sent_id: Optional[str] = None
        self.linenos: List[int] = []  # the file line of each word


def conllu_to_docs(lines: Iterable[str], nlp, *, source: str = "<conllu>",
                   n_sents: int = 10) -> Iterator[Doc]:
    """Yield Docs of ``n_sents`` sentences each from the lines of a CoNLL-U file.

    ``nlp`` is a Language or a Vocab (only its vocab is used); ``source`` names the input in
    error messages.
    """
    if n_sents < 1:
        raise ValueError(Errors.E313.format(value=n_sents))
    vocab = getattr(nlp, "vocab", nlp)
    batch: List[_Sentence] = []
    for sent in read_sentences(lines, source):
        batch.append(sent)
        if len(batch) == n_sents:
            yield _build_doc(vocab, batch, source)
            batch = []
    if batch:
        yield _build_doc(vocab, batch, source)


def read_sentences(lines: Iterable[str], source: str = "<conllu>") -> Iterator[_Sentence]:
    """Parse CoNLL-U lines into sentences (see the module docstring for the mapping)."""
    sent = _Sentence()
    range_end = 0          # last word ID of the open multiword token, 0 if none
    range_space = True     # SpaceAfter of the open multiword token
    range_line = 0
    empty_node = None      # (word, n) of the sentence's last empty node "word.n", or None
    lineno = 0
    n_sents = 0
    for lineno, line in enumerate(lines, 1):
        if not line or line.isspace():
            if sent.words or range_end:
                yield _finish(sent, source, range_end, range_line)
                n_sents += 1
            sent = _Sentence()
            range_end = 0
            empty_node = None
            continue
        if line[0] == "#":
            if line.startswith("# sent_id"):
                key, eq, value = line[1:].partition("=")
                if eq and key.strip() == "sent_id":
                    sent.sent_id = value.strip()
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) != 10:
            raise ConversionError(source, lineno, Errors.E314.format(
                where=where(source, lineno), columns=COLUMNS, n=len(cols)))
        id_ = cols[0]
        if not _WORD_ID.fullmatch(id_):
            if "." in id_:  # an empty node of the enhanced graph: checked, then skipped
                empty_node = _check_empty_node(id_, len(sent.words), empty_node, source, lineno)
                continue
            start, dash, end = id_.partition("-")
            if not (dash and _WORD_ID.fullmatch(start) and _WORD_ID.fullmatch(end)):
                raise ConversionError(source, lineno,
                                      Errors.E315.format(where=where(source, lineno), id=id_))
            if int(start) != len(sent.words) + 1 or int(end) <= int(start) or range_end:
                raise ConversionError(source, lineno, Errors.E316.format(
                    where=where(source, lineno), id=id_, start=len(sent.words) + 1))
            filled = [name for name, value in zip(_RANGE_EMPTY, cols[2:9]) if value != "_"]
            if filled:
                raise ConversionError(source, lineno, Errors.E628.format(
                    where=where(source, lineno), id=id_, columns=", ".join(filled)))
            range_end = int(end)
            range_space, _ = _read_misc(cols[9], source, lineno, in_range=False)
            range_line = lineno
            continue
        n = len(sent.words) + 1
        if int(id_) != n:
            hint = " (is a blank line missing between sentences?)" if id_ == "1" else ""
            raise ConversionError(source, lineno, Errors.E317.format(
                where=where(source, lineno), expected=n, found=id_, hint=hint))
        form, lemma, upos, xpos, feats, head, deprel, _deps, misc = cols[1:]
        if not form:
            raise ConversionError(source, lineno, Errors.E318.format(where=where(source, lineno)))
        space, ner = _read_misc(misc, source, lineno, in_range=bool(range_end))
        if ner is not None:
            sent.has_ner = True
        if range_end:
            if n < range_end:
                space = False
            else:
                space = range_space
                range_end = 0
        if head == "_":
            head_i = None
        elif head == "0" or _WORD_ID.fullmatch(head):
            head_i = int(head)
        else:
            raise ConversionError(source, lineno,
                                  Errors.E319.format(where=where(source, lineno), head=head))
        if head_i == n:
            raise ConversionError(source, lineno,
                                  Errors.E622.format(where=where(source, lineno), head=head))
        sent.words.append(form)
        sent.spaces.append(space)
        sent.lemmas.append(None if lemma == "_" and form != "_" else lemma)
        sent.pos.append(None if upos == "_" else upos)
        sent.tags.append(None if xpos == "_" else xpos)
        sent.morphs.append(None if feats == "_" else feats)
        sent.heads.append(head_i)
        sent.deps.append(None if deprel == "_" else deprel)
        sent.ner.append(ner)
        sent.linenos.append(lineno)
    if sent.words or range_end:
        yield _finish(sent, source, range_end, range_line or lineno)
    elif not n_sents:
        raise ConversionError(source, max(lineno, 1), Errors.E620.format(
            where=where(source, max(lineno, 1)), lines=lineno, format="CoNLL-U"))


def _read_misc(misc: str, source: str, lineno: int, in_range: bool):
    """The space flag and NER tag (None if absent) of a MISC column; a key that matters given
    twice, a SpaceAfter other than No, or one on a word inside a multiword token is refused."""
    space, ner, seen = True, None, set()
    if misc == "_":
        return space, ner
    for item in misc.split("|"):
        key, eq, value = item.partition("=")
        if key not in _MISC_KEYS or not eq:
            continue
        if key in seen:
            raise ConversionError(source, lineno, Errors.E625.format(
                where=where(source, lineno), key=key, misc=misc))
        seen.add(key)
        if key == "NER":
            ner = value
        elif value != "No" or in_range:
            raise ConversionError(source, lineno,
                                  Errors.E626.format(where=where(source, lineno), item=item))
        else:
            space = False
    return space, ner


def _check_empty_node(id_: str, n_words: int, last, source: str, lineno: int):
    """Check an empty node's ID ``word.n``: integers, placed after word ``word`` (0: before
    the first), ``n`` counting 1, 2, ... there. Returns (word, n)."""
    word, dot, sub = id_.partition(".")
    if not ((word == "0" or _WORD_ID.fullmatch(word)) and _WORD_ID.fullmatch(sub)):
        raise ConversionError(source, lineno, Errors.E623.format(where=where(source, lineno), id=id_))
    word_i, sub_i = int(word), int(sub)
    expected = last[1] + 1 if last is not None and last[0] == word_i else 1
    if word_i != n_words or sub_i != expected:
        raise ConversionError(source, lineno, Errors.E624.format(
            where=where(source, lineno), id=id_, expected=f"{n_words}.{expected}"))
    return word_i, sub_i


def _finish(sent: _Sentence, source: str, range_end: int, range_line: int) -> _Sentence:
    """Check a complete sentence: multiword tokens closed, heads inside it, NER tags valid."""
    n = len(sent.words)
    if range_end:
        raise ConversionError(source, range_line, Errors.E320.format(
            where=where(source, range_line), end=range_end, n=n))
    root = None
    for i, head in enumerate(sent.heads):
        if head is not None and head > n:
            raise ConversionError(source, sent.linenos[i], Errors.E321.format(
                where=where(source, sent.linenos[i]), head=head, n=n))
        if head == 0:
            if root is not None:
                raise ConversionError(source, sent.linenos[i], Errors.E627.format(
                    where=where(source, sent.linenos[i]), first=root + 1, second=i + 1))
            root = i
    if sent.has_ner:
        sent.ner = fix_iob(sent.ner, source, sent.linenos)
    return sent


def _build_doc(vocab, sents: List[_Sentence], source: str) -> Doc:
    words, spaces, lemmas, pos, tags, morphs, heads, deps, starts = ([] for _ in range(9))
    ents: Optional[list] = [] if any(s.has_ner for s in sents) else None
    has_ids = any(s.sent_id is not None for s in sents)
    for sent in sents:
        offset = len(words)
        words += sent.words
        spaces += sent.spaces
        lemmas += sent.lemmas
        pos += sent.pos
        tags += sent.tags
        morphs += sent.morphs
        deps += sent.deps
        heads += [None if h is None else (offset + i if h == 0 else offset + h - 1)
                  for i, h in enumerate(sent.heads)]
        starts.append(True)
        starts += [False] * (len(sent.words) - 1)
        if ents is not None:
            ents += sent.ner if sent.has_ner else [None] * len(sent.words)
    try:
        doc = Doc(vocab, words=words, spaces=spaces, lemmas=lemmas, pos=pos, tags=tags,
                  morphs=morphs, heads=heads, deps=deps, sent_starts=starts, ents=ents)
    except ValueError as err:
        raise _locate(vocab, sents, source, err) from None
    if has_ids:
        doc.user_data["sent_ids"] = [s.sent_id for s in sents]
    return doc


def _locate(vocab, sents: List[_Sentence], source: str, err: ValueError) -> ConversionError:
    """Find the sentence whose annotation the Doc refused (a cycle in its heads, say)."""
    for sent in sents:
        heads = [None if h is None else (i if h == 0 else h - 1) for i, h in enumerate(sent.heads)]
        try:
            Doc(vocab, words=sent.words, heads=heads)
        except ValueError as sent_err:
            return ConversionError(source, sent.linenos[0], Errors.E322.format(
                where=where(source, sent.linenos[0]), err=sent_err))
    return ConversionError(source, sents[0].linenos[0], Errors.E323.format(
        where=where(source, sents[0].linenos[0]), err=err))
