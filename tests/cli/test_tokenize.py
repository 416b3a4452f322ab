"""``fastpipe tokenize``: every non-empty line of a text file through the tokenizer, the counts
and speed printed, the Docs optionally saved as a .fastpipe corpus."""
import fastpipe
from fastpipe.cli.tokenize import tokenize_file
from fastpipe.tokens.docbin import DocBin
from tests.helpers.cli import run
from tests.helpers.data import TEXT_SAMPLE

LINES = ["I can't wait to see http://example.com!", "", "Mr. Smith's dog isn't here.", "  "]


def write_lines(path):
    path.write_text("\n".join(LINES) + "\n", encoding="utf8")
    return path


def test_tokenize_prints_counts_and_saves_the_docs(tmp_path):
    text_path = write_lines(tmp_path / "input.txt")
    out = tmp_path / "tokens.fastpipe"
    result = run("tokenize", text_path, "--output", out)
    assert result.exit_code == 0, result.output
    en = fastpipe.blank("en")
    expected = [en.tokenizer(line) for line in LINES if line.strip()]
    n_tokens = sum(len(doc) for doc in expected)
    assert f"2 lines, {n_tokens} tokens in " in result.output
    assert "tokens/sec" in result.output
    assert f"Saved 2 docs to {out}" in result.output
    docs = list(DocBin().from_disk(out).get_docs(en.vocab))
    assert [[t.text for t in d] for d in docs] == [[t.text for t in d] for d in expected]
    assert [d.text for d in docs] == [line for line in LINES if line.strip()]
    assert [t.text for t in docs[0]][:4] == ["I", "ca", "n't", "wait"]


def test_tokenize_lang_picks_the_rules(tmp_path):
    text_path = write_lines(tmp_path / "input.txt")
    out = tmp_path / "xx.fastpipe"
    result = run("tokenize", text_path, "--lang", "xx", "-o", out)
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(out).get_docs(fastpipe.blank("xx").vocab))
    assert [t.text for t in docs[0]][:3] == ["I", "can't", "wait"]  # no English contractions


def test_tokenize_file_counts_the_sample_and_repeats():
    stats = tokenize_file(TEXT_SAMPLE, repeat=2)
    lines = [line for line in TEXT_SAMPLE.read_text(encoding="utf8").splitlines() if line.strip()]
    en = fastpipe.blank("en")
    assert stats["lines"] == len(lines) == 300
    assert stats["tokens"] == sum(len(en.tokenizer(line)) for line in lines)
    assert stats["seconds"] > 0 and stats["tokens_per_second"] > 0


def test_tokenize_errors(tmp_path):
    result = run("tokenize", tmp_path / "missing.txt")
    assert result.exit_code == 1 and "Input file not found" in result.output
    assert "missing.txt" in result.output
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xff\xfe broken\n")
    result = run("tokenize", bad)
    assert result.exit_code == 1 and "not valid UTF-8" in result.output
    assert run("tokenize", bad, "--repeat", "0").exit_code == 2
    assert not list(tmp_path.glob("*.fastpipe"))
