"""``fastpipe benchmark speed`` and ``benchmark accuracy`` (= ``evaluate``)."""
import io
import json

import pytest

from fastpipe.cli.benchmark import benchmark_speed
from fastpipe.cli.evaluate import evaluate_model
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import train_toy_tagger


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("benchmark")
    result, _ = train_toy_tagger(folder)
    return result.best_path, folder / "dev.fastpipe"


def test_speed_times_each_batch_after_warmup(trained):
    model, dev = trained
    err = io.StringIO()
    result = benchmark_speed(model, dev, batch_size=4, n_batches=3, warmup=1, progress=err)
    speeds = result["words_per_second"]
    assert len(speeds) == 3 and all(s > 0 for s in speeds)
    assert result["min"] <= result["mean"] <= result["max"] and result["std"] >= 0
    assert "batch 3/3" in err.getvalue()


def test_speed_cli_reads_text_and_refuses_bad_settings(trained, tmp_path):
    model, _ = trained
    text = tmp_path / "in.txt"
    text.write_text("I like green apples .\n", encoding="utf8")
    result = run("benchmark", "speed", model, text, "--batch-size", 2, "--n-batches", 2,
                 "--warmup", 0)
    assert result.exit_code == 0, result.output
    assert "words/s (std" in result.output and "over 2 batches of 2 documents" in result.output
    assert_one_clear_error(run("benchmark", "speed", model, text, "--n-batches", 0), "E671",
                           "--n-batches")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n \n", encoding="utf8")
    assert_one_clear_error(run("benchmark", "speed", model, blank), "E670")


def test_accuracy_is_evaluate(trained, tmp_path):
    model, dev = trained
    out = tmp_path / "scores.json"
    result = run("benchmark", "accuracy", model, dev, "--output", out)
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert scores["tag_acc"] == evaluate_model(model, dev)["tag_acc"] == 1.0
