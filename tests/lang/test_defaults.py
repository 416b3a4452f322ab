"""Language classes and their Defaults (spaCy's ``Language.Defaults``): the tables a
before_creation callback or a subclass changes, read whenever a pipeline is made; and the
warning for a language code without data of its own."""
import pickle
import re
import warnings
from pathlib import Path

import pytest

import fastpipe
from fastpipe.attrs import IDS
from fastpipe.errors import FastpipeWarning
from fastpipe.lang import get_lang_data
from fastpipe.lang.base import BaseDefaults, RulePatterns
from fastpipe.lang.en import English
from fastpipe.lang.xx import MultiLanguage
from fastpipe.language import Language, get_lang_class, load
from fastpipe.registry import registry
from fastpipe.tokenizer import Tokenizer
from fastpipe.vocab import Vocab

SUFFIX = r"(?<=\w)x+$"  # not among any language's rules: "helloxx" stays whole without it


def words(nlp, text):
    return [t.text for t in nlp.tokenizer(text)]


def config(lang="en", callback=None):
    nlp = {"lang": lang, "pipeline": []}
    if callback is not None:
        nlp["before_creation"] = {"@callbacks": callback}
    return {"nlp": nlp, "components": {}}


@registry.callbacks("test_defaults.guide_tuple.v1")
def guide_tuple():
    # the guide's callback: a tuple added to the suffixes, a stop word added in place
    def customize_language_data(lang_cls):
        lang_cls.Defaults.suffixes = lang_cls.Defaults.suffixes + (SUFFIX,)
        lang_cls.Defaults.stop_words.add("ooh")
        return lang_cls

    return customize_language_data


@registry.callbacks("test_defaults.guide_literal.v1")
def guide_literal():
    # the guide's own line, unchanged
    def customize_language_data(lang_cls):
        lang_cls.Defaults.suffixes = lang_cls.Defaults.suffixes + (r"-+$",)
        return lang_cls

    return customize_language_data


@registry.callbacks("test_defaults.spacy_list.v1")
def spacy_list():
    # spaCy 3.8 holds lists: code written against it adds a list
    def customize(lang_cls):
        lang_cls.Defaults.suffixes = lang_cls.Defaults.suffixes + [SUFFIX]
        return lang_cls

    return customize


@registry.callbacks("test_defaults.subclass.v1")
def subclass():
    def customize(lang_cls):
        class CustomDefaults(lang_cls.Defaults):
            suffixes = lang_cls.Defaults.suffixes + (SUFFIX,)
            lex_attr_getters = dict(lang_cls.Defaults.lex_attr_getters,
                                    LIKE_NUM=lambda text: text == "eleventy")

        class Custom(lang_cls):
            Defaults = CustomDefaults

        return Custom

    return customize


class CustomEnglishDefaults(English.Defaults):
    suffixes = English.Defaults.suffixes + (SUFFIX,)


class CustomEnglish(English):
    Defaults = CustomEnglishDefaults


# -- the classes ------------------------------------------------------------------------------

def test_each_code_with_data_has_its_class():
    assert issubclass(English, Language) and English.lang == "en"
    assert issubclass(MultiLanguage, Language) and MultiLanguage.lang == "xx"
    assert Language.lang is None
    assert fastpipe.lang.en.English is English
    packages = sorted(p.parent.name for p in Path(fastpipe.lang.__file__).parent.glob("*/__init__.py"))
    assert packages == ["en", "xx"]
    for code in packages:
        lang_cls = get_lang_class(code)
        assert lang_cls.__module__ == f"fastpipe.lang.{code}" and lang_cls.lang == code
        assert type(fastpipe.blank(code)) is lang_cls
        assert lang_cls.Defaults is not Language.Defaults


def test_table_modules_are_not_language_codes():
    # "generic" and "base" are modules beside the packages, not languages: generic rules
    with pytest.warns(FastpipeWarning, match="W030"):
        assert get_lang_class("generic") is Language


def test_classes_make_pipelines_without_arguments():
    nlp = English()
    assert nlp.lang == "en" and nlp.vocab.lang == "en"
    assert words(nlp, "I don't know.") == ["I", "do", "n't", "know", "."]
    assert nlp.vocab["the"].is_stop
    assert MultiLanguage().lang == "xx"
    assert words(MultiLanguage(), "don't") == ["don't"]
    # Language itself, given a vocab, runs on the data of the vocab's code (as it always did)
    assert words(Language(Vocab(lang="en")), "don't") == ["do", "n't"]
    with pytest.raises(TypeError, match="E594"):
        English(vocab="en")


@pytest.mark.parametrize("code", ["en", "xx"])
def test_unmodified_defaults_give_todays_rules(code):
    # the Defaults hold the language's tables as they are: same rules, same tokens
    data = get_lang_data(code)
    expected = Tokenizer.from_lang_data(Vocab(lang=code), data).rules
    assert fastpipe.blank(code).tokenizer.rules == expected
    assert get_lang_class(code)().tokenizer.rules == expected
    assert fastpipe.blank(code).lang_data == data


def test_defaults_have_spacys_names_and_types():
    for defaults in (English.Defaults, MultiLanguage.Defaults, Language.Defaults):
        assert issubclass(defaults, BaseDefaults)
        for name in ("prefixes", "suffixes", "infixes"):
            value = getattr(defaults, name)
            assert isinstance(value, tuple) and value and all(isinstance(p, str) for p in value)
        assert isinstance(defaults.tokenizer_exceptions, dict)
        assert callable(defaults.url_match) and defaults.url_match("http://example.com")
        assert callable(defaults.token_match)
        assert isinstance(defaults.lex_attr_getters, dict) and "LIKE_NUM" in defaults.lex_attr_getters
        assert isinstance(defaults.stop_words, set)
        assert defaults.writing_system == {"direction": "ltr", "has_case": True, "has_letters": True}
    assert English.Defaults.tokenizer_exceptions["don't"] == [{"ORTH": "do"}, {"ORTH": "n't", "NORM": "not"}]
    assert "the" in English.Defaults.stop_words and not MultiLanguage.Defaults.stop_words


def test_rule_patterns_add_a_tuple_or_a_list():
    rules = RulePatterns(("a", "b"))
    assert rules + ("c",) == ("a", "b", "c") and isinstance(rules + ("c",), RulePatterns)
    assert rules + ["c"] == ("a", "b", "c")
    assert ["z"] + rules == ["z", "a", "b"]
    assert ("z",) + rules == ("z", "a", "b")
    with pytest.raises(TypeError):
        rules + "c"


# -- changing the Defaults ----------------------------------------------------------------------

@pytest.mark.parametrize("callback", ["test_defaults.guide_tuple.v1", "test_defaults.spacy_list.v1",
                                      "test_defaults.subclass.v1"])
def test_before_creation_changes_the_pipeline_and_nothing_else(callback):
    suffixes = English.Defaults.suffixes
    assert words(fastpipe.blank("en"), "helloxx") == ["helloxx"]
    nlp = Language.from_config(config("en", callback))
    assert isinstance(nlp, English) and nlp.lang == "en"
    assert words(nlp, "helloxx.") == ["hello", "xx", "."]
    assert words(nlp, "don't") == ["do", "n't"]  # the rest of English is still there
    # the change stays with that pipeline: not English, not a later blank, not another class
    assert English.Defaults.suffixes is suffixes and SUFFIX not in English.Defaults.suffixes
    assert "ooh" not in English.Defaults.stop_words
    assert words(fastpipe.blank("en"), "helloxx") == ["helloxx"]
    assert words(English(), "helloxx") == ["helloxx"]
    assert SUFFIX not in MultiLanguage.Defaults.suffixes + Language.Defaults.suffixes


def test_the_guides_callback_as_written():
    # the generic rules keep a hyphen after a letter ("hello-"); the guide's suffix splits it
    assert words(fastpipe.blank("xx"), "hello-") == ["hello-"]
    nlp = Language.from_config(config("xx", "test_defaults.guide_literal.v1"))
    assert words(nlp, "hello-") == ["hello", "-"]
    assert words(fastpipe.blank("xx"), "hello-") == ["hello-"]


def test_before_creation_stop_words_and_lex_attrs():
    nlp = Language.from_config(config("en", "test_defaults.guide_tuple.v1"))
    assert nlp.vocab["ooh"].is_stop and nlp.vocab["the"].is_stop
    assert not fastpipe.blank("en").vocab["ooh"].is_stop
    custom = Language.from_config(config("en", "test_defaults.subclass.v1"))
    assert custom.vocab["eleventy"].like_num and not fastpipe.blank("en").vocab["eleventy"].like_num


def test_before_creation_for_the_generic_rules():
    nlp = Language.from_config(config("xx", "test_defaults.guide_tuple.v1"))
    assert type(nlp).__mro__[1] is MultiLanguage
    assert words(nlp, "helloxx") == ["hello", "xx"]
    assert words(fastpipe.blank("xx"), "helloxx") == ["helloxx"]


def test_a_subclass_has_its_own_copy_of_every_table():
    assert words(CustomEnglish(), "helloxx") == ["hello", "xx"]
    assert words(CustomEnglish.blank("en"), "helloxx") == ["hello", "xx"]
    assert words(English(), "helloxx") == ["helloxx"]
    assert CustomEnglish.Defaults.stop_words == English.Defaults.stop_words
    assert CustomEnglish.Defaults.stop_words is not English.Defaults.stop_words
    assert CustomEnglish.Defaults.tokenizer_exceptions is not English.Defaults.tokenizer_exceptions


def test_changing_a_class_defaults_changes_its_later_pipelines(monkeypatch):
    # as in spaCy: the Defaults are read whenever a pipeline is made from the class
    monkeypatch.setattr(English.Defaults, "suffixes", English.Defaults.suffixes + (SUFFIX,))
    assert words(English(), "helloxx") == ["hello", "xx"]
    assert words(fastpipe.blank("en"), "helloxx") == ["hello", "xx"]
    assert words(MultiLanguage(), "helloxx") == ["helloxx"]


def test_exceptions_with_attribute_ids_and_token_match_methods(monkeypatch):
    exceptions = dict(English.Defaults.tokenizer_exceptions)
    exceptions["gimme"] = [{IDS["ORTH"]: "gim", IDS["NORM"]: "give"}, {IDS["ORTH"]: "me"}]
    monkeypatch.setattr(English.Defaults, "tokenizer_exceptions", exceptions)
    # spaCy's token_match is a compiled regex's match: a chunk that starts with it stays whole
    monkeypatch.setattr(English.Defaults, "token_match", re.compile(r"[A-Z]{2}-\d+").match)
    nlp = English()
    assert [(t.text, t.norm_) for t in nlp("gimme")] == [("gim", "give"), ("me", "me")]
    assert words(nlp, "AB-12(x)") == ["AB-12(x)"]
    assert words(fastpipe.blank("xx"), "AB-12(x)") != ["AB-12(x)"]
    monkeypatch.setattr(English.Defaults, "token_match", re.compile(r"ab-\d+", re.I).fullmatch)
    assert words(English(), "AB-12") == ["AB-12"]
    assert words(English(), "AB-12q") == ["AB", "-", "12q"]


@pytest.mark.parametrize("name,value,code", [
    ("suffixes", "-+$", "E590"),
    ("prefixes", (r"\$", 3), "E590"),
    ("stop_words", "the", "E590"),
    ("token_match", lambda text: True, "E591"),
    ("url_match", re.compile(rb"x").match, "E591"),
    ("tokenizer_exceptions", {"gimme": [{"ORTH": "gimme", "TAG": "VB"}]}, "E593"),
    ("tokenizer_exceptions", {"gimme": "gimme"}, "E593"),
])
def test_a_bad_table_is_named(monkeypatch, name, value, code):
    monkeypatch.setattr(English.Defaults, name, value)
    with pytest.raises((TypeError, ValueError), match=f"{code}.*EnglishDefaults.{name}"):
        English()


def test_a_class_makes_pipelines_only_for_its_code():
    with pytest.raises(ValueError, match="E592.*'en'.*'de'"):
        English.blank("de")
    with pytest.raises(ValueError, match="E592"):
        English.from_config(config("de"))
    assert type(English.from_config(config("en"))) is English
    assert type(Language.from_config(config("xx"))) is MultiLanguage


# -- saving and pickling ------------------------------------------------------------------------

def test_pickled_pipelines_keep_their_class_and_rules():
    for nlp in (fastpipe.blank("en"), CustomEnglish(), fastpipe.blank("xx")):
        again = pickle.loads(pickle.dumps(nlp))
        assert type(again) is type(nlp)
        assert again.tokenizer.rules == nlp.tokenizer.rules
        assert words(again, "helloxx don't") == words(nlp, "helloxx don't")


def test_a_pickled_callback_pipeline_loads_back():
    nlp = Language.from_config(config("en", "test_defaults.guide_tuple.v1"))
    again = pickle.loads(pickle.dumps(nlp))
    assert isinstance(again, English) and again.lang == "en"
    assert SUFFIX in again.Defaults.suffixes and SUFFIX not in English.Defaults.suffixes
    assert words(again, "helloxx") == ["hello", "xx"]
    assert again.vocab["ooh"].is_stop


def test_saved_pipelines_load_back(tmp_path):
    nlp = Language.from_config(config("en", "test_defaults.guide_tuple.v1"))
    nlp.to_disk(tmp_path / "callback")
    loaded = load(tmp_path / "callback")
    assert words(loaded, "helloxx") == ["hello", "xx"] and loaded.vocab["ooh"].is_stop
    CustomEnglish().to_disk(tmp_path / "subclass")
    loaded = load(tmp_path / "subclass")  # an English pipeline with the saved tokenizer rules
    assert isinstance(loaded, English) and words(loaded, "helloxx") == ["hello", "xx"]


# -- codes without data of their own -------------------------------------------------------------

def test_a_code_without_data_warns_once():
    with pytest.warns(FastpipeWarning, match=r"W030.*'qy'.*'xx'") as record:
        nlp = fastpipe.blank("qy")
    assert [Path(w.filename).name for w in record] == ["test_defaults.py"]  # the caller's line
    assert type(nlp) is Language and nlp.lang == "qy"
    assert words(nlp, "Hei, maailma!") == ["Hei", ",", "maailma", "!"]
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        fastpipe.blank("qy")
        get_lang_class("qy")
        get_lang_data("qy")
        Language.from_config(config("qy"))
        fastpipe.blank("en")
        fastpipe.blank("xx")
    assert [str(w.message) for w in again] == []
    with pytest.warns(FastpipeWarning, match=r"W030.*'qz'"):
        get_lang_class("qz")


def test_before_creation_for_a_code_without_data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastpipeWarning)
        nlp = Language.from_config(config("qx", "test_defaults.guide_tuple.v1"))
        plain = fastpipe.blank("qx")
    assert nlp.lang == "qx" and words(nlp, "helloxx") == ["hello", "xx"]
    assert words(plain, "helloxx") == ["helloxx"]
    assert SUFFIX not in Language.Defaults.suffixes
    assert pickle.loads(pickle.dumps(nlp)).lang == "qx"


def test_a_pickled_subclass_pipeline_with_components_loads_back():
    nlp = CustomEnglish()
    nlp.add_pipe("sentencizer")
    tagger = nlp.add_pipe("tagger")
    for label in ("NN", "VB"):
        tagger.add_label(label)
    nlp.initialize()
    text = "Say helloxx. Then go."
    again = pickle.loads(pickle.dumps(nlp))
    assert type(again) is CustomEnglish and again.pipe_names == ["sentencizer", "tagger"]
    doc, doc_again = nlp(text), again(text)
    assert [t.text for t in doc_again] == ["Say", "hello", "xx", ".", "Then", "go", "."]
    assert [t.tag_ for t in doc_again] == [t.tag_ for t in doc]
    assert [s.text for s in doc_again.sents] == ["Say helloxx.", "Then go."]
