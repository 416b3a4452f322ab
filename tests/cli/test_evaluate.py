"""``fastpipe evaluate``: scores of a saved pipeline, printed and as JSON."""
import io
import json
import shutil

import pytest

import fastpipe
from fastpipe.cli.evaluate import evaluate_model, format_scores
from fastpipe.cli.train import train_from_config
from fastpipe.tokens import Doc, DocBin
from tests.helpers.cli import run
from tests.helpers.tagger import TAGGED, train_toy_tagger, write_tagger_setup


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """model-best of the toy tagger, and its dev corpus."""
    folder = tmp_path_factory.mktemp("trained")
    result, _ = train_toy_tagger(folder)
    assert result.best_score == 1.0
    return result.best_path, str(folder / "dev.fastpipe")


def test_evaluate_prints_and_saves_the_training_scores(tmp_path):
    config_path, paths = write_tagger_setup(tmp_path)
    result = train_from_config(config_path, tmp_path / "out", overrides=paths,
                               stdout=io.StringIO())
    scores_path = tmp_path / "scores" / "scores.json"
    cli = run("evaluate", result.best_path, paths["paths.dev"], "--output", scores_path)
    assert cli.exit_code == 0, cli.output
    assert "TAG" in cli.output and "SPEED" in cli.output
    scores = json.loads(scores_path.read_text())
    assert scores["tag_acc"] == result.best_score
    assert scores == {**evaluate_model(result.best_path, paths["paths.dev"]),
                      "speed": scores["speed"]}


def test_evaluate_errors(tmp_path):
    result = run("evaluate", tmp_path / "no-model", tmp_path / "no-data.fastpipe")
    assert result.exit_code == 1 and "no-data.fastpipe" in result.output
    assert "Traceback" not in result.output
    data = tmp_path / "data.fastpipe"
    data.write_bytes(b"")
    result = run("evaluate", tmp_path / "no-model", data)
    assert result.exit_code == 1 and "no-model" in result.output


def test_format_scores_lists_per_label_tables():
    lines = format_scores({"ents_f": 0.5, "speed": 1000.0, "ents_per_type": {
        "PER": {"p": 1.0, "r": 0.5, "f": 0.667}, "ORG": {"p": 0.0, "r": 0.0, "f": 0.0}}})
    text = "\n".join(lines)
    assert "NER F" in text and "50.00" in text and "1,000 words/s" in text
    assert "ENTS PER TYPE" in text and "PER" in text and "66.70" in text


def test_gold_preproc_scores_on_the_corpus_tokens(trained, tmp_path):
    """Words the tokenizer would split ("apples." is one gold word): tokenization scores
    below 1 from raw text, exactly 1 with --gold-preproc (the corpus's own words)."""
    model, _ = trained
    vocab = fastpipe.blank("en").vocab
    docs = []
    for text, tags in TAGGED:
        words = text.split()
        words[-2:] = [words[-2] + words[-1]]  # "apples" + "." -> "apples."
        docs.append(Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False],
                        tags=tags[:-1]))
    data = tmp_path / "glued.fastpipe"
    DocBin(docs=docs).to_disk(data)
    raw = evaluate_model(model, data)
    # token_acc (spaCy's definition) counts predicted tokens inside one gold token, which
    # "apples" and "." both are: only the span scores see the split
    assert raw["token_acc"] == 1.0 and raw["token_f"] < 1.0
    scores_path = tmp_path / "scores.json"
    result = run("evaluate", model, data, "--gold-preproc", "--output", scores_path)
    assert result.exit_code == 0, result.output
    gold = json.loads(scores_path.read_text())
    assert gold["token_acc"] == gold["token_f"] == 1.0
    result = run("evaluate", model, data, "-G", "--output", scores_path)
    assert json.loads(scores_path.read_text())["token_acc"] == 1.0


def test_code_is_imported_before_the_pipeline_is_loaded(trained, tmp_path):
    """A pipeline whose config names an architecture that only the --code file registers."""
    model, dev = trained
    custom = tmp_path / "model"
    shutil.copytree(model, custom)
    config = custom / "config.cfg"
    text = config.read_text(encoding="utf8")
    assert text.count('"fastpipe.Tagger.v1"') == 1
    config.write_text(text.replace('"fastpipe.Tagger.v1"', '"test.evaluate.code_tagger.v1"'),
                      encoding="utf8")
    code = tmp_path / "functions.py"
    code.write_text(
        "from fastpipe.registry import registry\n\n\n"
        "@registry.architectures('test.evaluate.code_tagger.v1')\n"
        "def code_tagger(tok2vec, nO=None):\n"
        "    return registry.get('architectures', 'fastpipe.Tagger.v1')(tok2vec, nO)\n",
        encoding="utf8")
    result = run("evaluate", custom, dev)
    assert result.exit_code == 1
    assert "test.evaluate.code_tagger.v1" in result.output and "Traceback" not in result.output
    scores_path = tmp_path / "scores.json"
    result = run("evaluate", custom, dev, "--code", code, "--output", scores_path)
    assert result.exit_code == 0, result.output
    scores = json.loads(scores_path.read_text())
    assert scores["tag_acc"] == evaluate_model(model, dev)["tag_acc"] == 1.0
    result = run("evaluate", custom, dev, "--code", tmp_path / "missing.py")
    assert result.exit_code == 1 and "E105" in result.output and "missing.py" in result.output
