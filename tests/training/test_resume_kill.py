"""A process killed (SIGKILL) while it writes checkpoints, at several moments, always leaves a
checkpoint that reads back whole: its pipeline loads and its state restores."""
import subprocess
import sys
import time

import pytest

import fastpipe
from fastpipe.training.checkpoint import read_checkpoint
from tests.helpers.data import ROOT

#: Writes a checkpoint of a small trained tagger again and again, a step apart; says "ready"
#: after the first one.
WRITER = """
import sys
from pathlib import Path

from thinc.api import Adam

from fastpipe.training.checkpoint import write_checkpoint
from tests.training.test_resume_kill import tagger

nlp, examples = tagger()
optimizer = Adam(0.01)
for step in range(1, 100000):
    nlp.update(examples, sgd=optimizer)
    write_checkpoint(Path(sys.argv[1]) / "checkpoint", nlp, optimizer, {"step": step})
    if step == 1:
        print("ready", flush=True)
"""


def tagger():
    """The toy tagger, initialized, and its examples."""
    from fastpipe.language import Language
    from tests.helpers.tagger import STANDALONE_TAGGER_CONFIG, config_from, tag_examples

    nlp = Language.from_config(config_from(STANDALONE_TAGGER_CONFIG))
    nlp.initialize(lambda: tag_examples(nlp))
    return nlp, tag_examples(nlp)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.03, 0.1, 0.25])
def test_killed_checkpoint_writer_leaves_a_whole_checkpoint(tmp_path, delay):
    from thinc.api import Adam

    process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        time.sleep(delay)
    finally:
        process.kill()
        process.wait(timeout=30)
    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint is not None and checkpoint.step >= 1
    assert fastpipe.load(checkpoint.path / "model").pipe_names == ["tagger"]
    nlp, _ = tagger()
    optimizer = Adam(0.01)
    checkpoint.restore(nlp, optimizer)
    assert optimizer.mom1 and all(n == checkpoint.step for n in optimizer.nr_update.values())
