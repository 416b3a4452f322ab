"""Training on a local Ray with 2 workers (slow; each test starts and stops its own Ray in a
subprocess, with a timeout, so a hang fails the test instead of stalling the run)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

import fastpipe  # noqa: E402
from fastpipe.cli.convert import convert_file  # noqa: E402
from fastpipe.cli.init import init_config  # noqa: E402
from fastpipe.cli.train import train_from_config  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT / "examples" / "data"
TIMEOUT = 240  # seconds for one Ray run, start-up and shut-down included


@pytest.fixture(scope="module")
def ewt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ewt")
    train = convert_file(DATA / "en_ewt-train-sample.conllu", folder)["output"]
    dev = convert_file(DATA / "en_ewt-dev-sample.conllu", folder)["output"]
    config = folder / "tagger.cfg"
    init_config(config, pipeline=["tagger"], optimize="efficiency")
    overrides = {"paths.train": str(train), "paths.dev": str(dev),
                 "training.eval_frequency": 100, "training.logger.progress_bar": False,
                 "training.optimizer.use_averages": True}
    return config, overrides


def _env():
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p),
                OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def run_ray(config, output, overrides, *extra, timeout=TIMEOUT):
    result_path = Path(output).parent / f"{Path(output).name}-result.json"
    cmd = [sys.executable, str(HERE / "ray_run.py"), str(config), str(output), str(result_path),
           json.dumps(overrides), *map(str, extra)]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(result_path.read_text())
    summary["wall"] = time.time() - start
    summary["stdout"] = proc.stdout
    return summary


def tag_acc(path, dev):
    from fastpipe.gold.corpus import Corpus

    nlp = fastpipe.load(path)
    return nlp.evaluate(list(Corpus(dev)(nlp)))["tag_acc"]


@pytest.mark.slow
def test_two_workers_match_single_process_accuracy(ewt, tmp_path):
    config, overrides = ewt
    overrides = dict(overrides, **{"training.max_steps": 400})
    single = train_from_config(config, tmp_path / "single", overrides=overrides)
    ray = run_ray(config, tmp_path / "ray", overrides, "--workers", 2)
    assert ray["error"] is None
    # the same number of global steps, each a batch of about as many words
    assert ray["steps"] >= 400 and abs(ray["words"] - single.words) < 0.1 * single.words
    assert "TAG_ACC" in ray["stdout"]
    dev = overrides["paths.dev"]
    single_acc = tag_acc(tmp_path / "single" / "model-last", dev)
    ray_acc = tag_acc(tmp_path / "ray" / "model-last", dev)
    assert ray_acc > 0.8
    assert abs(ray_acc - single_acc) <= 0.01, (ray_acc, single_acc)
    best = fastpipe.load(tmp_path / "ray" / "model-best")
    assert best.pipe_names == ["tok2vec", "tagger"]
    assert (tmp_path / "ray" / "model-last" / "config.cfg").exists()
    doc = best("The cat sat on the mat.")
    assert all(t.tag_ for t in doc)
    stats = ray["worker_stats"]
    assert set(stats) == {"0", "1"}
    assert all(s.get("grads_applied", 0) > 0 for s in stats.values())  # both own and apply


@pytest.mark.slow
@pytest.mark.parametrize("victim,on_failure", [(0, "continue"), (1, "stop")])
def test_killed_worker_training_goes_on_or_stops_cleanly(ewt, tmp_path, victim, on_failure):
    config, overrides = ewt
    overrides = dict(overrides, **{"training.max_steps": 500})
    out = tmp_path / "out"
    summary = run_ray(config, out, overrides, "--workers", 2, "--kill-rank", victim,
                      "--kill-after-steps", 60, "--on-failure", on_failure)
    assert summary["killed_at_steps"] is not None and summary["killed_at_steps"] < 500
    if on_failure == "continue":
        assert summary["error"] is None
        assert summary["steps"] >= 500  # the survivor trained to the end alone
    else:
        assert "died" in summary["error"] and "stop" in summary["error"]
        assert summary["steps"] < 500
    assert list(summary["lost"]) == [str(victim)]
    nlp = fastpipe.load(out / "model-last")
    assert tag_acc(out / "model-last", overrides["paths.dev"]) > 0.5
    assert nlp.pipe_names == ["tok2vec", "tagger"]


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_saves_model_last(ewt, tmp_path):
    config, overrides = ewt
    args = []
    for key, value in dict(overrides, **{"training.max_steps": 0}).items():
        args += [f"--{key}", json.dumps(value) if not isinstance(value, str) else value]
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "fastpipe", "ray", "train", str(config), "--output", str(out),
           "-n", "2", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=_env())
    try:
        deadline = time.time() + TIMEOUT
        while not (out / "model-best").exists() and time.time() < deadline:
            time.sleep(0.2)  # the first evaluation: training is under way
        assert (out / "model-best").exists()
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole group
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, output
    assert "Training interrupted" in output
    assert fastpipe.load(out / "model-last").pipe_names == ["tok2vec", "tagger"]
