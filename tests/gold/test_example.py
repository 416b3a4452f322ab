"""Example: gold annotations read onto the predicted tokens, missing values kept missing."""
import warnings

import pytest

from fastpipe.gold.example import Example
from fastpipe.tokens import Doc

WORDS = ["I", "do", "n't", "live", "in", "New", "York", "."]
SPACES = [True, False, True, True, True, True, False, False]
TEXT = "I don't live in New York."


def annotations(**extra):
    base = {
        "words": WORDS,
        "spaces": SPACES,
        "tags": ["PRP", "VBP", "RB", "VB", "IN", "NNP", "NNP", "."],
        "heads": [3, 3, 3, 3, 6, 6, 3, 3],
        "deps": ["nsubj", "aux", "advmod", "root", "case", "compound", "obl", "punct"],
        "entities": [(TEXT.index("New"), TEXT.index("York") + 4, "GPE")],
    }
    base.update(extra)
    return base


def test_same_tokenization(en):
    ex = Example.from_dict(en.tokenizer(TEXT), annotations())
    assert ex.get_aligned("TAG", as_string=True) == ["PRP", "VBP", "RB", "VB", "IN", "NNP", "NNP", "."]
    heads, deps = ex.get_aligned_parse(projectivize=False)
    assert heads == [3, 3, 3, 3, 6, 6, 3, 3]
    assert deps[3] == "root"
    assert ex.get_aligned_ner() == ["O", "O", "O", "O", "O", "B-GPE", "L-GPE", "O"]


def test_text_is_the_predicted_text(en):
    # as spaCy's: a batcher comparing eg.text sees what the pipeline sees, not the gold text
    predicted = Doc(en.vocab, words=["HELLO", "world"])
    ex = Example(predicted, Doc(en.vocab, words=["hello", "world"]))
    assert ex.text == "HELLO world" != ex.reference.text


def test_different_tokenization_gives_missing_not_wrong(en):
    pred = Doc(en.vocab, words=["I", "don't", "live", "in", "New York", "."],
               spaces=[True, True, True, True, False, False])
    ex = Example.from_dict(pred, annotations())
    assert ex.get_aligned("TAG", as_string=True) == ["PRP", None, "VB", "IN", None, "."]
    heads, deps = ex.get_aligned_parse(projectivize=False)
    assert heads == [2, None, 2, None, None, 2]
    assert deps == ["nsubj", None, "root", None, None, "punct"]
    # "New York" as one predicted token still carries the whole entity
    assert ex.get_aligned_ner() == ["O", "O", "O", "O", "U-GPE", "O"]


def test_missing_values_stay_missing(en):
    ann = annotations(tags=[None, "VBP", None, "VB", None, None, None, None])
    del ann["entities"], ann["heads"], ann["deps"]
    ex = Example.from_dict(en.tokenizer(TEXT), ann)
    assert ex.get_aligned("TAG", as_string=True) == [None, "VBP", None, "VB", None, None, None, None]
    heads, deps = ex.get_aligned_parse()
    assert heads == [None] * 8 and deps == [None] * 8
    assert ex.get_aligned_ner() is None  # no entity annotation at all: not "all O"


def test_biluo_tags_with_missing_tokens(en):
    tags = ["O", "-", "-", "O", "O", "B-GPE", "L-GPE", "O"]
    ex = Example.from_dict(en.tokenizer(TEXT), annotations(entities=tags))
    assert ex.get_aligned_ner() == tags
    assert [t.ent_iob_ for t in ex.reference] == ["O", "", "", "O", "O", "B", "I", "O"]


def test_misaligned_offsets_are_reported_with_the_id(en):
    ents = [(TEXT.index("New") + 1, TEXT.index("York") + 4, "GPE")]
    with pytest.warns(UserWarning, match="W001.*'sent-12'"):
        ex = Example.from_dict(en.tokenizer(TEXT), annotations(entities=ents), id="sent-12")
    assert ex.misaligned == ents
    assert ex.get_aligned_ner()[5:7] == ["-", "-"]


def test_overlapping_entities_raise(en):
    with pytest.raises(ValueError, match="E061"):
        Example.from_dict(en.tokenizer(TEXT), annotations(entities=[(0, 7, "A"), (2, 12, "B")]), id=3)


def test_unknown_key_and_bad_lengths(en):
    with pytest.raises(ValueError, match="E072.*'tagz'"):
        Example.from_dict(en.tokenizer(TEXT), {"tagz": []})
    with pytest.raises(ValueError, match=r"E341\] Example 'e1': .*E015"):
        Example.from_dict(en.tokenizer(TEXT), annotations(tags=["X"]), id="e1")


def test_cats_and_spans(en):
    ex = Example.from_dict(en.tokenizer(TEXT), annotations(
        cats={"POS": 1.0, "NEG": 0.0}, spans={"places": [(TEXT.index("New"), TEXT.index("York") + 4, "CITY")]}))
    assert ex.reference.cats == {"POS": 1.0, "NEG": 0.0}
    assert [(s.text, s.label_) for s in ex.reference.spans["places"]] == [("New York", "CITY")]


def test_to_dict_roundtrip(en):
    ex = Example.from_dict(en.tokenizer(TEXT), annotations(cats={"A": 1.0}))
    data = ex.to_dict()
    again = Example.from_dict(en.tokenizer(TEXT), data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert again.to_dict() == data
    assert data["entities"] == ["O", "O", "O", "O", "O", "B-GPE", "L-GPE", "O"]


def test_projectivized_parse_on_predicted_tokens(en):
    # "A hearing is scheduled on the issue today ." with the classic non-projective arc
    words = ["A", "hearing", "is", "scheduled", "on", "the", "issue", "today", "."]
    heads = [1, 3, 3, 3, 6, 6, 1, 3, 3]
    deps = ["det", "nsubj", "aux", "root", "case", "det", "nmod", "obl", "punct"]
    pred = Doc(en.vocab, words=words)
    ex = Example.from_dict(pred, {"words": words, "heads": heads, "deps": deps})
    proj_heads, proj_deps = ex.get_aligned_parse(projectivize=True)
    assert proj_heads[6] == 3 and proj_deps[6] == "nmod||nsubj"
    assert ex.get_aligned_parse(projectivize=False) == (heads, deps)
