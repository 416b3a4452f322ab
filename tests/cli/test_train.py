"""``fastpipe train`` through Click's runner: overrides, the environment, --code, bad input."""
import pytest

from fastpipe.config import ENV_OVERRIDES
from fastpipe.language import load
from tests.helpers.cli import assert_one_clear_error, run, table_steps
from tests.helpers.data import EWT_DEV_SAMPLE
from tests.helpers.tagger import cli_paths, write_tagger_setup


def setup(tmp_path, extra=""):
    config_path, paths = write_tagger_setup(tmp_path, extra)
    return config_path, cli_paths(paths)


def test_train_help():
    result = run("train", "--help")
    assert result.exit_code == 0
    for text in ("--output", "--code", "--verbose", "--gpu-id", "FASTPIPE_CONFIG_OVERRIDES"):
        assert text in result.output


def test_train_saves_model_best_and_last(tmp_path):
    config_path, args = setup(tmp_path)
    out = tmp_path / "new" / "output"
    result = run("train", config_path, "--output", out, *args)
    assert result.exit_code == 0, result.output
    assert "LOSS TAGGER" in result.output and "TAG_ACC" in result.output
    assert table_steps(result.output) == [4, 8, 12]
    assert f"Saved the best pipeline to {out / 'model-best'}" in result.output
    assert load(out / "model-best").pipe_names == ["tok2vec", "tagger"]
    assert (out / "model-last" / "config.cfg").exists()


def test_train_without_output_saves_nothing(tmp_path):
    config_path, args = setup(tmp_path)
    result = run("train", config_path, *args)
    assert result.exit_code == 0, result.output
    assert "was not saved" in result.output
    assert not list(tmp_path.glob("**/model-best"))


def test_overrides_and_environment_precedence(tmp_path):
    config_path, args = setup(tmp_path)
    result = run("train", config_path, *args, "--training.max_steps", "8")
    assert table_steps(result.output) == [4, 8]
    env = {ENV_OVERRIDES: "--training.max_steps 4"}
    result = run("train", config_path, *args, "--training.max_steps", "8", env=env)
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [4]
    # a setting the file leaves to its default can be overridden as well
    result = run("train", config_path, *args, "--training.max_epochs", "1",
                 "--training.max_steps", "0")
    assert table_steps(result.output) == [4]


def test_verbose_logs_the_applied_overrides(tmp_path):
    config_path, args = setup(tmp_path)
    result = run("train", config_path, *args, "--training.max_steps", "4", "--verbose")
    assert result.exit_code == 0, result.output
    assert "Config override: training.max_steps = 4" in result.output


@pytest.mark.parametrize("edit,fragments", [
    (("[training]", "[trainig]"), ["[trainig]", "did you mean 'training'"]),
    (('lang = "en"\n', ""), ["[nlp] lang: missing required setting"]),
    (("max_steps = 12", 'max_steps = "many"'), ['[training] max_steps = "many": expected int']),
    (('"fastpipe.Tagger.v1"', '"fastpipe.Taggr.v1"'),
     ["registry 'architectures'", "'fastpipe.Tagger.v1'"]),
    (("patience = 0", "patience = 0\nfrozen_components = [\"ner\"]"),
     ["frozen_components", "'ner'", "not in the pipeline"]),
    (("train = null", "train = ${paths.dev}\nloop = ${paths.loop2}\nloop2 = ${paths.loop}"),
     ["Circular interpolation", "[paths] loop"]),
])
def test_bad_configs_give_one_clear_message(tmp_path, edit, fragments):
    config_path, args = setup(tmp_path)
    text = config_path.read_text()
    if edit[0] == "[training]":
        text = text.replace("[training]", "[trainig]").replace("[training.", "[trainig.")
    else:
        text = text.replace(*edit)
    config_path.write_text(text)
    result = run("train", config_path, *args)
    assert_one_clear_error(result, str(config_path), *fragments)


def test_empty_corpus_and_missing_files(tmp_path):
    from fastpipe.tokens import DocBin

    config_path, args = setup(tmp_path)
    empty = tmp_path / "empty.fastpipe"
    DocBin(docs=[]).to_disk(empty)
    result = run("train", config_path, *args, "--paths.train", empty)
    assert_one_clear_error(result, "empty.fastpipe", "no training examples")
    result = run("train", config_path, *args, "--paths.dev", tmp_path / "nothere.fastpipe")
    assert_one_clear_error(result, "nothere.fastpipe", "does not exist")
    result = run("train", tmp_path / "nothere.cfg")
    assert_one_clear_error(result, "E100", "nothere.cfg")


def test_unknown_override_and_stray_arguments(tmp_path):
    config_path, args = setup(tmp_path)
    result = run("train", config_path, *args, "--training.max_stepz", "3")
    assert_one_clear_error(result, "[training] max_stepz = 3", "'training.max_steps'")
    result = run("train", config_path, *args, "--outptu", "x")
    assert_one_clear_error(result, "'--outptu'")


def test_verbose_shows_the_traceback(tmp_path):
    config_path, args = setup(tmp_path)
    config_path.write_text(config_path.read_text().replace("max_steps = 12", 'max_steps = "x"'))
    result = run("train", config_path, *args, "--verbose")
    assert result.exit_code == 1
    assert "Traceback" in result.output and "expected int" in result.output


def test_code_file_errors_are_reported(tmp_path):
    config_path, args = setup(tmp_path)
    result = run("train", config_path, *args, "--code", tmp_path / "missing.py")
    assert_one_clear_error(result, "E105", "missing.py")
    broken = tmp_path / "broken.py"
    broken.write_text("import not_a_module_anywhere\n")
    result = run("train", config_path, *args, "--code", broken)
    assert_one_clear_error(result, "E106", "broken.py", "ModuleNotFoundError at line 1")


def test_ctrl_c_saves_model_last_and_exits_cleanly(tmp_path):
    code = tmp_path / "interrupt.py"
    code.write_text('''
from fastpipe.registry import registry

@registry.loggers("test.cli.interrupt.v1")
def interrupt():
    def setup(nlp):
        def log_step(info):
            if info is not None:
                raise KeyboardInterrupt
        return log_step, lambda: None
    return setup
''')
    config_path, args = setup(tmp_path)
    text = config_path.read_text().split("[training.logger]")[0]
    config_path.write_text(text + '[training.logger]\n@loggers = "test.cli.interrupt.v1"\n')
    result = run("train", config_path, "-o", tmp_path / "out", "--code", code, *args)
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output
    assert "Training interrupted at step 4" in result.output
    assert "model-last" in result.output
    assert load(tmp_path / "out" / "model-last").pipe_names == ["tok2vec", "tagger"]


def test_chained_loggers_from_the_config(tmp_path):
    log = tmp_path / "log.jsonl"
    config_path, args = setup(tmp_path)
    text = config_path.read_text().split("[training.logger]")[0]
    config_path.write_text(text + f'''[training.logger]
@loggers = "fastpipe.ChainLogger.v1"

[training.logger.*.console]
@loggers = "fastpipe.ConsoleLogger.v1"
progress_bar = false

[training.logger.*.jsonl]
@loggers = "fastpipe.JsonlLogger.v1"
path = "{log}"
''')
    result = run("train", config_path, *args)
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [4, 8, 12]
    assert len(log.read_text().splitlines()) == 3


@pytest.mark.slow
def test_init_train_evaluate_on_the_ewt_sample(tmp_path):
    """The README's flow: convert, init config, train, evaluate model-best."""
    import json

    assert run("convert", EWT_DEV_SAMPLE, tmp_path / "corpus", "-n", "5").exit_code == 0
    corpus = tmp_path / "corpus" / "en_ewt-dev-sample.fastpipe"
    assert run("init", "config", tmp_path / "config.cfg", "--pipeline", "tagger").exit_code == 0
    result = run("train", tmp_path / "config.cfg", "--output", tmp_path / "out",
                 "--paths.train", corpus, "--paths.dev", corpus,
                 "--training.max_steps", "200", "--training.eval_frequency", "100")
    assert result.exit_code == 0, result.output
    best_line = next(line for line in result.output.splitlines() if line.startswith("Best score"))
    best = float(best_line.split()[2])
    assert best > 0.6
    scores_path = tmp_path / "scores.json"
    result = run("evaluate", tmp_path / "out" / "model-best", corpus, "--output", scores_path)
    assert result.exit_code == 0, result.output
    assert json.loads(scores_path.read_text())["tag_acc"] == pytest.approx(best, abs=5e-4)


def test_output_that_is_a_file_is_refused(tmp_path):
    """E113 from train_from_config (Click refuses the same --output on the command line);
    nothing is trained and the file is untouched."""
    from fastpipe.cli.train import train_from_config

    config_path, paths = write_tagger_setup(tmp_path)
    out = tmp_path / "out.txt"
    out.write_text("keep me", encoding="utf8")
    with pytest.raises(NotADirectoryError, match=r"\[E113\]") as info:
        train_from_config(config_path, out, overrides=paths)
    assert f"Could not write {out}: it exists and is not a folder" in str(info.value)
    result = run("train", config_path, "--output", out, *cli_paths(paths))
    assert result.exit_code == 2 and "--output" in result.output and "is a file" in result.output
    assert out.read_text(encoding="utf8") == "keep me"


@pytest.mark.parametrize("missing,present", [("train", "dev"), ("dev", "train")])
def test_missing_corpus_path_names_the_setting(tmp_path, missing, present):
    """paths.train (or paths.dev) left null: one error that names the setting to give, and
    only that one (the meaning of the former E116: "Training was given no {what}; set
    {setting} in the config or on the command line")."""
    config_path, paths = write_tagger_setup(tmp_path)
    result = run("train", config_path, f"--paths.{present}", paths[f"paths.{present}"])
    assert_one_clear_error(result, f"paths.{missing}")
    assert f"paths.{present}" not in result.output, result.output
