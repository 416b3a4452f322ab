"""The nlp object built from a config: filling, pipeline editing, callbacks, sourcing,
frozen and annotating components, evaluation, saving and loading."""
import numpy
import pytest
from thinc.api import Config, fix_random_seed

import fastpipe
from fastpipe.language import Language
from fastpipe.pipeline.base import Pipe, TrainablePipe
from fastpipe.registry import factory, registry
from tests.helpers.tagger import STANDALONE_TAGGER_CONFIG as TAGGER_CFG
from tests.helpers.tagger import config_from, tag_examples

SMALL_T2V = {"width": 32, "depth": 1, "embed_size": 300}


def make_examples(nlp):
    return tag_examples(nlp, 2)


def trained_tagger_nlp(steps=20):
    fix_random_seed(0)
    nlp = Language.from_config(config_from(TAGGER_CFG))
    examples = make_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer)
    return nlp


def test_filled_config_hides_nothing():
    nlp = Language.from_config(config_from(TAGGER_CFG))
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
    cfg = config_from(TAGGER_CFG)
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
    cfg = config_from(TAGGER_CFG)
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


TEXT = "I like green apples ."
TAGS = ["PRP", "VBP", "JJ", "NNS", "."]


def _tagger_probs(nlp, text=TEXT):
    return nlp.get_pipe("tagger").model.predict([nlp.make_doc(text)])[0].copy()


def test_enable_pipe_runs_a_disabled_component_again():
    nlp = trained_tagger_nlp()
    nlp.add_pipe("sentencizer")
    assert [t.tag_ for t in nlp(TEXT)] == TAGS
    nlp.disable_pipe("tagger")
    assert nlp.pipe_names == ["sentencizer"]
    assert nlp.component_names == ["tagger", "sentencizer"]
    assert nlp.config["nlp"]["disabled"] == ["tagger"]
    assert [t.tag_ for t in nlp(TEXT)] == [""] * 5
    nlp.enable_pipe("tagger")
    assert nlp.pipe_names == ["tagger", "sentencizer"]
    assert nlp.config["nlp"]["disabled"] == []
    doc = nlp(TEXT)
    assert [t.tag_ for t in doc] == TAGS and doc.has_annotation("SENT_START")
    nlp.enable_pipe("tagger")  # enabling an enabled component changes nothing
    assert nlp.pipe_names == ["tagger", "sentencizer"]
    with pytest.raises(KeyError, match="E089"):
        nlp.enable_pipe("parser")


def test_load_with_disable_loads_the_component_but_does_not_run_it(tmp_path):
    nlp = trained_tagger_nlp()
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "pipeline")
    loaded = fastpipe.load(tmp_path / "pipeline", disable=["tagger"])
    assert loaded.pipe_names == ["sentencizer"]
    assert loaded.component_names == ["tagger", "sentencizer"]
    assert loaded.config["nlp"]["disabled"] == ["tagger"]
    doc = loaded(TEXT)
    assert not doc.has_annotation("TAG") and doc.has_annotation("SENT_START")
    # the disabled tagger was loaded all the same: enabled, it tags as the saved one did
    loaded.enable_pipe("tagger")
    assert [t.tag_ for t in loaded(TEXT)] == TAGS
    numpy.testing.assert_array_equal(_tagger_probs(loaded), _tagger_probs(nlp))
    assert fastpipe.load(tmp_path / "pipeline").pipe_names == ["tagger", "sentencizer"]


def test_to_disk_exclude_leaves_a_component_out(tmp_path):
    trained = trained_tagger_nlp(steps=20)
    trained.add_pipe("sentencizer")
    trained.to_disk(tmp_path / "without", exclude=["tagger"])
    assert (tmp_path / "without" / "config.cfg").is_file()
    assert not (tmp_path / "without" / "tagger").exists()
    trained.to_disk(tmp_path / "with")
    assert (tmp_path / "with" / "tagger").is_dir()
    # reading the save without the tagger into another pipeline leaves its own tagger alone
    other = trained_tagger_nlp(steps=2)
    other.add_pipe("sentencizer")
    own = _tagger_probs(other)
    assert not numpy.array_equal(own, _tagger_probs(trained))
    other.from_disk(tmp_path / "without")
    numpy.testing.assert_array_equal(_tagger_probs(other), own)
    # while the full save carries the trained tagger's weights
    other.from_disk(tmp_path / "with")
    numpy.testing.assert_array_equal(_tagger_probs(other), _tagger_probs(trained))


@pytest.mark.parametrize("hook,returned,expected", [
    ("before_creation", dict, "a Language class"),
    ("after_creation", None, "the nlp object"),
    ("after_pipeline_creation", "nlp", "the nlp object"),
])
def test_creation_callbacks_must_return_what_they_were_given(hook, returned, expected):
    name = f"test.language.bad_{hook}.v1"
    if name not in registry.callbacks.get_all():
        registry.callbacks(name)(lambda: (lambda _: returned))
    cfg = config_from(TAGGER_CFG)
    cfg["nlp"][hook] = {"@callbacks": name}
    with pytest.raises(ValueError, match="E098") as info:
        Language.from_config(cfg)
    message = str(info.value)
    assert f"[nlp] {hook} callback must return {expected}" in message
    assert repr(returned) in message


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

    cfg = config_from(TAGGER_CFG)
    cfg["nlp"]["before_creation"] = {"@callbacks": "test_before.v1"}
    cfg["nlp"]["after_pipeline_creation"] = {"@callbacks": "test_after_pipeline.v1"}
    nlp = Language.from_config(cfg)
    # before_creation gets the language's class (English for "en", as in spaCy)
    (first, lang_cls), second = calls
    assert first == "before" and issubclass(lang_cls, Language) and lang_cls.lang == "en"
    assert lang_cls.__name__ == "English" and isinstance(nlp, lang_cls)
    assert second == ("after_pipeline", ("tagger",))
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
    cfg = config_from(TAGGER_CFG.replace("width = 32", "width = ${vars.width}")
                      + "\n[vars]\nwidth = 32\n")
    nlp = Language.from_config(cfg)
    assert nlp.config["components"]["tagger"]["model"]["tok2vec"]["width"] == "${vars.width}"
    assert nlp.config.interpolate()["components"]["tagger"]["model"]["tok2vec"]["width"] == 32


def test_texts_over_max_length_are_refused():
    nlp = fastpipe.blank("en")
    nlp.max_length = 10
    with pytest.raises(ValueError, match="E099"):
        nlp("x" * 11)


@factory("norm_as_tag")
def make_norm_as_tag(nlp: object, name: str):
    return NormAsTag()


class NormAsTag(Pipe):
    """Tags every token with its norm, as the docs it is given have it."""

    def __call__(self, doc):
        for token in doc:
            token.tag_ = token.norm_
        return doc

    def score(self, examples, **kwargs):
        from fastpipe.scorer import score_token_attr

        return score_token_attr(examples, "tag")


def test_evaluate_runs_the_pipeline_on_the_tokens_the_tokenizer_makes():
    """The docs evaluate runs the pipeline on carry what the tokenizer sets on tokens (a
    special case's norm: the "m" of "Im" -> "am"), as the docs of training and of nlp(text)
    do."""
    from fastpipe.gold.example import Example

    nlp = fastpipe.blank("en")
    nlp.add_pipe("norm_as_tag")
    text = "Im sure ive seen it , we gotta go ."
    expected = [t.tag_ for t in nlp(text)]
    assert "am" in expected and "have" in expected and nlp.vocab["m"].norm_ == "m"
    example = Example.from_dict(nlp.make_doc(text), {"tags": expected})
    assert nlp.evaluate([example])["tag_acc"] == 1.0
