"""``fastpipe evaluate``: scores of a saved pipeline, printed and as JSON."""
import io
import json
import sys
from pathlib import Path

from click.testing import CliRunner

from fastpipe.cli import app
from fastpipe.cli.evaluate import evaluate_model, format_scores
from fastpipe.cli.train import train_from_config

sys.path.insert(0, str(Path(__file__).parents[1] / "training"))
from train_helpers import write_tagger_setup  # noqa: E402


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


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
