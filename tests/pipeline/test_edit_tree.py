"""Edit trees: building from (form, lemma), sharing, applying to other forms, their text."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpipe.pipeline._edit_tree import EditTrees


def tree_of(form, lemma, table=None):
    table = table if table is not None else EditTrees()
    return table, table.add(form, lemma)


def test_english_suffixes_share_one_tree():
    trees = EditTrees()
    walked = trees.add("walked", "walk")
    assert trees.add("jumped", "jump") == walked
    assert trees.to_str(walked) == '[0,2,null,["ed",""]]'
    assert trees.apply(walked, "played") == "play"
    assert trees.apply(walked, "walks") is None  # no "ed" to remove
    assert trees.apply(walked, "ed") is None  # nothing would be left of the form
    assert trees.add("dogs", "dog") != walked


def test_prefixes_infixes_and_insertions():
    # German participle: a prefix goes and the ending changes
    trees, sagen = tree_of("gesagt", "sagen")
    assert trees.to_str(sagen) == '[2,1,["ge",""],["t","en"]]'
    assert trees.apply(sagen, "gemacht") == "machen"
    assert trees.apply(sagen, "bemacht") is None
    # umlaut inside the word (the plural of Maus)
    trees, maus = tree_of("Mäuse", "Maus")
    assert trees.apply(maus, "Läuse") == "Laus"
    assert trees.apply(maus, "Lause") is None
    # a negative prefix, and an ending added (Finnish-like infinitive)
    trees, happy = tree_of("unhappy", "happy")
    assert trees.apply(happy, "unkind") == "kind" and trees.apply(happy, "kind") is None
    trees, laufen = tree_of("lauf", "laufen")
    assert trees.apply(laufen, "sag") == "sagen"


def test_whole_substitution_and_identity():
    trees = EditTrees()
    went = trees.add("went", "go")
    assert trees.to_str(went) == '["went","go"]'
    assert trees.apply(went, "went") == "go" and trees.apply(went, "sent") is None
    same = trees.add("cat", "cat")
    assert trees.to_str(same) == "[0,0,null,null]"
    assert trees.apply(same, "anything") == "anything"
    lower = trees.add("The", "the")
    assert trees.apply(lower, "Tea") == "tea" and trees.apply(lower, "tea") is None


def test_trees_are_interned_by_structure():
    trees = EditTrees()
    first = trees.add("walked", "walk")
    size = len(trees)
    for form in ("jumped", "played", "talked"):
        assert trees.add(form, form[:-2]) == first
    assert len(trees) == size
    # the substitution node "ed" -> "" is shared with a tree that also changes a prefix
    trees.add("gewalked", "walk")
    assert len(trees) == size + 2  # the "ge" -> "" node and the new root


def test_text_round_trip_in_another_table():
    source = EditTrees()
    pairs = [("walked", "walk"), ("gesagt", "sagen"), ("Mäuse", "Maus"), ("went", "go"),
             ("a", "a"), ("lauf", "laufen")]
    texts = [source.to_str(source.add(form, lemma)) for form, lemma in pairs]
    target = EditTrees()
    target.add("dogs", "dog")  # ids differ between the tables
    for (form, lemma), text in zip(pairs, texts):
        tree = target.from_str(text)
        assert target.apply(tree, form) == lemma
        assert target.to_str(tree) == text
        assert target.from_str(text) == tree


@pytest.mark.parametrize("text, why", [
    ("walk", "not JSON"), ("null", "null"), ("[1,2,3]", "neither"), ('[-1,0,null,null]', "neither"),
    ('[2,0,null,null]', "drops a prefix"), ('[0,1,null,null]', "drops a suffix"),
    ('["a"]', "neither"),
])
def test_bad_text_is_refused(text, why):
    with pytest.raises(ValueError, match=why):
        EditTrees().from_str(text)


def test_unknown_tree_id():
    with pytest.raises(IndexError):
        EditTrees().apply(0, "x")


words = st.text(alphabet="abcdeäöü", max_size=12)


@settings(max_examples=300, deadline=None)
@given(words, words)
def test_a_tree_rewrites_its_own_form_into_its_lemma(form, lemma):
    trees = EditTrees()
    tree = trees.add(form, lemma)
    assert trees.apply(tree, form) == lemma
    other = EditTrees()
    assert other.apply(other.from_str(trees.to_str(tree)), form) == lemma
