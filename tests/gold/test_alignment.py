"""Alignment of two tokenizations of one text."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpipe.gold.alignment import Alignment
from fastpipe.tokens import Doc


def test_one_to_many_and_many_to_one():
    align = Alignment.from_strings(["I", "don't", "like", "New York"],
                                   ["I", "do", "n't", "like", "New", "York"])
    assert align.x2y.to_list() == [[0], [1, 2], [3], [4, 5]]
    assert align.y2x.to_list() == [[0], [1], [1], [2], [3], [3]]


def test_crossing_boundaries():
    align = Alignment.from_strings(["ab", "cd"], ["a", "bc", "d"])
    assert align.x2y.to_list() == [[0, 1], [1, 2]]
    assert align.y2x.to_list() == [[0], [0, 1], [1]]


def test_whitespace_tokens_align_to_nothing(en):
    x = Doc(en.vocab, words=["a", "\n", "b"], spaces=[False, False, False])
    y = Doc(en.vocab, words=["a", "b"], spaces=[False, False])
    y_text_fix = Doc(en.vocab, words=["a", "\n", "b"], spaces=[False, False, False])
    # identical tokenizations align one-to-one, whitespace tokens included
    assert Alignment.from_docs(x, y_text_fix).x2y.to_list() == [[0], [1], [2]]
    # whitespace is ignored when comparing texts
    assert Alignment.from_docs(x, y).x2y.to_list() == [[0], [], [1]]


def test_different_texts_raise_with_position(en):
    x = Doc(en.vocab, words=["hello", "world"])
    y = Doc(en.vocab, words=["hello", "word"])
    with pytest.raises(ValueError, match="E060.*example 'ex-7'"):
        Alignment.from_docs(x, y, example_id="ex-7")


def _cut(text, cuts):
    cuts = sorted(set(c for c in cuts if 0 < c < len(text)))
    bounds = [0] + cuts + [len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=40),
    st.lists(st.integers(min_value=1, max_value=39), max_size=10),
    st.lists(st.integers(min_value=1, max_value=39), max_size=10),
)
def test_random_retokenizations_align_back(text, cuts_x, cuts_y):
    x = _cut(text, cuts_x)
    y = _cut(text, cuts_y)
    align = Alignment.from_strings(x, y)
    # every character's pair of owners is represented, and nothing else
    x_owner = [i for i, w in enumerate(x) for _ in w]
    y_owner = [j for j, w in enumerate(y) for _ in w]
    pairs = set(zip(x_owner, y_owner))
    assert {(i, j) for i, js in enumerate(align.x2y.to_list()) for j in js} == pairs
    assert {(i, j) for j, is_ in enumerate(align.y2x.to_list()) for i in is_} == pairs
    # aligning a tokenization with itself is the identity
    same = Alignment.from_strings(x, x)
    assert same.x2y.to_list() == [[i] for i in range(len(x))]
