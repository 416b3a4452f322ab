"""Encoding and decoding of the DocBin format (see fastpipe/tokens/docbin.py for the layout),
also used by ``Doc.to_bytes``/``from_bytes`` (a one-document DocBin). It does not import the Doc
class: whoever builds Docs passes it (``doc_class``), so doc.pyx can use this module.

Records are the in-memory form of one doc: ``{"array": uint64 (tokens x attrs) to_array values,
"strings": frozenset of the strings its keys stand for, "cats", "spans": {name: [(start, end,
label key, kb_id key)]}, "user": user_data as [key_is_tuple, key, value] entries or None}``.
"""
import io
import struct
import zlib

import numpy
import srsly

from ..attrs import IDS, NAMES, intify_attr
from ..errors import Errors
from ..strings import hash_string
from .span import Span

MAGIC = b"FPDOCBIN"
FORMAT_VERSION = 1
DEFAULT_CHUNK_DOCS = 256        # a chunk closes after this many docs ...
DEFAULT_CHUNK_TOKENS = 100_000  # ... or once it holds this many tokens
MAX_CHUNK_BYTES = 1 << 30       # refuse compressed or decompressed chunks larger than this
U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")

STRING_ATTRS = ("ORTH", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID")
ALL_ATTRS = ("ORTH", "SPACY", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD",
             "SENT_START", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID")


def attr_names(attrs):
    """Validate attrs and return their names, ORTH and SPACY first (a Doc needs both)."""
    if attrs is None:
        return ALL_ATTRS
    if isinstance(attrs, (str, int)):
        attrs = [attrs]
    names = ["ORTH", "SPACY"]
    for attr in attrs:
        try:
            name = NAMES[intify_attr(attr)]
        except (KeyError, TypeError):
            raise ValueError(Errors.E043.format(name=attr)) from None
        if name not in ALL_ATTRS:
            raise ValueError(Errors.E043.format(name=attr))
        if name not in names:
            names.append(name)
    return tuple(names)


# -- encoding ----------------------------------------------------------------------------------

def encode_doc(doc, attrs, store_user_data):
    """A Doc as a record: uint64 array (tokens x attrs) of to_array values, with NORM 0 where
    the token has no norm of its own, and the strings that the keys stand for."""
    vocab = doc.vocab
    strings = vocab.strings
    array = doc.to_array(list(attrs)).reshape((len(doc), len(attrs)))
    if "NORM" in attrs and len(doc):
        orth = array[:, attrs.index("ORTH")]
        uniq, inverse = numpy.unique(orth, return_inverse=True)
        lex_norm = numpy.array([vocab[int(key)].norm for key in uniq], dtype=numpy.uint64)
        col = attrs.index("NORM")
        array[:, col] = numpy.where(array[:, col] == lex_norm[inverse.ravel()], 0, array[:, col])
    string_cols = [j for j, name in enumerate(attrs) if name in STRING_ATTRS]
    keys = set(numpy.unique(array[:, string_cols]).tolist())
    spans = {}
    for name, group in dict(doc.spans).items():
        if not isinstance(name, str):
            raise ValueError(Errors.E044.format(what="doc.spans", err=f"a group name is {name!r}, not a str"))
        items = []
        for span in group:
            if not isinstance(span, Span) or span.doc is not doc:
                raise ValueError(Errors.E044.format(what=f"doc.spans[{name!r}]", err=f"{span!r} is not a Span of this Doc"))
            items.append((span.start, span.end, span.label, span.kb_id))
            keys.update((span.label, span.kb_id))
        spans[name] = items
    keys.discard(0)
    cats = dict(doc.cats)
    for key, value in cats.items():
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(Errors.E044.format(what="doc.cats", err=f"{key!r}: {value!r} is not a str label with a number"))
    user = None
    if store_user_data and doc.user_data:
        user = [[isinstance(k, tuple), list(k) if isinstance(k, tuple) else k, v]
                for k, v in doc.user_data.items()]
        try:
            srsly.msgpack_dumps(user)
        except Exception as err:
            raise ValueError(Errors.E044.format(what="doc.user_data", err=f"msgpack says {err}")) from None
    return {"array": array, "strings": frozenset(strings[k] for k in keys),
            "cats": cats, "spans": spans, "user": user}


def write_header(out, attrs, store_user_data):
    header = srsly.msgpack_dumps({"format": FORMAT_VERSION, "attrs": list(attrs),
                                  "user_data": store_user_data})
    out.write(MAGIC + U32.pack(len(header)) + header)


def write_stream(out, attrs, store_user_data, records, chunk_docs):
    write_header(out, attrs, store_user_data)
    chunk_docs = max(1, int(chunk_docs))
    start = 0
    while start < len(records):
        end, n_tokens = start, 0
        while end < len(records) and end - start < chunk_docs and n_tokens < DEFAULT_CHUNK_TOKENS:
            n_tokens += records[end]["array"].shape[0]
            end += 1
        write_chunk(out, attrs, records[start:end])
        start = end
    out.write(U32.pack(0) + U64.pack(len(records)))


def write_chunk(out, attrs, records):
    names = set()
    for r in records:
        names.update(r["cats"])
        names.update(r["spans"])
    table = sorted(names.union(*(r["strings"] for r in records)))
    name_index = {s: i + 1 for i, s in enumerate(table)}
    hashes = numpy.array([hash_string(s) for s in table], dtype=numpy.uint64)
    order = numpy.argsort(hashes)
    sorted_hashes = hashes[order]

    def index(values):
        values = numpy.asarray(values, dtype=numpy.uint64)
        pos = numpy.searchsorted(sorted_hashes, values).clip(0, max(len(table) - 1, 0))
        idx = numpy.where(values == 0, 0, order[pos] + 1) if len(table) else numpy.zeros_like(values)
        if len(table) and not numpy.all((values == 0) | (sorted_hashes[pos] == values)):
            raise ValueError("DocBin: a string key of a document has no string (internal error)")
        return idx.astype(numpy.int64)

    # Map every doc's string keys to table indices in one vectorized pass over the chunk.
    string_cols = [j for j, name in enumerate(attrs) if name in STRING_ATTRS]
    whole = numpy.concatenate([r["array"] for r in records]).reshape((-1, len(attrs)))
    cols = whole.view(numpy.int64).astype("<i4")
    cols[:, string_cols] = index(whole[:, string_cols])
    ends = numpy.cumsum([r["array"].shape[0] for r in records]).tolist()
    docs = []
    for record, end in zip(records, ends):
        n = record["array"].shape[0]
        spans = []
        for name, items in record["spans"].items():
            flat = numpy.array(items, dtype=numpy.uint64).reshape((-1, 4))
            if len(flat):
                flat[:, 2:] = index(flat[:, 2:])
            spans.append([name_index[name], flat.ravel().tolist()])
        doc = {"n": n, "cols": cols[end - n:end].T.tobytes(), "spans": spans,
               "cats": [[name_index[k], v] for k, v in record["cats"].items()]}
        if record["user"] is not None:
            doc["user"] = record["user"]
        docs.append(doc)
    utf8 = [string.encode("utf-8", "surrogatepass") for string in table]
    payload = zlib.compress(srsly.msgpack_dumps({"strings": utf8, "docs": docs}), 6)
    if len(payload) > MAX_CHUNK_BYTES:
        raise ValueError(Errors.E044.format(what="a chunk of documents", err="it is larger than 1 GiB compressed"))
    out.write(U32.pack(len(payload)) + U32.pack(zlib.crc32(payload)) + payload)


# -- decoding ----------------------------------------------------------------------------------
# The plain ValueErrors raised while decoding are details: the callers wrap each one in E040
# (the file) or E041 (the file and the document) for the user.

def _read_exact(f, n, where, what):
    parts, left = [], n
    while left:  # a raw stream may return fewer bytes than asked before its end
        part = f.read(left)
        if not part:
            raise ValueError(Errors.E040.format(where=where, err=f"the data ends inside {what} (truncated)"))
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def open_stream(f, where):
    """Read the header; return it and a generator of chunks (each a list of doc records)."""
    if _read_exact(f, len(MAGIC), where, "the header") != MAGIC:
        raise ValueError(Errors.E040.format(where=where, err="it does not start with the .fastpipe magic bytes"))
    (size,) = U32.unpack(_read_exact(f, 4, where, "the header"))
    if size > 1 << 20:
        raise ValueError(Errors.E040.format(where=where, err=f"implausible header size {size}"))
    raw = _read_exact(f, size, where, "the header")
    try:
        header = srsly.msgpack_loads(raw)
        version, attrs, user_data = header["format"], header["attrs"], header["user_data"]
        if version != FORMAT_VERSION:
            raise ValueError(f"format version {version!r}, this fastpipe reads {FORMAT_VERSION}")
        if not isinstance(attrs, list) or not all(isinstance(a, str) and a in IDS for a in attrs):
            raise ValueError(f"bad attribute list {attrs!r}")
        attrs = attr_names(attrs)
        if list(attrs) != header["attrs"] or not isinstance(user_data, bool):
            raise ValueError("inconsistent header")
    except Exception as err:
        raise ValueError(Errors.E040.format(where=where, err=f"bad header ({err})")) from None
    header = {"attrs": attrs, "user_data": user_data}
    return header, _iter_chunks(f, attrs, where)


def _iter_chunks(f, attrs, where):
    n_docs = 0
    while True:
        (size,) = U32.unpack(_read_exact(f, 4, where, f"the chunk after document {n_docs}"))
        if size == 0:
            (expected,) = U64.unpack(_read_exact(f, 8, where, "the end marker"))
            if expected != n_docs or f.read(1):
                raise ValueError(Errors.E040.format(where=where, err=f"the end marker does not match the {n_docs} documents read"))
            return
        if size > MAX_CHUNK_BYTES:
            raise ValueError(Errors.E040.format(where=where, err=f"implausible chunk size {size}"))
        (crc,) = U32.unpack(_read_exact(f, 4, where, "a chunk header"))
        payload = _read_exact(f, size, where, f"the chunk after document {n_docs}")
        if zlib.crc32(payload) != crc:
            raise ValueError(Errors.E040.format(where=where, err=f"checksum mismatch in the chunk after document {n_docs}"))
        chunk = _decode_chunk(payload, attrs, where, n_docs)
        n_docs += len(chunk)
        yield chunk


def _decode_chunk(payload, attrs, where, first):
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(payload, MAX_CHUNK_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("compressed data is incomplete or too large")
        msg = srsly.msgpack_loads(raw)
        table, docs = msg["strings"], msg["docs"]
        if not isinstance(table, list) or not all(isinstance(s, bytes) for s in table):
            raise ValueError("the string table is not a list of bytes")
        table = [s.decode("utf-8", "surrogatepass") for s in table]
        if not isinstance(docs, list):
            raise ValueError("the document list is not a list")
    except Exception as err:
        raise ValueError(Errors.E040.format(where=where, err=f"bad chunk after document {first} ({err})")) from None
    keys = numpy.array([0] + [hash_string(s) for s in table], dtype=numpy.uint64)
    records = []
    for i, doc in enumerate(docs):
        try:
            records.append(_decode_doc(doc, attrs, table, keys))
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
            raise ValueError(Errors.E041.format(i=first + i, where=where, err=err)) from None
    return records


def _check_type(value, types, what):
    if not isinstance(value, types):
        raise ValueError(f"{what} has type {type(value).__name__}")
    return value


def _name(table, index):
    if type(index) is not int or not 1 <= index <= len(table):
        raise ValueError(f"name index {index!r} is outside the chunk's string table")
    return table[index - 1]


def _decode_doc(doc, attrs, table, keys):
    _check_type(doc, dict, "the document")
    n = doc["n"]
    if type(n) is not int:
        raise ValueError(f"n has type {type(n).__name__}")
    cols = _check_type(doc["cols"], bytes, "cols")
    if n < 0 or len(cols) != 4 * n * len(attrs):
        raise ValueError(f"{len(cols)} bytes of token data for {n} tokens and {len(attrs)} attributes")
    cols = numpy.frombuffer(cols, dtype="<i4").reshape((len(attrs), n)).T.astype(numpy.int64)
    array = cols.view(numpy.uint64).copy()
    string_cols = [j for j, name in enumerate(attrs) if name in STRING_ATTRS]
    block = cols[:, string_cols]
    if n and (block.min() < 0 or block.max() > len(table)):
        raise ValueError("a token refers to a string outside the chunk's table")
    array[:, string_cols] = keys[block]
    used = set(numpy.unique(block).tolist())
    cats = {}
    for item in _check_type(doc["cats"], list, "cats"):
        key, value = _check_type(item, list, "a cats entry")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"a cats score has type {type(value).__name__}")
        cats[_name(table, key)] = value
    spans = {}
    for item in _check_type(doc["spans"], list, "spans"):
        name, flat = _check_type(item, list, "a span group")
        name = _name(table, name)
        if not isinstance(flat, list) or len(flat) % 4 or not all(type(v) is int for v in flat):
            raise ValueError(f"span group {name!r} is not a list of 4 ints per span")
        group = []
        for s in range(0, len(flat), 4):
            start, end, label, kb_id = flat[s:s + 4]
            if not 0 <= start <= end <= n or not 0 <= label <= len(table) or not 0 <= kb_id <= len(table):
                raise ValueError(f"span group {name!r}: span {s // 4} is out of range")
            used.update((label, kb_id))
            group.append((start, end, int(keys[label]), int(keys[kb_id])))
        spans[name] = group
    user = doc.get("user")
    if user is not None:
        for entry in _check_type(user, list, "user_data"):
            if not isinstance(entry, list) or len(entry) != 3 or not isinstance(entry[0], bool):
                raise ValueError("user_data entries must be [bool, key, value]")
            if entry[0] and not isinstance(entry[1], list):
                raise ValueError("a tuple key of user_data is not a list")
    used.discard(0)
    return {"array": array, "strings": frozenset(table[k - 1] for k in used),
            "cats": cats, "spans": spans, "user": user}


def build_doc(vocab, record, attrs, i, where, doc_class):
    """The ``doc_class`` Doc (fastpipe.tokens.Doc) a record describes, over ``vocab``."""
    try:
        strings = vocab.strings
        for string in record["strings"]:
            strings.add(string)
        array = record["array"]
        doc = doc_class._from_keys(vocab, array[:, attrs.index("ORTH")], array[:, attrs.index("SPACY")])
        rest = [j for j, name in enumerate(attrs) if name not in ("ORTH", "SPACY")]
        if rest and len(doc):
            doc.from_array([attrs[j] for j in rest], array[:, rest])
        doc.cats = dict(record["cats"])
        doc.spans = {name: [Span(doc, s, e, label=label, kb_id=kb_id) for s, e, label, kb_id in group]
                     for name, group in record["spans"].items()}
        if record["user"] is not None:
            doc.user_data = {tuple(k) if is_tuple else k: v for is_tuple, k, v in record["user"]}
        return doc
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
        raise ValueError(Errors.E041.format(i=i, where=where, err=err)) from None


def doc_to_bytes(doc) -> bytes:
    """One Doc, with every attribute and its user_data, as the bytes of a one-document DocBin."""
    attrs = attr_names(None)
    out = io.BytesIO()
    write_stream(out, attrs, True, [encode_doc(doc, attrs, True)], DEFAULT_CHUNK_DOCS)
    return out.getvalue()


def doc_from_bytes(vocab, data, doc_class):
    """The Doc ``doc_to_bytes`` wrote, built as ``doc_class`` over ``vocab``."""
    where = "the bytes given to Doc.from_bytes"
    header, chunks = open_stream(io.BytesIO(bytes(data)), where)
    records = [record for chunk in chunks for record in chunk]
    if len(records) != 1:
        raise ValueError(Errors.E005.format(what="Doc", err=f"{len(records)} documents found"))
    return build_doc(vocab, records[0], header["attrs"], 0, where, doc_class)
