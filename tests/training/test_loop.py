"""The training loop on a tiny tagging corpus: steps, epochs, evaluation, checkpoints,
callbacks, Ctrl-C, frozen components, user code."""
import io
import json

import numpy
import pytest

from fastpipe.cli.train import train_from_config
from fastpipe.config import load_config
from fastpipe.errors import ConfigError
from fastpipe.gold.corpus import Corpus
from fastpipe.language import load
from fastpipe.pipeline.base import Pipe
from fastpipe.registry import factory, registry
from fastpipe.training.initialize import init_nlp
from fastpipe.training.loop import subdivide_batch, train, weighted_score
from fastpipe.util import LOCK_FILE
from tests.helpers.tagger import TAGGED, train_toy_tagger, write_tagger_setup


def test_weighted_score_skips_none_and_null_weights():
    scores = {"tag_acc": 0.5, "cats_score": None, "sents_f": 1.0, "ents_per_type": {}}
    assert weighted_score(scores, {"tag_acc": 0.5, "cats_score": 0.5, "sents_f": None}) == 0.25
    with pytest.raises(ConfigError, match=r"\[training.score_weights\] pos_acc"):
        weighted_score(scores, {"pos_acc": 1.0})
    # a zero weight may name a score the pipeline lacks (spaCy's configs have pos_acc = 0.0)
    assert weighted_score(scores, {"tag_acc": 1.0, "pos_acc": 0.0}) == 0.5


def test_subdivide_batch_keeps_every_example():
    batch = [[0] * n for n in (5, 1, 3, 8, 2, 2)]
    subs = list(subdivide_batch(batch, 3))
    assert len(subs) == 3
    assert sorted(map(len, (eg for sub in subs for eg in sub))) == sorted(map(len, batch))
    assert list(subdivide_batch(batch, 1)) == [batch]


def test_trains_evaluates_and_writes_loadable_checkpoints(tmp_path):
    result, table = train_toy_tagger(tmp_path)
    assert result.steps == 12 and not result.interrupted
    assert [step for _, step in result.checkpoints] == [4, 8, 12]
    assert "LOSS TAGGER" in table and "TAG_ACC" in table and "SCORE" in table
    assert result.best_path == tmp_path / "out" / "model-best"
    assert result.last_path == tmp_path / "out" / "model-last"
    best = load(result.best_path)
    assert best.pipe_names == ["tok2vec", "tagger"]
    dev = list(Corpus(tmp_path / "dev.fastpipe")(best))
    assert best.evaluate(dev)["tag_acc"] == pytest.approx(result.best_score)
    assert load(result.last_path).pipe_names == ["tok2vec", "tagger"]
    # no temporary folders left; the lock file of the output folder stays (it holds no lock)
    assert [p.name for p in (tmp_path / "out").glob(".*")] == [LOCK_FILE]
    # each checkpoint's meta.json holds the evaluation it was saved at, as spaCy's does
    performance = json.loads((result.best_path / "meta.json").read_text())["performance"]
    assert performance["tag_acc"] == pytest.approx(result.best_score)
    assert performance["tagger_loss"] > 0


def test_without_output_nothing_is_written(tmp_path):
    result, _ = train_toy_tagger(tmp_path, output=False)
    assert result.best_path is None and result.last_path is None
    assert not (tmp_path / "out").exists()


def test_max_epochs_and_streaming(tmp_path):
    # 12 training sentences in batches of 3: 4 steps an epoch
    result, _ = train_toy_tagger(tmp_path, {"training.max_steps": 0, "training.max_epochs": 2})
    assert result.steps == 8 and result.epochs == 1
    result, _ = train_toy_tagger(tmp_path, {"training.max_steps": 0, "training.max_epochs": -1})
    assert result.steps == 4 and result.epochs == 0
    assert result.checkpoints[-1][1] == 4


def test_a_final_evaluation_when_the_data_runs_out_mid_interval(tmp_path):
    result, _ = train_toy_tagger(tmp_path, {"training.max_steps": 0, "training.max_epochs": 1,
                               "training.eval_frequency": 3})
    assert [step for _, step in result.checkpoints] == [3, 4]


def test_patience_stops_training(tmp_path):
    result, _ = train_toy_tagger(tmp_path, {"training.max_steps": 200, "training.eval_frequency": 1,
                               "training.patience": 3})
    assert result.steps < 200
    assert result.steps - result.best_step == 3
    # patience counts steps between evaluations too (as spaCy's): it ends 5 steps after the
    # best evaluation, not at the next evaluation
    result, _ = train_toy_tagger(tmp_path / "every4", {
        "training.max_steps": 200, "training.eval_frequency": 4, "training.patience": 5})
    assert result.steps - result.best_step == 5 and result.steps % 4


def test_accumulate_gradient_one_optimizer_step_per_batch(tmp_path, monkeypatch):
    from fastpipe.language import Language

    calls = {"update": 0, "finish": 0}
    update = Language.update

    def counting_update(self, examples, **kwargs):
        calls["update"] += 1
        assert kwargs.get("sgd") is False
        return update(self, examples, **kwargs)

    monkeypatch.setattr(Language, "update", counting_update)
    config_path, paths = write_tagger_setup(tmp_path)
    config = load_config(config_path, {**paths, "training.accumulate_gradient": 3,
                                       "training.max_steps": 4})
    nlp = init_nlp(config)
    tagger = nlp.get_pipe("tagger")
    finish = tagger.finish_update

    def counting_finish(sgd):
        calls["finish"] += 1
        return finish(sgd)

    tagger.finish_update = counting_finish
    result = train(nlp, None, stdout=io.StringIO())
    assert result.steps == 4
    assert calls == {"update": 12, "finish": 4}


def test_frozen_components_are_not_updated(tmp_path):
    config_path, paths = write_tagger_setup(tmp_path)
    config = load_config(config_path, {**paths, "training.frozen_components": ["tagger"]})
    nlp = init_nlp(config)
    model = nlp.get_pipe("tagger").model
    before = {(node.id, name): node.get_param(name).copy() for node in model.walk()
              for name in node.param_names if node.has_param(name) and node.name != "tok2vec"}
    result = train(nlp, None, stdout=io.StringIO())
    assert result.steps == 12
    assert before
    for (node_id, name), value in before.items():
        node = next(n for n in model.walk() if n.id == node_id)
        numpy.testing.assert_array_equal(node.get_param(name), value)


def test_callbacks_before_update_and_before_to_disk(tmp_path):
    seen = []

    @registry.callbacks("test.loop.record_update.v1")
    def record_update():
        def before_update(nlp, info):
            seen.append((info["step"], info["epoch"]))
        return before_update

    @registry.callbacks("test.loop.mark_meta.v1")
    def mark_meta(value: str):
        def before_to_disk(nlp):
            nlp.meta["marked"] = value
            return nlp
        return before_to_disk

    extra = ('\n[training.before_update]\n@callbacks = "test.loop.record_update.v1"\n'
             '\n[training.before_to_disk]\n@callbacks = "test.loop.mark_meta.v1"\nvalue = "yes"\n')
    config_path, paths = write_tagger_setup(tmp_path)
    text = config_path.read_text().replace("before_update = null", "")
    config_path.write_text(text + extra)
    result = train_from_config(config_path, tmp_path / "out", overrides=paths,
                               stdout=io.StringIO())
    assert seen[:5] == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 1)]
    assert len(seen) == result.steps
    meta = json.loads((tmp_path / "out" / "model-last" / "meta.json").read_text())
    assert meta["marked"] == "yes"
    meta = json.loads((tmp_path / "out" / "model-best" / "meta.json").read_text())
    assert meta["marked"] == "yes"


def test_keyboard_interrupt_saves_model_last(tmp_path):
    @registry.loggers("test.loop.interrupting.v1")
    def interrupting(at_step: int):
        def setup(nlp):
            def log_step(info):
                if info is not None and info["step"] >= at_step:
                    raise KeyboardInterrupt
            return log_step, lambda: None
        return setup

    extra = '\n[training.logger]\n@loggers = "test.loop.interrupting.v1"\nat_step = 8\n'
    config_path, paths = write_tagger_setup(tmp_path)
    text = config_path.read_text().split("[training.logger]")[0]
    config_path.write_text(text + extra)
    result = train_from_config(config_path, tmp_path / "out", overrides=paths,
                               stdout=io.StringIO())
    assert result.interrupted and result.steps == 8
    assert load(result.last_path).pipe_names == ["tok2vec", "tagger"]
    assert (tmp_path / "out" / "model-best" / "config.cfg").exists()


def test_user_code_architecture_logger_and_batch_size_schedule(tmp_path):
    code = tmp_path / "functions.py"
    code.write_text('''
from fastpipe.registry import registry

CALLS = {"arch": 0, "sizes": 0, "logged": []}


@registry.architectures("test.user.Tagger.v1")
def user_tagger(tok2vec, scale: int = 1):
    CALLS["arch"] += 1
    return registry.get("architectures", "fastpipe.Tagger.v1")(tok2vec)


@registry.schedules("test.user.sizes.v1")
def user_sizes(first: int, then: int):
    def sizes():
        CALLS["sizes"] += 1
        yield first
        while True:
            CALLS["sizes"] += 1
            yield then
    return sizes()


@registry.loggers("test.user.logger.v1")
def user_logger():
    def setup(nlp):
        return (lambda info: info and CALLS["logged"].append(info["step"])), (lambda: None)
    return setup
''', encoding="utf8")
    config_path, paths = write_tagger_setup(tmp_path)
    text = (config_path.read_text()
            .replace('"fastpipe.Tagger.v1"', '"test.user.Tagger.v1"\nscale = 2')
            .replace('@loggers = "fastpipe.ConsoleLogger.v1"\nprogress_bar = false',
                     '@loggers = "test.user.logger.v1"')
            .replace('@batchers = "fastpipe.batch_by_sequence.v1"\nsize = 3',
                     '@batchers = "fastpipe.batch_by_sequence.v1"\n\n[training.batcher.size]\n'
                     '@schedules = "test.user.sizes.v1"\nfirst = 2\nthen = 4'))
    config_path.write_text(text)
    result = train_from_config(config_path, None, overrides=paths, code_path=code)
    import sys

    calls = sys.modules["fastpipe_user_code_functions"].CALLS
    assert calls["arch"] >= 1
    assert calls["logged"] == [4, 8, 12]
    # The schedule runs on across epochs of 12 sentences: 2, 4, 4, 2 | 4, 4, 4 | 4, 4, 4 | 4, 4
    # sentences in 12 steps (batches of a constant 3 would make 36).
    assert calls["sizes"] >= result.steps
    assert result.words == 44 * 5


def test_jsonl_logger_writes_one_line_per_evaluation(tmp_path):
    log = tmp_path / "logs" / "train.jsonl"
    extra = f'\n[training.logger]\n@loggers = "fastpipe.JsonlLogger.v1"\npath = "{log}"\n'
    config_path, paths = write_tagger_setup(tmp_path)
    config_path.write_text(config_path.read_text().split("[training.logger]")[0] + extra)
    train_from_config(config_path, None, overrides=paths)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["step"] for r in records] == [4, 8, 12]
    assert set(records[0]) >= {"epoch", "step", "score", "other_scores", "losses", "words", "wps"}
    assert records[0]["other_scores"]["tag_acc"] == records[0]["score"]
    assert records[-1]["words"] == 12 * 3 * 5  # 12 steps of 3 five-word sentences


@pytest.mark.slow
def test_tagger_learns_ewt_far_above_the_majority_baseline(ewt_split, tmp_path):
    from collections import Counter

    from fastpipe.cli.init import init_config

    folder, held_out = ewt_split
    tags = Counter(token.tag_ for doc in held_out for token in doc)
    baseline = tags.most_common(1)[0][1] / sum(tags.values())
    config_path = tmp_path / "config.cfg"
    init_config(config_path, lang="en", pipeline=["tagger"], optimize="efficiency")
    out = io.StringIO()
    result = train_from_config(
        config_path, tmp_path / "out", stdout=out,
        overrides={"paths.train": str(folder / "train.fastpipe"),
                   "paths.dev": str(folder / "dev.fastpipe"),
                   "training.max_steps": 300, "training.eval_frequency": 100})
    assert baseline < 0.2
    assert result.best_score > baseline + 0.5, out.getvalue()
    # model-best reloads and scores what it scored during training
    best = load(result.best_path)
    dev = list(Corpus(folder / "dev.fastpipe")(best))
    assert best.evaluate(dev)["tag_acc"] == pytest.approx(result.best_score)


@pytest.mark.slow
def test_streamed_ewt_with_gradient_accumulation(ewt_split, tmp_path):
    from fastpipe.cli.init import init_config

    folder, _ = ewt_split
    config_path = tmp_path / "config.cfg"
    init_config(config_path, lang="en", pipeline=["tagger"], optimize="efficiency")
    result = train_from_config(
        config_path, None, stdout=io.StringIO(),
        overrides={"paths.train": str(folder / "train.fastpipe"),
                   "paths.dev": str(folder / "dev.fastpipe"), "corpora.train.shuffle": True,
                   "training.max_epochs": -1, "training.max_steps": 0,
                   "training.accumulate_gradient": 2, "training.eval_frequency": 10})
    # exactly one pass over the training words, in batches of 100 words and more
    words = sum(len(eg) for eg in Corpus(folder / "train.fastpipe")(result.nlp))
    assert result.words == words
    assert 5 <= result.steps <= 50 and result.epochs == 0
    assert result.checkpoints[-1][1] == result.steps
    assert result.best_score > 0.3


def test_dropout_schedule_and_initialize_callbacks(tmp_path):
    drops = []
    calls = []

    @registry.callbacks("test.loop.after_init.v1")
    def after_init_callback():
        def after_init(nlp):
            calls.append(list(nlp.get_pipe("tagger").labels))
        return after_init

    from fastpipe.language import Language

    update = Language.update

    def recording_update(self, examples, **kwargs):
        drops.append(kwargs["drop"])
        return update(self, examples, **kwargs)

    extra = ('\n[training.dropout]\n@schedules = "constant_then.v1"\nrate = 0.3\nsteps = 2\n'
             '\n[training.dropout.schedule]\n@schedules = "constant.v1"\nrate = 0.1\n'
             '\n[initialize]\n\n[initialize.after_init]\n@callbacks = "test.loop.after_init.v1"\n')
    config_path, paths = write_tagger_setup(tmp_path)
    config_path.write_text(config_path.read_text() + extra)
    Language.update = recording_update
    try:
        train_from_config(config_path, None, overrides={**paths, "training.max_steps": 4},
                          stdout=io.StringIO())
    finally:
        Language.update = update
    assert drops == pytest.approx([0.3, 0.3, 0.1, 0.1])
    assert calls and sorted(calls[0]) == [".", "JJ", "NNS", "PRP", "VBP", "VBZ"]


def test_check_tree_finds_cycles_roots_and_crossing_arcs():
    from fastpipe.cli.debug_data import _check_tree, _Stats
    from fastpipe.gold.nonproj import is_nonproj_tree

    stats = _Stats()
    _check_tree(stats, [1, 2, 0], [0, 3], "cycle", is_nonproj_tree)
    _check_tree(stats, [0, 1, 1], [0, 3], "two-roots", is_nonproj_tree)
    _check_tree(stats, [1, 1, 4, 4, 4], [0, 2, 5], "ok", is_nonproj_tree)
    _check_tree(stats, [3, 1, 1, 3], [0, 2, 4], "outside", is_nonproj_tree)
    _check_tree(stats, [0, 1, 2, 9], [0, 4], "invalid", is_nonproj_tree)
    _check_tree(stats, [2, 3, 2, 2], [0, 4], "crossing", is_nonproj_tree)
    assert stats.ids == {"cyclic_heads": ["cycle"], "several_roots": ["two-roots"],
                         "heads_outside_sentence": ["outside", "outside"], "invalid_heads": ["invalid"],
                         "nonprojective_trees": ["crossing"]}


def _weights(nlp, name):
    """Copies of every parameter array of a component's model, in walk order."""
    model = nlp.get_pipe(name).model
    return [node.get_param(p).copy() for node in model.walk() for p in node.param_names
            if node.has_param(p)]


@pytest.mark.parametrize("frozen,annotating", [
    (["tok2vec", "tagger"], []),
    (["tok2vec"], ["tok2vec"]),  # the tagger trains on the frozen tok2vec's output
], ids=["both-frozen", "tok2vec-frozen"])
def test_sourced_frozen_components_keep_their_weights(tmp_path, frozen, annotating):
    """Freezing means: the frozen components' weights are bit-identical after training; a
    component that is not frozen (the tagger, in the second case) changes."""
    first, _ = train_toy_tagger(tmp_path / "first")
    source = load(first.best_path)
    config_path, paths = write_tagger_setup(tmp_path / "second")
    text = config_path.read_text()
    start = text.index("[components.tok2vec]")
    end = text.index("[corpora]")
    sourced = ('[components.tok2vec]\nsource = "{src}"\n\n[components.tagger]\nsource = "{src}"\n\n'
               .format(src=first.best_path))
    text = text[:start] + sourced + text[end:]
    text = text.replace("patience = 0", f"patience = 0\nfrozen_components = {json.dumps(frozen)}"
                                        f"\nannotating_components = {json.dumps(annotating)}")
    config_path.write_text(text)
    result = train_from_config(config_path, None, overrides={**paths, "training.max_steps": 4},
                               stdout=io.StringIO())
    assert result.steps == 4
    for name in ("tok2vec", "tagger"):
        before, after = _weights(source, name), _weights(result.nlp, name)
        assert before and len(before) == len(after)
        same = [numpy.array_equal(a, b) for a, b in zip(before, after)]
        if name in frozen:
            assert all(same), (name, same)
        else:
            assert not any(same), (name, same)
    if "tagger" in frozen:
        assert result.checkpoints[0][0] == pytest.approx(first.best_score)


class TagReader(Pipe):
    """Trains on nothing; records (words, tags) of the predicted Docs of each update."""

    is_trainable = True

    def __init__(self, name):
        self.name = name
        self.seen = []

    def __call__(self, doc):
        return doc

    def update(self, examples, *, drop=0.0, sgd=None, losses=None):
        self.seen.append([(tuple(t.text for t in eg.predicted), [t.tag_ for t in eg.predicted])
                          for eg in examples])
        if losses is not None:
            losses[self.name] = 0.0
        return losses

    def finish_update(self, sgd):
        pass


@factory("test_loop_tag_reader")
def make_tag_reader(nlp: object, name: str):
    return TagReader(name)


@pytest.mark.parametrize("annotating", [["tok2vec", "tagger"], []],
                         ids=["annotating", "not-annotating"])
def test_annotating_components_from_the_config(tmp_path, annotating):
    """With the tagger in annotating_components a later component trains on the tagger's
    predictions (set on the predicted Docs right after its update); without, it sees none.
    (The tagger listens to the tok2vec, whose output it needs on the Docs to predict: so the
    tok2vec annotates as well.)"""
    config_path, paths = write_tagger_setup(tmp_path)
    text = config_path.read_text()
    text = text.replace('pipeline = ["tok2vec", "tagger"]',
                        'pipeline = ["tok2vec", "tagger", "reader"]')
    text = text.replace("[corpora]\n",
                        '[components.reader]\nfactory = "test_loop_tag_reader"\n\n[corpora]\n', 1)
    text = text.replace("patience = 0",
                        f"patience = 0\nannotating_components = {json.dumps(annotating)}")
    config_path.write_text(text)
    result = train_from_config(config_path, None, overrides=paths, stdout=io.StringIO())
    nlp = result.nlp
    assert nlp.config["training"]["annotating_components"] == annotating
    seen = nlp.get_pipe("reader").seen
    assert len(seen) == result.steps == 12
    docs = [doc for batch in seen for doc in batch]
    assert len(docs) == 12 * 3
    tags = [tag for _, doc_tags in docs for tag in doc_tags]
    if not annotating:
        assert set(tags) == {""}
        return
    assert set(tags) <= set(nlp.get_pipe("tagger").labels)  # a prediction on every token
    gold = {tuple(text.split()): tags for text, tags in TAGGED}
    wrong = [(words, doc_tags) for words, doc_tags in docs if doc_tags != gold[words]]
    # predictions, not the gold tags: wrong at first, right once the tagger has learned
    assert wrong and wrong[0] == docs[0]
    assert all(doc_tags == gold[words] for words, doc_tags in seen[-1])
