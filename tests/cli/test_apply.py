"""``fastpipe apply``: a pipeline run over text, JSONL and corpora, saved as a .fastpipe file."""
import io
import json

import pytest

import fastpipe
from fastpipe.cli.apply import apply_pipeline, input_files
from fastpipe.tokens import Doc, DocBin
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import TAGGED, train_toy_tagger


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    result, _ = train_toy_tagger(tmp_path_factory.mktemp("apply"))
    return result.best_path


def _read(path):
    return list(DocBin().from_disk(path).get_docs(fastpipe.blank("en").vocab))


def test_apply_reads_every_input_kind_in_order(model, tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "a.txt").write_text(f"{TAGGED[0][0]}\n\n{TAGGED[1][0]}\n", encoding="utf8")
    (data / "b.jsonl").write_text(json.dumps({"body": TAGGED[2][0]}) + "\n", encoding="utf8")
    words = TAGGED[3][0].split()
    DocBin(docs=[Doc(fastpipe.blank("en").vocab, words=words)]).to_disk(data / "sub" / "c.spacy")
    (data / "notes.md").write_text("not read", encoding="utf8")
    assert [p.name for p in input_files(data)] == ["a.txt", "b.jsonl", "c.spacy"]
    out, err = tmp_path / "out" / "tagged.fastpipe", io.StringIO()
    stats = apply_pipeline(model, data, out, text_key="body", batch_size=2, progress=err)
    assert (stats["docs"], stats["words"]) == (4, 20)
    assert err.getvalue().startswith("\r4 docs, 20 words, ") and err.getvalue().endswith("\n")
    docs = _read(out)
    assert [d.text for d in docs] == [TAGGED[i][0] for i in range(4)]
    assert [[t.tag_ for t in d] for d in docs] == [tags for _, tags in TAGGED[:4]]


def test_apply_cli_with_worker_processes(model, tmp_path):
    data = tmp_path / "in.txt"
    data.write_text("\n".join(text for text, _ in TAGGED * 5) + "\n", encoding="utf8")
    out = tmp_path / "out.fastpipe"
    result = run("apply", model, data, out, "--n-process", 2, "--batch-size", 4)
    assert result.exit_code == 0, result.output
    assert "Saved 30 documents (150 words" in result.output
    assert "\r30 docs, 150 words, " in result.output  # the counter, on stderr
    assert [[t.tag_ for t in d] for d in _read(out)] == [tags for _, tags in TAGGED * 5]
    again = tmp_path / "again.fastpipe"  # Docs of a corpus go to the workers too
    result = run("apply", model, out, again, "-n", 2, "-b", 4)
    assert result.exit_code == 0, result.output
    assert [d.to_json() for d in _read(again)] == [d.to_json() for d in _read(out)]


def test_apply_refuses_bad_input_and_leaves_no_output(model, tmp_path):
    out = tmp_path / "out.fastpipe"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n["not", "an", "object"]\n', encoding="utf8")
    assert_one_clear_error(run("apply", model, bad, out), "E668", "bad.jsonl:2", "--text-key")
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n", encoding="utf8")
    assert_one_clear_error(run("apply", model, csv, out), "E667", "'.csv'")
    assert_one_clear_error(run("apply", model, tmp_path / "missing", out), "E666")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_clear_error(run("apply", model, empty, out), "E666")
    assert_one_clear_error(run("apply", model, bad, tmp_path / "out.spacy"), "E669")
    assert_one_clear_error(run("apply", model, bad, out, "--batch-size", 0), "E671")


def test_apply_releases_new_words_between_memory_zones(model, tmp_path, monkeypatch):
    """Every ZONE_SIZE documents the strings of new words are released, and the output still
    holds every word and tag (the writer copied each Doc before the zone ended)."""
    import fastpipe.cli.apply as apply_module

    monkeypatch.setattr(apply_module, "ZONE_SIZE", 3)
    new = [f"zq{chr(97 + i)}x" for i in range(len(TAGGED) * 3)]   # words the vocab never saw
    texts = [f"{text} {word}" for (text, _), word in zip(TAGGED * 3, new)]
    data = tmp_path / "in.txt"
    data.write_text("\n".join(texts) + "\n", encoding="utf8")
    out = tmp_path / "out.fastpipe"
    import fastpipe.language

    seen = []
    real_load = fastpipe.language.load

    def load(path):
        nlp = real_load(path)
        seen.append(nlp)
        return nlp

    monkeypatch.setattr(fastpipe.language, "load", load)
    stats = apply_pipeline(model, data, out, progress=io.StringIO())
    assert stats["docs"] == len(texts)
    assert [d.text for d in _read(out)] == texts
    assert [[t.tag_ for t in d][:-1] for d in _read(out)] == [tags for _, tags in TAGGED * 3]
    assert not any(word in seen[0].vocab.strings for word in new)
