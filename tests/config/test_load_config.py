"""Loading configs: interpolation, overrides (command line and environment), references,
cycles, --code, and the text form."""
import pytest
from thinc.api import Config

from fastpipe.config import (ENV_OVERRIDES, config_to_str, import_code, load_config,
                             load_config_from_str, parse_config_overrides, parse_override_args)
from fastpipe.errors import ConfigError
from fastpipe.registry import registry

BASE = """
[paths]
train = "train.fastpipe"
dev = ${paths.train}
name = "model-${system.seed}-${paths.train}"

[system]
seed = 3

[training]
max_steps = 10
dropout = 0.1
corpus_paths = ${paths}

[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.001
"""


def write(tmp_path, text=BASE, name="config.cfg"):
    path = tmp_path / name
    path.write_text(text, encoding="utf8")
    return path


def test_interpolation_of_values_inside_strings(tmp_path):
    config = load_config(write(tmp_path), interpolate=True)
    assert config["paths"]["dev"] == "train.fastpipe"
    assert config["paths"]["name"] == "model-3-train.fastpipe"


def test_interpolation_of_whole_sections(tmp_path):
    config = load_config(write(tmp_path), interpolate=True)
    assert config["training"]["corpus_paths"] == {
        "train": "train.fastpipe", "dev": "train.fastpipe", "name": "model-3-train.fastpipe"}


def test_uninterpolated_config_keeps_references(tmp_path):
    config = load_config(write(tmp_path))
    assert "${paths.train}" in config["paths"]["dev"]
    assert config.interpolate()["paths"]["dev"] == "train.fastpipe"


def test_overrides_apply_before_interpolation(tmp_path):
    overrides = {"paths.train": "other.fastpipe", "system.seed": 7}
    config = load_config(write(tmp_path), overrides, interpolate=True)
    assert config["paths"]["dev"] == "other.fastpipe"
    assert config["paths"]["name"] == "model-7-other.fastpipe"
    assert config["training"]["corpus_paths"]["train"] == "other.fastpipe"


def test_an_override_may_turn_a_block_off_with_null():
    text = '[nlp]\nlang = "en"\n\n[nlp.before_creation]\n@callbacks = "x.v1"\nn = 1\n'
    config = load_config_from_str(text, {"nlp.before_creation": None}, interpolate=False)
    assert config["nlp"]["before_creation"] is None
    with pytest.raises(ConfigError):  # a value that is neither a block nor null still fails
        load_config_from_str(text, {"nlp.before_creation": 3}, interpolate=False)


def test_override_values_are_parsed_like_config_values():
    args = ["--training.max_steps", "128", "--training.dropout=0.2", "--paths.train", "x.fastpipe",
            "--nlp.flag", "--nlp.pipeline", '["tagger","textcat"]', "--paths.dev", "null",
            "--a.b", "True", "--a.c", "-1"]
    assert parse_override_args(args) == {
        "training.max_steps": 128, "training.dropout": 0.2, "paths.train": "x.fastpipe",
        "nlp.flag": True, "nlp.pipeline": ["tagger", "textcat"], "paths.dev": None,
        "a.b": True, "a.c": -1}


@pytest.mark.parametrize("args", [["training.max_steps", "3"], ["--max_steps", "3"], ["--", "3"],
                                  ["--training.", "3"]])
def test_malformed_override_arguments_are_rejected(args):
    with pytest.raises(ConfigError, match=r"E104"):
        parse_override_args(args)


def test_environment_overrides_win_over_the_command_line():
    env = {ENV_OVERRIDES: "--training.max_steps 7 --paths.dev 'dev folder/d.fastpipe'"}
    overrides = parse_config_overrides(["--training.max_steps", "5", "--paths.train", "t"],
                                       environ=env)
    assert overrides == {"training.max_steps": 7, "paths.train": "t",
                         "paths.dev": "dev folder/d.fastpipe"}
    assert parse_config_overrides(["--training.max_steps", "5"], environ={}) == {
        "training.max_steps": 5}


def test_malformed_environment_overrides_name_the_variable():
    with pytest.raises(ConfigError, match=ENV_OVERRIDES):
        parse_config_overrides([], environ={ENV_OVERRIDES: "training.max_steps 3"})


def test_unknown_overrides_are_rejected_each_named(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path), {"training.max_step": 3, "trainig.dropout": 0.1,
                                      "training.max_steps": 4})
    text = str(info.value)
    assert "[E103]" in text and "2 of them" in text
    assert "[training] max_step = 3" in text and "'training.max_steps'" in text
    assert "[trainig] dropout = 0.1" in text
    assert len(info.value.errors) == 2


def test_a_section_cannot_be_overridden_with_a_value(tmp_path):
    with pytest.raises(ConfigError, match=r"\[training\] optimizer"):
        load_config(write(tmp_path), {"training.optimizer": 3})


def test_missing_references_are_named_with_suggestions(tmp_path):
    text = BASE.replace("dev = ${paths.train}", "dev = ${paths.trian}")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    text = str(info.value)
    assert "[paths] dev" in text and "${paths.trian}" in text and "'paths.train'" in text
    assert str(tmp_path / "config.cfg") in text


def test_circular_interpolation_is_reported_with_its_chain(tmp_path):
    text = BASE + "\n[loop]\na = ${loop.b}\nb = \"x ${loop.c}\"\nc = ${loop.a}\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    text = str(info.value)
    assert "[E107]" in text
    assert "[loop] a = ${loop.b} -> [loop] b" in text and "back to [loop] a" in text


def test_self_reference_through_a_section_is_circular(tmp_path):
    text = BASE + "\n[loop]\nall = ${loop}\n"
    with pytest.raises(ConfigError, match=r"E107.*\[loop\] all"):
        load_config(write(tmp_path, text))


def test_parse_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "[paths]\ntrain = 1\n[training\nx = 1\n"))
    assert "[E101]" in str(info.value) and "config.cfg" in str(info.value)
    assert "line  3" in str(info.value) or "line 3" in str(info.value)


def test_undefined_parent_section_is_named(tmp_path):
    with pytest.raises(ConfigError, match="trainig"):
        load_config(write(tmp_path, BASE + "\n[trainig.logger]\nx = 1\n"))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"E100.*nothere.cfg"):
        load_config(tmp_path / "nothere.cfg")


def test_config_to_str_writes_sections_depth_first_and_round_trips(tmp_path):
    config = load_config(write(tmp_path))
    text = config_to_str(config)
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers == ["[paths]", "[system]", "[training]", "[training.optimizer]"]
    assert Config().from_str(text, interpolate=False) == config
    assert load_config_from_str(text, interpolate=True) == load_config(write(tmp_path),
                                                                       interpolate=True)


def test_import_code_registers_functions(tmp_path):
    code = tmp_path / "functions.py"
    code.write_text("from fastpipe.registry import registry\n\n"
                    "@registry.misc('test.load_config.answer.v1')\n"
                    "def answer() -> int:\n    return 42\n", encoding="utf8")
    import_code(code)
    assert registry.resolve({"x": {"@misc": "test.load_config.answer.v1"}})["x"] == 42
    assert import_code(None) is None


def test_import_code_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(ConfigError, match=r"E105.*missing.py"):
        import_code(tmp_path / "missing.py")
    broken = tmp_path / "broken.py"
    broken.write_text("x = 1\ndef f(:\n", encoding="utf8")
    with pytest.raises(ConfigError, match=r"E106.*broken.py.*SyntaxError at line 2"):
        import_code(broken)
    failing = tmp_path / "failing.py"
    failing.write_text("x = 1\n\nraise RuntimeError('no GPU here')\n", encoding="utf8")
    with pytest.raises(ConfigError, match=r"E106.*RuntimeError at line 3: no GPU here"):
        import_code(failing)


def test_settings_left_to_their_defaults_can_be_overridden(tmp_path):
    text = ('[paths]\ntrain = "t.fastpipe"\n\n[nlp]\nlang = "en"\npipeline = ["tagger"]\n\n'
            '[components]\n\n[components.tagger]\nfactory = "tagger"\n')
    overrides = {"training.max_epochs": 3,                   # fastpipe's default config
                 "corpora.train.shuffle": True,              # a reader's default argument
                 "components.tagger.label_smoothing": 0.1,   # a factory's default setting
                 "components.tagger.model.nO": 12}           # an architecture's default
    config = load_config(write(tmp_path, text), overrides)
    assert config["training"]["max_epochs"] == 3
    assert config["corpora"]["train"]["shuffle"] is True
    assert config["corpora"]["train"]["path"] == "${paths.train}"
    assert config["components"]["tagger"]["label_smoothing"] == 0.1
    assert config["components"]["tagger"]["model"]["nO"] == 12
    with pytest.raises(ConfigError, match=r"\[corpora.train\] shufle"):
        load_config(write(tmp_path, text), {"corpora.train.shufle": True})
