"""Loggers: the console table, the progress bar, JSONL lines, chaining, user setups."""
import io
import json

from fastpipe.registry import registry
from fastpipe.training.loggers import (chain_logger, console_logger, jsonl_logger, setup_logger,
                                       trained_components)


class _Proc:
    def __init__(self, trainable=True):
        self.is_trainable = trainable


class FakeNLP:
    def __init__(self, frozen=(), weights=None):
        self.config = {"training": {"frozen_components": list(frozen), "eval_frequency": 3,
                                    "score_weights": weights if weights is not None else
                                    {"tag_acc": 0.5, "cats_score": 0.5, "speed": None}}}
        self.pipeline = [("tok2vec", _Proc()), ("tagger", _Proc()), ("textcat", _Proc()),
                         ("sentencizer", _Proc(False))]


class TTY(io.StringIO):
    def isatty(self):
        return True


INFO = {"epoch": 1, "step": 200, "score": 0.8123, "losses": {"tok2vec": 1.5, "tagger": 20.25,
                                                              "textcat": 3.0},
        "other_scores": {"tag_acc": 0.91234, "cats_score": 0.7, "speed": 12345.0},
        "checkpoints": [(0.8123, 200)], "words": 5000, "wps": 2500.0, "seconds": 2.0}


def test_trained_components_skip_frozen_and_untrainable():
    assert trained_components(FakeNLP(frozen=["textcat"])) == ["tok2vec", "tagger"]


def test_console_table_has_loss_and_weighted_score_columns():
    out, err = io.StringIO(), io.StringIO()
    log_step, finalize = console_logger(progress_bar=False)(FakeNLP(frozen=["textcat"]),
                                                            stdout=out, stderr=err)
    log_step(None)
    log_step(INFO)
    finalize()
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["E", "#", "LOSS", "TOK2VEC", "LOSS", "TAGGER", "TAG_ACC",
                                "CATS_SCORE", "SCORE"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["1", "200", "1.50", "20.25", "91.23", "70.00", "0.81"]
    assert err.getvalue() == ""


def test_console_shows_missing_scores_as_dashes():
    out = io.StringIO()
    log_step, _ = console_logger(progress_bar=False)(FakeNLP(), stdout=out)
    log_step(dict(INFO, other_scores={"tag_acc": None}))
    assert out.getvalue().splitlines()[2].split()[-3:] == ["-", "-", "0.81"]


def test_progress_bar_on_a_terminal_only():
    out, err = io.StringIO(), TTY()
    log_step, finalize = console_logger(progress_bar=True)(FakeNLP(), stdout=out, stderr=err)
    for _ in range(3):
        log_step(None)
    assert "3/3" in err.getvalue() and "[" in err.getvalue()
    log_step(INFO)
    finalize()
    plain = io.StringIO()
    log_step, finalize = console_logger(progress_bar=True)(FakeNLP(), stdout=out, stderr=plain)
    log_step(None)
    finalize()
    assert plain.getvalue() == ""


def test_jsonl_logger_one_object_per_evaluation(tmp_path):
    path = tmp_path / "sub" / "log.jsonl"
    log_step, finalize = jsonl_logger(path)(FakeNLP())
    log_step(None)
    log_step(INFO)
    log_step(dict(INFO, step=400))
    finalize()
    finalize()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["step"] for r in records] == [200, 400]
    assert records[0]["losses"]["tagger"] == 20.25 and records[0]["wps"] == 2500.0
    log_step, finalize = jsonl_logger(path, append=True)(FakeNLP())
    log_step(INFO)
    finalize()
    assert len(path.read_text().splitlines()) == 3


def test_chain_logger_and_setups_without_streams(tmp_path):
    seen = []

    def plain_setup(nlp):  # a user logger that takes only nlp
        return seen.append, lambda: seen.append("done")

    out = io.StringIO()
    setup = chain_logger(console_logger(progress_bar=False), plain_setup)
    log_step, finalize = setup_logger(setup, FakeNLP(), out, io.StringIO())
    log_step(INFO)
    finalize()
    assert seen == [INFO, "done"]
    assert "SCORE" in out.getvalue()


def test_loggers_are_registered():
    for name in ("fastpipe.ConsoleLogger.v1", "fastpipe.JsonlLogger.v1", "fastpipe.ChainLogger.v1"):
        assert registry.has("loggers", name)
