"""The factories take spaCy 3.8's settings, with spaCy's defaults, so a config spaCy writes
fills to the same settings (the table was read from spaCy's own factories, once, outside the
tests). Scorer and fuzzy-compare defaults name fastpipe's registered functions, which spaCy's
names are aliases of."""
import inspect

import pytest

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.registry import registry

SPACY_SETTINGS = {
    "tagger": {"overwrite": False, "scorer": "tagger_scorer", "neg_prefix": "!",
               "label_smoothing": 0.0},
    "parser": {"moves": None, "update_with_oracle_cut_size": 100, "learn_tokens": False,
               "min_action_freq": 30, "scorer": "parser_scorer"},
    "ner": {"moves": None, "update_with_oracle_cut_size": 100, "incorrect_spans_key": None,
            "scorer": "ner_scorer"},
    "textcat": {"threshold": 0.0, "scorer": "textcat_scorer"},
    "textcat_multilabel": {"threshold": 0.5, "scorer": "textcat_multilabel_scorer"},
    "entity_ruler": {"phrase_matcher_attr": None, "matcher_fuzzy_compare": "levenshtein_compare",
                     "validate": False, "overwrite_ents": False, "ent_id_sep": "||",
                     "scorer": "entity_ruler_scorer"},
    "sentencizer": {"punct_chars": None, "overwrite": False, "scorer": "senter_scorer"},
    "morphologizer": {"overwrite": True, "extend": False, "label_smoothing": 0.0,
                      "scorer": "morphologizer_scorer"},
    "senter": {"overwrite": False, "scorer": "senter_scorer"},
    "trainable_lemmatizer": {"backoff": "orth", "min_tree_freq": 3, "overwrite": False,
                             "top_k": 1, "scorer": "lemmatizer_scorer"},
    "lemmatizer": {"mode": "lookup", "overwrite": False, "scorer": "lemmatizer_scorer"},
    "spancat": {"threshold": 0.5, "spans_key": "sc", "max_positive": None,
                "suggester": {"@misc": "fastpipe.ngram_suggester.v1", "sizes": [1, 2, 3]},
                "scorer": "spancat_scorer"},
    "spancat_singlelabel": {"spans_key": "sc", "negative_weight": 1.0, "allow_overlap": True,
                            "suggester": {"@misc": "fastpipe.ngram_suggester.v1",
                                          "sizes": [1, 2, 3]},
                            "scorer": "spancat_scorer"},
    "span_ruler": {"spans_key": "ruler", "spans_filter": None, "annotate_ents": False,
                   "ents_filter": {"@misc": "fastpipe.first_longest_spans_filter.v1"},
                   "phrase_matcher_attr": None, "matcher_fuzzy_compare": "levenshtein_compare",
                   "validate": False, "overwrite": True,
                   "scorer": {"@scorers": "fastpipe.overlapping_labeled_spans_scorer.v1",
                              "spans_key": "ruler"}},
    "attribute_ruler": {"validate": False, "scorer": "attribute_ruler_scorer"},
    "span_finder": {"threshold": 0.5, "spans_key": "sc", "max_length": 25, "min_length": None,
                    "scorer": "span_finder_scorer"},
    "tok2vec": {},
}


def _expected(value):
    if value in ("levenshtein_compare",):
        return {"@misc": f"fastpipe.{value}.v1"}
    if isinstance(value, str) and value.endswith("_scorer"):
        return {"@scorers": f"fastpipe.{value}.v1"}
    return value


@pytest.mark.parametrize("factory", sorted(SPACY_SETTINGS))
def test_factory_settings_and_defaults_are_spacys(factory):
    meta = Language.get_factory_meta(factory)
    settings = {k: v for k, v in meta.default_config.items() if k != "model"}
    assert settings == {k: _expected(v) for k, v in SPACY_SETTINGS[factory].items()}
    params = list(inspect.signature(registry.factories.get(factory)).parameters)
    assert params[:2] == ["nlp", "name"]
    assert set(params[2:]) - {"model"} == set(SPACY_SETTINGS[factory])


def toy_parse_examples(nlp):
    # "amod" twice, "det" once: with min_action_freq = 2 "det" is rare
    data = [("I like green apples .", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"]),
            ("She eats the cherries .", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "det", "obj", "punct"]),
            ("We love old books .", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"])]
    return [Example.from_dict(nlp.make_doc(text), {"heads": heads, "deps": deps})
            for text, heads, deps in data]


@pytest.mark.parametrize("min_action_freq,labels", [
    (1, {"nsubj", "ROOT", "amod", "det", "obj", "punct"}),
    (2, {"nsubj", "ROOT", "amod", "obj", "punct", "dep"}),   # "det" is folded into "dep"
])
def test_min_action_freq_folds_rare_labels_into_dep(min_action_freq, labels):
    nlp = fastpipe.blank("en")
    parser = nlp.add_pipe("parser", config={"min_action_freq": min_action_freq, "model": {
        "tok2vec": {"width": 32, "depth": 1, "embed_size": 500}, "hidden_width": 32}})
    examples = toy_parse_examples(nlp)
    nlp.initialize(lambda: examples)
    assert set(parser.labels) == labels
    # the oracle (what training follows) labels the "det" arc "det", or "dep" once folded
    state = parser.moves.init_state(examples[1].predicted)
    parser.moves.follow_oracle([state], [parser.moves.init_gold(examples[1])])
    assert state.labels[2] == ("dep" if "dep" in labels else "det")


@pytest.mark.parametrize("overwrite,n_sents", [(False, 1), (True, 2)])
def test_sentencizer_overwrite(overwrite, n_sents):
    nlp = fastpipe.blank("en")
    sentencizer = nlp.add_pipe("sentencizer", config={"overwrite": overwrite})
    doc = nlp.make_doc("One. Two")
    for token in doc[1:]:
        token.is_sent_start = False
    assert len(list(sentencizer(doc).sents)) == n_sents
