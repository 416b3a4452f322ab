"""The entity_ruler's spaCy 3.8 settings: FUZZY patterns through matcher_fuzzy_compare (spaCy's
Levenshtein allowance by default), validate, ent_id_sep and scorer."""
import pytest

import fastpipe
from fastpipe.pipeline._matcher import PatternError, levenshtein, levenshtein_compare
from fastpipe.pipeline.entity_ruler import EntityRuler
from fastpipe.registry import registry


@pytest.mark.parametrize("a,b,distance", [
    ("", "", 0), ("abc", "abc", 0), ("abc", "abd", 1), ("abc", "ab", 1), ("ab", "abc", 1),
    ("acb", "abc", 2),      # a transposition is two edits
    ("kitten", "sitting", 3), ("", "abcd", 4), ("flaw", "lawn", 2),
])
def test_levenshtein_distance(a, b, distance):
    assert levenshtein(a, b, 10) == distance
    assert levenshtein(a, b, distance) == distance
    if distance:
        assert levenshtein(a, b, distance - 1) == distance   # over the limit: limit + 1


@pytest.mark.parametrize("length,allowed", [
    (1, 2), (3, 2), (7, 2),  # at least two edits
    (10, 3), (14, 4),        # 30% of the pattern, rounded
    (15, 4), (25, 8), (35, 10),  # halves round to even, as Python's round
])
def test_default_allowance_follows_the_pattern_length(length, allowed):
    pattern = "a" * length
    assert levenshtein_compare("b" * allowed + pattern[allowed:], pattern)
    assert not levenshtein_compare("b" * (allowed + 1) + pattern[allowed + 1:], pattern)


def test_explicit_allowance():
    assert levenshtein_compare("abd", "abc", 1) and not levenshtein_compare("abd", "abc", 0)
    assert registry.misc.get("fastpipe.levenshtein_compare.v1")() is levenshtein_compare


def ruler_nlp(patterns, **config):
    nlp = fastpipe.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config=config)
    ruler.add_patterns(patterns)
    return nlp, ruler


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_fuzzy_patterns_match_close_spellings():
    nlp, _ = ruler_nlp([
        {"label": "ORG", "pattern": [{"LOWER": {"FUZZY": "microsoft"}}]},
        {"label": "FRUIT", "pattern": [{"LOWER": {"FUZZY1": "apple"}}]},
        {"label": "CITY", "pattern": [{"TEXT": {"FUZZY": {"IN": ["Berlin", "Paris"]}}}]},
    ])
    assert ents(nlp("I use Micrsoft and Mikrosoft")) == [("Micrsoft", "ORG"), ("Mikrosoft", "ORG")]
    assert ents(nlp("an aple , an appel")) == [("aple", "FRUIT")]   # "appel" is two edits
    assert ents(nlp("Berln or Parris or Rome")) == [("Berln", "CITY"), ("Parris", "CITY")]
    assert ents(nlp("Microsoft's tablet")) == [("Microsoft", "ORG")]


def test_fuzzy_not_in():
    nlp, _ = ruler_nlp([{"label": "X", "pattern": [
        {"LOWER": "the"}, {"LOWER": {"FUZZY": {"NOT_IN": ["cat", "dog"]}}}]}])
    assert ents(nlp("the cta and the dgo and the horse")) == [("the horse", "X")]


@registry.misc("test_ruler.first_letter_compare.v1")
def make_first_letter_compare():
    def compare(text, pattern, fuzzy):
        return text[:1] == pattern[:1]

    return compare


def test_matcher_fuzzy_compare_is_the_users_function():
    patterns = [{"label": "B", "pattern": [{"LOWER": {"FUZZY": "banana"}}]}]
    nlp, ruler = ruler_nlp(patterns, matcher_fuzzy_compare={
        "@misc": "test_ruler.first_letter_compare.v1"})
    assert ents(nlp("a bus and a bnana")) == [("bus", "B"), ("bnana", "B")]
    assert nlp.config["components"]["entity_ruler"]["matcher_fuzzy_compare"] == {
        "@misc": "test_ruler.first_letter_compare.v1"}
    with pytest.raises(TypeError, match="E553.*matcher_fuzzy_compare must be a function"):
        EntityRuler(nlp, matcher_fuzzy_compare="levenshtein")


@pytest.mark.parametrize("value", [3, {"REGEX": "x"}, {"IN": "abc"}, {"IN": [1, 2]}])
def test_bad_fuzzy_values_are_coded_errors(value):
    nlp = fastpipe.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    with pytest.raises(PatternError, match=r"E554.*token 0: LOWER FUZZY2 takes a string"):
        ruler.add_patterns([{"label": "X", "pattern": [{"LOWER": {"FUZZY2": value}}]}])


@pytest.mark.parametrize("validate", [False, True])
def test_patterns_are_checked_whatever_validate_says(validate):
    nlp = fastpipe.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": validate})
    assert ruler.validate is validate
    with pytest.raises(PatternError, match="unknown attribute"):
        ruler.add_patterns([{"label": "X", "pattern": [{"LOWERR": "x"}]}])


def test_ent_id_sep_is_kept_and_saved(tmp_path):
    nlp, ruler = ruler_nlp([{"label": "ORG", "pattern": "Acme", "id": "acme"}], ent_id_sep="##")
    assert ruler.ent_id_sep == "##"
    nlp.to_disk(tmp_path / "p")
    loaded = fastpipe.load(tmp_path / "p").get_pipe("entity_ruler")
    assert loaded.ent_id_sep == "##"
    assert loaded.from_bytes(ruler.to_bytes()).ent_id_sep == "##"
    doc = nlp("Acme sells")
    assert ents(doc) == [("Acme", "ORG")] and doc[0].ent_kb_id_ == "acme"
