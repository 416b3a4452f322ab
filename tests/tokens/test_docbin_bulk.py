"""DocBin reading builds many Docs at once (``_docbin_codec.build_docs``): the token rows of a
whole file or chunk are checked in bulk and the Docs built by ``Doc._from_checked_rows``. These
tests hold it to the careful one-Doc path (``build_doc``: ``_from_keys`` then ``from_array``):
the same Docs, and for bad rows the same coded error naming the same document."""
import io
import re
import zlib

import numpy
import pytest
import srsly

import fastpipe
from fastpipe.tokens import Doc, DocBin, Span, iter_docs
from fastpipe.tokens import _docbin_codec as codec
from fastpipe.tokens import _spacy_docbin as spacy_format

from .test_docbin import AB, ALL, annotated, broken, cols, good_doc, load_all, make_bytes

N_DOCS = 600  # more than two blocks of the fast path
BAD_DOC = 301  # a parsed document, in the second block
COLUMN = {name: j for j, name in enumerate(codec.ALL_ATTRS)}


def parsed(vocab, i):
    """A Doc with a parse, tags, entities, cats and spans that both formats store."""
    doc = Doc(vocab, words=["She", "ate", f"pizza{i}", ".", "Good", "."],
              spaces=[True, True, False, True, False, False],
              tags=["PRP", "VBD", "NN", ".", "JJ", "."], pos=["PRON", "VERB", "NOUN", "PUNCT", "ADJ", None],
              lemmas=["she", "eat", None, ".", "good", "."], morphs=["Case=Nom", None, None, None, None, None],
              heads=[1, 1, 1, 1, 4, 4], deps=["nsubj", "ROOT", "dobj", "punct", "ROOT", "punct"],
              ents=["O", "O", "B-FOOD", "O", "", ""])
    doc.cats = {"POS": float(i % 2), "NEG": float(1 - i % 2)}
    doc.spans["sc"] = [Span(doc, 0, 2, label="X"), Span(doc, 2, 3, label=f"L{i % 5}", kb_id="kb")]
    return doc


def many_docs(vocab, *, user_data=False):
    """Docs of varied lengths and annotations, an empty one and unannotated ones among them."""
    docs = []
    for i in range(N_DOCS):
        if i == 7:
            docs.append(Doc(vocab))
        elif i % 3 == 0:
            words = [f"w{i}", "and", f"v{i % 11}"][: 1 + i % 3]
            docs.append(Doc(vocab, words=words))
        elif i % 3 == 1 and user_data:
            docs.append(annotated(vocab, i))
        else:
            docs.append(parsed(vocab, i))
    return docs


def records_of(docs):
    return [codec.encode_doc(doc, codec.ALL_ATTRS, True) for doc in docs]


def careful(records, vocab):
    return [codec.build_doc(vocab, record, codec.ALL_ATTRS, i, "x", Doc)
            for i, record in enumerate(records)]


def assert_all_same(docs, others):
    assert len(others) == len(docs)
    for doc, other in zip(docs, others):
        assert other.text == doc.text
        assert (other.to_array(ALL + ["IDX"]) == doc.to_array(ALL + ["IDX"])).all()
        assert [t.norm_ for t in other] == [t.norm_ for t in doc]
        assert [(t.left_edge.i, t.right_edge.i, t.n_lefts, t.n_rights) for t in other] == [
            (t.left_edge.i, t.right_edge.i, t.n_lefts, t.n_rights) for t in doc]
        assert [t.is_sent_start for t in other] == [t.is_sent_start for t in doc]
        assert other.has_sents == doc.has_sents
        assert [(e.start, e.end, e.label_, e.kb_id_) for e in other.ents] == [
            (e.start, e.end, e.label_, e.kb_id_) for e in doc.ents]
        assert other.cats == doc.cats
        assert {name: [(s.start, s.end, s.label_, s.kb_id_) for s in group]
                for name, group in other.spans.items()} == {
            name: [(s.start, s.end, s.label_, s.kb_id_) for s in group]
            for name, group in doc.spans.items()}
        assert sorted(other.user_data, key=str) == sorted(doc.user_data, key=str)


@pytest.mark.parametrize("suffix", [".fastpipe", ".spacy"])
def test_files_read_as_the_careful_path_reads_them(vocab, tmp_path, suffix):
    docs = many_docs(vocab, user_data=suffix == ".fastpipe")
    path = tmp_path / f"many{suffix}"
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    fresh = fastpipe.blank("en").vocab
    read = list(iter_docs(path, fresh))
    one_by_one = careful(records_of(docs), fastpipe.blank("en").vocab)
    assert_all_same(one_by_one, read)
    assert_all_same(docs, read)
    assert all(doc.vocab is fresh for doc in read)


def test_get_docs_matches_the_careful_path(vocab):
    docs = many_docs(vocab, user_data=True)
    docbin = DocBin(docs=docs, store_user_data=True)
    fresh = fastpipe.blank("en").vocab
    assert_all_same(docs, list(docbin.get_docs(fresh)))
    assert "Lovelace" in fresh.strings and "w3" in fresh.strings and "L4" in fresh.strings


def corrupt(records, name, value, token=0):
    """The records with one value of document BAD_DOC replaced."""
    records = [dict(record) for record in records]
    array = records[BAD_DOC]["array"].copy()
    array[token, COLUMN[name]] = numpy.array(value).astype(numpy.int64).view(numpy.uint64)
    records[BAD_DOC]["array"] = array
    return records


BAD_ROWS = {
    "head outside": (dict(name="HEAD", value=40), r"\[E016\]"),
    "head before": (dict(name="HEAD", value=-3), r"\[E016\]"),
    "head far away": (dict(name="HEAD", value=1 << 40), r"\[E016\]"),
    "sent_start": (dict(name="SENT_START", value=5), r"SENT_START"),
    "ent_iob": (dict(name="ENT_IOB", value=9), r"ENT_IOB"),
    "space flag": (dict(name="SPACY", value=2), r"SPACY"),
    "no word": (dict(name="ORTH", value=0), r"\[E058\]"),
    "unknown word": (dict(name="ORTH", value=123456789), r"ORTH"),
    "unknown tag": (dict(name="TAG", value=987654321, token=1), r"TAG"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_rows_give_the_careful_error_for_the_right_document(vocab, case):
    change, message = BAD_ROWS[case]
    records = corrupt(records_of(many_docs(vocab)), **change)
    with pytest.raises(ValueError) as expected:
        careful(records, fastpipe.blank("en").vocab)
    got = []
    with pytest.raises(ValueError) as excinfo:
        for doc in codec.build_docs(fastpipe.blank("en").vocab, records, codec.ALL_ATTRS, "x", Doc):
            got.append(doc)
    assert str(excinfo.value) == str(expected.value)
    assert f"[E041] DocBin: document {BAD_DOC} of x" in str(excinfo.value)
    assert len(got) == BAD_DOC  # every document before the bad one was built
    assert_all_same(careful(records[:BAD_DOC], fastpipe.blank("en").vocab), got)
    assert re.search(message, str(excinfo.value))


def test_a_cycle_in_the_heads_names_its_document(vocab):
    records = records_of(many_docs(vocab))
    n = records[BAD_DOC]["array"].shape[0]
    records = corrupt(records, "HEAD", 1, token=0)  # token 0 -> 1 and token 1 -> 0
    records = corrupt(records, "HEAD", -1, token=1)
    assert n >= 2
    with pytest.raises(ValueError) as expected:
        careful(records, fastpipe.blank("en").vocab)
    got = []
    with pytest.raises(ValueError) as excinfo:
        for doc in codec.build_docs(fastpipe.blank("en").vocab, records, codec.ALL_ATTRS, "x", Doc):
            got.append(doc)
    assert "[E050]" in str(excinfo.value) and f"document {BAD_DOC} of" in str(excinfo.value)
    assert len(got) == BAD_DOC
    assert str(excinfo.value) == str(expected.value)


def test_a_bad_value_in_a_spacy_file_names_its_document(vocab, tmp_path):
    path = tmp_path / "x.spacy"
    DocBin(docs=many_docs(vocab)).to_disk(path)
    msg = srsly.msgpack_loads(zlib.decompress(path.read_bytes()))
    lengths = numpy.frombuffer(msg["lengths"], dtype="<i4")
    column = msg["attrs"].index(spacy_format.SYMBOL_IDS["SENT_START"])
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"]))).copy()
    tokens[int(lengths[:BAD_DOC].sum()) + 1, column] = 7
    msg["tokens"] = tokens.tobytes()
    path.write_bytes(zlib.compress(srsly.msgpack_dumps(msg)))
    with pytest.raises(ValueError, match=rf"\[E041\] DocBin: document {BAD_DOC} of file .*x\.spacy.*SENT_START"):
        list(iter_docs(path, vocab))


def test_first_suspect_doc(vocab):
    records = records_of(many_docs(vocab))
    rows = numpy.concatenate([r["array"] for r in records])
    lengths = numpy.array([len(r["array"]) for r in records], dtype=numpy.int64)
    assert codec.first_suspect_doc(vocab.strings, rows, codec.ALL_ATTRS, lengths) == N_DOCS
    empty = numpy.zeros((0, len(ALL)), dtype=numpy.uint64)
    assert codec.first_suspect_doc(vocab.strings, empty, codec.ALL_ATTRS, lengths[:0]) == 0
    bad = corrupt(records, "ENT_IOB", 4)
    rows = numpy.concatenate([r["array"] for r in bad])
    assert codec.first_suspect_doc(vocab.strings, rows, codec.ALL_ATTRS, lengths) == BAD_DOC
    # columns not led by ORTH and SPACY: every document goes the careful way
    assert codec.first_suspect_doc(vocab.strings, rows, ("SPACY", "ORTH") + codec.ALL_ATTRS[2:], lengths) == 0


def test_decoded_records_hold_what_was_encoded(vocab):
    """A `.fastpipe` chunk is decoded at once: each record still gets its own rows and the
    strings its keys stand for (what DocBin keeps, and writes again)."""
    docs = many_docs(vocab, user_data=True)
    data = DocBin(docs=docs, store_user_data=True).to_bytes(chunk_docs=100)
    loaded = DocBin().from_bytes(data)
    for doc, record in zip(docs, loaded._records):
        written = codec.encode_doc(doc, codec.ALL_ATTRS, True)
        assert (record["array"] == written["array"]).all()
        assert record["strings"] == written["strings"]
        assert record["cats"] == written["cats"] and record["spans"] == written["spans"]
    assert loaded.to_bytes(chunk_docs=100) == data


def test_the_first_failing_document_of_a_chunk_is_named_with_its_first_error(vocab):
    """Token shapes and string indices are checked for the whole chunk at once, the rest per
    document; the error is still the first that reading document after document meets."""
    good, bad_n = good_doc(), broken(n=5)
    bad_index = broken(cols=cols([[9] + [0] * 12] * 2))
    bad_cats = broken(cats=[[3, "high"]])
    both = broken(cols=cols([[9] + [0] * 12] * 2), cats=[[3, "high"]])
    cases = [
        ([good, bad_index, bad_n], 1, "outside the chunk's table"),
        ([good, bad_n, bad_index], 1, "bytes of token data"),
        ([good, bad_cats, bad_index], 1, "cats score"),
        ([good, good, bad_index, bad_cats], 2, "outside the chunk's table"),
        ([good, both], 1, "outside the chunk's table"),
        ([good, broken(cols=cols([[-1] + [0] * 12] * 2)), bad_cats], 1, "outside the chunk's table"),
    ]
    for docs, i, message in cases:
        data = make_bytes({"strings": AB, "docs": docs})
        with pytest.raises(ValueError, match=rf"\[E041\] DocBin: document {i} of .*{message}"):
            load_all(data, vocab)
        with pytest.raises(ValueError, match=rf"\[E041\] DocBin: document {i} of .*{message}"):
            list(iter_docs(io.BytesIO(data), vocab))
