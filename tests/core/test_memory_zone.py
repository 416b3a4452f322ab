"""Memory zones: strings, lexemes and tokenizer cache entries made for new words inside
``nlp.memory_zone()`` are released when it ends; what existed before stays, with its keys."""
import pytest

import fastpipe
from fastpipe.strings import StringStore


@pytest.fixture
def nlp():
    return fastpipe.blank("en")


def test_strings_added_in_a_zone_are_gone_afterwards(nlp):
    strings = nlp.vocab.strings
    kept = strings.add("kept-before")
    n_strings = len(strings)
    with nlp.memory_zone():
        inside = strings.add("only-inside")
        assert strings[inside] == "only-inside" and "only-inside" in strings
        assert strings.add("kept-before") == kept
    assert "only-inside" not in strings and inside not in strings
    assert strings[kept] == "kept-before"
    assert len(strings) == n_strings and "only-inside" not in list(strings)
    with pytest.raises(KeyError):
        strings[inside]


def test_lexemes_and_ids_of_kept_words_are_unchanged(nlp):
    before = nlp("the cat sat on the mat")
    ids = {t.text: (t.orth, t.norm, t.shape, t.prefix, t.suffix) for t in before}
    order = [(lex.text, lex.rank) for lex in nlp.vocab]
    n_lexemes, n_strings = len(nlp.vocab), len(nlp.vocab.strings)
    with nlp.memory_zone():
        doc = nlp("the zorblax quuxified 12 mats on Tuesday")
        assert [t.text for t in doc][:3] == ["the", "zorblax", "quuxified"]
        assert len(nlp.vocab) > n_lexemes
    assert len(nlp.vocab) == n_lexemes and len(nlp.vocab.strings) == n_strings
    assert "zorblax" not in nlp.vocab and "zorblax" not in nlp.vocab.strings
    after = nlp("the cat sat on the mat")
    assert {t.text: (t.orth, t.norm, t.shape, t.prefix, t.suffix) for t in after} == ids
    assert [(lex.text, lex.rank) for lex in nlp.vocab] == order  # kept lexemes keep their ids


def test_words_of_a_zone_tokenize_the_same_afterwards(nlp):
    text = "I can't believe zorblax's (wiki/Zorb_(x)) costs $5.00!"
    expected = [(t.text, t.norm_, t.whitespace_) for t in nlp(text)]
    nlp2 = fastpipe.blank("en")
    with nlp2.memory_zone():
        inside = [(t.text, t.norm_, t.whitespace_) for t in nlp2(text)]
    # the zone's cache entries are gone with its lexemes: the chunks are split again
    assert inside == expected
    assert [(t.text, t.norm_, t.whitespace_) for t in nlp2(text)] == expected
    assert [(t.text, t.norm_, t.whitespace_) for t in nlp2(text)] == expected


def test_zones_nest_and_the_outermost_releases(nlp):
    with nlp.memory_zone():
        with nlp.memory_zone():
            nlp("innerword")
        assert "innerword" in nlp.vocab.strings
    assert "innerword" not in nlp.vocab.strings


def test_a_zone_ends_on_an_error(nlp):
    with pytest.raises(RuntimeError):
        with nlp.memory_zone():
            nlp("raisedword")
            raise RuntimeError("stop")
    assert "raisedword" not in nlp.vocab.strings
    assert not nlp.vocab.in_memory_zone


def test_to_bytes_in_a_zone_leaves_its_strings_out(nlp):
    strings = nlp.vocab.strings
    strings.add("saved")
    with nlp.memory_zone():
        strings.add("transient")
        saved = StringStore().from_bytes(strings.to_bytes())
    assert "saved" in saved and "transient" not in saved


def test_a_zone_on_the_strings_twice_is_refused():
    strings = StringStore()
    strings._start_zone()
    with pytest.raises(RuntimeError, match=r"\[E645\]"):
        strings._start_zone()
    strings._end_zone()


def test_pipe_in_zones_keeps_the_vocab_from_growing(nlp):
    texts = [f"word{i}a word{i}b the cat" for i in range(250)]
    n_lexemes = len(nlp.vocab)
    seen = [doc.text for doc in nlp.pipe(texts, zone_size=100, batch_size=32)]
    assert seen == texts
    assert len(nlp.vocab) == n_lexemes
    assert "word249a" not in nlp.vocab.strings
    assert "word3a" not in nlp.vocab.strings
    # without zones the words stay
    list(nlp.pipe(texts[:5]))
    assert "word3a" in nlp.vocab.strings


def test_many_zones_of_new_words(nlp):
    for zone in range(30):
        with nlp.memory_zone():
            for doc in nlp.pipe(f"z{zone}w{i} z{zone}v{i}" for i in range(300)):
                assert len(doc) == 2
    assert len(nlp.vocab) == 0 and len(nlp.vocab.strings) < 10
    assert [t.text for t in nlp("z1w1 and more")] == ["z1w1", "and", "more"]
