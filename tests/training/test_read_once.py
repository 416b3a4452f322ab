"""`fastpipe train` reads its training corpus once: the documents nlp.initialize read serve
training's pass (Corpus.hold), with the same examples, order and results as reading twice."""
import io

import numpy

from fastpipe.cli.train import train_from_config
from fastpipe.config import load_config
from fastpipe.gold import corpus as corpus_module
from fastpipe.training.initialize import init_nlp
from fastpipe.training.loop import train
from tests.helpers.tagger import write_tagger_setup


def counting_reads(monkeypatch):
    seen = []
    read = corpus_module._read_docs

    def counting(path, vocab):
        seen.append(str(path))
        return read(path, vocab)

    monkeypatch.setattr(corpus_module, "_read_docs", counting)
    return seen


def weights(nlp):
    return [param.copy() for _, proc in nlp.components
            for node in proc.model.walk() for name in node.param_names
            for param in [node.get_param(name)]]


def test_the_training_corpus_is_read_once_with_the_same_results(tmp_path, monkeypatch):
    config_path, paths = write_tagger_setup(tmp_path)
    reads = counting_reads(monkeypatch)
    held = train_from_config(config_path, None, overrides=paths, stdout=io.StringIO(),
                             stderr=io.StringIO())
    assert reads.count(paths["paths.train"]) == 1
    assert held.nlp not in corpus_module._HELD  # released once training had its examples
    reads.clear()
    config = load_config(config_path, paths, interpolate=False)
    nlp = init_nlp(config)  # without holding: initialize and training read the file each
    twice = train(nlp, None, stdout=io.StringIO(), stderr=io.StringIO())
    assert reads.count(paths["paths.train"]) >= 2
    assert twice.checkpoints == held.checkpoints and twice.steps == held.steps == 12
    for a, b in zip(weights(held.nlp), weights(twice.nlp), strict=True):
        assert numpy.array_equal(a, b)


def test_streaming_training_holds_nothing(tmp_path, monkeypatch):
    config_path, paths = write_tagger_setup(tmp_path)
    reads = counting_reads(monkeypatch)
    result = train_from_config(config_path, None, overrides={**paths, "training.max_epochs": -1,
                                                             "training.max_steps": 0},
                               stdout=io.StringIO(), stderr=io.StringIO())
    assert result.steps == 4 and reads.count(paths["paths.train"]) >= 2
    assert result.nlp not in corpus_module._HELD
