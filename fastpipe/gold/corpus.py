"""Corpus readers: stream training Examples from `.fastpipe` or spaCy `.spacy` files, or
raw-text JSONL.

A reader is built from the config (registry ``readers``) and called with the nlp object:
``corpus(nlp)`` returns a fresh iterator of Examples each time (one pass, one epoch). Readers
stream: they hold one DocBin chunk, plus at most ``shuffle_buffer`` documents when shuffling,
so a corpus larger than memory trains.
"""
import contextlib
import gc
import random
import weakref
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Optional, Tuple, Union

from ..errors import Errors
from ..registry import registry
from ..tokens.doc import Doc
from ..tokens import docbin
from .augment import rebuild_doc
from .example import Example

__all__ = ["Corpus", "JsonlCorpus", "create_docbin_reader", "create_jsonl_reader", "walk_corpus",
           "shuffle_stream", "release_held_docs", "gc_paused"]

FILE_SUFFIX = ".fastpipe"
DOCBIN_SUFFIXES = (FILE_SUFFIX, ".spacy")  # a folder's DocBin files: fastpipe's and spaCy's
DEFAULT_SHUFFLE_BUFFER = 5000
_SETTING_HINT = ("Check the setting that points to it: [paths] train / dev (for example "
                 "--paths.train ./corpus/train.fastpipe on the command line) or the path of "
                 "the reader in [corpora].")


def walk_corpus(path: Union[str, Path], suffix: Union[str, Tuple[str, ...]] = DOCBIN_SUFFIXES
                ) -> List[Path]:
    """The corpus files at ``path``: the file itself, or every file below a folder whose name
    ends in ``suffix`` (one or a tuple of them; recursively, hidden files and folders skipped),
    in sorted order."""
    if path is None:
        raise ValueError(Errors.E300.format(hint=_SETTING_HINT))
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(Errors.E301.format(path=str(path), hint=_SETTING_HINT))
    if path.is_file():
        return [path]
    suffixes = (suffix,) if isinstance(suffix, str) else tuple(suffix)
    files = [p for p in path.rglob("*") if p.name.endswith(suffixes) and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(path).parts)]
    return sorted(files)


def shuffle_stream(items: Iterable, buffer_size: int, rng=random) -> Iterator:
    """Yield ``items`` in a random order using a buffer of at most ``buffer_size`` items: each
    new item takes the place of a randomly chosen buffered one, which is yielded. Deterministic
    for a given state of ``rng`` (the ``random`` module, seeded by thinc's fix_random_seed)."""
    buffer_size = max(1, int(buffer_size))
    buffer = []
    for item in items:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        j = rng.randrange(buffer_size)
        yield buffer[j]
        buffer[j] = item
    rng.shuffle(buffer)
    yield from buffer


def _read_docs(path, vocab):
    return docbin.iter_docs(path, vocab)


# Documents a Corpus read once for an nlp object (``Corpus.hold``), which later passes over the
# same files with that nlp take instead of reading them again: nlp -> (files, [(id, Doc)]).
_HELD = weakref.WeakKeyDictionary()


def release_held_docs(nlp) -> None:
    """Forget the documents held for ``nlp`` (see ``Corpus.hold``)."""
    _HELD.pop(nlp, None)


@contextlib.contextmanager
def gc_paused():
    """Hold Python's cyclic garbage collector for the block: a corpus read into memory makes
    millions of objects that all stay alive, and each full collection the allocations set
    off walks them all again (about a tenth of a textcat training's time), for nothing. A
    zero threshold, not ``gc.disable()``, which msgpack's reader undoes."""
    thresholds = gc.get_threshold()
    gc.set_threshold(0)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class Corpus:
    """Examples from the `.fastpipe` or `.spacy` file at ``path``, or from every such file
    below a folder (both formats may be mixed).

    For each reference Doc, the predicted Doc is ``nlp.make_doc(reference.text)``; with
    ``gold_preproc`` it has the reference's words and spaces instead, and each sentence is an
    example of its own (a Doc without sentence boundaries stays whole). With ``max_length`` > 0
    a Doc longer than that (in tokens) is split into its sentences and sentences still longer
    are skipped (``n_skipped`` counts them for the last pass). ``limit`` > 0 stops a pass after
    that many examples (counted after augmentation). ``augmenter(nlp, example)`` may yield
    several examples per example. With ``shuffle`` the file order is shuffled and the documents
    pass through a buffer of ``shuffle_buffer`` docs (see ``shuffle_stream``).
    ``Example.id`` is ``"<file>#<doc index>"``, with ``".s<sentence index>"`` after a split.
    """

    def __init__(self, path, *, gold_preproc: bool = False, max_length: int = 0, limit: int = 0,
                 augmenter: Optional[Callable] = None, shuffle: bool = False,
                 shuffle_buffer: int = DEFAULT_SHUFFLE_BUFFER):
        self.files = walk_corpus(path)
        self.path = Path(path)
        self.gold_preproc = bool(gold_preproc)
        self.max_length = int(max_length or 0)
        self.limit = int(limit or 0)
        self.augmenter = augmenter
        self.shuffle = bool(shuffle)
        if shuffle_buffer < 1:
            raise ValueError(Errors.E302.format(value=shuffle_buffer))
        self.shuffle_buffer = int(shuffle_buffer)
        self.n_skipped = 0

    def __repr__(self):
        return f"Corpus({str(self.path)!r}, files={len(self.files)})"

    def __call__(self, nlp) -> Iterator:
        return self._examples(nlp)

    def hold(self, nlp) -> bool:
        """Read the documents now and keep them for ``nlp``: until ``release_held_docs(nlp)``,
        each pass with ``nlp`` by a Corpus over the same files (unchanged since) takes them
        instead of reading the files again, as training does after ``nlp.initialize`` read
        the corpus. A shuffling corpus holds nothing (each of its passes draws a new order)
        and returns False. Each pass still makes its own predicted Docs and Examples."""
        if self.shuffle:
            return False
        held = _HELD.get(nlp)
        if held is None or held[0] != self._files_state():
            with gc_paused():
                _HELD[nlp] = (self._files_state(), list(self.iter_docs(nlp.vocab)))
        return True

    def _files_state(self):
        return tuple((str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in self.files)

    def _docs(self, nlp) -> Iterator:
        """The documents of a pass: those held for ``nlp`` (see ``hold``), or read now."""
        held = _HELD.get(nlp)
        if held is not None and not self.shuffle and held[0] == self._files_state():
            return iter(held[1])
        return self.iter_docs(nlp.vocab)

    def iter_docs(self, vocab) -> Iterator:
        """Yield (doc id, reference Doc) for every document, in file order or shuffled."""
        files = list(self.files)
        if self.shuffle:
            random.shuffle(files)
        docs = ((f"{path}#{i}", doc) for path in files
                for i, doc in enumerate(_read_docs(path, vocab)))
        if self.shuffle:
            docs = shuffle_stream(docs, self.shuffle_buffer)
        return docs

    def _examples(self, nlp) -> Iterator:
        self.n_skipped = 0
        n = 0
        for doc_id, reference in self._docs(nlp):
            for example in self._make_examples(nlp, doc_id, reference):
                for augmented in self._augment(nlp, example):
                    yield augmented
                    n += 1
                    if self.limit and n >= self.limit:
                        return
        if n == 0:
            why = (f" ({self.n_skipped} sentence(s) were longer than max_length = "
                   f"{self.max_length} tokens and skipped)" if self.n_skipped else "")
            where = (f"{len(self.files)} file(s) under {str(self.path)!r}" if self.path.is_dir()
                     else f"{str(self.path)!r}")
            raise ValueError(Errors.E303.format(where=where, why=why,
                                                suffix=" or *".join(DOCBIN_SUFFIXES)))

    def _augment(self, nlp, example):
        if self.augmenter is None:
            return (example,)
        return self.augmenter(nlp, example)

    def _make_examples(self, nlp, doc_id, reference):
        split = self.gold_preproc or (self.max_length and len(reference) > self.max_length)
        if split and reference.has_sents:
            units = [(f"{doc_id}.s{k}", sent.start, sent.end)
                     for k, sent in enumerate(reference.sents)]
        else:
            units = [(doc_id, 0, len(reference))]
        whole = len(units) == 1
        for unit_id, start, end in units:
            if self.max_length and end - start > self.max_length:
                self.n_skipped += 1
                continue
            if end == start:
                continue
            ref = reference if whole else rebuild_doc(reference, start, end,
                                                      strip_trailing_space=True)
            if self.gold_preproc:
                predicted = _words_doc(nlp.vocab, ref)
            else:
                predicted = nlp.make_doc(ref.text)
            yield Example(predicted, ref, id=unit_id)


def _words_doc(vocab, reference):
    """A Doc with the reference's words and spaces and no annotations."""
    orth_spacy = reference.to_array(["ORTH", "SPACY"]).reshape((len(reference), 2))
    return Doc._from_keys(vocab, orth_spacy[:, 0], orth_spacy[:, 1])


class JsonlCorpus:
    """Examples from raw text in JSONL files (one ``{"text": ...}`` object per line, or a
    pre-tokenized ``{"tokens": [...]}`` one), for pretraining-style uses: the reference is the
    tokenized text, without annotations.

    ``path`` is a `.jsonl` file or a folder of them (recursively, sorted). Texts with fewer
    than ``min_length`` or (when > 0) more than ``max_length`` tokens are skipped; ``limit`` > 0
    stops a pass after that many examples. A malformed line raises ValueError naming file:line.
    """

    def __init__(self, path, *, min_length: int = 0, max_length: int = 0, limit: int = 0):
        self.files = walk_corpus(path, suffix=".jsonl")
        self.path = Path(path)
        self.min_length = int(min_length or 0)
        self.max_length = int(max_length or 0)
        self.limit = int(limit or 0)

    def __repr__(self):
        return f"JsonlCorpus({str(self.path)!r}, files={len(self.files)})"

    def __call__(self, nlp) -> Iterator:
        return self._examples(nlp)

    def iter_texts(self) -> Iterator:
        """Yield (id, text) for every line, as ``"<file>:<line>"`` ids: the text a string, or
        the line's list of tokens when it has ``tokens`` instead of ``text``."""
        import srsly

        for path in self.files:
            with open(path, encoding="utf8") as f:
                for line_no, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    where = f"{path}:{line_no}"
                    try:
                        record = srsly.json_loads(line)
                    except ValueError as err:
                        raise ValueError(Errors.E304.format(where=where, err=err)) from None
                    text = record.get("text") if isinstance(record, dict) else None
                    if text is None and isinstance(record, dict) and _is_words(
                            record.get("tokens")):
                        text = record["tokens"]
                    elif not isinstance(text, str):
                        raise ValueError(Errors.E305.format(where=where, line=line.strip()[:80]))
                    yield where, text

    def _examples(self, nlp) -> Iterator:
        n = 0
        for text_id, text in self.iter_texts():
            doc = Doc(nlp.vocab, words=text) if isinstance(text, list) else nlp.make_doc(text)
            if len(doc) < self.min_length or (self.max_length and len(doc) > self.max_length):
                continue
            yield Example(doc, doc.copy(), id=text_id)
            n += 1
            if self.limit and n >= self.limit:
                return
        if n == 0:
            raise ValueError(Errors.E306.format(path=str(self.path), min_length=self.min_length,
                                                max_length=self.max_length))


def _is_words(value) -> bool:
    return isinstance(value, list) and all(isinstance(word, str) and word for word in value)


@registry.readers("fastpipe.Corpus.v1")
def create_docbin_reader(
    path: Optional[Union[str, Path]],
    gold_preproc: bool = False,
    max_length: int = 0,
    limit: int = 0,
    augmenter: Optional[Callable] = None,
    shuffle: bool = False,
    shuffle_buffer: int = DEFAULT_SHUFFLE_BUFFER,
) -> Callable[..., Iterator]:
    """Reader of `.fastpipe` and spaCy `.spacy` corpora (a file or a folder of them); see
    ``Corpus``."""
    return Corpus(path, gold_preproc=gold_preproc, max_length=max_length, limit=limit,
                  augmenter=augmenter, shuffle=shuffle, shuffle_buffer=shuffle_buffer)


@registry.readers("fastpipe.JsonlCorpus.v1")
def create_jsonl_reader(
    path: Optional[Union[str, Path]],
    min_length: int = 0,
    max_length: int = 0,
    limit: int = 0,
) -> Callable[..., Iterator]:
    """Reader of raw texts in JSONL (a file or a folder of `.jsonl` files); see ``JsonlCorpus``."""
    return JsonlCorpus(path, min_length=min_length, max_length=max_length, limit=limit)
