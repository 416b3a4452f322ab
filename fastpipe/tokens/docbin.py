"""DocBin: many Docs with all their annotations in one compact binary blob or `.fastpipe` file.

File layout (little-endian; the same bytes are what ``to_bytes`` returns)::

    b"FPDOCBIN" | u32 H | msgpack header (H bytes): {"format": 1, "attrs": [names], "user_data": bool}
    chunk*:     u32 C (> 0) | u32 crc32 of the payload | payload: zlib(msgpack(chunk)), C bytes
    end:        u32 0 | u64 number of documents in the file

A chunk is ``{"strings": [utf-8 bytes, ...], "docs": [doc, ...]}``. Every string a doc uses
(token values, span labels, cats and span group names) is an index into the chunk's strings
(0 = missing, i = strings[i - 1]), so a chunk can be decoded on its own and a reader holds one
chunk at a time (``iter_docs``). A doc is ``{"n": tokens, "cols": int32 column-major (attrs x n)
bytes, "cats": [[name, score], ...], "spans": [[name, [start, end, label, kb_id, ...]], ...],
"user": [[key_is_tuple, key, value], ...]}`` ("user" only when user_data is stored).

spaCy's `.spacy` files (see _spacy_docbin) are read wherever a `.fastpipe` file is: the first
bytes tell the formats apart. They are written when the path ends in `.spacy` or when
``format="spacy"`` is given.
"""
import io
from pathlib import Path

from ..errors import Errors
from ..util import atomic_write
from ._docbin_codec import (DEFAULT_CHUNK_DOCS, DEFAULT_CHUNK_TOKENS, MAGIC, U32, U64, attr_names,
                            build_docs, encode_doc, open_stream, write_chunk, write_header,
                            write_stream)
from . import _spacy_docbin as spacy_format
from .doc import Doc

__all__ = ["DocBin", "DocBinWriter", "iter_docs"]

_BUILD_BLOCK = 1024  # get_docs checks the rows of this many documents at once


class DocBin:
    """Collect Docs and serialize them, with their annotations, into a `.fastpipe` blob.

    ``attrs`` picks the token attributes to keep (default: every one DocBin can store; ORTH and
    SPACY are always kept). ``doc.cats`` and ``doc.spans`` are always kept; ``doc.user_data`` only
    with ``store_user_data=True`` (its values must be msgpack-serializable).
    """

    def __init__(self, attrs=None, store_user_data=False, docs=None):
        self.attrs = attr_names(attrs)
        self.store_user_data = bool(store_user_data)
        self._records = []  # one dict per doc, see encode_doc
        for doc in docs or ():
            self.add(doc)

    def __len__(self):
        return len(self._records)

    def add(self, doc):
        """Add a Doc (its annotations are copied now; later edits to the Doc are not seen)."""
        if not isinstance(doc, Doc):
            raise TypeError(Errors.E042.format(type=type(doc).__name__))
        self._records.append(encode_doc(doc, self.attrs, self.store_user_data))

    def get_docs(self, vocab):
        """Yield the Docs, built over ``vocab`` (their strings are added to its StringStore)."""
        for start in range(0, len(self._records), _BUILD_BLOCK):
            yield from build_docs(vocab, self._records[start:start + _BUILD_BLOCK], self.attrs,
                                  "this DocBin", Doc, first=start)

    def merge(self, other):
        """Append the docs of another DocBin that stores the same attributes."""
        if not isinstance(other, DocBin):
            raise TypeError(Errors.E045.format(method="merge", expected="a DocBin", type=type(other).__name__))
        if set(other.attrs) != set(self.attrs):
            raise ValueError(Errors.E043.format(name=f"{other.attrs} (merged into a DocBin storing {self.attrs})"))
        order = [other.attrs.index(a) for a in self.attrs]
        for record in other._records:
            record = dict(record, array=record["array"][:, order])
            if not self.store_user_data:
                record["user"] = None
            self._records.append(record)
        return self

    # -- bytes and files ---------------------------------------------------------------------

    def to_bytes(self, *, chunk_docs=DEFAULT_CHUNK_DOCS, format="fastpipe"):
        """The docs as bytes: fastpipe's format, or spaCy's with ``format="spacy"``."""
        if _format(format, None) == "spacy":
            return spacy_format.encode(self.attrs, self.store_user_data, self._records)
        out = io.BytesIO()
        write_stream(out, self.attrs, self.store_user_data, self._records, chunk_docs)
        return out.getvalue()

    def from_bytes(self, bytes_data):
        """Replace this DocBin's content (and attrs) by the docs in ``bytes_data`` (fastpipe's
        format or spaCy's)."""
        if not isinstance(bytes_data, (bytes, bytearray, memoryview)):
            raise TypeError(Errors.E045.format(method="from_bytes", expected="bytes", type=type(bytes_data).__name__))
        self._load(io.BytesIO(bytes(bytes_data)), "the bytes given to DocBin.from_bytes")
        return self

    def to_disk(self, path, *, chunk_docs=DEFAULT_CHUNK_DOCS, format=None):
        """Write the file atomically (to a temporary file, then renamed into place): a `.spacy`
        file when the path ends in `.spacy` or ``format="spacy"``, else a `.fastpipe` file."""
        data = None
        if _format(format, path) == "spacy":
            data = spacy_format.encode(self.attrs, self.store_user_data, self._records)
        with atomic_write(path) as out:
            if data is not None:
                out.write(data)
            else:
                write_stream(out, self.attrs, self.store_user_data, self._records, chunk_docs)

    def from_disk(self, path):
        with open(path, "rb") as f:
            self._load(f, f"file {str(path)!r}")
        return self

    @staticmethod
    def read_stream(path, vocab):
        """Yield the Docs of a `.fastpipe` (or `.spacy`) file one chunk at a time (see
        ``iter_docs``)."""
        return iter_docs(path, vocab)

    def _load(self, f, where):
        f = _Peeked(f)
        if f.is_spacy(where):
            self.attrs, self.store_user_data, self._records, _ = spacy_format.decode(f.read(), where)
            return
        header, chunks = open_stream(f, where)
        self.attrs = header["attrs"]
        self.store_user_data = header["user_data"]
        self._records = [record for chunk in chunks for record in chunk.records]


def _format(value, path):
    if value is None:
        return "spacy" if path is not None and Path(path).suffix == spacy_format.SUFFIX else "fastpipe"
    if value not in ("fastpipe", "spacy"):
        raise ValueError(Errors.E505.format(value=value))
    return value


class _Peeked:
    """A binary file whose first bytes were read to tell the formats apart, and are still
    returned by ``read``, so that no seeking is needed."""

    def __init__(self, f):
        self._f = f
        self._head = f.read(len(MAGIC))
        while len(self._head) < len(MAGIC):  # a raw stream may return fewer bytes than asked
            more = f.read(len(MAGIC) - len(self._head))
            if not more:
                break
            self._head += more

    def is_spacy(self, where):
        """True for spaCy's format, False for fastpipe's; neither raises E500."""
        if self._head == MAGIC:
            return False
        if spacy_format.looks_like_spacy(self._head):
            return True
        raise ValueError(Errors.E500.format(where=where))

    def read(self, n=-1):
        if n is None or n < 0:
            head, self._head = self._head, b""
            return head + self._f.read()
        head, self._head = self._head[:n], self._head[n:]
        return head + (self._f.read(n - len(head)) if n > len(head) else b"")


def iter_docs(path, vocab):
    """Yield the Docs of a `.fastpipe` file (a path or a binary file object), reading and
    decoding one chunk at a time, so memory use is bounded by the largest chunk. A `.spacy`
    file is one block: it is read whole, then its Docs are built one at a time."""
    if hasattr(path, "read"):
        yield from _iter_docs(path, vocab, "the file object given to iter_docs")
        return
    with open(path, "rb") as f:
        yield from _iter_docs(f, vocab, f"file {str(path)!r}")


def _iter_docs(f, vocab, where):
    f = _Peeked(f)
    if f.is_spacy(where):
        # spaCy's format is one msgpack map: read whole, its strings added to the vocab once.
        attrs, _, records, strings, rows = spacy_format.decode_rows(f.read(), where, doc_strings=False)
        add = vocab.strings.add
        for string in strings:
            add(string)
        yield from build_docs(vocab, records, attrs, where, Doc, array=rows)
        return
    header, chunks = open_stream(f, where, doc_strings=False)
    i = 0
    for chunk in chunks:
        yield from build_docs(vocab, chunk.records, header["attrs"], where, Doc, first=i,
                              array=chunk.rows, strings=chunk.strings)
        i += len(chunk.records)


class DocBinWriter:
    """Write Docs to a `.fastpipe` file as they come, one chunk in memory at a time.

    ``with DocBinWriter(path) as writer: writer.add(doc)``. The file appears only when the block
    ends without an error.
    """

    def __init__(self, path, attrs=None, store_user_data=False, *, chunk_docs=DEFAULT_CHUNK_DOCS):
        if Path(path).suffix == spacy_format.SUFFIX:
            raise ValueError(Errors.E506.format(path=str(path)))
        self.attrs = attr_names(attrs)
        self.store_user_data = bool(store_user_data)
        self.chunk_docs = max(1, int(chunk_docs))
        self._ctx = atomic_write(path)
        self._out = None
        self._pending = []
        self._pending_tokens = 0
        self.n_docs = 0

    def __enter__(self):
        self._out = self._ctx.__enter__()
        write_header(self._out, self.attrs, self.store_user_data)
        return self

    def add(self, doc):
        if not isinstance(doc, Doc):
            raise TypeError(Errors.E042.format(type=type(doc).__name__))
        record = encode_doc(doc, self.attrs, self.store_user_data)
        self._pending.append(record)
        self._pending_tokens += record["array"].shape[0]
        self.n_docs += 1
        if len(self._pending) >= self.chunk_docs or self._pending_tokens >= DEFAULT_CHUNK_TOKENS:
            self._flush()

    def _flush(self):
        if self._pending:
            write_chunk(self._out, self.attrs, self._pending)
        self._pending = []
        self._pending_tokens = 0

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self._flush()
                self._out.write(U32.pack(0) + U64.pack(self.n_docs))
            except BaseException as err:
                self._ctx.__exit__(type(err), err, err.__traceback__)  # removes the temporary file
                raise
        return self._ctx.__exit__(exc_type, exc, tb)
