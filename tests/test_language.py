"""The nlp object built from a config: filling, pipeline editing, callbacks, sourcing,
frozen and annotating components, evaluation, saving and loading."""
import numpy
import pytest
from thinc.api import Config, fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.pipeline.base import TrainablePipe
from fastpipe.registry import factory, registry

SMALL_T2V = {"width": 32, "depth": 1, "embed_size": 300}
TAGGER_CFG = """
[nlp]
lang = "en"
pipeline = ["tagger"]

[components]

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "fastpipe.Tagger.v1"

[components.tagger.model.tok2vec]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 32
depth = 1
embed_size = 300
window_size = 1
maxout_pieces = 2
subword_features = true
"""
SENTS = [("I like green apples .", ["PRP", "VBP", "JJ", "NNS", "."]),
         ("She eats red cherries .", ["PRP", "VBZ", "JJ", "NNS", "."])]


def make_examples(nlp):
    return [Example.from_dict(nlp.make_doc(t), {"tags": tags}) for t, tags in SENTS]


def trained_tagger_nlp(steps=20):
    fix_random_seed(0)
    nlp = Language.from_config(Config().from_str(TAGGER_CFG, interpolate=False))
    examples = make_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer)
    return nlp


def test_filled_config_hides_nothing():
    nlp = Language.from_config(Config().from_str(TAGGER_CFG, interpolate=False))
    config = nlp.config
    tagger = config["components"]["tagger"]
    assert tagger["factory"] == "tagger"
    assert tagger["overwrite"] is False and tagger["label_smoothing"] == 0.0
    assert config["training"]["optimizer"]["@optimizers"] == "fastpipe.Adam.v1"
    assert config["training"]["score_weights"] == {"tag_acc": 1.0}
    assert config["corpora"]["train"]["path"] == "${paths.train}"
    # the filled config builds the same pipeline again
    again = Language.from_config(config)
    assert again.pipe_names == ["tagger"]
    assert again.config.to_str() == config.to_str()


def test_user_score_weights_win():
    cfg = Config().from_str(TAGGER_CFG, interpolate=False)
    cfg["training"] = {"score_weights": {"tag_acc": 0.5, "token_acc": 0.5}}
    nlp = Language.from_config(cfg)
    assert nlp.config["training"]["score_weights"] == {"tag_acc": 0.5, "token_acc": 0.5}


@pytest.mark.parametrize("edit,code", [
    (lambda c: c["nlp"].update({"pipeline": ["tagger", "nope"]}), "E086"),
    (lambda c: c["components"]["tagger"].update({"factory": "taggr"}), "E083"),
    (lambda c: c["nlp"].update({"lang": None}), "E085"),
    (lambda c: c["components"]["tagger"].pop("factory"), "E087"),
    (lambda c: c.update({"training": {"frozen_components": ["ghost"]}}), "E088"),
])
def test_config_errors_name_the_place(edit, code):
    cfg = Config().from_str(TAGGER_CFG, interpolate=False)
    edit(cfg)
    with pytest.raises(ValueError, match=code):
        Language.from_config(cfg)


def test_add_pipe_positions_and_errors():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("tagger", name="t1", first=True, config={"model": {"tok2vec": SMALL_T2V}})
    nlp.add_pipe("tagger", name="t2", after="t1", config={"model": {"tok2vec": SMALL_T2V}})
    nlp.add_pipe("tagger", name="t0", before="t1", config={"model": {"tok2vec": SMALL_T2V}})
    assert nlp.pipe_names == ["t0", "t1", "t2", "sentencizer"]
    with pytest.raises(ValueError, match="E090"):
        nlp.add_pipe("sentencizer")
    with pytest.raises(ValueError, match="E092"):
        nlp.add_pipe("tagger", name="x", first=True, last=True)
    nlp.remove_pipe("t2")
    nlp.disable_pipe("t0")
    assert nlp.pipe_names == ["t1", "sentencizer"]
    assert nlp.config["nlp"]["disabled"] == ["t0"]


def test_creation_callbacks():
    calls = []

    @registry.callbacks("test_before.v1")
    def before():
        def hook(cls):
            calls.append(("before", cls))
            return cls
        return hook

    @registry.callbacks("test_after_pipeline.v1")
    def after_pipeline():
        def hook(nlp):
            calls.append(("after_pipeline", tuple(nlp.pipe_names)))
            nlp.batch_size = 7
            return nlp
        return hook

    cfg = Config().from_str(TAGGER_CFG, interpolate=False)
    cfg["nlp"]["before_creation"] = {"@callbacks": "test_before.v1"}
    cfg["nlp"]["after_pipeline_creation"] = {"@callbacks": "test_after_pipeline.v1"}
    nlp = Language.from_config(cfg)
    assert calls == [("before", Language), ("after_pipeline", ("tagger",))]
    assert nlp.batch_size == 7


def test_sourced_component_keeps_weights_and_trains_on(tmp_path):
    nlp = trained_tagger_nlp()
    nlp.to_disk(tmp_path / "base")
    cfg = Config().from_str("""
[nlp]
lang = "en"
pipeline = ["tagger", "sentencizer"]
[components]
[components.sentencizer]
factory = "sentencizer"
""", interpolate=False)
    cfg["components"]["tagger"] = {"source": str(tmp_path / "base")}
    sourced = Language.from_config(cfg)
    text = "She likes green cherries ."
    assert [t.tag_ for t in sourced(text)] == [t.tag_ for t in nlp(text)]
    tagger = sourced.get_pipe("tagger")
    before = tagger.model.predict([sourced.make_doc(text)])[0].copy()
    examples = make_examples(sourced)
    optimizer = sourced.create_optimizer()
    sourced.update(examples, sgd=optimizer)
    after = tagger.model.predict([sourced.make_doc(text)])[0]
    assert not numpy.allclose(before, after)


def test_frozen_components_keep_their_weights():
    nlp = trained_tagger_nlp(steps=2)
    examples = make_examples(nlp)
    tagger = nlp.get_pipe("tagger")
    before = tagger.model.predict([examples[0].predicted])[0].copy()
    optimizer = nlp.create_optimizer()
    losses = nlp.update(examples, sgd=optimizer, exclude=["tagger"])
    assert "tagger" not in losses
    numpy.testing.assert_array_equal(before, tagger.model.predict([examples[0].predicted])[0])


@factory("tag_spy")
def make_tag_spy(nlp: object, name: str):
    return TagSpy(name)


class TagSpy(TrainablePipe):
    """Records the tags it sees on the predicted docs during update."""

    def __init__(self, name):
        self.name = name
        self.seen = []
        self.cfg = {"labels": []}

    def update(self, examples, *, drop=0.0, sgd=None, losses=None):
        self.seen.append([[t.tag_ for t in eg.predicted] for eg in examples])
        return losses

    def __call__(self, doc):
        return doc

    def initialize(self, get_examples, *, nlp=None):
        pass

    def finish_update(self, sgd):
        pass


def test_annotating_components_set_predictions_for_later_components():
    nlp = trained_tagger_nlp()
    spy = nlp.add_pipe("tag_spy")
    examples = make_examples(nlp)
    nlp.update(examples, sgd=nlp.create_optimizer())
    assert spy.seen[-1][0] == [""] * 5  # not annotating: the spy sees no tags
    nlp.update(make_examples(nlp), sgd=nlp.create_optimizer(), annotates=["tagger"])
    assert spy.seen[-1][0] == ["PRP", "VBP", "JJ", "NNS", "."]


def test_evaluate_reports_scores_and_speed():
    nlp = trained_tagger_nlp(steps=30)
    scores = nlp.evaluate(make_examples(nlp))
    assert scores["tag_acc"] == 1.0
    assert scores["token_acc"] == 1.0
    assert scores["speed"] > 0


def test_pipe_keeps_order_and_batches():
    nlp = trained_tagger_nlp(steps=5)
    texts = [f"I like apple number {i} ." for i in range(25)]
    docs = list(nlp.pipe(texts, batch_size=4))
    assert [d.text for d in docs] == texts
    assert all(t.tag_ for d in docs for t in d)


def test_load_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="E093"):
        fastpipe.load(tmp_path / "nothing")


def test_references_in_component_blocks_are_kept():
    cfg = Config().from_str(TAGGER_CFG.replace("width = 32", "width = ${vars.width}") + "\n[vars]\nwidth = 32\n",
                            interpolate=False)
    nlp = Language.from_config(cfg)
    assert nlp.config["components"]["tagger"]["model"]["tok2vec"]["width"] == "${vars.width}"
    assert nlp.config.interpolate()["components"]["tagger"]["model"]["tok2vec"]["width"] == 32


def test_texts_over_max_length_are_refused():
    nlp = fastpipe.blank("en")
    nlp.max_length = 10
    with pytest.raises(ValueError, match="E099"):
        nlp("x" * 11)
