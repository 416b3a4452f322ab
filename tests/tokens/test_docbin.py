"""DocBin and the .fastpipe format: round-trips, chunked streaming, corrupt input, safe writes."""
import os
import random
import struct
import zlib

import numpy
import pytest
import srsly

import fastpipe
from fastpipe.tokens import Doc, DocBin, DocBinWriter, Span, iter_docs
from fastpipe.tokens import _docbin_codec as codec
from fastpipe.vocab import Vocab

ALL = ["ORTH", "SPACY", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD", "SENT_START",
       "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]


def annotated(vocab, i=0):
    doc = Doc(
        vocab,
        words=["Ada", "Lovelace", "wrote", "notes", f"n{i}", ".", "Then", "\ud800", "!"],
        spaces=[True, True, True, True, False, True, True, False, False],
        tags=["NNP", "NNP", "VBD", "NNS", "CD", ".", "RB", "XX", "."],
        pos=["PROPN", "PROPN", "VERB", "NOUN", "NUM", "PUNCT", "ADV", "X", None],
        lemmas=["Ada", "Lovelace", "write", "note", None, ".", "then", "\ud800", "!"],
        morphs=["Number=Sing", "", "Tense=Past", "Number=Plur", None, None, None, None, None],
        heads=[1, 2, 2, 2, 3, 2, 7, 7, 7],
        deps=["compound", "nsubj", "ROOT", "dobj", "nummod", "punct", "advmod", "ROOT", "punct"],
        ents=["B-PER", "I-PER", "O", "O", "B-CARDINAL", "O", "", "", "O"],
    )
    doc[3].norm_ = "NOTE-NORM"
    doc[0].is_sent_start = True
    doc.ents = [Span(doc, 0, 2, label="PER", kb_id="Q7259"), ("CARDINAL", 4, 5)]
    doc.set_ents([], missing=[doc[6:8]], default="unmodified")
    doc.cats = {"HISTORY": 1.0, "SPORT": 0.0, f"C{i}": 0.25}
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 2, 4, label="VP", kb_id="kb")]
    doc.spans["empty"] = []
    doc.user_data = {("._.", "score", None, None): 0.5, "list": [1, "two", None],
                     "array": numpy.arange(4, dtype="int32"), "i": i}
    return doc


def assert_same(doc, other):
    assert other.text == doc.text
    assert (other.to_array(ALL) == doc.to_array(ALL)).all()
    assert [t.norm_ for t in other] == [t.norm_ for t in doc]
    assert [(e.start, e.end, e.label_, e.kb_id_) for e in other.ents] == [
        (e.start, e.end, e.label_, e.kb_id_) for e in doc.ents]
    assert [t.ent_iob_ for t in other] == [t.ent_iob_ for t in doc]
    assert [t.head.i for t in other] == [t.head.i for t in doc]
    assert [(t.left_edge.i, t.right_edge.i) for t in other] == [
        (t.left_edge.i, t.right_edge.i) for t in doc]
    assert [s.text for s in other.sents] == [s.text for s in doc.sents]
    assert other.cats == doc.cats
    assert sorted(other.spans) == sorted(doc.spans)
    for name, group in doc.spans.items():
        assert [(s.start, s.end, s.label_, s.kb_id_) for s in other.spans[name]] == [
            (s.start, s.end, s.label_, s.kb_id_) for s in group]
        assert all(s.doc is other for s in other.spans[name])


def test_roundtrip_every_annotation_into_fresh_vocab(vocab):
    doc = annotated(vocab)
    data = DocBin(store_user_data=True, docs=[doc]).to_bytes()
    fresh = fastpipe.blank("en").vocab
    (other,) = list(DocBin().from_bytes(data).get_docs(fresh))
    assert other.vocab is fresh
    assert_same(doc, other)
    assert other[3].norm_ == "NOTE-NORM" and other[2].norm_ == "wrote"
    assert [t.ent_iob_ for t in other][5:] == ["O", "", "", "O"]
    user = other.user_data
    assert user[("._.", "score", None, None)] == 0.5
    assert user["list"] == [1, "two", None] and user["i"] == 0
    assert (user["array"] == numpy.arange(4)).all()
    assert [t.is_sent_start for t in other] == [t.is_sent_start for t in doc]


def test_token_norm_is_an_override(vocab):
    doc = Doc(vocab, words=["Apple"])
    data = DocBin(docs=[doc]).to_bytes()
    other_vocab = Vocab(lex_attr_getters={"NORM": lambda s: s + "-norm"})
    (other,) = DocBin().from_bytes(data).get_docs(other_vocab)
    assert other[0].norm_ == "Apple-norm"  # no override was stored: the reader's lexeme norm


def test_user_data_only_when_asked(vocab):
    doc = annotated(vocab)
    (other,) = DocBin(docs=[doc]).from_bytes(DocBin(docs=[doc]).to_bytes()).get_docs(vocab)
    assert other.user_data == {}
    assert other.cats == doc.cats


def test_unserializable_user_data(vocab):
    doc = Doc(vocab, words=["a"])
    doc.user_data["f"] = object()
    with pytest.raises(ValueError):
        DocBin(store_user_data=True).add(doc)
    DocBin().add(doc)  # not stored: fine


def test_attrs_subset(vocab):
    doc = annotated(vocab)
    docbin = DocBin(attrs=["TAG", "ENT_IOB", "ENT_TYPE"], docs=[doc])
    assert docbin.attrs == ("ORTH", "SPACY", "TAG", "ENT_IOB", "ENT_TYPE")
    (other,) = DocBin().from_bytes(docbin.to_bytes()).get_docs(vocab)
    assert other.text == doc.text
    assert [t.tag_ for t in other] == [t.tag_ for t in doc]
    assert [t.dep_ for t in other] == [""] * len(doc)
    assert [t.lemma_ for t in other] == [""] * len(doc)
    assert [e.text for e in other.ents] == ["Ada Lovelace", "n0"]


@pytest.mark.parametrize("attrs", [["LOWER"], ["NOPE"], ["IDX"], [1.5]])
def test_bad_attrs(attrs):
    with pytest.raises(ValueError):
        DocBin(attrs=attrs)


def test_add_wrong_type():
    with pytest.raises(TypeError):
        DocBin().add("text")
    with pytest.raises(TypeError):
        DocBin(docs=[None])
    with pytest.raises(TypeError):
        DocBin().merge([])
    with pytest.raises(TypeError):
        DocBin().from_bytes("text")


def test_empty_docbin_and_empty_doc(vocab):
    assert list(DocBin().from_bytes(DocBin().to_bytes()).get_docs(vocab)) == []
    docs = list(DocBin().from_bytes(DocBin(docs=[Doc(vocab)]).to_bytes()).get_docs(vocab))
    assert len(docs) == 1 and len(docs[0]) == 0


def test_many_docs_keep_order_across_chunks(vocab, tmp_path):
    docs = [annotated(vocab, i) for i in range(300)]
    docbin = DocBin(store_user_data=True, docs=docs)
    assert len(docbin) == 300
    path = tmp_path / "many.fastpipe"
    docbin.to_disk(path, chunk_docs=7)
    loaded = DocBin().from_disk(path)
    assert len(loaded) == 300 and loaded.store_user_data
    for doc, other in zip(docs, loaded.get_docs(fastpipe.blank("en").vocab)):
        assert_same(doc, other)
        assert other.user_data["i"] == doc.user_data["i"]
    streamed = list(iter_docs(path, vocab))
    assert [d.user_data["i"] for d in streamed] == list(range(300))
    assert [d.text for d in DocBin.read_stream(path, vocab)] == [d.text for d in docs]
    # to_bytes is the file format
    assert DocBin().from_bytes(path.read_bytes()).to_bytes(chunk_docs=7) == path.read_bytes()


def test_chunks_hold_their_own_strings(vocab):
    docs = [Doc(vocab, words=[f"word{i}", "shared"]) for i in range(10)]
    data = DocBin(docs=docs).to_bytes(chunk_docs=3)
    pos, n_chunks = 8 + 4 + struct.unpack("<I", data[8:12])[0], 0
    while True:
        (size,) = struct.unpack("<I", data[pos:pos + 4])
        if size == 0:
            break
        chunk = srsly.msgpack_loads(zlib.decompress(data[pos + 8:pos + 8 + size]))
        words = {f"word{i}" for i in range(3 * n_chunks, min(3 * n_chunks + 3, 10))}
        assert {s.decode() for s in chunk["strings"]} == words | {"shared"}
        pos += 8 + size
        n_chunks += 1
    assert n_chunks == 4


class CountingReader:
    def __init__(self, f):
        self.f = f
        self.n_read = 0

    def read(self, n=-1):
        data = self.f.read(n)
        self.n_read += len(data)
        return data


def test_streaming_reads_one_chunk_at_a_time(vocab, tmp_path):
    path = tmp_path / "stream.fastpipe"
    DocBin(docs=[annotated(vocab, i) for i in range(100)]).to_disk(path, chunk_docs=10)
    size = path.stat().st_size
    with open(path, "rb") as f:
        reader = CountingReader(f)
        stream = iter_docs(reader, vocab)
        first = next(stream)
        assert first.cats["C0"] == 0.25
        assert reader.n_read < size / 5  # the header and the first chunk only
        for _ in range(10):
            next(stream)
        assert reader.n_read < size / 3
        assert len(list(stream)) == 89
        assert reader.n_read == size


def test_stream_of_truncated_file_yields_complete_chunks_then_fails(vocab, tmp_path):
    path = tmp_path / "cut.fastpipe"
    DocBin(docs=[annotated(vocab, i) for i in range(30)]).to_disk(path, chunk_docs=10)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    seen = []
    with pytest.raises(ValueError, match="cut.fastpipe"):
        for doc in iter_docs(path, vocab):
            seen.append(doc)
    assert len(seen) == 20


def test_writer_streams_to_disk(vocab, tmp_path):
    path = tmp_path / "written.fastpipe"
    with DocBinWriter(path, store_user_data=True, chunk_docs=4) as writer:
        for i in range(10):
            writer.add(annotated(vocab, i))
    docs = list(iter_docs(path, vocab))
    assert [d.user_data["i"] for d in docs] == list(range(10))
    assert_same(annotated(vocab, 3), docs[3])


def test_merge(vocab):
    a = DocBin(docs=[annotated(vocab, 0)], store_user_data=True)
    b = DocBin(docs=[annotated(vocab, 1), annotated(vocab, 2)], store_user_data=True)
    a.merge(b)
    assert len(a) == 3 and len(b) == 2
    assert [d.user_data["i"] for d in a.get_docs(vocab)] == [0, 1, 2]
    c = DocBin(attrs=["TAG", "LEMMA"], docs=[annotated(vocab, 5)])
    d = DocBin(attrs=["LEMMA", "TAG"], docs=[annotated(vocab, 6)])
    c.merge(d)
    assert [[t.lemma_ for t in doc] for doc in c.get_docs(vocab)][1][2] == "write"
    with pytest.raises(ValueError):
        a.merge(c)


# -- corrupt input -------------------------------------------------------------------------------

def load_all(data, vocab):
    return list(DocBin().from_bytes(data).get_docs(vocab))


@pytest.fixture
def small_bytes(vocab):
    return DocBin(docs=[annotated(vocab, i) for i in range(3)], store_user_data=True).to_bytes(chunk_docs=1)


def test_truncated_at_every_offset(small_bytes, vocab):
    for cut in range(len(small_bytes)):
        with pytest.raises(ValueError):
            load_all(small_bytes[:cut], vocab)
    with pytest.raises(ValueError):
        load_all(small_bytes + b"\x00", vocab)


def test_every_flipped_byte_is_detected(small_bytes, vocab):
    for pos in range(len(small_bytes)):
        data = bytearray(small_bytes)
        data[pos] ^= 0xFF
        with pytest.raises(ValueError):
            load_all(bytes(data), vocab)


def test_random_bytes(vocab):
    rng = random.Random(1234)
    for n in [0, 1, 7, 8, 12, 100, 5000]:
        for _ in range(20):
            data = bytes(rng.getrandbits(8) for _ in range(n))
            with pytest.raises(ValueError):
                load_all(data, vocab)
            with pytest.raises(ValueError):
                load_all(codec.MAGIC + data, vocab)


def make_bytes(chunk, header=None, n_docs=None):
    """A .fastpipe blob with a valid frame (sizes, checksum, end marker) around any chunk."""
    header = srsly.msgpack_dumps(header or {"format": 1, "attrs": list(ALL), "user_data": True})
    payload = zlib.compress(srsly.msgpack_dumps(chunk))
    if n_docs is None:
        n_docs = len(chunk["docs"]) if isinstance(chunk, dict) and isinstance(chunk.get("docs"), list) else 0
    return (codec.MAGIC + struct.pack("<I", len(header)) + header
            + struct.pack("<II", len(payload), zlib.crc32(payload)) + payload
            + struct.pack("<IQ", 0, n_docs))


def cols(rows):
    """int32 column-major bytes for rows of len(ALL) values."""
    return numpy.array(rows, dtype="<i4").reshape((-1, len(ALL))).T.tobytes()


def good_doc():
    # two tokens "a b": ORTH indexes strings ["a", "b"]
    return {"n": 2, "cols": cols([[1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0],
                                  [2, 0, 0, 0, 0, 0, 0, 0, 0, -1, 2, 0, 0]]),
            "cats": [[3, 1.0]], "spans": [[4, [0, 1, 1, 0]]]}


def test_handmade_chunk_is_readable(vocab):
    (doc,) = load_all(make_bytes({"strings": [b"a", b"b", b"X", b"sc"], "docs": [good_doc()]}), vocab)
    assert doc.text == "a b" and doc.cats == {"X": 1.0}
    assert doc.spans["sc"][0].label_ == "a"


def broken(**changes):
    doc = good_doc()
    doc.update(changes)
    return doc


AB = [b"a", b"b", b"X", b"sc"]
BAD_CHUNKS = {
    "chunk not a dict": [1, 2],
    "strings not bytes": {"strings": [1, 2], "docs": []},
    "strings as str": {"strings": ["a", "b"], "docs": []},
    "strings not utf-8": {"strings": [b"\xff"], "docs": []},
    "docs not a list": {"strings": [b"a"], "docs": {"n": 1}},
    "doc not a dict": {"strings": AB, "docs": [5]},
    "missing n": {"strings": AB, "docs": [{k: v for k, v in good_doc().items() if k != "n"}]},
    "n not int": {"strings": AB, "docs": [broken(n="2")]},
    "n negative": {"strings": AB, "docs": [broken(n=-2)]},
    "n wrong": {"strings": AB, "docs": [broken(n=3)]},
    "cols not bytes": {"strings": AB, "docs": [broken(cols=[1, 2])]},
    "string index too big": {"strings": [b"a"], "docs": [good_doc()]},
    "string index negative": {"strings": AB, "docs": [broken(cols=cols([[-1] + [0] * 12] * 2))]},
    "empty orth": {"strings": AB, "docs": [broken(cols=cols([[0] * 13] * 2))]},
    "head outside": {"strings": AB, "docs": [broken(cols=cols([[1, 1, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]] * 2))]},
    "head cycle": {"strings": AB, "docs": [broken(cols=cols([[1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0]]))]},
    "bad spacy": {"strings": AB, "docs": [broken(cols=cols([[1, 7] + [0] * 11] * 2))]},
    "bad sent_start": {"strings": AB, "docs": [broken(cols=cols([[1, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0]] * 2))]},
    "bad ent_iob": {"strings": AB, "docs": [broken(cols=cols([[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0]] * 2))]},
    "cats not a list": {"strings": AB, "docs": [broken(cats={"X": 1.0})]},
    "cats entry": {"strings": AB, "docs": [broken(cats=[1])]},
    "cats value": {"strings": AB, "docs": [broken(cats=[[3, "high"]])]},
    "cats key": {"strings": AB, "docs": [broken(cats=[[9, 1.0]])]},
    "cats key type": {"strings": AB, "docs": [broken(cats=[["X", 1.0]])]},
    "spans not a list": {"strings": AB, "docs": [broken(spans={"sc": []})]},
    "span group shape": {"strings": AB, "docs": [broken(spans=[["sc"]])]},
    "span ints": {"strings": AB, "docs": [broken(spans=[["sc", [0, 1, 0]]])]},
    "span end": {"strings": AB, "docs": [broken(spans=[["sc", [0, 3, 0, 0]]])]},
    "span backwards": {"strings": AB, "docs": [broken(spans=[["sc", [2, 1, 0, 0]]])]},
    "span label": {"strings": AB, "docs": [broken(spans=[["sc", [0, 1, 9, 0]]])]},
    "span name": {"strings": AB, "docs": [broken(spans=[["sc", [0, 1, 0, 0]]])]},
    "span name index": {"strings": AB, "docs": [broken(spans=[[0, [0, 1, 0, 0]]])]},
    "user not a list": {"strings": AB, "docs": [broken(user={"a": 1})]},
    "user entry": {"strings": AB, "docs": [broken(user=[["a", 1]])]},
    "user unhashable key": {"strings": AB, "docs": [broken(user=[[False, [1], 1]])]},
}


@pytest.mark.parametrize("name", sorted(BAD_CHUNKS))
def test_valid_msgpack_with_wrong_structure(name, vocab):
    data = make_bytes(BAD_CHUNKS[name])
    with pytest.raises(ValueError) as excinfo:
        load_all(data, vocab)
    assert "[E04" in str(excinfo.value)


def test_doc_errors_name_the_document_and_file(vocab, tmp_path):
    chunk = {"strings": AB, "docs": [good_doc(), good_doc(), broken(n=5)]}
    path = tmp_path / "bad.fastpipe"
    path.write_bytes(make_bytes(chunk))
    with pytest.raises(ValueError, match=r"document 2 of file .*bad\.fastpipe"):
        list(iter_docs(path, vocab))
    with pytest.raises(ValueError, match="bad.fastpipe"):
        DocBin().from_disk(path)


@pytest.mark.parametrize("header", [
    {"format": 2, "attrs": ALL, "user_data": True},
    {"format": 1, "attrs": ["ORTH", "LOWER"], "user_data": True},
    {"format": 1, "attrs": ["TAG", "ORTH", "SPACY"], "user_data": True},
    {"format": 1, "attrs": ALL, "user_data": "yes"},
    {"format": 1, "attrs": "ORTH", "user_data": False},
    {"attrs": ALL},
])
def test_bad_headers(header, vocab):
    with pytest.raises(ValueError, match="E040"):
        load_all(make_bytes({"strings": [], "docs": []}, header=header), vocab)


def test_wrong_document_count_in_end_marker(vocab):
    chunk = {"strings": AB, "docs": [good_doc()]}
    with pytest.raises(ValueError):
        load_all(make_bytes(chunk, n_docs=2), vocab)


def test_decompression_bomb_is_refused(vocab, monkeypatch):
    monkeypatch.setattr(codec, "MAX_CHUNK_BYTES", 1000)
    chunk = {"strings": [b"x" * 5000], "docs": []}
    with pytest.raises(ValueError, match="E040"):
        load_all(make_bytes(chunk), vocab)


# -- safe writes ---------------------------------------------------------------------------------

def test_failed_write_leaves_no_partial_file(vocab, tmp_path, monkeypatch):
    path = tmp_path / "out.fastpipe"
    docbin = DocBin(docs=[annotated(vocab, i) for i in range(20)])
    real = codec.write_chunk
    calls = []

    def failing(out, attrs, records):
        calls.append(len(records))
        if len(calls) == 2:
            raise OSError("disk full")
        return real(out, attrs, records)

    monkeypatch.setattr(codec, "write_chunk", failing)
    with pytest.raises(OSError):
        docbin.to_disk(path, chunk_docs=5)
    assert len(calls) == 2
    assert os.listdir(tmp_path) == []
    # an existing file is left as it was
    path.write_bytes(b"old")
    calls.clear()
    with pytest.raises(OSError):
        docbin.to_disk(path, chunk_docs=5)
    assert os.listdir(tmp_path) == ["out.fastpipe"] and path.read_bytes() == b"old"
    monkeypatch.setattr(codec, "write_chunk", real)
    docbin.to_disk(path)
    assert len(DocBin().from_disk(path)) == 20
    assert os.listdir(tmp_path) == ["out.fastpipe"]


def test_writer_error_leaves_no_file(vocab, tmp_path):
    path = tmp_path / "w.fastpipe"
    with pytest.raises(RuntimeError):
        with DocBinWriter(path, chunk_docs=2) as writer:
            for i in range(5):
                writer.add(annotated(vocab, i))
            raise RuntimeError("stop")
    assert os.listdir(tmp_path) == []


def test_add_refuses_what_cannot_be_stored(vocab):
    doc = Doc(vocab, words=["a", "b"])
    other = Doc(vocab, words=["a", "b"])
    for setup in (lambda: doc.cats.update({1: 1.0}), lambda: doc.cats.update({"X": "high"}),
                  lambda: doc.spans.update({"sc": [other[0:1]]}),
                  lambda: doc.spans.update({"sc": ["a"]}), lambda: doc.spans.update({5: []})):
        doc.cats, doc.spans = {}, {}
        setup()
        with pytest.raises(ValueError, match="E044"):
            DocBin().add(doc)


def test_surrogates_in_names_and_labels(vocab):
    doc = Doc(vocab, words=["\udc80x"])
    doc.cats = {"\ud800cat": 0.5}
    doc.spans["\ud800"] = [Span(doc, 0, 1, label="\udfff")]
    (other,) = DocBin().from_bytes(DocBin(docs=[doc]).to_bytes()).get_docs(fastpipe.blank("xx").vocab)
    assert other.text == "\udc80x" and other.cats == {"\ud800cat": 0.5}
    assert other.spans["\ud800"][0].label_ == "\udfff"


def test_writer_flush_error_propagates_and_leaves_no_file(vocab, tmp_path, monkeypatch):
    path = tmp_path / "w.fastpipe"

    def failing(out, attrs, records):
        raise OSError("disk full")

    monkeypatch.setattr("fastpipe.tokens.docbin.write_chunk", failing)
    with pytest.raises(OSError, match="disk full"):
        with DocBinWriter(path, chunk_docs=100) as writer:
            writer.add(annotated(vocab))  # the chunk is only written on exit
    assert os.listdir(tmp_path) == []


def test_written_file_is_readable_by_others(vocab, tmp_path):
    path = tmp_path / "perm.fastpipe"
    DocBin(docs=[Doc(vocab, words=["a"])]).to_disk(path)
    assert path.stat().st_mode & 0o044 == 0o044
