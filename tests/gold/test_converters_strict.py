"""The converters refuse what they would otherwise lose or bend (issue 14): every case is a
coded error naming file:line, and `convert_file` leaves no output; any line ending reads."""
import io
import json

import numpy
import pytest

from fastpipe.cli.convert import convert_file
from fastpipe.gold.converters import CONVERTERS, ConversionError, read_lines
from fastpipe.gold.converters import _util
from tests.helpers.data import EWT_DEV_SAMPLE as SAMPLE
from tests.helpers.data import SST2_DEV_SAMPLE

ATTRS = ["ORTH", "SPACY", "LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD", "SENT_START", "ENT_IOB",
         "ENT_TYPE"]


def convert_bytes(data, converter, nlp, tmp_path, name="input.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return list(CONVERTERS[converter](read_lines(path), nlp, source=str(path)))


def same_docs(a, b):
    assert len(a) == len(b) and len(a) > 0
    for x, y in zip(a, b):
        assert x.text == y.text and x.cats == y.cats
        assert numpy.array_equal(x.to_array(ATTRS), y.to_array(ATTRS))


# -- line endings -------------------------------------------------------------------------------

@pytest.mark.parametrize("converter,path", [("conllu", SAMPLE), ("textcat", SST2_DEV_SAMPLE)])
@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_crlf_and_cr_only_files_read_as_lf(en, tmp_path, converter, path, ending):
    data = path.read_bytes()
    expected = convert_bytes(data, converter, en, tmp_path)
    got = convert_bytes(data.replace(b"\n", ending), converter, en, tmp_path)
    same_docs(expected, got)


def test_iob_cr_only(en, tmp_path):
    data = b"-DOCSTART- O\r\rEU B-ORG\rrejects O\r\rPeter B-PER\rBlackburn I-PER\r"
    (doc,) = convert_bytes(data, "iob", en, tmp_path)
    assert [(e.text, e.label_) for e in doc.ents] == [("EU", "ORG"), ("Peter Blackburn", "PER")]


@pytest.mark.parametrize("block", [1, 2, 3, 7])
def test_split_lines_across_blocks(monkeypatch, block):
    # a CRLF split between two blocks is one line end; a line longer than a block stays whole
    data = b"ab\r\ncd\r\r\nlong-line-longer-than-a-block\n\ne\rf"
    monkeypatch.setattr(_util, "PROGRESS_EVERY", block)
    read = []
    lines = list(_util._split_lines(io.BytesIO(data), read.append))
    assert lines == [b"ab", b"cd", b"", b"long-line-longer-than-a-block", b"", b"e", b"f"]
    assert sum(read) == len(data)


# -- CoNLL-U ------------------------------------------------------------------------------------

GOOD = ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tNER=O\n"
        "2\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\tNER=O\n")
ROOT = "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n"


@pytest.mark.parametrize("bad,line,code", [
    # a HEAD naming its own word (read before as a second root)
    (ROOT + "2\tyo\tyo\tX\tX\t_\t2\tdep\t_\t_\n", 5, "E622"),
    # IDs with a dot that are not empty nodes (dropped before as if they were)
    ("x.y\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n", 4, "E623"),
    (ROOT + "1.x\tghost\t_\t_\t_\t_\t_\t_\t_\t_\n", 5, "E623"),
    (ROOT + "1..1\tghost\t_\t_\t_\t_\t_\t_\t_\t_\n", 5, "E623"),
    # empty nodes out of place or out of order
    (ROOT + "5.1\tghost\t_\t_\t_\t_\t_\t_\t_\t_\n", 5, "E624"),
    (ROOT + "1.2\tghost\t_\t_\t_\t_\t_\t_\t_\t_\n", 5, "E624"),
    # MISC keys that matter given twice (the last NER= won before), SpaceAfter other than No
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tNER=B-PER|NER=O\n", 4, "E625"),
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tSpaceAfter=No|SpaceAfter=No\n", 4, "E625"),
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\tSpaceAfter=Yes\n", 4, "E626"),
    ("1-2\tcan't\t_\t_\t_\t_\t_\t_\t_\t_\n1\tca\tcan\tAUX\tMD\t_\t2\taux\t_\tSpaceAfter=No\n"
     "2\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_\n", 5, "E626"),
    # two roots in one sentence (merged into one Doc sentence before)
    (ROOT + "2\tyo\tyo\tX\tX\t_\t0\troot\t_\t_\n", 5, "E627"),
    # a multiword token's range line with annotation that would be dropped
    ("1-2\tcan't\tcan\t_\t_\t_\t_\t_\t_\t_\n1\tca\tcan\tAUX\tMD\t_\t2\taux\t_\t_\n"
     "2\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_\n", 4, "E628"),
    # numbers in other scripts or with a leading zero are not word numbers
    ("\u0661\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n", 4, "E315"),
    ("01\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n", 4, "E315"),
    ("1\tHi\thi\tINTJ\tUH\t_\t\u0660\troot\t_\t_\n", 4, "E319"),
    ("1-\u0662\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n", 4, "E315"),
    # wrong column counts, a trailing tab included
    ("1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\t\n", 4, "E314"),
])
def test_conllu_refuses_with_code_and_line(en, tmp_path, bad, line, code):
    path = tmp_path / "bad.conllu"
    path.write_text(GOOD + "\n" + bad, encoding="utf8")
    with pytest.raises(ConversionError) as info:
        list(CONVERTERS["conllu"](read_lines(path), en, source=str(path)))
    assert str(info.value).startswith(f"[{code}] {path}:{line}: ")
    assert info.value.line == line


def test_conllu_valid_empty_nodes_and_space_on_range_line(en, tmp_path):
    text = ("0.1\tghost\t_\t_\t_\t_\t_\t_\t1:dep\t_\n"
            "1-2\tcan't\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
            "1\tca\tcan\tAUX\tMD\t_\t2\taux\t_\t_\n"
            "2\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_\n"
            "2.1\tghost\t_\t_\t_\t_\t_\t_\t2:dep\t_\n2.2\tghost\t_\t_\t_\t_\t_\t_\t2:dep\t_\n"
            "3\t!\t!\tPUNCT\t.\t_\t2\tpunct\t_\t_\n")
    (doc,) = convert_bytes(text.encode(), "conllu", en, tmp_path)
    assert doc.text == "can't! " and [t.head.i for t in doc] == [1, 1, 1]


@pytest.mark.parametrize("text,line", [
    ("", 1), ("\n\n", 2), ("# sent_id = 1\n# text = nothing\n\n", 3),
    ("\ufeff# only a comment", 1)])
def test_conllu_without_sentences_says_so(en, tmp_path, text, line):
    path = tmp_path / "empty.conllu"
    path.write_text(text, encoding="utf8")
    with pytest.raises(ConversionError, match=rf"^\[E620\] .*empty\.conllu:{line}: .*no sentences"):
        list(CONVERTERS["conllu"](read_lines(path), en, source=str(path)))


# -- IOB and textcat ----------------------------------------------------------------------------

@pytest.mark.parametrize("converter,text,line,code", [
    ("iob", "", 1, "E620"),
    ("iob", "-DOCSTART- -X- O O\n\n", 2, "E620"),
    ("textcat", "", 1, "E621"),
    ("textcat", "\n\n", 2, "E621"),
    ("textcat", "label\ttext\n\n", 1, "E621"),
    ("textcat", "label\ttext\tclass\n1\thi\t2\n", 1, "E629"),
    ("textcat", "sentence\tlabel\ttext\nhi\t1\tho\n", 1, "E629"),
    ("textcat", '{"text": "a", "label": "x"}\n{"text": "b", "label": "x", "label": "y"}\n', 2,
     "E630"),
    ("textcat", '{"text": "a", "label": "x", "cats": {"x": 1.0}}\n', 1, "E631"),
])
def test_iob_and_textcat_refuse(en, tmp_path, converter, text, line, code):
    with pytest.raises(ConversionError) as info:
        convert_bytes(text.encode(), converter, en, tmp_path)
    assert str(info.value).startswith(f"[{code}] {tmp_path / 'input.txt'}:{line}: ")


# -- fastpipe convert ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,text", [
    ("empty.conllu", ""), ("self.conllu", ROOT + "2\tyo\tyo\tX\tX\t_\t2\tdep\t_\t_\n"),
    ("nothing.iob", "-DOCSTART- O\n"), ("header.tsv", "label\ttext\n"),
    ("twice.jsonl", json.dumps({"text": "a", "label": "x"})[:-1] + ', "text": "b"}\n')])
def test_convert_file_leaves_no_output_on_refused_input(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    out = tmp_path / "out"
    with pytest.raises(ConversionError, match=rf"{name}:\d+: "):
        convert_file(path, out)
    assert list(out.iterdir()) == []


def test_convert_file_cr_only_conllu(tmp_path):
    path = tmp_path / "mac.conllu"
    path.write_bytes(SAMPLE.read_bytes().replace(b"\n", b"\r"))
    stats = convert_file(path, tmp_path / "out")
    assert stats["sentences"] == 300 and stats["docs"] == 30
