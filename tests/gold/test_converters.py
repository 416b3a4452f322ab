"""Converters: CoNLL-U, IOB and text classification files to Docs, and their .fastpipe output."""
import json
from pathlib import Path

import numpy
import pytest

from fastpipe.cli.convert import convert_file
from fastpipe.gold.converters import (CONVERTERS, ConversionError, conllu_to_docs,
                                      guess_converter, read_lines)
from fastpipe.tokens.docbin import DocBin, iter_docs
from tests.helpers.data import EWT_DEV_SAMPLE as SAMPLE
from tests.helpers.data import (EWT_DEV_SLICE, EWT_TRAIN_SLICE, FULL_EWT_TRAIN, FULL_SST2_DEV,
                                SST2_DEV_SAMPLE, real_data)
ALL_ATTRS = ["ORTH", "SPACY", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD",
             "SENT_START", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]


def raw_conllu(path):
    """The raw file read the simplest way: sentences of (word columns), texts, NER entities."""
    sents, texts, sent = [], [], []
    for line in Path(path).read_text(encoding="utf8").splitlines():
        if line.startswith("# text = "):
            texts.append(line[len("# text = "):])
        elif not line.strip():
            if sent:
                sents.append(sent)
            sent = []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" not in cols[0] and "." not in cols[0]:
                sent.append(cols)
    if sent:
        sents.append(sent)
    return sents, texts


def raw_entities(sent):
    """(start, end, label) of the NER= tags of one sentence, IOB2 read by hand."""
    tags = [dict(kv.split("=", 1) for kv in c[9].split("|") if "=" in kv).get("NER") for c in sent]
    ents, start = [], None
    for i, tag in enumerate(tags + ["O"]):
        if start is not None and not (tag or "").startswith("I-"):
            ents.append((start, i, tags[start][2:]))
            start = None
        if (tag or "").startswith("B-"):
            start = i
    return ents


def convert_text(text, converter, nlp, tmp_path, name="input.txt", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return list(CONVERTERS[converter](read_lines(path), nlp, source=str(path), **kwargs))


# -- conllu -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", real_data(
    ("sample", SAMPLE), ("dev-slice", EWT_DEV_SLICE), ("train-slice", EWT_TRAIN_SLICE),
    slow_full=[("full-train", FULL_EWT_TRAIN)]))
def test_conllu_keeps_every_annotation(en, path):
    sents, texts = raw_conllu(path)
    docs = list(conllu_to_docs(read_lines(path), en, source=str(path), n_sents=10))
    assert len(docs) == (len(sents) + 9) // 10
    tokens = [t for doc in docs for t in doc]
    words = [c for sent in sents for c in sent]
    assert len(tokens) == len(words)
    assert [t.text for t in tokens] == [c[1] for c in words]
    # LEMMA "_" is missing (goeswith parts of a split word), except as the lemma of "_" itself
    assert [t.lemma_ for t in tokens] == ["" if c[2] == "_" != c[1] else c[2] for c in words]
    assert [t.pos_ for t in tokens] == [c[3] for c in words]
    assert [t.tag_ for t in tokens] == [c[4] if c[4] != "_" else "" for c in words]
    assert [t.morph_ for t in tokens] == [c[5] if c[5] != "_" else "" for c in words]
    assert [t.dep_ for t in tokens] == [c[7] for c in words]
    # heads, sentence boundaries and entities, sentence by sentence
    doc_sents = [s for doc in docs for s in doc.sents]
    assert len(doc_sents) == len(sents)
    n_ents = 0
    for sent, span in zip(sents, doc_sents):
        assert len(span) == len(sent)
        heads = [span.start + int(c[6]) - 1 if c[6] != "0" else span.start + i
                 for i, c in enumerate(sent)]
        assert [t.head.i for t in span] == heads
        expected = [(span.start + s, span.start + e, label) for s, e, label in raw_entities(sent)]
        got = [(e.start, e.end, e.label_) for e in span.doc.ents
               if span.start <= e.start < span.end]
        assert got == expected
        n_ents += len(expected)
        has_ner = any("NER=" in c[9] for c in sent)
        assert all(t.ent_iob_ != "" for t in span) == has_ner
    assert sum(len(doc.ents) for doc in docs) == n_ents
    assert n_ents > 0
    # spaces and multiword tokens: each sentence spells its "# text =" line exactly
    assert [s.text_with_ws.rstrip(" ") for s in doc_sents] == texts
    if path == SAMPLE:
        assert len(sents) == 300 and n_ents == sum(c[9].count("NER=B-") for c in words)
        assert docs[0].user_data["sent_ids"][0].endswith("-0001")
    if path in (EWT_TRAIN_SLICE, FULL_EWT_TRAIN):
        # the sentences without NER= keys are there, and their entities are missing, not O
        assert sum(not any("NER=" in c[9] for c in sent) for sent in sents) == 4


def test_conllu_multiword_tokens_and_empty_nodes(en, tmp_path):
    text = ("# sent_id = s1\n# text = I don't know.\n"
            "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\tNER=O\n"
            "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
            "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\tNER=O\n"
            "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\tNER=O\n"
            "3.1\tghost\tghost\tNOUN\tNN\t_\t_\t_\t4:obj\t_\n"
            "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No|NER=O\n"
            "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\tNER=O\n\n"
            "1-2\tcan't\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
            "1\tca\tcan\tAUX\tMD\t_\t2\taux\t_\t_\n"
            "2\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_\n"
            "3\t!\t!\tPUNCT\t.\t_\t2\tpunct\t_\t_\n")
    (doc,) = convert_text(text, "conllu", en, tmp_path)
    assert [t.text for t in doc] == ["I", "do", "n't", "know", ".", "ca", "n't", "!"]
    assert doc.text == "I don't know. can't! "
    assert [t.head.i for t in doc] == [3, 3, 3, 3, 3, 6, 6, 6]
    assert [t.is_sent_start for t in doc] == [True, False, False, False, False, True, False, False]
    assert [t.ent_iob_ for t in doc] == ["O"] * 5 + [""] * 3  # no NER= in sentence 2: missing
    assert doc[0].dep_ == "nsubj" and doc[3].dep_ == "root"
    assert doc.user_data["sent_ids"] == ["s1", None]


def test_conllu_iob1_and_missing_ner(en, tmp_path):
    text = ("1\tNew\t_\tPROPN\t_\t_\t0\troot\t_\tNER=I-LOC\n"
            "2\tYork\t_\tPROPN\t_\t_\t1\tflat\t_\tNER=I-LOC\n"
            "3\tBob\t_\tPROPN\t_\t_\t1\tflat\t_\t_\n"
            "4\tAnn\t_\tPROPN\t_\t_\t1\tflat\t_\tNER=I-PER\n")
    (doc,) = convert_text(text, "conllu", en, tmp_path)
    assert [(e.text, e.label_) for e in doc.ents] == [("New York", "LOC"), ("Ann", "PER")]
    assert [t.ent_iob_ for t in doc] == ["B", "I", "", "B"]
    assert doc[0].tag_ == "" and doc[0].lemma_ == ""


def test_conllu_n_sents(en):
    docs = list(conllu_to_docs(read_lines(SAMPLE), en, n_sents=7))
    assert len(docs) == 43 and sum(len(list(d.sents)) for d in docs) == 300
    assert len(list(conllu_to_docs(read_lines(SAMPLE), en, n_sents=1))) == 300


GOOD = ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tNER=O\n"
        "2\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\tNER=O\n")


@pytest.mark.parametrize("bad,line,expected", [
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\n", 4, "expected 10 tab-separated columns"),
    ("1\tHi\thi\tINTJ\tUH\t_\tx\troot\t_\t_\n", 4, "HEAD 'x'"),
    ("1\tHi\thi\tINTJ\tUH\t_\t5\troot\t_\t_\n", 4, "HEAD 5 is outside the sentence"),
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tNER=X-PER\n", 4, "entity tag 'X-PER'"),
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tNER=B\n", 4, "entity tag 'B'"),
    ("2\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n", 4, "expected word ID 1, found 2"),
    ("a\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n", 4, "ID 'a'"),
    ("1-3\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n1\tH\th\tX\tX\t_\t0\troot\t_\t_\n", 4, "multiword token"),
    ("1\tHi\thi\tINTJ\tUH\t_\t2\troot\t_\t_\n2\tyo\tyo\tX\tX\t_\t1\tdep\t_\t_\n", 4, "not a tree"),
])
def test_conllu_malformed_input_names_file_and_line(en, tmp_path, bad, line, expected):
    path = tmp_path / "bad.conllu"
    path.write_text(GOOD + "\n" + bad, encoding="utf8")
    with pytest.raises(ValueError) as info:
        list(conllu_to_docs(read_lines(path), en, source=str(path)))
    assert isinstance(info.value, ConversionError)
    assert f"{path}:{line}:" in str(info.value)
    assert expected in str(info.value)


def test_read_lines_reports_bad_utf8(tmp_path):
    path = tmp_path / "x.conllu"
    path.write_bytes(b"# ok\n1\t\xff\n")
    with pytest.raises(ConversionError, match=r"x\.conllu:2: not valid UTF-8"):
        list(read_lines(path))


# -- the .fastpipe output -----------------------------------------------------------------------

def test_convert_file_reads_back_identically(en, tmp_path):
    stats = convert_file(SAMPLE, tmp_path / "out")
    out = tmp_path / "out" / "en_ewt-dev-sample.fastpipe"
    assert stats["output"] == out and out.exists()
    assert stats["converter"] == "conllu" and stats["sentences"] == 300 and stats["docs"] == 30
    expected = list(conllu_to_docs(read_lines(SAMPLE), en, source=str(SAMPLE)))
    assert stats["tokens"] == sum(len(d) for d in expected)
    from_disk = list(DocBin().from_disk(out).get_docs(en.vocab))
    for loaded in (from_disk, list(iter_docs(out, en.vocab))):
        assert len(loaded) == len(expected)
        for a, b in zip(expected, loaded):
            assert numpy.array_equal(a.to_array(ALL_ATTRS), b.to_array(ALL_ATTRS))
            assert a.text == b.text
            assert b.user_data["sent_ids"] == a.user_data["sent_ids"]
    assert [f.name for f in out.parent.iterdir()] == [out.name]


def test_failed_conversion_leaves_no_output(tmp_path):
    good = SAMPLE.read_text(encoding="utf8")
    path = tmp_path / "broken.conllu"
    # thousands of good sentences first, so the writer has flushed chunks before the error
    path.write_text(good * 10 + "\n1\tOops\t_\t_\t_\t_\tnot-a-head\t_\t_\t_\n", encoding="utf8")
    n_lines = (good * 10).count("\n") + 2
    out_dir = tmp_path / "out"
    with pytest.raises(ConversionError, match=rf"broken\.conllu:{n_lines}: HEAD 'not-a-head'"):
        convert_file(path, out_dir)
    assert list(out_dir.iterdir()) == []
    # an older output of the same name survives a failed conversion untouched
    (out_dir / "broken.fastpipe").write_bytes(b"old")
    with pytest.raises(ConversionError):
        convert_file(path, out_dir)
    assert [f.name for f in out_dir.iterdir()] == ["broken.fastpipe"]
    assert (out_dir / "broken.fastpipe").read_bytes() == b"old"


def test_convert_file_progress_and_errors(tmp_path):
    seen = []
    convert_file(SAMPLE, tmp_path, progress=seen.append)
    assert sum(seen) == SAMPLE.stat().st_size
    with pytest.raises(FileNotFoundError):
        convert_file(tmp_path / "missing.conllu", tmp_path)
    with pytest.raises(ValueError, match="Cannot pick a converter"):
        convert_file(SAMPLE.parent / "sample.txt", tmp_path)


def test_guess_converter():
    assert guess_converter("a/b.conllu") == "conllu"
    assert guess_converter("b.CONLL") == "conllu"
    assert guess_converter("b.iob") == "iob"
    assert guess_converter("b.tsv") == guess_converter("b.jsonl") == "textcat"
    with pytest.raises(ValueError, match=r"\.txt"):
        guess_converter("b.txt")


# -- iob ----------------------------------------------------------------------------------------

def test_iob_token_per_line_with_docstart_and_iob1(en, tmp_path):
    text = ("-DOCSTART- -X- O O\n\n"
            "EU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\ncall NN I-NP O\n\n"
            "Peter\tB-PER\nBlackburn\tI-PER\n\n"
            "-DOCSTART- -X- O O\n\n"
            "BRUSSELS I-LOC\n1996-08-22 O\n")
    docs = convert_text(text, "iob", en, tmp_path)
    assert [[t.text for t in d] for d in docs] == [
        ["EU", "rejects", "German", "call", "Peter", "Blackburn"], ["BRUSSELS", "1996-08-22"]]
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    assert [t.is_sent_start for t in docs[0]] == [True, False, False, False, True, False]
    assert [t.ent_iob_ for t in docs[1]] == ["B", "O"]
    assert len(convert_text(text.replace("-DOCSTART- -X- O O\n", ""), "iob", en, tmp_path,
                            n_sents=1)) == 3


def test_iob_sentence_per_line(en, tmp_path):
    text = "I|O like|O London|U-LOC and|O New|B-GPE York|L-GPE\nBob|PRP|B-PER ran|VBD|O\n"
    docs = convert_text(text, "iob", en, tmp_path, n_sents=1)
    assert len(docs) == 2
    assert [(e.text, e.label_) for e in docs[0].ents] == [("London", "LOC"), ("New York", "GPE")]
    assert [t.tag_ for t in docs[1]] == ["PRP", "VBD"]
    (doc,) = convert_text(text, "iob", en, tmp_path)
    assert [t.is_sent_start for t in doc][6] is True


@pytest.mark.parametrize("text,line,expected", [
    ("a O\nb B-X\n\nc FOO\n", 4, "entity tag 'FOO'"),
    ("a O\nlonely\n", 2, "expected a word and an entity tag"),
    ("a|O b|O\nc|O d\n", 2, "expected word|TAG"),
])
def test_iob_malformed(en, tmp_path, text, line, expected):
    with pytest.raises(ConversionError, match=rf"input\.txt:{line}: .*{expected}"):
        convert_text(text, "iob", en, tmp_path)


# -- textcat ------------------------------------------------------------------------------------

def test_textcat_tsv(en, tmp_path):
    text = "label\tsentence\n0\tnot good .\n1\tgreat fun\n\n2\tok\n"
    docs = convert_text(text, "textcat", en, tmp_path, name="x.tsv")
    assert [d.text for d in docs] == ["not good .", "great fun", "ok"]
    assert [t.text for t in docs[0]] == ["not", "good", "."]
    assert docs[0].cats == {"0": 1.0, "1": 0.0, "2": 0.0}
    assert docs[2].cats == {"0": 0.0, "1": 0.0, "2": 1.0}
    docs = convert_text("content\tLabel\nhello\tpos\n", "textcat", en, tmp_path, name="x.tsv")
    assert docs[0].cats == {"pos": 1.0} and docs[0].text == "hello"


def test_textcat_jsonl(en, tmp_path):
    lines = [{"text": "Good day!", "label": "POS"}, {"text": "Bad.", "label": "NEG"},
             {"text": "Both", "cats": {"POS": 0.5, "NEG": 0.5}}, {"text": "x", "cats": {"Q": 1}}]
    docs = convert_text("\n".join(json.dumps(x) for x in lines) + "\n", "textcat", en, tmp_path,
                        name="x.jsonl")
    assert [t.text for t in docs[0]] == ["Good", "day", "!"]
    assert docs[0].cats == {"POS": 1.0, "NEG": 0.0, "Q": 0.0}
    assert docs[2].cats == {"POS": 0.5, "NEG": 0.5, "Q": 0.0}
    assert docs[3].cats == {"POS": 0.0, "NEG": 0.0, "Q": 1.0}


@pytest.mark.parametrize("text,line,expected", [
    ("text\tscore\nhi\t1\n", 1, "label column"),
    ("label\ttext\n1\thi\n1\thi\tthere\n", 3, "expected 2 tab-separated columns"),
    ('{"text": "a", "label": "x"}\n{"text": "b"\n', 2, "not a JSON object"),
    ('{"text": "a", "label": "x"}\n\n{"text": "b"}\n', 3, '"label"'),
    ('{"text": "a", "cats": {"x": "yes"}}\n', 1, '"cats" must be'),
])
def test_textcat_malformed(en, tmp_path, text, line, expected):
    with pytest.raises(ConversionError, match=rf"input\.txt:{line}: .*{expected}"):
        convert_text(text, "textcat", en, tmp_path)


@pytest.mark.parametrize("path,n_rows", real_data(("sample", SST2_DEV_SAMPLE, 300),
                                                  full=[("full-dev", FULL_SST2_DEV, 872)]))
def test_textcat_sst2_file(en, tmp_path, path, n_rows):
    stats = convert_file(path, tmp_path)
    assert stats["converter"] == "textcat" and stats["docs"] == n_rows
    docs = list(iter_docs(stats["output"], en.vocab))
    rows = [line.split("\t") for line in path.read_text(encoding="utf8").splitlines()[1:]]
    assert [d.cats["1"] for d in docs] == [float(label == "1") for label, _ in rows]
