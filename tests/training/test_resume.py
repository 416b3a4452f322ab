"""Resuming an interrupted training run from its checkpoint gives the weights, to the bit, of a
run that never stopped: a tagger + parser on EWT sample sentences, with dropout, with
accumulate_gradient, a compounding batch size, a learning-rate schedule and parameter averages,
and checkpoints between evaluations, a streamed corpus; Ctrl-C; the training log; what resuming
refuses."""
import io
import json
import os
import signal

import pytest

import fastpipe
from fastpipe.cli.train import train_from_config
from fastpipe.errors import ConfigError
from fastpipe.registry import registry
from fastpipe.training.checkpoint import CHECKPOINT_DIR, parameter_names
from fastpipe.training.training_log import LOG_FILE
from tests.helpers.data import EWT_DEV_SAMPLE, EWT_TRAIN_SAMPLE
from tests.helpers.tagger import nlp_section, tagger_component, tok2vec_component


@pytest.fixture(autouse=True)
def ctrl_c_reaches_python():
    """SIGINT raises KeyboardInterrupt, as in an interactive Python, also where the tests were
    started with SIGINT ignored (a background job, nohup); the handler is put back after."""
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


#: Training stops at this step when set: KeyboardInterrupt before its update, or (``signal``) a
#: SIGINT, as Ctrl-C sends, before its update. The config names the callback in both runs, so
#: the resumed run has the same config.
STOP = {"at": None, "signal": False}


@registry.callbacks("test.resume.stop_at.v1")
def stop_at():
    def callback(nlp, info):
        if STOP["at"] is not None and info["step"] == STOP["at"]:
            if STOP["signal"]:
                os.kill(os.getpid(), signal.SIGINT)
            else:
                raise KeyboardInterrupt

    return callback


PARSER = """
[components.parser]
factory = "parser"

[components.parser.model]
@architectures = "fastpipe.TransitionBasedParser.v1"
state_type = "parser"
extra_state_tokens = false
hidden_width = 32
maxout_pieces = 2
use_upper = true

[components.parser.model.tok2vec]
@architectures = "fastpipe.Tok2VecListener.v1"
width = ${components.tok2vec.model.width}
"""

TRAINING = """
[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "fastpipe.Corpus.v1"
path = ${paths.dev}

[training]
seed = 7
dropout = 0.2
max_steps = 16
eval_frequency = 4
patience = 0

[training.before_update]
@callbacks = "test.resume.stop_at.v1"

[training.optimizer]
@optimizers = "Adam.v1"

[training.batcher]
@batchers = "fastpipe.batch_by_words.v1"
BATCH_SIZE

[training.logger]
@loggers = "fastpipe.ConsoleLogger.v1"
progress_bar = false

[training.score_weights]
tag_acc = 0.5
dep_las = 0.5
"""

FIXED_SIZE = "size = 120"
#: accumulate_gradient, a compounding batch size, a learning-rate warm-up, parameter averages
#: and checkpoints every 3 steps (between the evaluations every 4).
HARDER = """
[training.batcher.size]
@schedules = "compounding.v1"
start = 40
stop = 200
compound = 1.2

[training.optimizer.learn_rate]
@schedules = "warmup_linear.v1"
warmup_steps = 5
total_steps = 40
initial_rate = 0.005
"""
HARDER_OVERRIDES = {"training.accumulate_gradient": 2, "training.checkpoint_frequency": 3,
                    "training.optimizer.use_averages": True}


def write_ewt_setup(folder, extra=FIXED_SIZE):
    """The tagger + parser config and 40 training and 20 dev sentences of the EWT samples,
    five to a document. ``extra`` is the batch size setting or the sections of HARDER."""
    import fastpipe
    from fastpipe.gold.converters import CONVERTERS
    from fastpipe.tokens import DocBin

    nlp = fastpipe.blank("en")
    paths = {}
    for name, source, n in (("train", EWT_TRAIN_SAMPLE, 40), ("dev", EWT_DEV_SAMPLE, 20)):
        lines, sentences = [], 0
        for line in source.read_text(encoding="utf8").splitlines():
            lines.append(line)
            sentences += not line.strip()
            if sentences == n:
                break
        docs = CONVERTERS["conllu"](lines, nlp.vocab, source=str(source), n_sents=5)
        paths[f"paths.{name}"] = str(folder / f"{name}.fastpipe")
        DocBin(docs=list(docs)).to_disk(paths[f"paths.{name}"])
    config = "\n".join(["\n[paths]\ntrain = null\ndev = null\n",
                        nlp_section(["tok2vec", "tagger", "parser"]), tok2vec_component(300),
                        tagger_component(), PARSER,
                        TRAINING.replace("BATCH_SIZE", FIXED_SIZE if extra == FIXED_SIZE else ""),
                        "" if extra == FIXED_SIZE else extra])
    (folder / "config.cfg").write_text(config, encoding="utf8")
    return folder / "config.cfg", paths


def weights(nlp):
    """Every parameter of the pipeline, named as checkpoints name them."""
    names = parameter_names(nlp)
    params = {}
    for _, proc in nlp.components:
        for node in proc.model.walk():
            for param in node.param_names:
                if node.has_param(param):
                    params[f"{names[node.id]}:{param}"] = node.get_param(param).copy()
    return params


def assert_same_bits(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), name


def train(config, out, overrides, resume=False, stop_at=None, ctrl_c=False):
    STOP["at"], STOP["signal"] = stop_at, ctrl_c
    try:
        return train_from_config(config, out, overrides=overrides, stdout=io.StringIO(),
                                 resume=resume)
    finally:
        STOP["at"], STOP["signal"] = None, False


def log_lines(out):
    """The training log without the timings."""
    lines = [json.loads(line) for line in (out / LOG_FILE).read_text().splitlines()]
    for line in lines:
        del line["seconds"]
        line["scores"].pop("speed")
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("extra,overrides,stop",
                         [(FIXED_SIZE, {}, 11), (HARDER, HARDER_OVERRIDES, 12)],
                         ids=["dropout", "accumulate-schedules-averages"])
def test_resumed_run_ends_with_the_same_bits(tmp_path, extra, overrides, stop):
    config, paths = write_ewt_setup(tmp_path, extra)
    overrides = {**paths, **overrides}
    whole = train(config, tmp_path / "whole", overrides)
    assert whole.steps == 16 and not whole.interrupted

    cut = train(config, tmp_path / "cut", overrides, stop_at=stop)
    assert cut.interrupted and cut.steps == stop - 1
    state = json.loads((tmp_path / "cut" / CHECKPOINT_DIR / "state.json").read_text())
    saved_at = 8 if extra == FIXED_SIZE else 9  # the last evaluation, or the last multiple of 3
    assert state["progress"]["step"] == saved_at
    resumed = train(config, tmp_path / "cut", overrides, resume=True)
    assert resumed.resumed_step == saved_at and resumed.steps == 16
    assert resumed.checkpoints == whole.checkpoints
    assert (resumed.best_score, resumed.best_step) == (whole.best_score, whole.best_step)
    assert_same_bits(weights(resumed.nlp), weights(whole.nlp))
    # the saved pipelines and the log: the same as well
    for folder in ("model-last", "model-best"):
        for name in ("tagger", "parser"):
            saved = (tmp_path / "cut" / folder / name / "model").read_bytes()
            assert saved == (tmp_path / "whole" / folder / name / "model").read_bytes()
    assert log_lines(tmp_path / "cut") == log_lines(tmp_path / "whole")
    assert [line["step"] for line in log_lines(tmp_path / "cut")] == [4, 8, 12, 16]


@pytest.mark.slow
def test_ctrl_c_stops_after_the_step_and_checkpoints_it(tmp_path):
    config, paths = write_ewt_setup(tmp_path)
    overrides = {**paths, "training.max_steps": 8}
    whole = train(config, tmp_path / "whole", overrides)
    cut = train(config, tmp_path / "cut", overrides, stop_at=6, ctrl_c=True)
    # the step under way when Ctrl-C came is finished, and kept in the checkpoint
    assert cut.interrupted and cut.steps == 6
    state = json.loads((tmp_path / "cut" / CHECKPOINT_DIR / "state.json").read_text())
    assert state["progress"]["step"] == 6
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    resumed = train(config, tmp_path / "cut", overrides, resume=True)
    assert resumed.resumed_step == 6 and resumed.steps == 8
    assert_same_bits(weights(resumed.nlp), weights(whole.nlp))


@pytest.mark.slow
def test_a_finished_run_trains_on_with_more_steps(tmp_path):
    config, paths = write_ewt_setup(tmp_path)
    whole = train(config, tmp_path / "whole", {**paths, "training.max_steps": 8})
    first = train(config, tmp_path / "more", {**paths, "training.max_steps": 4})
    assert first.steps == 4
    more = train(config, tmp_path / "more", {**paths, "training.max_steps": 8}, resume=True)
    assert more.resumed_step == 4 and more.steps == 8
    assert_same_bits(weights(more.nlp), weights(whole.nlp))
    # resumed again at its end: nothing left to train, model-last is written again
    again = train(config, tmp_path / "more", {**paths, "training.max_steps": 8}, resume=True)
    assert again.resumed_step == 8 and again.steps == 8
    assert_same_bits(weights(again.nlp), weights(whole.nlp))


def test_log_holds_every_evaluation_as_floats(tmp_path):
    config, paths = write_ewt_setup(tmp_path)
    result = train(config, tmp_path / "out", {**paths, "training.max_steps": 8})
    lines = [json.loads(line) for line in (tmp_path / "out" / LOG_FILE).read_text().splitlines()]
    assert [line["step"] for line in lines] == [4, 8]
    first = lines[0]
    assert set(first) == {"step", "epoch", "seconds", "words", "score", "scores", "losses",
                          "is_best"}
    assert first["is_best"] is True and first["score"] == result.checkpoints[0][0]
    assert set(first["losses"]) == {"tok2vec", "tagger", "parser"}
    assert "dep_las" in first["scores"] and "dep_las_per_type" not in first["scores"]
    assert all(isinstance(v, float) for v in first["scores"].values())
    assert 0 < first["words"] < lines[1]["words"] == result.words


def test_resume_refuses_what_it_cannot_continue(tmp_path):
    config, paths = write_ewt_setup(tmp_path)
    with pytest.raises(ValueError, match=r"E610.*holds no checkpoint"):
        train(config, tmp_path / "none", paths, resume=True)
    with pytest.raises(ValueError, match=r"E611"):
        train(config, None, paths, resume=True)
    train(config, tmp_path / "out", {**paths, "training.max_steps": 4})
    changed = {**paths, "training.dropout": 0.3, "components.parser.model.hidden_width": 16}
    with pytest.raises(ValueError, match=r"E613.*components.parser.model.hidden_width, "
                                         r"training.dropout"):
        train(config, tmp_path / "out", changed, resume=True)
    # -1: no checkpoint is kept, and a new run in the folder drops the earlier run's
    assert (tmp_path / "out" / CHECKPOINT_DIR).exists()
    train(config, tmp_path / "out", {**paths, "training.max_steps": 4,
                                     "training.checkpoint_frequency": -1})
    assert not (tmp_path / "out" / CHECKPOINT_DIR).exists()
    with pytest.raises(ConfigError, match="checkpoint_frequency"):
        train(config, tmp_path / "bad", {**paths, "training.checkpoint_frequency": -2})


@pytest.mark.slow
def test_a_streamed_corpus_resumes_too(tmp_path):
    """max_epochs = -1: the replay reads the stream again from its start."""
    from tests.helpers.tagger import write_tagger_setup

    config, paths = write_tagger_setup(tmp_path)
    overrides = {**paths, "training.max_epochs": -1, "training.dropout": 0.1,
                 "training.checkpoint_frequency": 1, "training.max_steps": 0}
    whole = train(config, tmp_path / "whole", overrides)
    assert whole.steps == 4  # 12 sentences, 3 a batch: the stream ends
    first = train(config, tmp_path / "cut", {**overrides, "training.max_steps": 3})
    assert first.steps == 3
    resumed = train(config, tmp_path / "cut", overrides, resume=True)
    assert resumed.resumed_step == 3 and resumed.steps == 4
    assert_same_bits(weights(resumed.nlp), weights(whole.nlp))


@registry.callbacks("test.resume.ctrl_c_on_save.v1")
def ctrl_c_on_save():
    def before_to_disk(nlp):
        os.kill(os.getpid(), signal.SIGINT)  # as a Ctrl-C while saving
        return nlp

    return before_to_disk


def test_ctrl_c_while_saving_still_leaves_model_last(tmp_path):
    """The first Ctrl-C comes while model-best is saved (training stops after that step), the
    second while model-last is saved: that save is finished all the same."""
    from tests.helpers.tagger import write_tagger_setup

    extra = '\n[training.before_to_disk]\n@callbacks = "test.resume.ctrl_c_on_save.v1"\n'
    config, paths = write_tagger_setup(tmp_path, extra)
    result = train(config, tmp_path / "out", paths)
    assert result.interrupted and result.steps == 4  # the first evaluation's step
    assert fastpipe.load(tmp_path / "out" / "model-last").pipe_names == ["tok2vec", "tagger"]
    assert fastpipe.load(tmp_path / "out" / "model-best").pipe_names == ["tok2vec", "tagger"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_checkpoint_restores_row_by_row_adam_state(tmp_path):
    """fastpipe's Adam steps tables of 8192 rows or more row by row, listing the rows it has
    seen: a fresh optimizer given the checkpoint goes on with the same bits."""
    from thinc.api import fix_random_seed

    from fastpipe.language import Language
    from fastpipe.ml.optimizers import SPARSE_MIN_ROWS, Adam
    from fastpipe.training.checkpoint import read_checkpoint, write_checkpoint
    from tests.helpers.tagger import config_from, tag_examples

    config = config_from(nlp_section(["tagger"])
                         + tagger_component(listener=False, embed_size=SPARSE_MIN_ROWS + 10))

    def tagger():
        fix_random_seed(0)
        nlp = Language.from_config(config)
        nlp.initialize(lambda: tag_examples(nlp))
        return nlp, Adam(0.01, use_averages=False)

    nlp, optimizer = tagger()
    for _ in range(3):
        nlp.update(tag_examples(nlp), sgd=optimizer)
    assert optimizer.live_rows  # the row-by-row step ran
    write_checkpoint(tmp_path / CHECKPOINT_DIR, nlp, optimizer, {"step": 3})
    for _ in range(3):
        nlp.update(tag_examples(nlp), sgd=optimizer)

    resumed, fresh = tagger()
    read_checkpoint(tmp_path).restore(resumed, fresh)
    for _ in range(3):
        resumed.update(tag_examples(resumed), sgd=fresh)
    assert_same_bits(weights(resumed), weights(nlp))


FILE_LOGGERS = """
[training.logger]
@loggers = "fastpipe.ChainLogger.v1"

[training.logger.*.table]
@loggers = "spacy.ConsoleLogger.v2"
progress_bar = false
console_output = false
output_file = "OUT/table.jsonl"

[training.logger.*.events]
@loggers = "fastpipe.JsonlLogger.v1"
path = "OUT/events.jsonl"
"""


def test_the_loggers_files_go_on_from_the_checkpoint(tmp_path):
    """A resumed run keeps the lines its logger files hold up to the checkpoint and appends
    after them (a console table's output_file was refused with W010, a JSONL log replaced)."""
    import warnings

    def steps(path):
        return [json.loads(line)["step"] for line in path.read_text().splitlines()]

    config, paths = write_ewt_setup(tmp_path)
    text = config.read_text(encoding="utf8")
    logger = text[text.index("[training.logger]"):text.index("[training.score_weights]")]
    for name in ("whole", "cut"):
        (tmp_path / f"{name}.cfg").write_text(
            text.replace(logger, FILE_LOGGERS.replace("OUT", str(tmp_path / name)) + "\n"))
    overrides = {**paths, "training.max_steps": 12}
    train(tmp_path / "whole.cfg", tmp_path / "whole", overrides)
    cut = train(tmp_path / "cut.cfg", tmp_path / "cut", overrides, stop_at=11)
    assert cut.interrupted
    for name in ("table.jsonl", "events.jsonl"):
        assert steps(tmp_path / "cut" / name) == [4, 8]
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no W010
        resumed = train(tmp_path / "cut.cfg", tmp_path / "cut", overrides, resume=True)
    assert resumed.resumed_step == 8
    for name in ("table.jsonl", "events.jsonl"):
        assert steps(tmp_path / "cut" / name) == steps(tmp_path / "whole" / name) == [4, 8, 12]
    table = [json.loads(line) for line in (tmp_path / "cut" / "table.jsonl").read_text().splitlines()]
    whole = [json.loads(line) for line in (tmp_path / "whole" / "table.jsonl").read_text().splitlines()]
    for line in table + whole:
        line["scores"].pop("speed", None)
    assert table == whole
