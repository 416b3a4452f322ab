"""fastpipe runs on the CPU only: a GPU id is refused with one sentence and exit code 1, before
anything is written; -1 (spaCy's default) and a config's [system] gpu_allocator still work."""
import io

import pytest

from fastpipe.cli.evaluate import evaluate_model
from fastpipe.cli.train import train_from_config
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import cli_paths, write_tagger_setup


def refusal(gpu_id: int) -> str:
    return (f"[E128] fastpipe runs on the CPU only: --gpu-id {gpu_id} asks for a GPU; leave "
            "it out (or pass -1).")


@pytest.mark.parametrize("flag,gpu_id", [("--gpu-id", 0), ("-g", 1)])
def test_train_refuses_a_gpu_and_writes_nothing(tmp_path, flag, gpu_id):
    config_path, paths = write_tagger_setup(tmp_path)
    out = tmp_path / "out"
    result = run("train", config_path, "--output", out, flag, gpu_id, *cli_paths(paths))
    assert_one_clear_error(result, refusal(gpu_id))
    assert "Saved" not in result.output and "LOSS" not in result.output
    assert not out.exists()


def test_train_from_config_refuses_a_gpu(tmp_path):
    config_path, paths = write_tagger_setup(tmp_path)
    with pytest.raises(ValueError) as err:
        train_from_config(config_path, tmp_path / "out", overrides=paths, use_gpu=0,
                          stdout=io.StringIO())
    assert str(err.value) == refusal(0)
    assert not (tmp_path / "out").exists()


def test_ray_train_refuses_a_gpu(tmp_path):
    config_path, paths = write_tagger_setup(tmp_path)
    out = tmp_path / "out"
    result = run("ray", "train", config_path, "--output", out, "--gpu-id", "0",
                 *cli_paths(paths))
    assert_one_clear_error(result, refusal(0))
    assert not out.exists()


def test_evaluate_refuses_a_gpu(tmp_path):
    scores = tmp_path / "scores.json"
    # the refusal comes first: the pipeline and the corpus are not even read
    result = run("evaluate", tmp_path / "no-model", tmp_path / "no-corpus", "--output", scores,
                 "--gpu-id", "0")
    assert_one_clear_error(result, refusal(0))
    assert not scores.exists()
    with pytest.raises(ValueError, match="runs on the CPU only"):
        evaluate_model(tmp_path / "no-model", tmp_path / "no-corpus", use_gpu=2)


@pytest.mark.parametrize("allocator", ["null", '"pytorch"'])
def test_cpu_training_with_gpu_id_minus_one_and_any_allocator(tmp_path, allocator):
    """--gpu-id -1 is the CPU, as in spaCy; [system] gpu_allocator only matters on a GPU, so a
    config that names one (spaCy's often do) trains on the CPU as it is."""
    config_path, paths = write_tagger_setup(
        tmp_path, f"\n[system]\nseed = 0\ngpu_allocator = {allocator}\n")
    out = tmp_path / "out"
    result = run("train", config_path, "--output", out, "--gpu-id", "-1", *cli_paths(paths),
                 "--training.max_steps", "4")
    assert result.exit_code == 0, result.output
    assert (out / "model-last" / "config.cfg").exists()
    result = run("evaluate", out / "model-last", paths["paths.dev"], "--gpu-id", "-1")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", [("train",), ("ray", "train")])
def test_help_says_cpu_only(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "--gpu-id" in result.output and "CPU only" in " ".join(result.output.split())
