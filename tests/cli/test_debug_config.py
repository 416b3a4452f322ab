"""``fastpipe debug config``, ``debug diff-config`` and ``init fill-config --diff``."""
from thinc.api import Config

from fastpipe.cli.debug_config import diff_config, registered_functions, variables
from fastpipe.cli.init import init_config
from tests.helpers.cli import run


def _starter(tmp_path, *changes):
    """init config's tagger config, with (old, new) text replacements."""
    path = tmp_path / "config.cfg"
    text = init_config(path, pipeline=["tagger"], force=True)
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf8")
    return path


def test_debug_config_prints_the_filled_config_functions_and_variables(tmp_path):
    path = _starter(tmp_path)
    result = run("debug", "config", path, "--show-functions", "--show-variables",
                 "--paths.train", "t.fastpipe")
    assert result.exit_code == 0, result.output
    filled = Config().from_str(result.output.split("\nRegistered functions:")[0],
                               interpolate=False)
    assert filled["nlp"]["disabled"] == [] and "tokenizer" in filled["nlp"]  # defaults added
    assert filled["paths"]["train"] == "t.fastpipe"  # the override applied
    assert "[training.optimizer] @optimizers = fastpipe.Adam.v1: fastpipe.ml.optimizers.Adam" \
        in result.output
    assert "corpora.train.path = ${paths.train} -> 't.fastpipe'" in result.output
    assert "is valid" in result.output


def test_debug_config_lists_every_problem(tmp_path):
    path = _starter(tmp_path, ("dropout = 0.1", "dropout = lots"),
                    ("max_steps = 20000", "max_step = 20000"))
    result = run("debug", "config", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "dropout" in result.output and "max_step" in result.output
    assert "is valid" not in result.output


def test_registered_functions_and_variables_of_a_small_config():
    config = {"paths": {"x": "a"}, "nlp": {"tokenizer": {"@tokenizers": "fastpipe.Tokenizer.v1"}},
              "y": {"z": "${paths.x}"}}
    [func] = registered_functions(config)
    assert (func["section"], func["registry"]) == ("nlp.tokenizer", "tokenizers")
    assert func["file"].endswith(".py:" + func["file"].split(":")[-1])
    assert variables(config) == [("y.z", "${paths.x}", "a")]


def test_diff_config_names_what_differs_from_init_config(tmp_path):
    assert diff_config(_starter(tmp_path)) == []
    path = _starter(tmp_path, ("dropout = 0.1", "dropout = 0.3"))
    assert diff_config(path, overrides={"training.patience": 7}) == [
        ("changed", "training.dropout", 0.1, 0.3), ("changed", "training.patience", 1600, 7)]
    result = run("debug", "diff-config", path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "~ training.dropout = 0.3 (default 0.1)"
    result = run("debug", "diff-config", path, "--optimize", "accuracy")
    assert "~ components.tok2vec.model.embed.width = 96 (default 256)" in result.output


def test_fill_config_diff_shows_what_filling_added(tmp_path):
    path = _starter(tmp_path)
    result = run("init", "fill-config", path, "--diff")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("---") and "+disabled = []" in lines
    assert not any(line.startswith("+[paths]") for line in lines)  # kept, so not in the diff
    out = tmp_path / "filled.cfg"
    result = run("init", "fill-config", path, out, "--diff")
    assert "+disabled = []" in result.output and out.exists()
