"""attribute_ruler: rules set TAG/POS/LEMMA/MORPH/NORM on one token of each match, later rules
win, negative indices, tag maps and morph rules, errors, scores, saving."""
import pytest

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.pipeline._matcher import PatternError
from fastpipe.tokens import Doc

RULES = [
    {"patterns": [[{"LOWER": "the"}], [{"LOWER": "a"}]], "attrs": {"TAG": "DT", "POS": "DET"}},
    {"patterns": [[{"LOWER": "i"}, {"LOWER": {"IN": ["like", "love"]}}]],
     "attrs": {"lemma": "like", "MORPH": {"VerbForm": "Fin", "Tense": "Pres"}}, "index": -1},
    {"patterns": [[{"LOWER": "the"}]], "attrs": {"NORM": "da"}},
]
#: The rules as the ruler gives them back: with their index.
SAVED = [{"patterns": r["patterns"], "attrs": r["attrs"], "index": r.get("index", 0)} for r in RULES]


def make(rules=RULES):
    nlp = Language.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(rules)
    return nlp, ruler


def attrs(doc):
    return [(t.tag_, t.pos_, t.lemma_, str(t.morph), t.norm_) for t in doc]


def test_rules_set_attributes_of_the_token_they_name():
    nlp, ruler = make()
    doc = nlp("I love the cake")
    assert attrs(doc) == [("", "", "", "", "i"),
                          ("", "", "like", "Tense=Pres|VerbForm=Fin", "love"),
                          ("DT", "DET", "", "", "da"),
                          ("", "", "", "", "cake")]
    assert len(ruler) == 3 and ruler.patterns == SAVED


def test_a_later_rule_wins():
    nlp, ruler = make()
    ruler.add([[{"LOWER": "the"}]], {"TAG": "LATER"})
    assert nlp("the")[0].tag_ == "LATER"


def test_tag_map_and_morph_rules():
    nlp = Language.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.load_from_tag_map({"NNS": {"POS": "NOUN", "Number": "plur"}})
    ruler.load_from_morph_rules({"PRP": {"I": {"LEMMA": "I", "PronType": "Prs", "Person": "1"}}})
    doc = Doc(nlp.vocab, words=["I", "eat", "apples"], tags=["PRP", "VBP", "NNS"])
    doc = ruler(doc)
    assert attrs(doc)[2][1:4] == ("NOUN", "", "Number=plur")
    assert attrs(doc)[0][2:4] == ("I", "Person=1|PronType=Prs")
    assert attrs(doc)[1][1] == ""


def test_bad_rules_are_refused_and_nothing_is_added():
    nlp, ruler = make()
    for args, code in [(([], {"TAG": "X"}), "E777"),
                       (([[{"LOWER": "x"}]], {"DEP": "nsubj"}), "E779"),
                       (([[{"LOWER": "x"}]], {"TAG": 3}), "E780"),
                       (([[{"LOWER": "x"}]], {"TAG": "X"}, "0"), "E778"),
                       (([[{"LOWR": "x"}]], {"TAG": "X"}), "E265")]:
        with pytest.raises(PatternError, match=code):
            ruler.add(*args)
    with pytest.raises(PatternError, match="E781"):
        ruler.add_patterns([{"pattern": [[{"LOWER": "x"}]], "attrs": {"TAG": "X"}}])
    assert len(ruler) == 3
    ruler.add([[{"LOWER": "x"}]], {"TAG": "X"}, index=3)
    with pytest.raises(ValueError, match="E782"):
        nlp("x")


def test_scores_what_it_sets():
    nlp, _ = make()
    ref = Doc(nlp.vocab, words=["the", "cake"], tags=["DT", "NN"], pos=["DET", "NOUN"])
    scores = nlp.evaluate([Example(nlp.make_doc("the cake"), ref)])
    assert scores["tag_acc"] == 0.5 and scores["pos_acc"] == 0.5 and scores["lemma_acc"] is None


def test_initialize_and_saving(tmp_path):
    nlp = Language.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "old"}]], {"TAG": "OLD"})
    ruler.initialize(lambda: [])  # nothing given: the rules stay
    assert len(ruler) == 1
    ruler.initialize(lambda: [], patterns=RULES)  # replaced
    nlp.to_disk(tmp_path / "nlp")
    loaded = fastpipe.load(tmp_path / "nlp")
    assert loaded.get_pipe("attribute_ruler").patterns == SAVED
    assert attrs(loaded("I like a cake")) == attrs(nlp("I like a cake"))
    other = Language.blank("en").add_pipe("attribute_ruler")
    other.from_bytes(ruler.to_bytes())
    assert len(other) == 3
