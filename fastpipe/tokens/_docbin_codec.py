"""Encoding and decoding of the DocBin format (see fastpipe/tokens/docbin.py for the layout),
also used by ``Doc.to_bytes``/``from_bytes`` (a one-document DocBin). It does not import the Doc
class: whoever builds Docs passes it (``doc_class``), so doc.pyx can use this module.

Records are the in-memory form of one doc: ``{"array": uint64 (tokens x attrs) to_array values,
"strings": frozenset of the strings its keys stand for, "cats", "spans": {name: [(start, end,
label key, kb_id key)]}, "user": user_data as [key_is_tuple, key, value] entries or None}``.
"""
import functools
import io
import struct
import zlib
from typing import NamedTuple

import numpy
import srsly
from srsly.msgpack._unpacker import Unpacker as _PlainUnpacker  # msgpack without srsly's hooks
from srsly.msgpack._unpacker import unpackb as _plain_unpackb
from srsly.msgpack._packer import Packer as _PlainPacker

from ..attrs import IDS, NAMES, intify_attr
from ..errors import Errors
from ..strings import hash_string
from .span import Span

MAGIC = b"FPDOCBIN"
FORMAT_VERSION = 1
DEFAULT_CHUNK_DOCS = 256        # a chunk closes after this many docs ...
DEFAULT_CHUNK_TOKENS = 100_000  # ... or once it holds this many tokens
MAX_CHUNK_BYTES = 1 << 30       # refuse compressed or decompressed chunks larger than this
MAX_CHUNK_DOCS = 1 << 16        # the most documents a chunk may hold, whatever chunk_docs asks
_FAST_BLOCK = 256               # build_docs builds this many Docs per call of the fast path
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
            _dumps(user)
        except Exception as err:
            raise ValueError(Errors.E044.format(what="doc.user_data", err=f"msgpack says {err}")) from None
    return {"array": array, "strings": frozenset(strings[k] for k in keys),
            "cats": cats, "spans": spans, "user": user}


def write_header(out, attrs, store_user_data):
    header = _dumps({"format": FORMAT_VERSION, "attrs": list(attrs),
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
    """Write ``records`` as one chunk, or as several of MAX_CHUNK_DOCS documents at most."""
    for start in range(0, len(records), MAX_CHUNK_DOCS):
        _write_one_chunk(out, attrs, records[start:start + MAX_CHUNK_DOCS])


def _write_one_chunk(out, attrs, records):
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
    payload = zlib.compress(_dumps({"strings": utf8, "docs": docs}), 6)
    if len(payload) > MAX_CHUNK_BYTES:
        raise ValueError(Errors.E044.format(what="a chunk of documents", err="it is larger than 1 GiB compressed"))
    out.write(U32.pack(len(payload)) + U32.pack(zlib.crc32(payload)) + payload)


# -- decoding ----------------------------------------------------------------------------------
# The plain ValueErrors raised while decoding are details: the callers wrap each one in E040
# (the file) or E041 (the file and the document) for the user.
#
# What a chunk claims is bounded as the writers bound it, before anything is built for it: at
# most MAX_CHUNK_DOCS documents; the documents before its last hold fewer than
# DEFAULT_CHUNK_TOKENS tokens (a chunk closes once it reaches that many); no more strings than
# its documents can use. Without these a file of a few KB could claim millions of empty
# documents or strings, each a Python object of a few hundred bytes.

def _read_exact(f, n, where, what):
    parts, left = [], n
    while left:  # a raw stream may return fewer bytes than asked before its end
        part = f.read(left)
        if not part:
            raise ValueError(Errors.E040.format(where=where, err=f"the data ends inside {what} (truncated)"))
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class Chunk(NamedTuple):
    """A decoded chunk: its doc records; the strings its documents' keys stand for (to add to
    a vocab before building them); the token rows of every record one after the other (each
    record's array is a view of it)."""
    records: list
    strings: frozenset
    rows: numpy.ndarray


def open_stream(f, where, *, doc_strings=True):
    """Read the header; return it and a generator of ``Chunk``s. Without ``doc_strings`` the
    records list no strings of their own (``Chunk.strings`` has them all)."""
    if _read_exact(f, len(MAGIC), where, "the header") != MAGIC:
        raise ValueError(Errors.E040.format(where=where, err="it does not start with the .fastpipe magic bytes"))
    (size,) = U32.unpack(_read_exact(f, 4, where, "the header"))
    if size > 1 << 20:
        raise ValueError(Errors.E040.format(where=where, err=f"implausible header size {size}"))
    raw = _read_exact(f, size, where, "the header")
    try:
        header = _plain_unpackb(raw, raw=False)
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
    return header, _iter_chunks(f, attrs, user_data, where, doc_strings)


def _iter_chunks(f, attrs, user_data, where, doc_strings):
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
        chunk = _decode_chunk(payload, attrs, user_data, where, n_docs, doc_strings)
        n_docs += len(chunk.records)
        yield chunk


class _Claim(ValueError):
    """A chunk claims more than the format allows (see the note above)."""


def _decode_chunk(payload, attrs, user_data, where, first, doc_strings):
    string_cols = [j for j, name in enumerate(attrs) if name in STRING_ATTRS]
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(payload, MAX_CHUNK_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("compressed data is incomplete or too large")
        docs, table = _unpack_chunk(raw, len(attrs), len(string_cols), user_data)
    except _Claim as err:
        raise ValueError(Errors.E040.format(where=where, err=f"the chunk after document {first} {err}")) from None
    except Exception as err:
        raise ValueError(Errors.E040.format(where=where, err=f"bad chunk after document {first} ({err})")) from None
    keys = numpy.array([0] + [hash_string(s) for s in table], dtype=numpy.uint64)
    # A document's checks run in this order: its shape, its string indices, the rest. The
    # first two are done for the whole chunk at once, the rest document by document; the
    # error raised is the one the first failing document meets first.
    sizes, n_shaped, shape_error = _doc_sizes(docs, len(attrs))
    if sum(sizes[:-1]) >= DEFAULT_CHUNK_TOKENS:
        raise ValueError(Errors.E040.format(where=where, err=(
            f"the chunk after document {first} holds {sum(sizes[:-1]):,} tokens before its last "
            f"document, more than the {DEFAULT_CHUNK_TOKENS:,} after which a chunk closes")))
    rows, ids, lengths = _chunk_rows(docs[:n_shaped], sizes, attrs)
    bad_index = _first_bad_index(ids, lengths, len(table))
    ids = ids.clip(0, len(table))  # the documents from bad_index on are refused below
    rows[:, string_cols] = keys[ids]
    used = _used_ids(ids, lengths, doc_strings)
    ends = numpy.cumsum(lengths).tolist()
    records, all_used = [], set()
    for i, doc in enumerate(docs):
        try:
            if i == n_shaped:
                raise shape_error
            if i == bad_index:
                raise ValueError("a token refers to a string outside the chunk's table")
            end = ends[i]
            record, span_ids = _decode_rest(doc, int(lengths[i]), table, keys)
            record["array"] = rows[end - int(lengths[i]):end]
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
            raise ValueError(Errors.E041.format(i=first + i, where=where, err=err)) from None
        if doc_strings:
            ids_of_doc = used[i] | span_ids
            ids_of_doc.discard(0)
            record["strings"] = frozenset(table[k - 1] for k in ids_of_doc)
        else:
            all_used.update(span_ids)
            record["strings"] = frozenset()
        records.append(record)
    if not doc_strings:
        all_used.update(used)
        all_used.discard(0)
    strings = frozenset(table[k - 1] for k in all_used)
    return Chunk(records, strings, rows)


def _unpack_chunk(raw, n_attrs, n_string_cols, user_data):
    """The document list and the string table of a chunk's msgpack bytes (``{"strings":
    [bytes], "docs": [...]}``), each counted before it is built: _Claim when there are more
    than the format allows. srsly's decoders (numpy arrays) run only where user_data may
    hold what they decode."""
    top = unpacker_at(raw, 0, object_hook=_srsly_decoders() if user_data else None)
    if top.read_map_header() != 2:
        raise ValueError("the chunk is not a map of strings and docs")
    docs, strings_at = None, None
    for _ in range(2):
        key = top.unpack()
        if key == "docs" and docs is None:
            n_docs = top.read_array_header()
            if n_docs > MAX_CHUNK_DOCS:
                raise _Claim(f"claims {n_docs:,} documents, more than the {MAX_CHUNK_DOCS:,} a chunk may hold")
            docs = [top.unpack() for _ in range(n_docs)]
        elif key == "strings" and strings_at is None:
            strings_at = top.tell()  # read once the documents say how many strings they can use
            top.skip()
            strings_end = top.tell()
        else:
            raise ValueError(f"unexpected key {key!r}")
    if top.tell() != len(raw):
        raise ValueError("extra data after the chunk")
    if docs is None or strings_at is None:
        raise ValueError("the chunk lacks its strings or docs")
    n_strings = unpacker_at(raw, strings_at).read_array_header()
    usable = _usable_strings(docs, n_attrs, n_string_cols)
    if n_strings > usable:
        raise _Claim(f"has {n_strings:,} strings, more than the {usable:,} its documents can use")
    table = unpack_slice(raw, strings_at, strings_end)
    if not all(isinstance(s, bytes) for s in table):
        raise ValueError("the string table is not a list of bytes")
    return docs, [s.decode("utf-8", "surrogatepass") for s in table]


def unpack_slice(raw, start, end):
    """The msgpack value that fills ``raw[start:end]`` (not copied), without srsly's hooks."""
    return _plain_unpackb(memoryview(raw)[start:end], raw=False)


def unpacker_at(raw, offset, object_hook=None):
    """A msgpack reader of ``raw`` from ``offset``, for a value's header or a few small values
    (it copies what it reads; ``unpack_slice`` does not)."""
    stream = io.BytesIO(raw)
    stream.seek(offset)
    limit = max(len(raw), 1 << 16)
    return _PlainUnpacker(stream, read_size=1 << 16, max_buffer_size=limit, raw=False,
                          object_hook=object_hook)


def _dumps(obj):
    """``srsly.msgpack_dumps``, with srsly's encoders (numpy arrays) looked up once."""
    return _PlainPacker(default=_srsly_encoders(), use_bin_type=True).pack(obj)


@functools.lru_cache(maxsize=1)
def _srsly_encoders():
    hook = None
    for encoder in srsly.msgpack.msgpack_encoders.get_all().values():
        hook = functools.partial(encoder, chain=hook)
    return hook


@functools.lru_cache(maxsize=1)
def _srsly_decoders():
    """srsly's msgpack decoders (numpy arrays) chained as one object hook, as srsly's own
    Unpacker chains them, but looked up once: srsly scans the entry points on every call."""
    hook = None
    for decoder in srsly.msgpack.msgpack_decoders.get_all().values():
        hook = functools.partial(decoder, chain=hook)
    return hook


def _usable_strings(docs, n_attrs, n_string_cols):
    """How many strings the documents of a chunk can use at most: a value of each string
    column of each token (as many tokens as its token bytes hold), a label and a KB ID of
    each span, a name of each span group and cats label. (Malformed documents count what they
    can; they are refused later.)"""
    usable = 0
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        cols, spans, cats = doc.get("cols"), doc.get("spans"), doc.get("cats")
        if isinstance(cols, bytes):
            usable += len(cols) // (4 * n_attrs) * n_string_cols
        if isinstance(cats, list):
            usable += len(cats)
        if isinstance(spans, list):
            for group in spans:
                usable += 1 + (len(group[1]) // 2 if isinstance(group, list) and len(group) == 2
                               and isinstance(group[1], list) else 0)
    return usable


def _doc_sizes(docs, n_attrs):
    """The token count of each document, up to the first whose n or cols is malformed: the
    counts, how many documents are well-shaped, and the error of the first that is not."""
    sizes = []
    for doc in docs:
        try:
            _check_type(doc, dict, "the document")
            n = doc["n"]
            if type(n) is not int:
                raise ValueError(f"n has type {type(n).__name__}")
            cols = _check_type(doc["cols"], bytes, "cols")
            if n < 0 or len(cols) != 4 * n * n_attrs:
                raise ValueError(f"{len(cols)} bytes of token data for {n} tokens and {n_attrs} attributes")
        except (ValueError, TypeError, KeyError) as err:
            return sizes, len(sizes), err
        sizes.append(n)
    return sizes, len(sizes), None


def _chunk_rows(docs, sizes, attrs):
    """The token rows (uint64, tokens x attrs) of every document one after the other, the
    table indices of their string columns (int64, tokens x string attrs; in the rows still
    as they are) and the documents' lengths."""
    n_attrs = len(attrs)
    lengths = numpy.array(sizes, dtype=numpy.int64)
    total = int(lengths.sum())
    flat = numpy.frombuffer(b"".join([doc["cols"] for doc in docs]), dtype="<i4")
    # each document's bytes are its columns one after the other (attrs x n, column-major)
    doc_of = numpy.repeat(numpy.arange(len(lengths)), lengths)
    starts = numpy.cumsum(lengths) - lengths
    within = numpy.arange(total, dtype=numpy.int64) - starts[doc_of]
    index = (n_attrs * starts[doc_of] + within)[:, None] + numpy.arange(n_attrs) * lengths[doc_of][:, None]
    values = flat[index].astype(numpy.int64).reshape((total, n_attrs))
    string_cols = [j for j, name in enumerate(attrs) if name in STRING_ATTRS]
    return values.view(numpy.uint64), values[:, string_cols], lengths


def _first_bad_index(ids, lengths, n_strings):
    """The first document with a string index outside the table (-1 when none)."""
    bad = ((ids < 0) | (ids > n_strings)).any(axis=1)
    if not bad.any():
        return -1
    return int(numpy.searchsorted(numpy.cumsum(lengths), numpy.argmax(bad), side="right"))


def _used_ids(ids, lengths, per_doc):
    """The string indices the documents' tokens use: a set per document, or one for all."""
    if not per_doc:
        return set(numpy.unique(ids).tolist())
    n_docs = len(lengths)
    if not ids.size:
        return [set() for _ in range(n_docs)]
    width = ids.shape[1]
    doc_of = numpy.repeat(numpy.arange(n_docs, dtype=numpy.int64), lengths * width)
    pairs = numpy.unique(doc_of * (int(ids.max()) + 1) + ids.ravel())
    which = pairs // (int(ids.max()) + 1)
    cuts = numpy.searchsorted(which, numpy.arange(1, n_docs)).tolist()
    return [set(part.tolist()) for part in numpy.split(pairs % (int(ids.max()) + 1), cuts)]


def _check_type(value, types, what):
    if not isinstance(value, types):
        raise ValueError(f"{what} has type {type(value).__name__}")
    return value


def _name(table, index):
    if type(index) is not int or not 1 <= index <= len(table):
        raise ValueError(f"name index {index!r} is outside the chunk's string table")
    return table[index - 1]


def _decode_rest(doc, n, table, keys):
    """A document's cats, spans and user_data, checked (its tokens are checked per chunk):
    its record without the array and strings, and the string indices its spans use."""
    cats = {}
    for item in _check_type(doc["cats"], list, "cats"):
        key, value = _check_type(item, list, "a cats entry")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"a cats score has type {type(value).__name__}")
        cats[_name(table, key)] = value
    spans, used = {}, set()
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
    return {"cats": cats, "spans": spans, "user": user}, used


def build_doc(vocab, record, attrs, i, where, doc_class):
    """The ``doc_class`` Doc (fastpipe.tokens.Doc) a record describes, over ``vocab``, with
    every check of ``Doc.from_array``; ``build_docs`` builds many at once, faster."""
    try:
        strings = vocab.strings
        for string in record["strings"]:
            strings.add(string)
        array = record["array"]
        doc = doc_class._from_keys(vocab, array[:, attrs.index("ORTH")], array[:, attrs.index("SPACY")])
        rest = [j for j, name in enumerate(attrs) if name not in ("ORTH", "SPACY")]
        if rest and len(doc):
            doc.from_array([attrs[j] for j in rest], array[:, rest])
        return _set_extras(doc, record)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
        raise ValueError(Errors.E041.format(i=i, where=where, err=err)) from None


def _set_extras(doc, record):
    """Give ``doc`` the cats, span groups and user_data of its record."""
    doc.cats = dict(record["cats"])
    if record["spans"]:
        doc.spans = {name: [Span(doc, s, e, label=label, kb_id=kb_id) for s, e, label, kb_id in group]
                     for name, group in record["spans"].items()}
    if record["user"] is not None:
        doc.user_data = {tuple(k) if is_tuple else k: v for is_tuple, k, v in record["user"]}
    return doc


def build_docs(vocab, records, attrs, where, doc_class, *, first=0, array=None, strings=None):
    """Yield the Docs of ``records`` as ``build_doc`` builds them (the i-th is document
    ``first + i`` in errors), checking the token rows of all of them at once instead of each
    Doc's: the records' strings go into ``vocab`` first, then every row is checked in bulk
    (``first_suspect_doc``); the Docs before the first that might fail take the fast path
    (``Doc._from_checked_rows``), that one and those after it ``build_doc``, which raises the
    error a Doc would. ``array``: the records' rows one after the other, when the caller has
    them in one array already; ``strings``: the strings of all the records, when they list
    none of their own."""
    add = vocab.strings.add
    if strings is None:
        strings = frozenset().union(*(record["strings"] for record in records))
    for string in strings:
        add(string)
    lengths = numpy.fromiter((record["array"].shape[0] for record in records), dtype=numpy.int64,
                             count=len(records))
    if array is None:
        array = (numpy.concatenate([record["array"] for record in records]) if records
                 else numpy.zeros((0, len(attrs)), dtype=numpy.uint64))
    suspect = first_suspect_doc(vocab.strings, array, attrs, lengths)
    ids = tuple(IDS[name] for name in attrs)
    ends = numpy.cumsum(lengths).tolist()
    for block in range(0, suspect, _FAST_BLOCK):
        stop = min(block + _FAST_BLOCK, suspect)
        start = ends[block] - int(lengths[block])
        try:
            docs = doc_class._from_checked_rows(vocab, array[start:ends[stop - 1]], ids,
                                                lengths[block:stop])
        except ValueError:  # a cycle in the heads: build_doc names the document
            for i in range(block, stop):
                yield build_doc(vocab, records[i], attrs, first + i, where, doc_class)
            continue
        for i, doc in enumerate(docs, block):
            try:
                _set_extras(doc, records[i])
            except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
                raise ValueError(Errors.E041.format(i=first + i, where=where, err=err)) from None
            yield doc
    for i in range(suspect, len(records)):
        yield build_doc(vocab, records[i], attrs, first + i, where, doc_class)


def first_suspect_doc(strings, array, attrs, lengths):
    """The index of the first document whose token rows ``Doc._from_keys`` or
    ``Doc.from_array`` might refuse (``array``: every document's rows one after the other,
    ``lengths`` rows each; ``attrs``: the column names, ORTH and SPACY first), or
    ``len(lengths)`` when none: a word of key 0, a string key not in ``strings``, a space flag
    other than 0/1, a head outside its document, a sentence start outside -1..1, an IOB code
    above 3. Cycles in the heads are left to each Doc (they need its tree)."""
    n_docs = len(lengths)
    if attrs[:2] != ("ORTH", "SPACY"):
        return 0
    if not len(array):
        return n_docs
    bad = numpy.zeros(len(array), dtype=bool)
    for j, name in enumerate(attrs):
        column = array[:, j]
        if name in STRING_ATTRS:
            if name == "ORTH":
                bad |= column == 0
            bad |= _unknown_keys(strings, column)
        elif name == "HEAD":
            starts = numpy.cumsum(lengths) - lengths
            target = (column.view(numpy.int64) + numpy.arange(len(array), dtype=numpy.int64)
                      - numpy.repeat(starts, lengths))
            bad |= (target < 0) | (target >= numpy.repeat(lengths, lengths))
        elif name == "SENT_START":
            signed = column.view(numpy.int64)
            bad |= (signed < -1) | (signed > 1)
        elif name in ("SPACY", "ENT_IOB"):
            bad |= column > (1 if name == "SPACY" else 3)
        else:
            return 0  # a column this check does not know: every document takes the careful path
    if not bad.any():
        return n_docs
    return int(numpy.searchsorted(numpy.cumsum(lengths), numpy.argmax(bad), side="right"))


def _unknown_keys(strings, column):
    """Where ``column`` holds a key (other than 0) that is not in ``strings``."""
    if not column.any():
        return False
    missing = [key for key in numpy.unique(column).tolist() if key and key not in strings]
    return numpy.isin(column, missing) if missing else False


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
    records = [record for chunk in chunks for record in chunk.records]
    if len(records) != 1:
        raise ValueError(Errors.E005.format(what="Doc", err=f"{len(records)} documents found"))
    return build_doc(vocab, records[0], header["attrs"], 0, where, doc_class)
