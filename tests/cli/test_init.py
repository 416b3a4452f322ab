"""``fastpipe init config`` and ``fastpipe init fill-config``."""
import pytest
from click.testing import CliRunner
from thinc.api import Config

from fastpipe.cli import app
from fastpipe.cli.init import fill_config, starter_config
from fastpipe.config import load_config, load_config_from_str
from fastpipe.language import Language


def run(*args, env=None):
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def test_init_help():
    for command in (["init", "--help"], ["init", "config", "--help"],
                    ["init", "fill-config", "--help"]):
        result = run(*command)
        assert result.exit_code == 0
    assert "--optimize" in run("init", "config", "--help").output


@pytest.mark.parametrize("pipeline", ["tagger", "textcat", "tagger,textcat",
                                      "textcat_multilabel,sentencizer", "tok2vec,tagger"])
@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_starter_configs_build(pipeline, optimize):
    text = starter_config("en", pipeline.split(","), optimize)
    nlp = Language.from_config(load_config_from_str(text))
    expected = pipeline.split(",")
    if "tagger" in expected and "tok2vec" not in expected:
        expected = ["tok2vec"] + expected
    if optimize == "accuracy" and "textcat" in pipeline and "tok2vec" not in expected:
        expected = ["tok2vec"] + expected
    assert nlp.pipe_names == expected


def test_efficiency_and_accuracy_differ():
    small = load_config_from_str(starter_config("en", ["tagger"], "efficiency"), interpolate=True)
    large = load_config_from_str(starter_config("en", ["tagger"], "accuracy"), interpolate=True)
    width = lambda c: c["components"]["tok2vec"]["model"]["encode"]["width"]  # noqa: E731
    assert width(small) < width(large)
    assert large["training"]["optimizer"]["use_averages"] is True


def test_init_config_writes_a_file(tmp_path):
    out = tmp_path / "config.cfg"
    result = run("init", "config", out, "--lang", "de", "--pipeline", "tagger,textcat")
    assert result.exit_code == 0, result.output
    config = load_config(out, interpolate=True)
    assert config["nlp"]["lang"] == "de"
    assert config["nlp"]["pipeline"] == ["tok2vec", "tagger", "textcat"]
    result = run("init", "config", out)
    assert result.exit_code == 1 and "--force" in result.output
    assert run("init", "config", out, "--force").exit_code == 0
    result = run("init", "config", "-", "-p", "textcat")
    assert result.exit_code == 0 and '[components.textcat]' in result.output


def test_components_not_available_yet_or_unknown():
    result = run("init", "config", "-", "--pipeline", "tagger,parser,ner,textcat")
    assert result.exit_code == 1
    assert "[E111] Component 'parser' is not available yet" in result.output
    assert "Traceback" not in result.output
    result = run("init", "config", "-", "--pipeline", "tagger,tager")
    assert result.exit_code == 1 and "[E112] Unknown component 'tager'" in result.output


def test_fill_config_fills_every_default(tmp_path):
    base = tmp_path / "base.cfg"
    base.write_text('[nlp]\nlang = "en"\npipeline = ["tagger"]\n\n[components]\n\n'
                    '[components.tagger]\nfactory = "tagger"\n')
    out = tmp_path / "filled.cfg"
    result = run("init", "fill-config", base, out)
    assert result.exit_code == 0, result.output
    filled = load_config(out, interpolate=True)
    tagger = filled["components"]["tagger"]
    assert tagger["model"]["@architectures"] == "fastpipe.Tagger.v1"
    assert "label_smoothing" in tagger
    assert filled["training"]["optimizer"]["beta1"] == 0.9
    assert filled["training"]["score_weights"] == {"tag_acc": 1.0}
    assert filled["corpora"]["train"]["@readers"] == "fastpipe.Corpus.v1"
    assert "max_epochs" in filled["training"] and "before_init" in filled["initialize"]
    # filling a filled config changes nothing
    again = fill_config(out)
    assert again == Config().from_disk(out, interpolate=False)


def test_fill_config_keeps_references_and_takes_overrides(tmp_path):
    base = tmp_path / "base.cfg"
    base.write_text(starter_config("en", ["tagger"]))
    result = run("init", "fill-config", base, "-", "--training.max_steps", "7")
    assert result.exit_code == 0, result.output
    assert "path = ${paths.train}" in result.output
    assert "max_steps = 7" in result.output
    result = run("init", "fill-config", base, "-", "--training.max_stepz", "7")
    assert result.exit_code == 1 and "max_stepz" in result.output
