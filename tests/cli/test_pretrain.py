"""``fastpipe pretrain`` and ``fastpipe init fill-config --pretraining`` through Click's runner."""
import json

from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import write_tagger_setup
from tests.training.test_pretrain import CONFIG, write_raw_text


def setup(tmp_path):
    config_path = tmp_path / "config.cfg"
    config_path.write_text(CONFIG, encoding="utf8")
    return config_path, write_raw_text(tmp_path / "raw.jsonl", n=40)


def test_pretrain_help():
    result = run("pretrain", "--help")
    assert result.exit_code == 0
    for text in ("--resume-path", "--epoch-resume", "--skip-last", "--code", "--gpu-id",
                 "--paths.raw_text", "init_tok2vec"):
        assert text in result.output


def test_pretrain_writes_weights_and_resumes(tmp_path):
    config_path, raw = setup(tmp_path)
    out = tmp_path / "out"
    result = run("pretrain", config_path, out, "--paths.raw_text", raw)
    assert result.exit_code == 0, result.output
    assert "epoch 0:" in result.output and "epoch 1:" in result.output  # progress on stderr
    assert f"Saved the weights of 2 epoch(s) to {out}" in result.output
    assert sorted(p.name for p in out.glob("*.bin")) == ["model-last.bin", "model0.bin",
                                                         "model1.bin"]
    result = run("pretrain", config_path, out, "--paths.raw_text", raw, "-r", out / "model0.bin",
                 "--pretraining.max_epochs", "3", "--skip-last")
    assert result.exit_code == 0, result.output
    assert "epoch 0:" not in result.output and "epoch 2:" in result.output
    epochs = [json.loads(line)["epoch"] for line in (out / "log.jsonl").read_text().splitlines()]
    assert epochs == [0, 1, 2]


def test_pretrain_bad_input_is_one_clear_error(tmp_path):
    config_path, raw = setup(tmp_path)
    assert_one_clear_error(run("pretrain", config_path, tmp_path / "out"), "[E801]",
                           "--paths.raw_text")
    assert_one_clear_error(run("pretrain", config_path, tmp_path / "out", "--paths.raw_text",
                               tmp_path / "nothing.jsonl"), "[E802]", "nothing.jsonl")
    assert_one_clear_error(run("pretrain", config_path, tmp_path / "out", "--paths.raw_text",
                               raw, "--pretraining.component", "tagger2"), "[E528]", "tagger2")


def test_fill_config_pretraining_then_pretrain(tmp_path):
    """A config without [pretraining] gets spaCy's defaults from fill-config --pretraining,
    and fastpipe pretrain runs on the result."""
    config_path, _ = write_tagger_setup(tmp_path)
    filled = tmp_path / "filled.cfg"
    result = run("init", "fill-config", config_path, filled, "--pretraining")
    assert result.exit_code == 0, result.output
    text = filled.read_text()
    assert "[pretraining]" in text and "raw_text = null" in text
    assert '@architectures = "spacy.PretrainCharacters.v1"' in text
    raw = write_raw_text(tmp_path / "raw.jsonl", n=20)
    result = run("pretrain", filled, tmp_path / "out", "--paths.raw_text", raw,
                 "--pretraining.max_epochs", "1", "--pretraining.objective.hidden_size", "16")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "model0.bin").is_file()
    without = run("pretrain", config_path, tmp_path / "out2")
    assert_one_clear_error(without, "[E800]", "--pretraining")
