"""Real training of a text classifier on a slice of SST-2 (committed under examples/data)."""
import io

import pytest

from fastpipe.cli.convert import convert_file
from fastpipe.cli.init import init_config
from fastpipe.cli.train import train_from_config
from fastpipe.gold.corpus import Corpus
from fastpipe.language import load
from tests.helpers.data import SST2_DEV_SAMPLE, SST2_TRAIN_SAMPLE


@pytest.mark.slow
def test_textcat_beats_the_majority_class_on_held_out_sst2(tmp_path):
    corpus = tmp_path / "corpus"
    convert_file(SST2_TRAIN_SAMPLE, corpus, converter="textcat")
    convert_file(SST2_DEV_SAMPLE, corpus, converter="textcat")
    train_path = corpus / "sst2-train-sample.fastpipe"
    dev_path = corpus / "sst2-dev-sample.fastpipe"
    config_path = tmp_path / "config.cfg"
    init_config(config_path, lang="en", pipeline=["textcat"], optimize="efficiency")
    out = io.StringIO()
    result = train_from_config(config_path, tmp_path / "out", stdout=out, overrides={
        "paths.train": str(train_path), "paths.dev": str(dev_path),
        "training.max_steps": 400, "training.eval_frequency": 100})
    best = load(result.best_path)
    dev = list(Corpus(dev_path)(best))
    gold = [max(eg.reference.cats, key=eg.reference.cats.get) for eg in dev]
    majority = max(gold.count(label) for label in set(gold)) / len(gold)
    scores = best.evaluate(dev)
    assert scores["cats_acc"] > majority + 0.05, out.getvalue()
    assert scores["cats_score"] == pytest.approx(result.best_score)
