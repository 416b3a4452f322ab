"""``fastpipe train --resume``: a run killed with SIGKILL in another process goes on from its last
checkpoint and ends with the same weights, to the bit, as a run that was never stopped; the
command-line forms and their refusals."""
import os
import signal
import subprocess
import sys
import time

import pytest

from fastpipe.cli.train import train_from_config
from fastpipe.language import load
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import cli_paths, write_tagger_setup

#: Steps sleep while FASTPIPE_TEST_STEP_SLEEP is set, so that the run can be killed midway; the
#: callback is in the config of every run, so a resumed run has the same config.
CODE = '''
import os
import time

from fastpipe.registry import registry


@registry.callbacks("test.resume.slow_steps.v1")
def slow_steps():
    def callback(nlp, info):
        time.sleep(float(os.environ.get("FASTPIPE_TEST_STEP_SLEEP", "0")))

    return callback
'''
EXTRA = ('\n[training.before_update]\n@callbacks = "test.resume.slow_steps.v1"\n')
STEPS = {"training.max_steps": 60, "training.eval_frequency": 6, "training.dropout": 0.1}


def setup(tmp_path):
    config, paths = write_tagger_setup(tmp_path, EXTRA)
    code = tmp_path / "slow.py"
    code.write_text(CODE, encoding="utf8")
    return config, {**paths, **STEPS}, code


def fastpipe_process(*args, sleep=None):
    env = dict(os.environ)
    env.pop("FASTPIPE_TEST_STEP_SLEEP", None)
    if sleep is not None:
        env["FASTPIPE_TEST_STEP_SLEEP"] = str(sleep)
    return subprocess.Popen([sys.executable, "-m", "fastpipe", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(path, process, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.02)


def saved_weights(folder):
    return {name: (folder / name / "model").read_bytes() for name in ("tok2vec", "tagger")}


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_bits(tmp_path):
    config, overrides, code = setup(tmp_path)
    out = tmp_path / "out"
    process = fastpipe_process("train", config, "--output", out, "--code", code,
                               *cli_paths(overrides), sleep=0.05)
    wait_for(out / "checkpoint" / "state.json", process)
    time.sleep(0.4)  # a few steps on, maybe in the middle of the next checkpoint
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not (out / "model-last").exists()

    # `fastpipe train --resume OUT`: the config saved in the checkpoint, --code again
    resumed = fastpipe_process("train", "--resume", out, "--code", code)
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert "Resumed from the checkpoint at step " in output and "Traceback" not in output
    assert (out / "model-best").is_dir() and load(out / "model-last").pipe_names == \
        ["tok2vec", "tagger"]

    whole = train_from_config(config, tmp_path / "whole", overrides=overrides, code_path=code)
    assert whole.steps == 60
    assert saved_weights(out / "model-last") == saved_weights(tmp_path / "whole" / "model-last")
    assert saved_weights(out / "model-best") == saved_weights(tmp_path / "whole" / "model-best")
    steps = [line.split('"step": ')[1].split(",")[0]
             for line in (out / "training_log.jsonl").read_text().splitlines()]
    assert steps == [str(step) for step in range(6, 61, 6)]


def test_resume_forms_and_refusals(tmp_path):
    config, overrides, code = setup(tmp_path)
    args = cli_paths(overrides)
    result = run("train", config, "--resume", "--code", code, *args)
    assert_one_clear_error(result, "E611", "--output")
    result = run("train", tmp_path, "--code", code)
    assert_one_clear_error(result, "E612", "is a folder", "--resume")
    result = run("train", "--resume", tmp_path / "nothing", "--code", code)
    assert_one_clear_error(result, "E610", "holds no checkpoint")
    out = tmp_path / "out"
    result = run("train", config, "-o", out, "--code", code, *args,
                 "--training.max_steps", 6)
    assert result.exit_code == 0, result.output
    result = run("train", "--resume", out, "-o", tmp_path / "elsewhere", "--code", code)
    assert_one_clear_error(result, "E618", "different folders")
    # the same command line with --resume, and a larger max_steps: it trains on
    result = run("train", config, "-o", out, "--resume", "--code", code, *args,
                 "--training.max_steps", 12)
    assert result.exit_code == 0, result.output
    assert "Resumed from the checkpoint at step 6." in result.output
    result = run("train", config, "-o", out, "--resume", "--code", code, *args,
                 "--training.dropout", 0.5)
    assert_one_clear_error(result, "E613", "training.dropout")
    assert "--resume" in run("train", "--help").output
