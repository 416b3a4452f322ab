import re

import pytest
import srsly

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.pipeline import EntityRuler
from fastpipe.pipeline._matcher import PatternError
from fastpipe.pipeline.entity_ruler import read_patterns_jsonl
from fastpipe.registry import registry

PATTERNS = [
    {"label": "ORG", "pattern": "Apple Inc.", "id": "apple"},
    {"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}]},
]


@pytest.fixture
def nlp():
    return Language.blank("en")


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def make_ruler(nlp, patterns, **config):
    ruler = nlp.add_pipe("entity_ruler", config=config)
    ruler.add_patterns(patterns)
    return ruler


def test_phrase_and_token_patterns(nlp):
    ruler = make_ruler(nlp, PATTERNS)
    doc = nlp("Apple Inc. opened in New York and NEW YORK .")
    assert ents(doc) == [("Apple Inc.", "ORG"), ("New York", "GPE"), ("NEW YORK", "GPE")]
    assert [t.ent_kb_id_ for t in doc[:3]] == ["apple", "apple", ""]
    assert ruler.labels == ("GPE", "ORG")
    assert len(ruler) == 2 and "ORG" in ruler
    assert ruler.patterns == PATTERNS
    # Phrases match the exact text unless phrase_matcher_attr says otherwise.
    assert ents(nlp("apple inc. again")) == []


def test_phrase_matcher_attr_lower():
    nlp = Language.blank("en")
    make_ruler(nlp, [{"label": "ORG", "pattern": "Acme Corp"}], phrase_matcher_attr="LOWER")
    assert ents(nlp("ACME CORP and acme corp")) == [("ACME CORP", "ORG"), ("acme corp", "ORG")]
    with pytest.raises(ValueError, match="phrase_matcher_attr"):
        Language.blank("en").add_pipe("entity_ruler", config={"phrase_matcher_attr": "TAG"})


@pytest.mark.parametrize("pattern,text,expected", [
    ([{"LOWER": "big"}, {"LOWER": "red", "OP": "?"}, {"LOWER": "dog"}], "big dog , big red dog",
     ["big dog", "big red dog"]),
    ([{"LOWER": "a"}, {"LOWER": "b", "OP": "*"}, {"LOWER": "c"}], "a c . a b b b c . a b",
     ["a c", "a b b b c"]),
    ([{"LOWER": "a"}, {"LOWER": "b", "OP": "+"}, {"LOWER": "c"}], "a c . a b b c", ["a b b c"]),
    ([{"LOWER": "no"}, {"LOWER": "way", "OP": "!"}], "no way . no sir", ["no sir"]),
    ([{"IS_DIGIT": True, "OP": "+"}, {"LOWER": "km"}], "go 10 km or 3 5 km", ["10 km", "3 5 km"]),
    ([{"LIKE_NUM": True}, {"IS_PUNCT": True}], "7 . x", ["7 ."]),
    ([{"ORTH": {"IN": ["Mr", "Mrs"]}}, {"IS_ALPHA": True}], "Mr Smith and Ms Jones and Mrs Doe",
     ["Mr Smith", "Mrs Doe"]),
    ([{"LOWER": {"NOT_IN": ["the", "a"]}}, {"LOWER": "house"}], "the house , white house",
     ["white house"]),
    ([{"TEXT": {"REGEX": "^[A-Z][a-z]+son$"}}], "Jackson met jackson and Smithson",
     ["Jackson", "Smithson"]),
    ([{"SHAPE": "dddd"}, {"LENGTH": {"IN": [2, 3]}}], "1999 BC and 2000 AD and 2001 x",
     ["1999 BC", "2000 AD"]),
])
def test_token_pattern_operators_and_predicates(nlp, pattern, text, expected):
    make_ruler(nlp, [{"label": "X", "pattern": pattern}])
    assert [e.text for e in nlp(text).ents] == expected


def test_token_attributes_set_by_earlier_components(nlp):
    def tagger(doc):
        for token in doc:
            token.tag_ = "NNP" if token.text[0].isupper() else "XX"
        return doc

    make_ruler(nlp, [{"label": "NAME", "pattern": [{"TAG": "NNP", "OP": "+"}]}])
    doc = tagger(nlp.make_doc("we met Ada Lovelace today"))
    assert ents(nlp.get_pipe("entity_ruler")(doc)) == [("Ada Lovelace", "NAME")]


def test_longest_match_wins_and_earlier_start_breaks_ties(nlp):
    ruler = make_ruler(nlp, [
        {"label": "SHORT", "pattern": "New York"},
        {"label": "LONG", "pattern": "New York City"},
        {"label": "A", "pattern": "b c"},
        {"label": "B", "pattern": "a b"},
        {"label": "FIRST", "pattern": "x y"},
        {"label": "SECOND", "pattern": [{"LOWER": "x"}, {"LOWER": "y"}]},
    ])
    doc = nlp("New York City , a b c , x y")
    assert ents(doc) == [("New York City", "LONG"), ("a b", "B"), ("x y", "FIRST")]
    assert ruler.match(nlp.make_doc("x y")) == [(0, 2, "FIRST", None)]


def test_existing_entities_are_kept_without_overwrite(nlp):
    make_ruler(nlp, [{"label": "GPE", "pattern": "New York City"},
                     {"label": "ORG", "pattern": "Acme"}])
    doc = nlp.make_doc("New York City and Acme")
    doc.set_ents([("PERSON", 0, 1)], default="missing")
    doc = nlp.get_pipe("entity_ruler")(doc)
    assert ents(doc) == [("New", "PERSON"), ("Acme", "ORG")]
    # Annotation outside the new entities is untouched: missing stays missing.
    assert [t.ent_iob_ for t in doc] == ["B", "", "", "", "B"]


def test_overwrite_ents_replaces_overlapping_entities(nlp):
    make_ruler(nlp, [{"label": "GPE", "pattern": "York City", "id": "nyc"}], overwrite_ents=True)
    doc = nlp.make_doc("New York City Council met Bob")
    doc.set_ents([("ORG", 0, 4), ("PERSON", 5, 6)])
    doc = nlp.get_pipe("entity_ruler")(doc)
    assert ents(doc) == [("York City", "GPE"), ("Bob", "PERSON")]
    # The removed entity's other tokens become O, not a fragment of the old entity.
    assert [t.ent_iob_ for t in doc] == ["O", "B", "I", "O", "O", "B"]
    assert [t.ent_kb_id_ for t in doc] == ["", "nyc", "nyc", "", "", ""]


def test_no_patterns_or_no_matches_leave_doc_unchanged(nlp):
    ruler = nlp.add_pipe("entity_ruler")
    doc = nlp("nothing here")
    assert [t.ent_iob_ for t in doc] == ["", ""]
    ruler.add_patterns(PATTERNS)
    assert [t.ent_iob_ for t in nlp("nothing here")] == ["", ""]
    assert ents(nlp("")) == []


@pytest.mark.parametrize("entry,message", [
    ({"pattern": "x"}, "label"),
    ({"label": "X", "pattern": []}, "empty token pattern"),
    ({"label": "X", "pattern": ""}, "empty phrase"),
    ({"label": "X", "pattern": [{"COLOUR": "red"}]}, "unknown attribute 'COLOUR'"),
    ({"label": "X", "pattern": [{"LOWER": "a", "OP": "%"}]}, "bad OP"),
    ({"label": "X", "pattern": [{"LOWER": {"REGEX": "("}}]}, "not a valid regular expression"),
    ({"label": "X", "pattern": [{"IS_DIGIT": "yes"}]}, "true or false"),
    ({"label": "X", "pattern": [{"LOWER": "a", "OP": "?"}]}, "optional"),
    ({"label": "X", "pattern": "x", "kb": "y"}, "unknown key"),
])
def test_bad_patterns_are_rejected_and_nothing_is_added(nlp, entry, message):
    ruler = nlp.add_pipe("entity_ruler")
    with pytest.raises(PatternError, match=message):
        ruler.add_patterns([PATTERNS[0], entry])
    assert len(ruler) == 0


def test_jsonl_loading_names_file_and_line(nlp, tmp_path):
    good = tmp_path / "good.jsonl"
    srsly.write_jsonl(good, PATTERNS)
    assert read_patterns_jsonl(good) == PATTERNS
    ruler = EntityRuler.from_jsonl(nlp, good)
    doc = ruler(nlp.make_doc("Apple Inc. in New York"))
    assert ents(doc) == [("Apple Inc.", "ORG"), ("New York", "GPE")]

    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"label": "A", "pattern": "a"}\n\n{"label": "B", "pattern": \n',
                        encoding="utf8")
    with pytest.raises(ValueError, match=re.escape(f"{bad_json}:3: not valid JSON")):
        read_patterns_jsonl(bad_json)
    bad_pattern = tmp_path / "bad_pattern.jsonl"
    bad_pattern.write_text('{"label": "A", "pattern": "a"}\n'
                           '{"label": "B", "pattern": [{"FOO": 1}]}\n', encoding="utf8")
    expected = f"{bad_pattern}:2: bad pattern: token 0: unknown attribute 'FOO'"
    with pytest.raises(PatternError, match=re.escape(expected)):
        read_patterns_jsonl(bad_pattern)
    with pytest.raises(FileNotFoundError):
        read_patterns_jsonl(tmp_path / "missing.jsonl")


def test_to_disk_from_disk_round_trip(nlp, tmp_path):
    ruler = make_ruler(nlp, PATTERNS, phrase_matcher_attr="LOWER", overwrite_ents=True)
    ruler.to_disk(tmp_path / "ruler")
    lines = (tmp_path / "ruler" / "patterns.jsonl").read_text(encoding="utf8").splitlines()
    assert [srsly.json_loads(line) for line in lines] == PATTERNS
    other = EntityRuler(Language.blank("en"))
    other.add_patterns([{"label": "OLD", "pattern": "old"}])
    other.from_disk(tmp_path / "ruler")
    assert other.patterns == PATTERNS
    assert other.phrase_matcher_attr == "LOWER" and other.overwrite_ents is True
    assert ents(other(other.nlp.make_doc("apple INC."))) == [("apple INC.", "ORG")]
    again = EntityRuler(Language.blank("en")).from_bytes(ruler.to_bytes())
    assert again.patterns == PATTERNS and again.phrase_matcher_attr == "LOWER"


def test_save_and_load_pipeline_keeps_patterns(nlp, tmp_path):
    make_ruler(nlp, PATTERNS, overwrite_ents=True)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = fastpipe.load(tmp_path / "pipeline")
    assert loaded.pipe_names == ["entity_ruler"]
    ruler = loaded.get_pipe("entity_ruler")
    assert ruler.patterns == PATTERNS and ruler.overwrite_ents is True
    doc = loaded("Apple Inc. in New York")
    assert ents(doc) == [("Apple Inc.", "ORG"), ("New York", "GPE")]
    assert doc[0].ent_kb_id_ == "apple"


def test_config_and_initialize_with_patterns_reader(tmp_path):
    path = tmp_path / "patterns.jsonl"
    srsly.write_jsonl(path, PATTERNS)
    assert registry.readers.get("fastpipe.read_patterns_jsonl.v1")(str(path)) == PATTERNS
    config = {
        "nlp": {"lang": "en", "pipeline": ["entity_ruler"]},
        "components": {"entity_ruler": {"factory": "entity_ruler", "phrase_matcher_attr": "LOWER"}},
        "initialize": {"components": {"entity_ruler": {"patterns": {
            "@readers": "fastpipe.read_patterns_jsonl.v1", "path": str(path)}}}},
    }
    nlp = Language.from_config(config)
    assert nlp.config["components"]["entity_ruler"] == {
        "factory": "entity_ruler", "phrase_matcher_attr": "LOWER",
        "matcher_fuzzy_compare": {"@misc": "fastpipe.levenshtein_compare.v1"},
        "validate": False, "overwrite_ents": False, "ent_id_sep": "||",
        "scorer": {"@scorers": "fastpipe.entity_ruler_scorer.v1"}}
    assert nlp.config["training"]["score_weights"]["ents_f"] == 1.0
    assert len(nlp.get_pipe("entity_ruler")) == 0
    nlp.initialize()
    assert nlp.get_pipe("entity_ruler").patterns == PATTERNS
    assert ents(nlp("APPLE INC. near new york")) == [("APPLE INC.", "ORG"), ("new york", "GPE")]
    # Initializing again replaces the patterns rather than adding them twice.
    nlp.initialize()
    assert len(nlp.get_pipe("entity_ruler")) == 2
    nlp.to_disk(tmp_path / "pipeline")
    path.unlink()  # a loaded pipeline reads its own copy of the patterns, not the original file
    assert ents(fastpipe.load(tmp_path / "pipeline")("new york")) == [("new york", "GPE")]


def test_initialize_with_bad_patterns_keeps_old_ones(nlp):
    ruler = make_ruler(nlp, PATTERNS)
    with pytest.raises(PatternError):
        ruler.initialize(lambda: [], nlp=nlp, patterns=[{"label": "X", "pattern": []}])
    assert ruler.patterns == PATTERNS


def test_score_reports_ents(nlp):
    ruler = make_ruler(nlp, PATTERNS)
    examples = []
    for text, spans in [("Apple Inc. is in New York", [(0, 10, "ORG"), (17, 25, "GPE")]),
                        ("Apple Inc. and Acme Corp", [(0, 10, "ORG"), (15, 24, "ORG")])]:
        examples.append(Example.from_dict(nlp.make_doc(text), {"entities": spans}))
    for eg in examples:
        ruler(eg.predicted)
    scores = ruler.score(examples)
    assert scores["ents_p"] == 1.0
    assert scores["ents_r"] == pytest.approx(0.75)
    assert scores["ents_f"] == pytest.approx(2 * 0.75 / 1.75)
    assert scores["ents_per_type"]["GPE"]["f"] == 1.0
    assert nlp.evaluate(examples)["ents_f"] == pytest.approx(scores["ents_f"])


def test_many_phrase_patterns_are_matched_by_lookup(nlp):
    words = [f"w{i}" for i in range(5000)]
    make_ruler(nlp, [{"label": "W", "pattern": f"{w} {w}"} for w in words]
               + [{"label": "T", "pattern": [{"LOWER": w}, {"IS_PUNCT": True}]}
                  for w in words[:2000]])
    doc = nlp("w1 w1 w7 , w4999 w4999 w2")
    assert ents(doc) == [("w1 w1", "W"), ("w7 ,", "T"), ("w4999 w4999", "W")]
