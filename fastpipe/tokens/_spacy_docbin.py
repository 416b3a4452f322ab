"""spaCy v3's `.spacy` DocBin files, read into and written from DocBin records (the in-memory
form of _docbin_codec: ``{"array", "strings", "cats", "spans", "user"}`` per document).

What a `.spacy` file holds (spaCy 3.x writes format "0.1"): ``zlib(msgpack(map))`` with the keys

- ``attrs``: spaCy's attribute ids of the token columns (never SPACY, which has its own key);
- ``tokens``: every document's tokens one after the other, uint64 (tokens x attrs) in native
  (little-endian) order; ``lengths``: int32 tokens per document; ``spaces``: one byte per token;
- ``strings``: every string the documents use; ``cats``: a dict per document; ``flags``: a dict
  per document (``has_unknown_spaces``); ``span_groups``: msgpack bytes per document;
  ``user_data``: msgpack bytes per document, only when spaCy stored user data.

String columns hold 64-bit keys: murmurhash64 (seed 1) of the UTF-8 bytes, the same function as
fastpipe's StringStore, except that a string that is one of spaCy's symbol names ("PERSON",
"nsubj", "X", "_", ...) is stored as its symbol id, a small number; the strings list does not
always hold those. POS is the symbol id of a universal POS tag; MORPH is the key of the feature
string in spaCy's canonical order (fields sorted, values sorted), and the symbol "_" marks an
annotated but empty analysis (fastpipe has no such state: it reads as missing, and a token with
a POS but no features is written with it, as spaCy's morphologizer leaves one). HEAD is the
head's offset, SENT_START -1/0/1, ENT_IOB 0 (missing) / 1 (I) / 2 (O) / 3 (B), as in fastpipe.

A document's span groups are msgpack of ``{group bytes: [group names]}`` (spaCy before 3.4: a
list of group bytes); a group is msgpack of ``{"name", "attrs", "spans"}``, each span 40 bytes,
big-endian: id, kb_id, label (u64 each), start, end, start_char, end_char (u32 each).
"""
import warnings
import zlib

import numpy
import srsly

from ..errors import Errors, Warnings
from ..strings import hash_string
from ._docbin_codec import ALL_ATTRS, STRING_ATTRS, unpack_slice, unpacker_at

FORMAT_VERSION = "0.1"
MAX_RATIO = 64              # a .spacy corpus inflates about 10x; refuse more than this ...
MIN_LIMIT = 64 << 20        # ... once past this many bytes,
MAX_BYTES = 4 << 30         # and never more than this many in all
MIN_DOCS = 1 << 16          # a file may hold this many documents, more only with a byte each
MAX_KEYS = 64               # spaCy writes about 10 top-level keys
PER_DOC_KEYS = ("cats", "flags", "span_groups", "user_data")  # lists of one entry per document
# spaCy's DocBin.add keeps up to 9 strings a token (text, tag, lemma, norm, morph, dep,
# ent_type, ent_kb_id, ent_id) and 3 a span (label, kb_id, id); a span is 40 bytes
STRINGS_PER_TOKEN, STRINGS_PER_SPAN, SPAN_BYTES = 9, 3, 40
SUFFIX = ".spacy"


def _symbol_names():
    """spaCy's symbol table: the name of each symbol id, in id order (a fact of the format)."""
    names = [""]
    names += ("IS_ALPHA IS_ASCII IS_DIGIT IS_LOWER IS_PUNCT IS_SPACE IS_TITLE IS_UPPER LIKE_URL "
              "LIKE_NUM LIKE_EMAIL IS_STOP IS_OOV_DEPRECATED IS_BRACKET IS_QUOTE IS_LEFT_PUNCT "
              "IS_RIGHT_PUNCT IS_CURRENCY").split()
    names += [f"FLAG{i}" for i in range(19, 64)]
    names += ("ID ORTH LOWER NORM SHAPE PREFIX SUFFIX LENGTH CLUSTER LEMMA POS TAG DEP ENT_IOB "
              "ENT_TYPE HEAD SENT_START SPACY PROB LANG").split()
    assert len(names) == 84
    names += ("ADJ ADP ADV AUX CONJ CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB "
              "X EOL SPACE").split()
    names += [f"DEPRECATED{i:03d}" for i in range(1, 277)]
    assert len(names) == 380
    names += ("PERSON NORP FACILITY ORG GPE LOC PRODUCT EVENT WORK_OF_ART LANGUAGE LAW DATE TIME "
              "PERCENT MONEY QUANTITY ORDINAL CARDINAL").split()
    names += ("acomp advcl advmod agent amod appos attr aux auxpass cc ccomp complm conj cop csubj "
              "csubjpass dep det dobj expl hmod hyph infmod intj iobj mark meta neg nmod nn "
              "npadvmod nsubj nsubjpass num number oprd obj obl parataxis partmod pcomp pobj poss "
              "possessive preconj prep prt punct quantmod relcl rcmod root xcomp acl").split()
    names += "ENT_KB_ID MORPH ENT_ID IDX _".split()
    assert len(names) == 457
    return tuple(names)


SYMBOLS = _symbol_names()
SYMBOL_IDS = {name: i for i, name in enumerate(SYMBOLS)}
SYMBOL_KEYS = numpy.array([hash_string(name) for name in SYMBOLS], dtype=numpy.uint64)
UPOS = range(SYMBOL_IDS["ADJ"], SYMBOL_IDS["SPACE"] + 1)
EMPTY_MORPH = SYMBOL_IDS["_"]
# Columns that need no reading: spaCy derives them from the word (or never sets them).
_LEXICAL = frozenset(SYMBOLS[1:64]) | {"ID", "LOWER", "SHAPE", "PREFIX", "SUFFIX", "LENGTH",
                                       "CLUSTER", "PROB", "LANG", "IDX", "SPACY"}
_EMPTY_LIST, _EMPTY_MAP = b"\x90", b"\x80"
_SPAN = numpy.dtype([("id", ">u8"), ("kb_id", ">u8"), ("label", ">u8"), ("start", ">u4"),
                     ("end", ">u4"), ("start_char", ">u4"), ("end_char", ">u4")])


def looks_like_spacy(head):
    """Whether ``head`` (the first bytes of some data) starts like a zlib stream, as a `.spacy`
    file does: deflate method, a 32K window at most, and the header's check bits."""
    return (len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7
            and (head[0] << 8 | head[1]) % 31 == 0)


def _loads(data):
    """msgpack without srsly's per-call lookup of its extension decoders (the small per-document
    messages hold no numpy arrays); maps are plain dicts."""
    return srsly.msgpack.unpackb(data, raw=False, object_pairs_hook=dict)


class _Bad(ValueError):
    """A defect of the data, turned into E501 (naming the file) by ``decode``."""


# -- reading -----------------------------------------------------------------------------------

def decode(data, where, *, doc_strings=True):
    """Read `.spacy` bytes: return (attrs, has user data, records, strings).

    ``attrs`` are the fastpipe attribute names of the records' array columns. With
    ``doc_strings`` each record lists the strings its keys stand for, as DocBin keeps them;
    without, records list none and ``strings`` (every string of the file) must be added to the
    vocab before the records are built into Docs (one pass over the strings, not one per doc).
    """
    return decode_rows(data, where, doc_strings=doc_strings)[:4]


def decode_rows(data, where, *, doc_strings=True):
    """``decode``, and the token rows of every record one after the other in one array (each
    record's array is a view of it), for checking them all at once."""
    try:
        msg = _load_msg(data, where)
        return _decode_msg(msg, where, doc_strings)
    except _Bad as err:
        raise ValueError(Errors.E501.format(where=where, err=err)) from None


def _load_msg(data, where):
    limit = min(MAX_BYTES, max(MIN_LIMIT, MAX_RATIO * len(data)))
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, limit)
        # Past the limit, either input is left or (all input read) zlib still holds output.
        too_large = bool(inflater.unconsumed_tail) or (not inflater.eof and inflater.decompress(b"", 1))
    except zlib.error as err:
        raise _Bad(f"the zlib data is corrupt ({err})") from None
    if too_large:
        raise ValueError(Errors.E502.format(where=where, limit=limit >> 20, ratio=MAX_RATIO))
    if not inflater.eof:
        raise _Bad("the zlib data ends early (the file is truncated)")
    try:
        spans = _value_spans(raw)
    except _Bad:
        raise
    except Exception as err:
        raise _Bad(f"the msgpack data is corrupt ({err})") from None
    _check_counts(raw, spans, len(data))
    try:  # only the keys read below are built; the counts they claim are checked
        return {key: unpack_slice(raw, start, end) for key, (start, end) in spans.items()
                if key in _KEYS}
    except Exception as err:
        raise _Bad(f"the msgpack data is corrupt ({err})") from None


_KEYS = frozenset(("version", "attrs", "tokens", "spaces", "lengths", "strings") + PER_DOC_KEYS)


def _value_spans(raw):
    """Where the value of each key of the top-level map starts and ends in ``raw``, found
    without building the values (nor copying the large byte strings)."""
    reader = unpacker_at(raw, 0)
    try:
        n_keys = reader.read_map_header()
    except Exception:
        raise _Bad("the msgpack data is not a map") from None
    if n_keys > MAX_KEYS:
        raise _Bad(f"the map has {n_keys:,} keys; spaCy writes about 10")
    spans, pos = {}, reader.tell()
    for _ in range(n_keys):
        end = _value_end(raw, pos)
        key = unpack_slice(raw, pos, end)
        pos, end = end, _value_end(raw, end)
        if isinstance(key, str):
            spans[key] = (pos, end)
        pos = end
    if pos != len(raw):
        raise _Bad("extra data after the msgpack map")
    return spans


_SIZED = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4}  # bin and str: bytes of length


def _value_end(raw, pos):
    """Where the msgpack value starting at ``pos`` ends: read from the header of a byte or text
    string, found by skipping it otherwise."""
    if pos >= len(raw):
        raise _Bad("the msgpack data ends early")
    marker = raw[pos]
    if 0xA0 <= marker <= 0xBF:
        end = pos + 1 + (marker & 0x1F)
    elif marker in _SIZED:
        width = _SIZED[marker]
        end = pos + 1 + width + int.from_bytes(raw[pos + 1:pos + 1 + width], "big")
    else:
        reader = unpacker_at(raw, pos)
        reader.skip()
        end = pos + reader.tell()
    if end > len(raw):
        raise _Bad("the msgpack data ends early")
    return end


def _check_counts(raw, spans, compressed_size):
    """Refuse what the file claims beyond what its bytes can hold, before it is built: more
    documents than MIN_DOCS and one per compressed byte, per-document lists of another length,
    more strings than its tokens and spans can use."""
    if "lengths" not in spans:
        raise _Bad("the key 'lengths' is missing")
    lengths = unpack_slice(raw, *spans["lengths"])
    if not isinstance(lengths, bytes) or len(lengths) % 4:
        raise _Bad("the document lengths are malformed")
    n_docs = len(lengths) // 4
    limit = max(MIN_DOCS, compressed_size)
    if n_docs > limit:
        raise _Bad(f"it claims {n_docs:,} documents in {compressed_size:,} compressed bytes, "
                   f"but past {MIN_DOCS:,} documents a file holds at least a byte for each")
    for key in PER_DOC_KEYS:
        if key in spans:
            n = _array_length(raw, spans[key][0], key)
            if n != n_docs:
                raise _Bad(f"{key!r} has {n:,} entries for {n_docs:,} documents")
    if "strings" in spans:
        n_tokens = int(numpy.frombuffer(lengths, dtype="<i4").sum(dtype=numpy.int64))
        span_bytes = spans["span_groups"][1] - spans["span_groups"][0] if "span_groups" in spans else 0
        usable = STRINGS_PER_TOKEN * max(n_tokens, 0) + STRINGS_PER_SPAN * (span_bytes // SPAN_BYTES)
        n_strings = _array_length(raw, spans["strings"][0], "strings")
        if n_strings > usable:
            raise _Bad(f"it has {n_strings:,} strings, more than its tokens and spans can use ({usable:,})")


def _array_length(raw, start, key):
    try:
        return unpacker_at(raw, start).read_array_header()
    except Exception:
        raise _Bad(f"{key!r} is not a list") from None


def _field(msg, key, types, default=None):
    if key not in msg:
        if default is None:
            raise _Bad(f"the key {key!r} is missing")
        return default
    value = msg[key]
    if not isinstance(value, types):
        raise _Bad(f"{key!r} is a {type(value).__name__}")
    return value


def _decode_msg(msg, where, doc_strings):
    version = msg.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise _Bad(f"format version {version!r}; fastpipe reads spaCy's version {FORMAT_VERSION!r}")
    spacy_attrs = _field(msg, "attrs", list)
    lengths = numpy.frombuffer(_field(msg, "lengths", bytes), dtype="<i4")
    n_docs = len(lengths)
    if len(msg["lengths"]) % 4 or (lengths < 0).any():
        raise _Bad("the document lengths are malformed")
    total = int(lengths.sum(dtype=numpy.int64))
    tokens = _field(msg, "tokens", bytes)
    if len(tokens) != total * 8 * len(spacy_attrs):
        raise _Bad(f"the header claims {total} tokens of {len(spacy_attrs)} attributes "
                   f"({total * 8 * len(spacy_attrs)} bytes) but the token data has {len(tokens)} bytes")
    spaces = numpy.frombuffer(_field(msg, "spaces", bytes), dtype=numpy.uint8)
    if len(spaces) != total or (spaces > 1).any():
        raise _Bad(f"{len(spaces)} whitespace flags for {total} tokens")
    strings = _field(msg, "strings", list)
    if not all(isinstance(s, str) for s in strings):
        raise _Bad("the strings list holds a value that is not a string")
    cats = _per_doc(msg, "cats", dict, n_docs, {})
    groups = _per_doc(msg, "span_groups", bytes, n_docs, b"")
    users = _per_doc(msg, "user_data", bytes, n_docs, None) if "user_data" in msg else None
    table = numpy.frombuffer(tokens, dtype="<u8").reshape((total, len(spacy_attrs)))
    attrs, columns = _pick_columns(spacy_attrs, table, where)
    names = _Names(strings)
    array, cids = _token_array(table, attrs, columns, spaces, names)
    ends = numpy.cumsum(lengths, dtype=numpy.int64)
    starts = (ends - lengths).tolist()
    ends = ends.tolist()
    used = _doc_strings(cids, lengths, names) if doc_strings else None
    records = []
    for i in range(n_docs):
        start, end = starts[i], ends[i]
        try:
            spans, span_strings = _spans(groups[i], end - start, names, where)
            record = {"array": array[start:end], "cats": _cats(cats[i]), "spans": spans,
                      "strings": used[i] | span_strings if doc_strings else frozenset(),
                      "user": _user(users[i]) if users is not None else None}
        except _Bad as err:
            raise ValueError(Errors.E041.format(i=i, where=where, err=err)) from None
        records.append(record)
    return tuple(attrs), users is not None, records, names.used(), array


def _token_array(table, attrs, columns, spaces, names):
    """The tokens (file order) as a uint64 array with columns ``attrs`` and fastpipe keys, and
    the name ids of each string column's values."""
    array = numpy.empty((len(table), len(attrs)), dtype=numpy.uint64)
    array[:, attrs.index("SPACY")] = spaces
    cids = {}
    for j, name in enumerate(attrs):
        if name == "SPACY":
            continue
        column = table[:, columns[name]]
        if name in STRING_ATTRS:
            if name != "ORTH" and not column.any():  # an attribute no token has: nothing to map
                cids[name] = numpy.zeros(len(column), dtype=numpy.int64)
                array[:, j] = 0
                continue
            cids[name] = names.ids(column, name)
            array[:, j] = names.keys[cids[name]]
        else:
            array[:, j] = column
    if len(table) and not cids["ORTH"].all():
        raise _Bad(f"token {int(numpy.argmin(cids['ORTH']))} of the file has no word")
    return array, cids


def _per_doc(msg, key, types, n_docs, empty):
    values = _field(msg, key, list, [empty] * n_docs)
    if len(values) != n_docs:
        raise _Bad(f"{key!r} has {len(values)} entries for {n_docs} documents")
    for value in values:
        if not isinstance(value, types):
            raise _Bad(f"an entry of {key!r} is a {type(value).__name__}")
    return values


def _pick_columns(spacy_attrs, table, where):
    """The fastpipe attribute names to keep (ORTH and SPACY first) and their column in the file."""
    columns = {}
    for j, attr in enumerate(spacy_attrs):
        name = SYMBOLS[attr] if type(attr) is int and 0 < attr < len(SYMBOLS) else None
        if name in ALL_ATTRS:
            columns[name] = j
        elif name == "ENT_ID":
            if table[:, j].any():
                warnings.warn(Warnings.W500.format(where=where, what="entity ids (ENT_ID)"))
        elif name not in _LEXICAL:
            raise _Bad(f"attribute id {attr!r} is not one of spaCy's token attributes")
    if "ORTH" not in columns:
        raise _Bad("it stores no ORTH column (the words)")
    attrs = ["ORTH", "SPACY"] + [name for name in ALL_ATTRS if name in columns and name != "ORTH"]
    return attrs, columns


class _Names:
    """The strings a file's keys can stand for: "" (id 0), its strings list, then spaCy's symbol
    names; ``keys`` are their fastpipe keys (a string's spaCy key is its fastpipe key, unless it
    is a symbol name)."""

    def __init__(self, strings):
        self.strings = strings
        self.n = 1 + len(strings)
        self.names = numpy.array([""] + strings + list(SYMBOLS), dtype=object)
        hashes = numpy.array([hash_string(s) for s in strings], dtype=numpy.uint64)
        self.keys = numpy.concatenate([numpy.zeros(1, numpy.uint64), hashes, SYMBOL_KEYS])
        self.order = numpy.argsort(hashes)
        self.sorted = hashes[self.order]
        self.seen_symbols = set()

    def ids(self, values, attr, what="token"):
        """The name id of each key in ``values`` (a column of attribute ``attr``; ``what`` the
        values are, for the error)."""
        out = numpy.zeros(len(values), dtype=numpy.int64)
        found = numpy.zeros(len(values), dtype=bool)
        if len(self.sorted) and attr != "POS":  # POS holds a universal POS id, never a hash
            pos = numpy.searchsorted(self.sorted, values).clip(0, len(self.sorted) - 1)
            found = self.sorted[pos] == values
            out[found] = 1 + self.order[pos[found]]
        unset = values == 0
        if attr == "MORPH":  # "_": analysed, without features; fastpipe has no such state
            unset |= values == EMPTY_MORPH
        symbol = ~found & ~unset & (values < len(SYMBOLS))
        out[symbol] = self.n + values[symbol].astype(numpy.int64)
        bad = ~found & ~unset & ~symbol
        if bad.any():
            i = int(numpy.argmax(bad))
            raise _Bad(f"{what} {i} has the {attr} key {int(values[i])}, which stands for no "
                       "string of the file")
        if symbol.any():
            self.seen_symbols.update(numpy.unique(values[symbol]).tolist())
        return out

    def used(self):
        """Every string the file's keys stood for."""
        return self.strings + [SYMBOLS[s] for s in sorted(self.seen_symbols)]


def _doc_strings(cids, lengths, names):
    """For each document, the frozenset of strings its token columns use."""
    if not cids:
        return [frozenset()] * len(lengths)
    block = numpy.stack(list(cids.values()), axis=1)
    ends = numpy.cumsum(lengths).tolist()
    out = []
    for end, n in zip(ends, lengths.tolist()):
        ids = numpy.unique(block[end - n:end])
        out.append(frozenset(names.names[ids[ids != 0]].tolist()))
    return out


def _cats(cats):
    for key, value in cats.items():
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad(f"doc.cats holds {key!r}: {value!r}, not a str label with a number")
    return dict(cats)


def _spans(data, n, names, where):
    """The span groups of one document, as records hold them, and the strings they use."""
    if not data or data == _EMPTY_LIST:
        return {}, frozenset()
    try:
        msg = _loads(data)
    except Exception as err:
        raise _Bad(f"its span groups are corrupt ({err})") from None
    if isinstance(msg, dict):
        entries = [(group, keys) for group, keys in msg.items()]
    elif isinstance(msg, list):  # spaCy before 3.4: the group bytes, each named inside
        entries = [(group, None) for group in msg]
    else:
        raise _Bad(f"its span groups are a msgpack {type(msg).__name__}")
    spans, used = {}, set()
    for group, keys in entries:
        try:
            group = _loads(group)
            name, items, attrs = group["name"], group["spans"], group.get("attrs") or {}
            if not isinstance(name, str) or not isinstance(items, list):
                raise TypeError("a group needs a name and a list of spans")
            if not all(isinstance(item, bytes) and len(item) == _SPAN.itemsize for item in items):
                raise TypeError(f"a span is not {_SPAN.itemsize} bytes")
        except Exception as err:
            raise _Bad(f"a span group is corrupt ({err})") from None
        keys = [name] if keys is None else keys
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _Bad(f"span group {name!r} has names that are not strings")
        rows = numpy.frombuffer(b"".join(items), dtype=_SPAN)
        if (rows["start"] > rows["end"]).any() or (rows["end"] > n).any():
            raise _Bad(f"span group {name!r} has a span outside the document's {n} tokens")
        if rows["id"].any() or attrs:
            warnings.warn(Warnings.W500.format(where=where, what=f"span ids or attributes of span group {name!r}"))
        what = f"span group {name!r}: span"
        labels = names.ids(rows["label"].astype(numpy.uint64), "label", what)
        kb_ids = names.ids(rows["kb_id"].astype(numpy.uint64), "kb_id", what)
        used.update(labels.tolist(), kb_ids.tolist())
        group_spans = list(zip(rows["start"].tolist(), rows["end"].tolist(),
                               names.keys[labels].tolist(), names.keys[kb_ids].tolist()))
        for key in keys:
            spans[key] = list(group_spans)
    used.discard(0)
    return spans, frozenset(names.names[i] for i in used)


def _user(data):
    """A document's user_data as records hold it: [key is a tuple, key, value] entries."""
    if data == _EMPTY_MAP:
        return []
    try:
        user = srsly.msgpack_loads(data, use_list=False)  # tuple keys need hashable arrays
    except Exception as err:
        raise _Bad(f"its user_data is corrupt ({err})") from None
    if not isinstance(user, dict):
        raise _Bad(f"its user_data is a {type(user).__name__}, not a map")
    return [[isinstance(k, tuple), list(k) if isinstance(k, tuple) else k, v] for k, v in user.items()]


# -- writing -----------------------------------------------------------------------------------

def encode(attrs, store_user_data, records):
    """The `.spacy` bytes of DocBin records whose array columns are ``attrs`` (fastpipe names)."""
    table = sorted(set().union(*(r["strings"] for r in records)) if records else set())
    by_key = {hash_string(s): s for s in table}
    array = (numpy.concatenate([r["array"] for r in records]) if records
             else numpy.zeros((0, len(attrs)), dtype=numpy.uint64))
    lengths = numpy.array([r["array"].shape[0] for r in records], dtype="<i4")
    out_attrs = [name for name in attrs if name != "SPACY"]
    tokens = numpy.empty((len(array), len(out_attrs)), dtype="<u8")
    extra = set()
    for j, name in enumerate(out_attrs):
        column = array[:, attrs.index(name)]
        if name in STRING_ATTRS:
            column = _spacy_keys(column, name, by_key, extra, lengths)
        tokens[:, j] = column
    _mark_empty_analyses(tokens, out_attrs)
    spaces = array[:, attrs.index("SPACY")].astype(numpy.uint8)
    ends = numpy.cumsum(lengths, dtype=numpy.int64)
    chars = _token_chars(array[:, attrs.index("ORTH")], spaces, by_key, lengths)
    dumps = srsly.msgpack.Packer(use_bin_type=True).pack  # srsly looks up its encoders per Packer
    msg = {"version": FORMAT_VERSION, "attrs": [SYMBOL_IDS[name] for name in out_attrs],
           "tokens": tokens.tobytes(), "spaces": spaces.tobytes(), "lengths": lengths.tobytes(),
           "strings": sorted(extra.union(table)), "cats": [dict(r["cats"]) for r in records],
           "flags": [{"has_unknown_spaces": False}] * len(records),
           "span_groups": [_span_groups(r, chars[end - len(r["array"]):end], by_key, dumps)
                           for r, end in zip(records, ends.tolist())]}
    if store_user_data:
        msg["user_data"] = [dumps({tuple(k) if is_tuple else k: v for is_tuple, k, v in r["user"] or ()})
                            for r in records]
    return zlib.compress(srsly.msgpack_dumps(msg), 6)


def _mark_empty_analyses(tokens, out_attrs):
    """A token with a POS and no features gets spaCy's "_" (analysed, without features), so
    that spaCy's scorer compares it with a gold "_" as spaCy's own predictions would be."""
    if "POS" in out_attrs and "MORPH" in out_attrs:
        morph = tokens[:, out_attrs.index("MORPH")]
        morph[(morph == 0) & (tokens[:, out_attrs.index("POS")] != 0)] = EMPTY_MORPH


def _spacy_key(string):
    return SYMBOL_IDS.get(string) or hash_string(string)


def _spacy_keys(column, name, by_key, extra, lengths):
    """A string column with fastpipe keys turned into spaCy's: symbol ids for symbol names, POS
    as its universal POS id, MORPH as the key of spaCy's canonical feature string."""
    def where(key):
        return _doc_and_token(int(numpy.argmax(column == key)), lengths)

    uniq, inverse = numpy.unique(column, return_inverse=True)
    mapped = numpy.zeros(len(uniq), dtype=numpy.uint64)
    for i, key in enumerate(uniq.tolist()):
        if key == 0:
            continue
        string = by_key[key]
        if name == "POS":
            if SYMBOL_IDS.get(string, -1) not in UPOS:
                raise ValueError(Errors.E503.format(value=string, where=where(key),
                                                    known=" ".join(SYMBOLS[u] for u in UPOS)))
            mapped[i] = SYMBOL_IDS[string]
        elif name == "MORPH":
            string = canonical_morph(string, lambda: where(key))
            extra.add(string)
            mapped[i] = _spacy_key(string)
        else:
            mapped[i] = _spacy_key(string)
    return mapped[inverse.ravel()]


def _doc_and_token(i, lengths):
    ends = numpy.cumsum(lengths)
    doc = int(numpy.searchsorted(ends, i, side="right"))
    return f"document {doc}, token {int(i - (ends[doc] - lengths[doc]))}"


def canonical_morph(string, where=lambda: "a token"):
    """spaCy's form of a feature string: fields sorted, each field's values sorted (by code
    point), "" for no features. ``where()`` names the token for the error."""
    feats = {}
    for part in string.split("|"):
        field, sep, values = part.partition("=")
        if not sep or not field or not values:
            raise ValueError(Errors.E504.format(value=string, where=where()))
        feats[field] = ",".join(sorted(values.split(",")))
    return "|".join(f"{field}={feats[field]}" for field in sorted(feats))


def _token_chars(orth, spaces, by_key, lengths):
    """Each token's first and last-plus-one character offsets in its document."""
    uniq, inverse = numpy.unique(orth, return_inverse=True)
    sizes = numpy.array([len(by_key[k]) for k in uniq.tolist()], dtype=numpy.int64)[inverse.ravel()]
    width = sizes + spaces
    offset = numpy.concatenate([numpy.cumsum(width) - width, [width.sum()]])
    starts = numpy.cumsum(lengths) - lengths
    idx = offset[:-1] - numpy.repeat(offset[starts], lengths)
    return numpy.stack([idx, idx + sizes], axis=1)


def _span_groups(record, chars, by_key, dumps):
    """One document's span groups in spaCy's bytes ({group bytes: [name]})."""
    if not record["spans"]:
        return _EMPTY_LIST
    end_char = int(chars[-1, 1]) if len(chars) else 0
    out = {}
    for name, items in record["spans"].items():
        rows = numpy.zeros(len(items), dtype=_SPAN)
        for r, (start, end, label, kb_id) in enumerate(items):
            first = int(chars[start, 0]) if start < len(chars) else end_char
            rows[r] = (0, _spacy_key(by_key[kb_id]) if kb_id else 0,
                       _spacy_key(by_key[label]) if label else 0, start, end,
                       first, int(chars[end - 1, 1]) if end > start else first)
        group = {"name": name, "attrs": {}, "spans": [row.tobytes() for row in rows]}
        out[dumps(group)] = [name]
    return dumps(out)
