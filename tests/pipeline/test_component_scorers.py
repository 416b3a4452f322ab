"""Every component's ``scorer`` setting, as in spaCy: the default config names a registered
fastpipe scorer, ``score(examples)`` calls it with the component's settings and labels, a
user's registered scorer replaces it, and ``scorer = null`` reports nothing."""
import pytest

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.registry import registry
from tests.helpers.tagger import tag_examples

SMALL_TOK2VEC = {"tok2vec": {"width": 32, "depth": 1, "embed_size": 500}}

DEFAULT_SCORERS = {
    "tagger": "fastpipe.tagger_scorer.v1",
    "parser": "fastpipe.parser_scorer.v1",
    "ner": "fastpipe.ner_scorer.v1",
    "textcat": "fastpipe.textcat_scorer.v1",
    "textcat_multilabel": "fastpipe.textcat_multilabel_scorer.v1",
    "entity_ruler": "fastpipe.entity_ruler_scorer.v1",
    "sentencizer": "fastpipe.senter_scorer.v1",
    "morphologizer": "fastpipe.morphologizer_scorer.v1",
    "senter": "fastpipe.senter_scorer.v1",
    "trainable_lemmatizer": "fastpipe.lemmatizer_scorer.v1",
    "lemmatizer": "fastpipe.lemmatizer_scorer.v1",
    "spancat": "fastpipe.spancat_scorer.v1",
    "spancat_singlelabel": "fastpipe.spancat_scorer.v1",
    "attribute_ruler": "fastpipe.attribute_ruler_scorer.v1",
}

CALLS = []


@registry.scorers("test_components.recording_scorer.v1")
def make_recording_scorer():
    def score(examples, **kwargs):
        CALLS.append(kwargs)
        return {"custom_score": 0.25, "n_examples": len(list(examples))}

    return score


@pytest.mark.parametrize("factory,name", sorted(DEFAULT_SCORERS.items()))
def test_the_default_config_names_the_fastpipe_scorer(factory, name):
    assert Language.get_factory_meta(factory).default_config["scorer"] == {"@scorers": name}
    nlp = fastpipe.blank("en")
    component = nlp.add_pipe(factory)
    assert nlp.config["components"][factory]["scorer"] == {"@scorers": name}
    assert component.scorer is registry.scorers.get(name)()


def test_spacy_scorers_have_one_meaning_each():
    """The fastpipe scorers report what the components always reported."""
    get = registry.scorers.get
    nlp = fastpipe.blank("en")
    eg = Example.from_dict(nlp.make_doc("One. Two."), {"sent_starts": [True, False, True, False],
                                                       "entities": ["U-X", "O", "O", "O"]})
    eg.predicted[0].is_sent_start = True
    eg.predicted[2].is_sent_start = True
    assert get("fastpipe.senter_scorer.v1")()([eg])["sents_f"] == 1.0
    for name in ("fastpipe.ner_scorer.v1", "fastpipe.entity_ruler_scorer.v1"):
        scores = get(name)()([eg])
        assert scores["ents_r"] == 0.0 and set(scores) >= {"ents_p", "ents_f", "ents_per_type"}
    assert set(get("fastpipe.parser_scorer.v1")()([eg])) == {
        "dep_uas", "dep_las", "dep_las_per_type", "sents_p", "sents_r", "sents_f"}
    assert get("fastpipe.tagger_scorer.v1")()([eg]) == {"tag_acc": None}


def test_a_registered_scorer_replaces_the_default_in_evaluate():
    CALLS.clear()
    nlp = fastpipe.blank("en")
    nlp.add_pipe("tagger", config={"model": SMALL_TOK2VEC, "label_smoothing": 0.1,
                                   "scorer": {"@scorers": "test_components.recording_scorer.v1"}})
    examples = tag_examples(nlp, 2)
    nlp.initialize(lambda: examples)
    scores = nlp.evaluate(examples)
    assert scores["custom_score"] == 0.25 and scores["n_examples"] == 2
    assert "tag_acc" not in scores
    # called with the component's settings and labels, as spaCy calls it
    (kwargs,) = CALLS
    assert kwargs["label_smoothing"] == 0.1 and kwargs["neg_prefix"] == "!"
    assert kwargs["labels"] == nlp.get_pipe("tagger").labels
    # the filled config keeps the user's scorer
    assert nlp.config["components"]["tagger"]["scorer"] == {
        "@scorers": "test_components.recording_scorer.v1"}


def test_score_keyword_arguments_win_over_the_settings():
    CALLS.clear()
    nlp = fastpipe.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={
        "scorer": {"@scorers": "test_components.recording_scorer.v1"}})
    textcat.add_label("A")
    textcat.score([], threshold=0.9)
    assert CALLS[-1]["threshold"] == 0.9 and CALLS[-1]["labels"] == ("A",)


@pytest.mark.parametrize("factory", sorted(DEFAULT_SCORERS))
def test_scorer_null_reports_no_scores(factory):
    nlp = fastpipe.blank("en")
    component = nlp.add_pipe(factory, config={"scorer": None})
    assert component.scorer is None
    eg = Example.from_dict(nlp.make_doc("One. Two."), {"sent_starts": [True, False, True, False]})
    assert component.score([eg]) == {}


def test_a_scorer_that_is_not_a_function_is_a_coded_error():
    from fastpipe.pipeline.sentencizer import Sentencizer

    with pytest.raises(TypeError, match=r"E552.*'sentencizer': scorer must be a function"):
        Sentencizer(scorer="sents_f")


def multilabel_example(nlp, predicted_a):
    eg = Example.from_dict(nlp.make_doc("some text"), {"cats": {"A": 1.0, "B": 0.0}})
    eg.predicted.cats = {"A": predicted_a, "B": 0.1}
    return eg


@pytest.mark.parametrize("threshold,micro_f", [(0.5, 1.0), (0.8, 0.0)])
def test_textcat_multilabel_threshold_reaches_the_scorer(threshold, micro_f):
    nlp = fastpipe.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"threshold": threshold})
    textcat.add_label("A")
    textcat.add_label("B")
    assert textcat.score([multilabel_example(nlp, 0.7)])["cats_micro_f"] == micro_f
