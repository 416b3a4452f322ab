"""spaCy's `.spacy` DocBin files: every annotation read as spaCy wrote it, writing files spaCy
can read (checked against spaCy itself only by hand: tests never import spaCy), and corrupt,
truncated or oversized input refused with a coded message naming the file.

The fixtures under tests/data were made once with spaCy by tests/data/make_spacy_docbins.py,
which also wrote, next to each file, the JSON of what spaCy's own Docs hold.
"""
import json
import warnings
import zlib
from pathlib import Path

import numpy
import pytest
import srsly

import fastpipe
from fastpipe.tokens import Doc, DocBin, DocBinWriter, Span, iter_docs
from fastpipe.tokens import _spacy_docbin as spacy_format

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURES = ["spacy_annotated", "spacy_symbols", "spacy_subset", "spacy_ewt"]


def expected(name, vocab=None):
    """The generator's JSON of the file's docs. Its norms are None where a token has no norm of
    its own: with a ``vocab``, those become the norm that vocab's lexeme gives."""
    docs = json.loads((DATA / f"{name}.json").read_text(encoding="utf8"))["docs"]
    if vocab is not None:
        for doc in docs:
            doc["norms"] = [vocab[word].norm_ if norm is None else norm
                            for word, norm in zip(doc["words"], doc["norms"])]
    return docs


def signed(doc, attr):
    return doc.to_array(attr).astype(numpy.int64).tolist() if len(doc) else []


def described(doc):
    """What a fastpipe Doc holds, in the shape of the generator's JSON. The first token starts
    a sentence in both libraries, but only spaCy's Doc says 1 for it when nothing was stored."""
    starts = signed(doc, "SENT_START")
    return {
        "text": doc.text,
        "words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc],
        "tags": [t.tag_ for t in doc], "pos": [t.pos_ for t in doc],
        "morphs": [t.morph_ for t in doc], "lemmas": [t.lemma_ for t in doc],
        "norms": [t.norm_ for t in doc], "deps": [t.dep_ for t in doc],
        "heads": signed(doc, "HEAD"), "sent_starts": [1] + starts[1:] if starts else [],
        "ent_iob": signed(doc, "ENT_IOB"),
        "ent_types": [t.ent_type_ for t in doc], "ent_kb_ids": [t.ent_kb_id_ for t in doc],
        "ents": [[e.start, e.end, e.label_, e.kb_id_] for e in doc.ents],
        "cats": dict(doc.cats),
        "spans": {name: [[s.start, s.end, s.label_, s.kb_id_] for s in group]
                  for name, group in doc.spans.items()},
        "user_data": [[list(k) if isinstance(k, tuple) else k, v]
                      for k, v in doc.user_data.items()],
    }


def as_json(value):
    """Tuples (spaCy's user_data values read back) compare as the JSON lists they were written."""
    return json.loads(json.dumps(value))


def raw_msg(path):
    return srsly.msgpack_loads(zlib.decompress(Path(path).read_bytes()))


def packed(msg):
    return zlib.compress(srsly.msgpack_dumps(msg))


@pytest.mark.parametrize("name", FIXTURES)
def test_reads_what_spacy_wrote(vocab, name):
    docs = list(DocBin().from_disk(DATA / f"{name}.spacy").get_docs(vocab))
    assert [as_json(described(doc)) for doc in docs] == expected(name, vocab)


@pytest.mark.parametrize("name", FIXTURES)
def test_iter_docs_and_from_bytes_read_the_same(vocab, name):
    path = DATA / f"{name}.spacy"
    streamed = [described(doc) for doc in iter_docs(path, vocab)]
    with open(path, "rb") as f:
        from_file_object = [described(doc) for doc in iter_docs(f, vocab)]
    from_bytes = [described(doc) for doc in DocBin().from_bytes(path.read_bytes()).get_docs(vocab)]
    assert as_json(streamed) == as_json(from_file_object) == as_json(from_bytes) == expected(name, vocab)


def test_the_annotated_fixture_has_every_case(vocab):
    """The fixture holds what the reading test must cover (so a weaker fixture cannot pass)."""
    docs = expected("spacy_annotated")
    full, ents_only, plain, empty = docs
    assert set(full["ent_iob"]) == {0, 1, 2, 3}  # missing, inside, outside, begin
    assert 0 in ents_only["ent_iob"] and 2 in ents_only["ent_iob"]
    assert not any(ents_only["tags"]) and not any(ents_only["deps"])
    assert [e[3] for e in full["ents"]] == ["Q_MIRA", "Q597"]
    assert full["sent_starts"].count(1) == 2 and full["norms"][5] == "streetcar"
    assert len(full["spans"]) == 2 and full["cats"] and full["user_data"]
    chunks = full["spans"]["chunks"]
    assert any(a[0] < b[0] < a[1] for a in chunks for b in chunks)  # overlapping spans
    assert not any(any(plain[key]) for key in ("tags", "pos", "lemmas", "deps", "ent_iob", "cats"))
    assert empty["words"] == []
    read = list(DocBin().from_disk(DATA / "spacy_annotated.spacy").get_docs(vocab))
    assert len(read[1].ents) == 3 and read[1][1].ent_iob_ == "" and read[1][4].ent_iob_ == "O"


def test_symbol_names_are_stored_as_ids_and_read_as_names(vocab):
    """spaCy stores a string that is one of its symbol names as the symbol's id: the fixture
    has every symbol name as a tag, so this checks fastpipe's whole symbol table."""
    msg = raw_msg(DATA / "spacy_symbols.spacy")
    tag_col = msg["attrs"].index(spacy_format.SYMBOL_IDS["TAG"])
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"])))
    assert tokens[:, tag_col].tolist() == list(range(1, len(spacy_format.SYMBOLS)))
    (doc,) = DocBin().from_disk(DATA / "spacy_symbols.spacy").get_docs(vocab)
    assert [t.tag_ for t in doc] == list(spacy_format.SYMBOLS[1:]) == expected("spacy_symbols")[0]["tags"]


def test_docbin_takes_the_attrs_of_the_file():
    assert DocBin().from_disk(DATA / "spacy_subset.spacy").attrs == (
        "ORTH", "SPACY", "LEMMA", "ENT_IOB", "ENT_TYPE")  # LOWER and SHAPE come from the words
    db = DocBin().from_disk(DATA / "spacy_annotated.spacy")
    assert db.attrs == ("ORTH", "SPACY", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD",
                        "SENT_START", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID")
    assert db.store_user_data and len(db) == 4
    assert not DocBin().from_disk(DATA / "spacy_symbols.spacy").store_user_data


def test_spacy_file_saved_as_fastpipe_keeps_everything(tmp_path):
    DocBin().from_disk(DATA / "spacy_annotated.spacy").to_disk(tmp_path / "a.fastpipe")
    assert (tmp_path / "a.fastpipe").read_bytes()[:8] == b"FPDOCBIN"
    vocab = fastpipe.blank("en").vocab
    docs = DocBin().from_disk(tmp_path / "a.fastpipe").get_docs(vocab)
    assert [as_json(described(d)) for d in docs] == expected("spacy_annotated", vocab)


# -- writing ----------------------------------------------------------------------------------

def fastpipe_doc(vocab):
    doc = Doc(vocab, words=["Ana", "Lima", "sells", "maps", "in", "Porto", ".", "Closed", "_"],
              spaces=[True, True, True, True, True, False, True, False, False],
              tags=["NNP", "NNP", "VBZ", "NNS", "IN", "NNP", ".", "VBN", "_"],
              pos=["PROPN", "PROPN", "VERB", "NOUN", "ADP", "PROPN", "PUNCT", "VERB", None],
              lemmas=["Ana", "Lima", "sell", "map", "in", "Porto", ".", "close", "_"],
              morphs=["Number=Sing", None, "Tense=Pres|Number=Sing", "Number=Plur", None,
                      "Number=Sing", None, "VerbForm=Part", None],
              heads=[1, 2, 2, 2, 2, 4, 2, 7, 7],
              deps=["compound", "nsubj", "ROOT", "dobj", "prep", "pobj", "punct", "ROOT", "dep"],
              ents=["B-PERSON", "I-PERSON", "O", "O", "O", "B-GPE", "O", "", ""])
    doc.ents = [Span(doc, 0, 2, label="PERSON", kb_id="Q1"), Span(doc, 5, 6, label="GPE")]
    doc.set_ents([], missing=[doc[7:9]], default="unmodified")
    doc[3].norm_ = "MAPS!"
    doc.cats = {"SHOP": 1.0, "NEWS": 0.0}
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON", kb_id="Q1"), Span(doc, 1, 4, label="X"),
                       Span(doc, 9, 9, label="EMPTY")]
    doc.spans["other"] = [Span(doc, 5, 7, label="place")]
    doc.user_data = {("._.", "score", None, None): 0.5, "note": "made by hand"}
    return doc


def test_fastpipe_written_spacy_file_reads_back_identically(vocab, tmp_path):
    docs = [fastpipe_doc(vocab), Doc(vocab, words=["plain", "words"]), Doc(vocab, words=[])]
    path = tmp_path / "out.spacy"
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    assert spacy_format.looks_like_spacy(path.read_bytes()[:2])
    fresh = fastpipe.blank("en").vocab
    read = list(DocBin().from_disk(path).get_docs(fresh))
    wanted = [as_json(described(d)) for d in docs]
    # spaCy keys a feature string by its canonical form (fields in order): it comes back so
    assert wanted[0]["morphs"][2] == "Tense=Pres|Number=Sing"
    wanted[0]["morphs"][2] = "Number=Sing|Tense=Pres"
    assert [as_json(described(d)) for d in read] == wanted
    assert read[0][3].norm_ == "MAPS!" and read[0][4].norm_ == "in"
    assert len(DocBin().from_bytes(DocBin().to_bytes(format="spacy"))) == 0


def test_written_file_is_in_spacys_layout(vocab, tmp_path):
    """Symbol names as symbol ids, POS as its universal POS id, morphology in spaCy's order,
    spans with their character offsets: the facts a spaCy reader relies on."""
    path = tmp_path / "out.spacy"
    DocBin(docs=[fastpipe_doc(vocab)]).to_disk(path)
    msg = raw_msg(path)
    ids = spacy_format.SYMBOL_IDS
    assert msg["version"] == "0.1" and ids["SPACY"] not in msg["attrs"]
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"])))
    column = {name: tokens[:, msg["attrs"].index(ids[name])] for name in ("POS", "DEP", "MORPH", "TAG")}
    assert column["POS"][:3].tolist() == [ids["PROPN"], ids["PROPN"], ids["VERB"]]
    assert column["DEP"][1] == ids["nsubj"] and column["DEP"][8] == ids["dep"]
    assert column["TAG"][8] == ids["_"]
    assert column["MORPH"][2] == fastpipe.strings.hash_string("Number=Sing|Tense=Pres")
    assert "Number=Sing|Tense=Pres" in msg["strings"]
    assert numpy.frombuffer(msg["lengths"], dtype="<i4").tolist() == [9]
    assert numpy.frombuffer(msg["spaces"], dtype=numpy.uint8).tolist() == [1, 1, 1, 1, 1, 0, 1, 0, 0]
    (groups,) = msg["span_groups"]
    spans = {}
    for group_bytes, names in srsly.msgpack_loads(groups).items():
        group = srsly.msgpack_loads(group_bytes)
        rows = numpy.frombuffer(b"".join(group["spans"]), dtype=spacy_format._SPAN)
        spans[tuple(names)] = [(int(r["start"]), int(r["end"]), int(r["start_char"]),
                                int(r["end_char"]), int(r["label"])) for r in rows]
    text = "Ana Lima sells maps in Porto. Closed_"
    assert [text[s:e] for _, _, s, e, _ in spans[("sc",)]] == ["Ana Lima", "Lima sells maps", ""]
    assert spans[("sc",)][1][4] == ids["X"] and spans[("other",)][0][2:4] == (23, 29)


def test_a_token_with_a_pos_and_no_features_is_written_as_analysed(vocab, tmp_path):
    """spaCy's "_" (analysed, no features) for a tagged token without features, so spaCy's
    scorer counts its morph_acc against a gold "_"; an untagged token stays missing (0), and
    fastpipe reads "_" back as no features."""
    path = tmp_path / "out.spacy"
    doc = fastpipe_doc(vocab)
    DocBin(docs=[doc]).to_disk(path)
    msg = raw_msg(path)
    ids = spacy_format.SYMBOL_IDS
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"])))
    morph = tokens[:, msg["attrs"].index(ids["MORPH"])].tolist()
    assert [i for i, key in enumerate(morph) if key == ids["_"]] == [1, 4, 6]
    assert morph[8] == 0 and morph[0] == fastpipe.strings.hash_string("Number=Sing")
    read = list(DocBin().from_disk(path).get_docs(fastpipe.blank("en").vocab))[0]
    assert [t.morph_ for t in read] == [t.morph_ for t in doc][:2] + [
        "Number=Sing|Tense=Pres"] + [t.morph_ for t in doc][3:]
    # without a POS column nothing is marked
    DocBin(attrs=["ORTH", "MORPH"], docs=[doc]).to_disk(path)
    msg = raw_msg(path)
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"])))
    assert ids["_"] not in tokens[:, msg["attrs"].index(ids["MORPH"])].tolist()


def test_format_is_chosen_by_suffix_or_option(vocab, tmp_path):
    db = DocBin(docs=[fastpipe_doc(vocab)])
    db.to_disk(tmp_path / "a.spacy")
    db.to_disk(tmp_path / "b.bin", format="spacy")
    db.to_disk(tmp_path / "c.spacy", format="fastpipe")
    assert spacy_format.looks_like_spacy((tmp_path / "a.spacy").read_bytes()[:2])
    assert (tmp_path / "b.bin").read_bytes() == (tmp_path / "a.spacy").read_bytes()
    assert (tmp_path / "c.spacy").read_bytes()[:8] == b"FPDOCBIN"
    assert db.to_bytes(format="spacy") == (tmp_path / "a.spacy").read_bytes()
    assert db.to_bytes()[:8] == b"FPDOCBIN"
    for name in ("a.spacy", "b.bin", "c.spacy"):  # the content decides how a file is read
        (doc,) = DocBin().from_disk(tmp_path / name).get_docs(vocab)
        assert doc.text == "Ana Lima sells maps in Porto. Closed_"
    with pytest.raises(ValueError, match=r"\[E505\].*'conllu'"):
        db.to_bytes(format="conllu")
    with pytest.raises(ValueError, match=r"\[E506\].*x\.spacy"):
        DocBinWriter(tmp_path / "x.spacy")


def test_writing_refuses_what_spacy_cannot_hold(vocab, tmp_path):
    doc = Doc(vocab, words=["a", "b"], pos=["NOUN", "noun-ish"])
    with pytest.raises(ValueError, match=r"\[E503\].*document 0, token 1.*'noun-ish'"):
        DocBin(docs=[doc]).to_disk(tmp_path / "bad.spacy")
    doc = Doc(vocab, words=["a", "b"], morphs=["Number=Sing", "Plural"])
    with pytest.raises(ValueError, match=r"\[E504\].*document 0, token 1.*'Plural'"):
        DocBin(docs=[doc]).to_bytes(format="spacy")
    assert not (tmp_path / "bad.spacy").exists()


def test_canonical_morph_sorts_fields_and_values():
    assert spacy_format.canonical_morph("Tense=Past|Number=Sing") == "Number=Sing|Tense=Past"
    assert spacy_format.canonical_morph("b=1|PronType=Prs,Int") == "PronType=Int,Prs|b=1"


# -- corrupt and hostile input ------------------------------------------------------------------

def test_neither_format_is_refused(vocab, tmp_path):
    path = tmp_path / "notes.spacy"
    path.write_bytes(b"hello, this is text")
    with pytest.raises(ValueError, match=r"\[E500\].*notes\.spacy"):
        DocBin().from_disk(path)
    with pytest.raises(ValueError, match=r"\[E500\].*notes\.spacy"):
        list(iter_docs(path, vocab))
    with pytest.raises(ValueError, match=r"\[E500\]"):
        DocBin().from_bytes(b"")


@pytest.mark.parametrize("cut", [3, 100, 700, -1])
def test_truncated_file_names_the_file(vocab, tmp_path, cut):
    data = (DATA / "spacy_annotated.spacy").read_bytes()
    path = tmp_path / "cut.spacy"
    path.write_bytes(data[:cut])
    for read in (lambda: DocBin().from_disk(path), lambda: list(iter_docs(path, vocab))):
        with pytest.raises(ValueError, match=r"\[E501\].*cut\.spacy.*(truncated|ends early|corrupt)"):
            read()


def test_corrupt_bytes_give_a_coded_error(vocab, tmp_path):
    data = bytearray((DATA / "spacy_annotated.spacy").read_bytes())
    data[40:60] = bytes(20)
    path = tmp_path / "bad.spacy"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"\[E501\].*bad\.spacy"):
        DocBin().from_disk(path)
    path.write_bytes(zlib.compress(b"\xc1 not msgpack"))
    with pytest.raises(ValueError, match=r"\[E501\].*msgpack"):
        DocBin().from_disk(path)
    path.write_bytes(packed([1, 2, 3]))
    with pytest.raises(ValueError, match=r"\[E501\].*not a map"):
        DocBin().from_disk(path)


def test_decompression_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(spacy_format, "MIN_LIMIT", 1 << 16)
    bomb = zlib.compress(b"\0" * (8 << 20), 9)  # 8 MiB of zeros in ~8 KiB
    assert len(bomb) * spacy_format.MAX_RATIO < 8 << 20
    path = tmp_path / "bomb.spacy"
    path.write_bytes(bomb)
    with pytest.raises(ValueError, match=r"\[E502\].*bomb\.spacy"):
        DocBin().from_disk(path)


def msg_of(name="spacy_annotated"):
    return raw_msg(DATA / f"{name}.spacy")


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(lengths=numpy.array([13, 7, 3, 5000], "<i4").tobytes()), "claims 5023 tokens"),
    (lambda m: m.update(tokens=m["tokens"][:-8]), "claims 23 tokens"),
    (lambda m: m.update(lengths=numpy.array([13, 7, 3, -1], "<i4").tobytes()), "lengths are malformed"),
    (lambda m: m.update(spaces=m["spaces"][:-1]), "22 whitespace flags for 23 tokens"),
    (lambda m: m.update(strings=[s for s in m["strings"] if s != "Lisbon"]), "ORTH key"),
    (lambda m: m.update(attrs=m["attrs"][:-1] + [9999]), "attribute id 9999"),
    (lambda m: m.update(cats=m["cats"][:2]), "'cats' has 2 entries for 4 documents"),
    (lambda m: m.update(version="9.9"), "format version '9.9'"),
    (lambda m: m.pop("tokens"), "'tokens' is missing"),
])
def test_inconsistent_header_is_refused(tmp_path, change, message):
    msg = msg_of()
    change(msg)
    path = tmp_path / "x.spacy"
    path.write_bytes(packed(msg))
    with pytest.raises(ValueError, match=r"\[E501\].*x\.spacy.*" + message):
        DocBin().from_disk(path)


def test_a_malformed_document_is_named(vocab, tmp_path):
    msg = msg_of()
    msg["span_groups"][2] = b"\xc1"
    path = tmp_path / "x.spacy"
    path.write_bytes(packed(msg))
    with pytest.raises(ValueError, match=r"\[E041\] DocBin: document 2 of file .*x\.spacy.*span groups"):
        DocBin().from_disk(path)
    msg = msg_of()
    msg["cats"][1] = {"A": "yes"}
    path.write_bytes(packed(msg))
    with pytest.raises(ValueError, match=r"\[E041\].*document 1 .*'A': 'yes'"):
        DocBin().from_disk(path)
    msg = msg_of()  # a span label that stands for no string
    groups = srsly.msgpack_loads(msg["span_groups"][0])
    group_bytes, names = next(iter(groups.items()))
    group = srsly.msgpack_loads(group_bytes)
    rows = numpy.frombuffer(b"".join(group["spans"]), dtype=spacy_format._SPAN).copy()
    rows[0]["label"] = 123456789012
    group["spans"] = [row.tobytes() for row in rows]
    msg["span_groups"][0] = srsly.msgpack_dumps({srsly.msgpack_dumps(group): names})
    path.write_bytes(packed(msg))
    with pytest.raises(ValueError, match=r"\[E041\].*document 0 .*span group '\w+': span 0 has "
                                         r"the label key 123456789012"):
        DocBin().from_disk(path)
    msg = msg_of()  # a head outside the document: found when the Doc is built
    head = msg["attrs"].index(spacy_format.SYMBOL_IDS["HEAD"])
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"]))).copy()
    tokens[14, head] = 50
    msg["tokens"] = tokens.tobytes()
    path.write_bytes(packed(msg))
    with pytest.raises(ValueError, match=r"\[E041\].*document 1 of file .*x\.spacy"):
        list(iter_docs(path, vocab))


def test_what_fastpipe_cannot_store_is_warned_about(vocab, tmp_path):
    msg = msg_of()
    ent_id = msg["attrs"].index(spacy_format.SYMBOL_IDS["ENT_ID"])
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"]))).copy()
    tokens[0, ent_id] = fastpipe.strings.hash_string("Mira")
    msg["tokens"] = tokens.tobytes()
    path = tmp_path / "x.spacy"
    path.write_bytes(packed(msg))
    with pytest.warns(UserWarning, match=r"\[W500\].*x\.spacy.*ENT_ID"):
        docs = list(DocBin().from_disk(path).get_docs(vocab))
    assert docs[0][0].ent_type_ == "PERSON"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DocBin().from_disk(DATA / "spacy_annotated.spacy")  # nothing dropped, nothing said


def test_old_span_group_layout_is_read(vocab, tmp_path):
    """Before spaCy 3.4 a document's span groups were a list of group bytes."""
    msg = msg_of()
    groups = srsly.msgpack_loads(msg["span_groups"][0])
    msg["span_groups"][0] = srsly.msgpack_dumps(list(groups))
    path = tmp_path / "old.spacy"
    path.write_bytes(packed(msg))
    doc = next(iter_docs(path, vocab))
    assert as_json(described(doc)["spans"]) == expected("spacy_annotated")[0]["spans"]

