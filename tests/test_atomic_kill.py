"""Writers killed with SIGKILL: ``nlp.to_disk`` over an existing pipeline and ``fastpipe
convert`` over an existing corpus leave the target whole (the old version or the new one, never
half of one), at random moments and at the two worst ones (mid-write, between the two renames);
the next write removes what the dead writer left; the output lock dies with its holder.

The pipeline writers are forked from the test process (cheap, so several tries fit in a few
seconds); convert and the lock holder run as separate Python processes."""
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fastpipe
from fastpipe.cli.convert import convert_file
from fastpipe.language import Language
from fastpipe.tokens import DocBin
from fastpipe.util import OutputInUse, OutputLock
from tests.helpers.data import EWT_DEV_SLICE, EWT_TRAIN_SAMPLE, ROOT
from tests.helpers.tagger import config_from, nlp_section, tag_examples, tagger_component
from tests.test_util import hidden

FORK = multiprocessing.get_context("fork")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def nlp():
    """A tagger with a 20,000-row embedding (a save of about 6 MB, tens of ms) and an entity
    ruler whose pattern says which version of the pipeline was saved."""
    text = "\n".join(["", nlp_section(["tagger"]),
                      tagger_component(listener=False, embed_size=20000)])
    nlp = Language.from_config(config_from(text))
    nlp.initialize(lambda: tag_examples(nlp))
    nlp.add_pipe("entity_ruler")
    return nlp


def _mark(nlp, version: int) -> None:
    nlp.meta["name"] = f"v{version}"
    ruler = nlp.get_pipe("entity_ruler")
    ruler.clear()
    ruler.add_patterns([{"label": f"V{version}", "pattern": "tea"}])


def _version(path: Path) -> int:
    """The version of the pipeline at ``path``, checked whole: it loads, its meta.json and its
    ruler (written second and last) name the same version, and the tagger tags."""
    loaded = fastpipe.load(path)
    name = json.loads((path / "meta.json").read_text())["name"]
    doc = loaded("I like tea .")
    assert [ent.label_ for ent in doc.ents] == [name.upper()]
    assert all(token.tag_ for token in doc)
    return int(name[1:])


def _save_forever(nlp, path: Path, started) -> None:
    started.set()
    version = 1
    while True:
        _mark(nlp, version)
        nlp.to_disk(path)
        version += 1


def _kill_at(nlp, path: Path, moment: str) -> None:
    """Save version 1 and die by SIGKILL at ``moment``: "writing" (the temporary folder half
    full) or "renames" (the old folder renamed aside, the new one not yet in place)."""
    die = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)  # noqa: E731
    if moment == "writing":
        type(nlp.get_pipe("entity_ruler")).to_disk = die
    else:
        rename = Path.rename

        def rename_then_die(self, target):
            rename(self, target)
            if ".old-" in Path(target).name:
                die()

        Path.rename = rename_then_die
    _mark(nlp, 1)
    nlp.to_disk(path)


def _run_killed(target, args) -> int:
    proc = FORK.Process(target=target, args=args)
    proc.start()
    proc.join(30)
    return proc.exitcode


@pytest.mark.parametrize("moment", ["writing", "renames"])
def test_to_disk_killed_at_its_worst_moments_leaves_the_old_pipeline(nlp, tmp_path, moment):
    target = tmp_path / "model"
    _mark(nlp, 0)
    nlp.to_disk(target)
    assert _run_killed(_kill_at, (nlp, target, moment)) == -signal.SIGKILL
    # the dead writer's temporary folder, and in the second case the old folder set aside
    expected = [r"\.model\.\d+-[0-9a-f]{8}\.tmp"]
    if moment == "renames":
        assert not target.exists()
        expected.append(r"\.model\.old-\d+-[0-9a-f]{8}")
    left = hidden(tmp_path)
    assert len(left) == len(expected), left
    assert all(re.fullmatch(pattern, name) for pattern, name in zip(expected, left)), left
    assert _version(target) == 0  # loading puts a folder left aside back first
    _mark(nlp, 2)
    nlp.to_disk(target)
    assert hidden(tmp_path) == []  # the next save removed the dead writer's leftovers
    assert _version(target) == 2


@pytest.mark.slow
def test_to_disk_killed_at_random_moments_always_leaves_a_whole_pipeline(nlp, tmp_path):
    target = tmp_path / "model"
    _mark(nlp, 0)
    nlp.to_disk(target)
    rng = random.Random(0)
    left = set()
    for _ in range(8):
        started = FORK.Event()
        proc = FORK.Process(target=_save_forever, args=(nlp, target, started))
        proc.start()
        assert started.wait(10)
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        left.update(hidden(tmp_path))
        _version(target)  # old or new, whole
    assert left  # the kills left temporaries behind...
    _mark(nlp, 99)
    nlp.to_disk(target)
    assert hidden(tmp_path) == []  # ...which the next save removed
    assert _version(target) == 99


def test_to_disk_swaps_a_pipeline_whole_but_writes_among_other_files_in_place(nlp, tmp_path):
    target = tmp_path / "model"
    _mark(nlp, 0)
    nlp.to_disk(target)
    (target / "old_component").mkdir()  # a component of the saved pipeline, gone since
    meta = json.loads((target / "meta.json").read_text())
    (target / "meta.json").write_text(json.dumps({**meta, "pipeline": ["old_component"]}))
    _mark(nlp, 1)
    nlp.to_disk(target)
    assert sorted(p.name for p in target.iterdir()) == [
        "config.cfg", "entity_ruler", "meta.json", "tagger", "tokenizer", "vocab"]
    # a folder holding the user's own files is not swapped out: they stay
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("mine")
    _mark(nlp, 2)
    nlp.to_disk(project)
    assert (project / "notes.txt").read_text() == "mine" and _version(project) == 2


def _n_docs(path: Path) -> int:
    return len(DocBin().from_disk(path))


@pytest.mark.slow
def test_convert_killed_at_random_moments_leaves_the_old_or_the_new_corpus(tmp_path):
    source = tmp_path / "data.conllu"
    old_dir, new_dir, out = tmp_path / "old", tmp_path / "new", tmp_path / "corpus"
    shutil.copy(EWT_DEV_SLICE, source)
    old = convert_file(source, old_dir)["output"]
    shutil.copy(EWT_TRAIN_SAMPLE, source)
    new = convert_file(source, new_dir)
    n_old, n_new = _n_docs(old), _n_docs(new["output"])
    assert n_old != n_new
    rng = random.Random(0)
    left = set()
    for _ in range(3):
        out.mkdir(exist_ok=True)
        shutil.copy(old, out / old.name)  # a plain copy: it cleans nothing up
        proc = subprocess.Popen([sys.executable, "-m", "fastpipe", "convert", str(source),
                                 str(out)], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not any(name.endswith(".tmp") for name in hidden(out)):  # converting now
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.8 * new["seconds"]))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left.update(hidden(out))
        assert _n_docs(out / old.name) in (n_old, n_new)
    assert left
    convert_file(source, out)
    assert hidden(out) == [] and _n_docs(out / old.name) == n_new


HOLD_LOCK = ("import sys, time\nfrom fastpipe.util import OutputLock\n"
             "OutputLock(sys.argv[1]).__enter__()\nprint('locked', flush=True)\ntime.sleep(60)")


def test_the_output_lock_refuses_a_second_process_and_dies_with_its_holder(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], cwd=ROOT, env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        message = rf"\[E600\] {re.escape(str(out))} is in use .*\(pid {holder.pid}\)"
        with pytest.raises(OutputInUse, match=message):
            with OutputLock(out):
                pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with OutputLock(out):  # the lock went with the killed process
        pass
