"""``fastpipe info``: versions for a bug report, and what a saved pipeline holds."""
import json

import pytest

from fastpipe.cli.info import format_info, info_of, model_info
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import TAGS, train_toy_tagger


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    result, _ = train_toy_tagger(tmp_path_factory.mktemp("info"))
    return result.best_path


def test_system_info_names_the_versions():
    import numpy
    import thinc

    info = info_of()
    assert info["model"] is None
    assert info["system"]["thinc"] == thinc.__version__
    assert info["system"]["numpy"] == numpy.__version__
    result = run("info")
    assert result.exit_code == 0, result.output
    assert f"thinc     {thinc.__version__}" in result.output


def test_model_info_lists_components_labels_sizes_and_scores(model):
    info = model_info(model)
    assert info["pipeline"] == ["tok2vec", "tagger"]
    assert info["labels"] == {"tagger": TAGS}
    assert info["sizes"]["tok2vec"] > info["sizes"]["tagger"] > 0
    assert info["size"] == sum(info["sizes"].values())
    assert info["performance"]["tag_acc"] == 1.0
    text = format_info(info_of(model))
    assert "labels: tagger" in text and ", ".join(TAGS) in text
    assert "score: tag_acc       1.0000" in text


def test_info_cli_markdown_and_json(model):
    result = run("info", model, "--markdown")
    assert result.exit_code == 0, result.output
    assert "## pipeline" in result.output and "| **pipeline** | tok2vec, tagger |" in result.output
    result = run("info", model, "--json")
    assert json.loads(result.output)["model"]["labels"]["tagger"] == TAGS


def test_info_of_a_folder_without_a_pipeline(tmp_path):
    assert_one_clear_error(run("info", tmp_path), "E093", str(tmp_path))
