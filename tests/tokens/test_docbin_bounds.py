"""The readers refuse what a file claims beyond what the format allows, before they build it
(issue 14): a few KB of compressed data must not turn into GBs of Python objects."""
import struct
import tracemalloc
import zlib

import numpy
import pytest
import srsly

from fastpipe.tokens import Doc, DocBin, DocBinWriter, iter_docs
from fastpipe.tokens import _docbin_codec as codec
from fastpipe.tokens import _spacy_docbin as spacy_format

N_ATTRS = len(codec.ALL_ATTRS)
EMPTY = {"n": 0, "cols": b"", "spans": [], "cats": []}


def fastpipe_bytes(*chunks, n_docs=None):
    """A .fastpipe blob with a valid frame (header, sizes, checksums, end record) around chunks."""
    header = srsly.msgpack_dumps({"format": 1, "attrs": list(codec.ALL_ATTRS), "user_data": False})
    out = [codec.MAGIC, struct.pack("<I", len(header)), header]
    for chunk in chunks:
        payload = zlib.compress(srsly.msgpack_dumps(chunk), 9)
        out.append(struct.pack("<II", len(payload), zlib.crc32(payload)) + payload)
    if n_docs is None:
        n_docs = sum(len(chunk.get("docs", [])) for chunk in chunks)
    out.append(struct.pack("<IQ", 0, n_docs))
    return b"".join(out)


def words_doc(n):
    """A chunk document of n tokens, each the word strings[0]."""
    rows = numpy.zeros((n, N_ATTRS), dtype="<i4")
    rows[:, 0] = 1
    rows[:, 1] = 1
    return {"n": n, "cols": rows.T.tobytes(), "spans": [], "cats": []}


def read(data, vocab):
    return [doc for doc in DocBin().from_bytes(data).get_docs(vocab)]


def test_a_chunk_of_too_many_empty_documents_is_refused_before_they_are_built(vocab, tmp_path):
    n = codec.MAX_CHUNK_DOCS * 3
    path = tmp_path / "bomb.fastpipe"
    path.write_bytes(fastpipe_bytes({"strings": [], "docs": [EMPTY] * n}))
    assert path.stat().st_size < 20_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=rf"\[E040\] .*bomb\.fastpipe.*the chunk after "
                                             rf"document 0 claims {n:,} documents"):
            list(iter_docs(path, vocab))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the chunk's msgpack is ~4 MB; building its documents took ~200 MB
    assert peak < 30 << 20
    with pytest.raises(ValueError, match="E040"):
        DocBin().from_disk(path)


def test_the_most_documents_a_chunk_may_hold_are_read(vocab, monkeypatch):
    monkeypatch.setattr(codec, "MAX_CHUNK_DOCS", 100)
    assert len(read(fastpipe_bytes({"strings": [], "docs": [EMPTY] * 100}), vocab)) == 100
    with pytest.raises(ValueError, match="claims 101 documents, more than the 100"):
        read(fastpipe_bytes({"strings": [], "docs": [EMPTY] * 101}), vocab)


def test_writers_split_chunks_at_the_bound(vocab, tmp_path, monkeypatch):
    monkeypatch.setattr(codec, "MAX_CHUNK_DOCS", 4)
    docs = [Doc(vocab, words=["w", str(i)]) for i in range(10)]
    data = DocBin(docs=docs).to_bytes(chunk_docs=100)
    path = tmp_path / "w.fastpipe"
    with DocBinWriter(path, chunk_docs=100) as writer:
        for doc in docs:
            writer.add(doc)
    for blob in (data, path.read_bytes()):
        header, chunks = codec.open_stream(__import__("io").BytesIO(blob), "x")
        assert [len(chunk.records) for chunk in chunks] == [4, 4, 2]
        assert [d.text for d in read(blob, vocab)] == [d.text for d in docs]


def test_tokens_before_a_chunks_last_document_are_bounded(vocab):
    limit = codec.DEFAULT_CHUNK_TOKENS
    # a chunk closes once it reaches the limit: its last document may be long
    ok = fastpipe_bytes({"strings": [b"w"], "docs": [words_doc(limit - 1), words_doc(limit + 5)]})
    assert [len(d) for d in read(ok, vocab)] == [limit - 1, limit + 5]
    bad = fastpipe_bytes({"strings": [b"w"], "docs": [words_doc(limit // 2 + 1)] * 2 + [EMPTY]})
    with pytest.raises(ValueError, match=rf"\[E040\] .*holds {limit + 2:,} tokens before its last"):
        read(bad, vocab)


def test_a_string_table_larger_than_the_documents_can_use_is_refused(vocab):
    usable = N_ATTRS - 4  # one token: one string per string column
    chunk = {"strings": [b"w"] * (usable + 1), "docs": [words_doc(1)]}
    with pytest.raises(ValueError, match=rf"has {usable + 1} strings, more than the {usable}"):
        read(fastpipe_bytes(chunk), vocab)
    chunk = {"strings": [b"w"] * usable, "docs": [words_doc(1)]}
    assert len(read(fastpipe_bytes(chunk), vocab)) == 1


@pytest.mark.parametrize("chunk,expected", [
    ({"strings": [], "docs": [], "more": [[]] * 1000}, "not a map of strings and docs"),
    ({"strings": [], "junk": [[]] * 1000}, "unexpected key 'junk'"),
    ({"docs": [], "docs ": []}, "unexpected key"),
])
def test_chunk_maps_hold_strings_and_docs_only(vocab, chunk, expected):
    with pytest.raises(ValueError, match=rf"\[E040\] .*{expected}"):
        read(fastpipe_bytes(chunk), vocab)


def test_an_end_record_that_disagrees_is_refused(vocab):
    data = fastpipe_bytes({"strings": [b"w"], "docs": [words_doc(2)]}, n_docs=3)
    with pytest.raises(ValueError, match=r"\[E040\] .*end marker does not match the 1 documents"):
        read(data, vocab)


# -- .spacy ------------------------------------------------------------------------------------

def spacy_bytes(n_docs, **changes):
    msg = {"version": "0.1", "attrs": [65], "tokens": b"", "spaces": b"",
           "lengths": b"\0" * (4 * n_docs), "strings": [], "cats": [{}] * n_docs,
           "flags": [{"has_unknown_spaces": False}] * n_docs, "span_groups": [b""] * n_docs}
    msg.update(changes)
    return zlib.compress(srsly.msgpack_dumps(msg), 9)


def test_spacy_file_claiming_many_documents_per_byte_is_refused(vocab, tmp_path):
    n = spacy_format.MIN_DOCS * 4
    path = tmp_path / "bomb.spacy"
    path.write_bytes(spacy_bytes(n))
    assert path.stat().st_size < n
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=rf"\[E501\] .*bomb\.spacy.*claims {n:,} documents"):
            DocBin().from_disk(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 << 20  # the raw msgpack is ~7 MB; the documents took ~300 MB


def test_spacy_documents_past_the_minimum_need_a_byte_each(vocab, monkeypatch):
    monkeypatch.setattr(spacy_format, "MIN_DOCS", 500)
    assert len(read(spacy_bytes(500), vocab)) == 500
    assert len(spacy_bytes(501)) < 501
    with pytest.raises(ValueError, match="claims 501 documents"):
        read(spacy_bytes(501), vocab)


@pytest.mark.parametrize("changes,expected", [
    ({"cats": [{}] * 5000}, r"'cats' has 5,000 entries for 2 documents"),
    ({"span_groups": {"a": 1}}, r"'span_groups' is not a list"),
    ({"strings": ["a"] * 19}, r"19 strings, more than its tokens and spans can use \(18\)"),
    ({"lengths": b"\0\0\0"}, "lengths are malformed"),
])
def test_spacy_counts_are_checked_before_they_are_built(vocab, changes, expected):
    # two one-token documents: 9 strings each at most
    base = {"tokens": struct.pack("<QQ", 0, 0), "spaces": b"\0\0", "lengths": struct.pack("<ii", 1, 1)}
    with pytest.raises(ValueError, match=rf"\[E501\] .*{expected}"):
        read(spacy_bytes(2, **{**base, **changes}), vocab)


def test_spacy_map_with_too_many_keys_is_refused(vocab):
    data = zlib.compress(srsly.msgpack_dumps({f"k{i}": 0 for i in range(1000)}))
    with pytest.raises(ValueError, match=r"\[E501\] .*1,000 keys"):
        read(data, vocab)
