"""``fastpipe convert`` through Click's test runner."""
import fastpipe
from fastpipe.tokens.docbin import DocBin
from tests.helpers.cli import run
from tests.helpers.data import EWT_DEV_SAMPLE as SAMPLE


def test_convert_help():
    result = run("convert", "--help")
    assert result.exit_code == 0
    for option in ("--converter", "--n-sents", "--lang", "conllu", "iob", "textcat"):
        assert option in result.output


def test_convert_conllu(tmp_path, en):
    result = run("convert", SAMPLE, tmp_path / "corpus", "-n", "5")
    assert result.exit_code == 0, result.output
    out = tmp_path / "corpus" / "en_ewt-dev-sample.fastpipe"
    assert "60 docs, 300 sentences" in result.output and str(out) in result.output
    docs = list(DocBin().from_disk(out).get_docs(en.vocab))
    assert len(docs) == 60
    assert sum(len(list(d.sents)) for d in docs) == 300
    assert docs[0][2].ent_type_ == "ORG" and docs[0][3].dep_ == "root"


def test_convert_iob_and_textcat(tmp_path, en):
    iob = tmp_path / "ner.iob"
    iob.write_text("Ann B-PER\nsmiles O\n\nBob|B-PER runs|O\n", encoding="utf8")
    result = run("convert", iob, tmp_path, "--converter", "iob")
    assert result.exit_code != 0  # the second half is in the other layout: a malformed line
    assert f"{iob}:4:" in result.output
    iob.write_text("Ann B-PER\nsmiles O\n\nBob B-PER\nruns O\n", encoding="utf8")
    result = run("convert", iob, tmp_path, "-n", "1")
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(tmp_path / "ner.fastpipe").get_docs(en.vocab))
    assert [d.text for d in docs] == ["Ann smiles", "Bob runs"]
    tsv = tmp_path / "sentiment.tsv"
    tsv.write_text("label\tsentence\n0\tbad film\n1\tgood film\n", encoding="utf8")
    result = run("convert", tsv, tmp_path)
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(tmp_path / "sentiment.fastpipe").get_docs(en.vocab))
    assert [d.cats for d in docs] == [{"0": 1.0, "1": 0.0}, {"0": 0.0, "1": 1.0}]


def test_convert_errors(tmp_path):
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tHi\thi\tINTJ\tUH\t_\t7\troot\t_\t_\n", encoding="utf8")
    result = run("convert", bad, tmp_path / "out")
    assert result.exit_code == 1
    assert f"{bad}:1: HEAD 7 is outside the sentence" in result.output
    assert not (tmp_path / "out" / "bad.fastpipe").exists()
    assert list((tmp_path / "out").iterdir()) == []
    result = run("convert", tmp_path / "missing.conllu", tmp_path)
    assert result.exit_code == 1 and "not found" in result.output
    odd = tmp_path / "data.txt"
    odd.write_text("x\n", encoding="utf8")
    result = run("convert", odd, tmp_path)
    assert result.exit_code == 1 and "--converter" in result.output
    result = run("convert", SAMPLE, tmp_path, "--converter", "nope")
    assert result.exit_code == 2


def test_convert_lang_picks_the_tokenizer_of_textcat_texts(tmp_path):
    tsv = tmp_path / "reviews.tsv"
    tsv.write_text("label\ttext\npos\tI can't stop watching it.\nneg\tIt isn't good.\n",
                   encoding="utf8")
    result = run("convert", tsv, tmp_path / "en")
    assert result.exit_code == 0, result.output
    en_docs = list(DocBin().from_disk(tmp_path / "en" / "reviews.fastpipe").get_docs(
        fastpipe.blank("en").vocab))
    assert [t.text for t in en_docs[0]] == ["I", "ca", "n't", "stop", "watching", "it", "."]
    for option in ("--lang", "-l"):
        out = tmp_path / option.strip("-")
        result = run("convert", tsv, out, option, "xx")
        assert result.exit_code == 0, result.output
        docs = list(DocBin().from_disk(out / "reviews.fastpipe").get_docs(
            fastpipe.blank("xx").vocab))
        # the generic rules split no English contractions
        assert [t.text for t in docs[0]] == ["I", "can't", "stop", "watching", "it", "."]
        assert [t.text for t in docs[1]] == ["It", "isn't", "good", "."]
        assert [d.cats for d in docs] == [d.cats for d in en_docs]
