"""Parameter keys and ownership for distributed training (no Ray needed)."""
import subprocess
import sys

import pytest

from fastpipe.parallel.params import ParamTable, assign_owners, reassign
from tests.helpers.cli import run
from tests.helpers.tagger import write_tagger_setup


def _tagger_nlp(tmp_path):
    from fastpipe.config import load_config
    from fastpipe.training.initialize import init_nlp

    config_path, overrides = write_tagger_setup(tmp_path)
    return init_nlp(load_config(config_path, overrides))


def test_keys_are_the_same_in_two_builds_and_cover_every_param(tmp_path):
    a, b = _tagger_nlp(tmp_path / "a"), _tagger_nlp(tmp_path / "b")
    ta, tb = ParamTable(a), ParamTable(b)
    assert ta.keys == tb.keys and len(ta) > 3
    # node ids differ between the builds; the keys do not depend on them
    assert {k[0] for k in ta.parts} != {k[0] for k in tb.parts}
    assert all(k.startswith(("tok2vec/", "tagger/")) for k in ta.keys)
    n_params = 0
    for _, proc in a.components:
        for node in proc.model.walk():
            n_params += sum(1 for n in node.param_names if node.has_param(n))
    assert len(ta) == n_params  # the listener adds no duplicate of the shared tok2vec
    assert ta.fingerprint() == tb.fingerprint()  # same seed, same weights
    key = ta.keys[0]
    tb.set(key, ta.get(key) + 1.0)
    assert ta.fingerprint() != tb.fingerprint()
    assert ta.fingerprint([k for k in ta.keys if k != key]) == \
        tb.fingerprint([k for k in tb.keys if k != key])


def test_set_copies_into_the_model_even_from_a_read_only_array(tmp_path):
    table = ParamTable(_tagger_nlp(tmp_path))
    key = table.keys[-1]
    before = table.get(key)
    value = before + 2.0
    value.flags.writeable = False
    table.set(key, value)
    assert table.get(key) is before and (table.get(key) == value).all()


def test_assign_owners_balances_and_reassign_moves_only_the_dead():
    sizes = {"a": 100, "b": 60, "c": 50, "d": 10, "e": 5}
    owners = assign_owners(sizes, [0, 1])
    assert set(owners) == set(sizes) and set(owners.values()) == {0, 1}
    load = {r: sum(sizes[k] for k, o in owners.items() if o == r) for r in (0, 1)}
    assert abs(load[0] - load[1]) <= 30
    assert assign_owners(dict(reversed(list(sizes.items()))), [1, 0]) == owners  # deterministic
    three = assign_owners(sizes, [0, 1, 2])
    after = reassign(three, sizes, [0, 2])
    assert all(after[k] == three[k] for k in sizes if three[k] != 1)
    assert all(r in (0, 2) for r in after.values())
    with pytest.raises(ValueError):
        reassign(three, sizes, [])


def test_base_package_and_cli_do_not_import_ray():
    code = ("import sys, fastpipe, fastpipe.cli, fastpipe.parallel, fastpipe.parallel.params; "
            "print('ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_ray_command_without_ray_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` fail
    result = run("ray", "train", "config.cfg")
    assert result.exit_code == 1
    assert "pip install fastpipe[ray]" in result.output


def test_ray_train_help():
    result = run("ray", "train", "--help")
    assert result.exit_code == 0
    for text in ("--n-workers", "--address", "--output", "--on-failure", "--code",
                 "--weight-prediction"):
        assert text in result.output
    assert "--async-beta1" not in result.output and "echo" not in result.output


def test_ray_train_passes_its_options_and_overrides(monkeypatch, tmp_path):
    import fastpipe.parallel
    from fastpipe.training.loop import TrainResult

    seen = {}

    def fake_ray_train(config_path, output_path, **kwargs):
        seen.update(kwargs, config_path=config_path, output_path=output_path)
        return TrainResult(nlp=None, steps=3)

    monkeypatch.setattr(fastpipe.parallel, "ray_train", fake_ray_train, raising=False)
    result = run("ray", "train", "config.cfg", "-n", "3", "--on-failure", "stop",
                 "--address", "10.0.0.1:6379", "--code", "functions.py",
                 "--weight-prediction", "0.5", "--training.max_steps", "7")
    assert result.exit_code == 0, result.output
    assert seen["n_workers"] == 3 and "async_beta1" not in seen
    assert seen["address"] == "10.0.0.1:6379" and str(seen["code_path"]) == "functions.py"
    assert seen["weight_prediction"] == 0.5
    assert seen["on_failure"] == "stop" and seen["overrides"] == {"training.max_steps": 7}
    bad = run("ray", "train", "config.cfg", "--weight-prediction", "-1")
    assert bad.exit_code == 2 and "--weight-prediction" in bad.output
    run("ray", "train", "config.cfg")
    assert seen["weight_prediction"] is None  # ray_train's default
    assert seen["address"] is None and seen["code_path"] is None  # a local Ray, no code


def test_ray_train_refuses_an_output_that_is_a_file(tmp_path):
    """E113, before any Ray is started."""
    from fastpipe.parallel import ray_train

    config_path, paths = write_tagger_setup(tmp_path)
    out = tmp_path / "out.txt"
    out.write_text("keep me", encoding="utf8")
    with pytest.raises(NotADirectoryError, match=r"\[E113\]") as info:
        ray_train(config_path, out, n_workers=2, overrides=paths)
    assert f"Could not write {out}: it exists and is not a folder" in str(info.value)
    assert out.read_text(encoding="utf8") == "keep me"


class _FakeRay:
    """Just enough of Ray for ``_Watch.loop``: workers that keep training and answer."""

    class exceptions:
        RayActorError = type("RayActorError", (Exception,), {})
        RayTaskError = type("RayTaskError", (Exception,), {})

    def __init__(self, on_wait=None):
        self.on_wait = on_wait
        self.waits = 0

    def wait(self, refs, num_returns=1, timeout=None):
        self.waits += 1
        if self.on_wait is not None:
            self.on_wait(self.waits)
        # status answers (dicts) are ready at once; the training runs never finish
        return ([r for r in refs if isinstance(r, dict)],
                [r for r in refs if not isinstance(r, dict)])

    def get(self, ref, timeout=None):
        return ref


class _FakeWorker:
    """Trains until the driver has waited 20 times, then is done."""

    def __init__(self, ray):
        self.status = self
        self.ray = ray

    def remote(self):
        return {"steps": self.ray.waits, "words": 10, "stats": {}, "reports": [],
                "done": self.ray.waits >= 20, "reason": ""}


def test_ctrl_c_lost_inside_a_ray_call_still_stops_the_driver_loop():
    import signal

    from fastpipe.parallel.driver import TrainResult, _note_sigint, _Watch

    def swallowed(n):  # Ctrl-C arrives during a Ray call that eats the KeyboardInterrupt
        if n == 3:
            try:
                signal.raise_signal(signal.SIGINT)
            except KeyboardInterrupt:
                pass

    ray = _FakeRay(on_wait=swallowed)
    watch = _Watch(ray, TrainResult(nlp=None), None, lambda info: None, status_timeout=1.0)
    watch.workers = {0: _FakeWorker(ray)}
    watch.runs = {0: object()}
    watch.alive = {0}
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with _note_sigint(watch.interrupted):
            watch.loop(poll_interval=0.0, on_failure="continue")
    assert watch.interrupted.is_set() and ray.waits <= 5
    assert signal.getsignal(signal.SIGINT) is before
