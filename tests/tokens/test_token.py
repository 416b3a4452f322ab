"""Token: syntax navigation, sentence starts, annotation setters, entities."""
import pytest

from fastpipe.tokens import Doc


def test_head_and_children(parsed):
    ate = parsed[1]
    assert ate.head is not None and ate.head.i == 1  # a root is its own head
    assert [t.text for t in ate.children] == ["She", "pizza", "."]
    assert [t.text for t in ate.lefts] == ["She"]
    assert [t.text for t in ate.rights] == ["pizza", "."]
    assert (ate.n_lefts, ate.n_rights) == (1, 2)
    assert parsed[3].head.text == "ate"
    assert [t.text for t in parsed[3].children] == ["the"]
    assert list(parsed[0].children) == []


def test_edges(parsed):
    assert [t.left_edge.i for t in parsed] == [0, 0, 2, 2, 4, 5, 5, 7, 8]
    assert [t.right_edge.i for t in parsed] == [0, 4, 2, 3, 4, 5, 8, 7, 8]


def test_set_head_updates_tree(parsed):
    parsed[4].head = parsed[3]
    assert parsed[4].head.text == "pizza"
    assert [t.text for t in parsed[3].children] == ["the", "."]
    assert parsed[3].right_edge.i == 4 and parsed[3].n_rights == 1
    assert parsed[1].n_rights == 1


def test_set_head_cycle_is_refused_and_undone(parsed):
    with pytest.raises(ValueError, match="cycle"):
        parsed[1].head = parsed[3]  # pizza -> ate -> pizza
    assert parsed[1].head.i == 1
    assert [t.head.i for t in parsed] == [1, 1, 3, 1, 1, 6, 6, 6, 6]


def test_set_head_other_doc(parsed, vocab):
    other = Doc(vocab, words=["x", "y"])
    with pytest.raises(ValueError):
        parsed[0].head = other[0]
    with pytest.raises(TypeError):
        parsed[0].head = 1


def test_unparsed_token_is_its_own_head(vocab):
    doc = Doc(vocab, words=["a", "b"])
    assert doc[1].head.i == 1
    assert list(doc[0].children) == []
    assert doc[0].left_edge.i == 0 and doc[0].right_edge.i == 0


def test_is_sent_start(vocab):
    doc = Doc(vocab, words=["a", "b", "c"])
    assert [t.is_sent_start for t in doc] == [True, None, None]
    doc[2].is_sent_start = True
    doc[1].is_sent_start = False
    assert [t.is_sent_start for t in doc] == [True, False, True]
    assert [s.text for s in doc.sents] == ["a b", "c"]
    doc[2].is_sent_start = None
    assert doc[2].is_sent_start is None
    assert doc[2].sent.text == "a b c"


# morph_ takes only Field=Value strings and morph reads back as a MorphAnalysis: see below and
# tests/tokens/test_morph.py
@pytest.mark.parametrize("attr", ["tag_", "pos_", "lemma_", "dep_", "norm_"])
def test_string_setters(vocab, attr):
    doc = Doc(vocab, words=["Running", "fast"])
    setattr(doc[0], attr, "VALUE-\ud800")
    assert getattr(doc[0], attr) == "VALUE-\ud800"
    key = getattr(doc[0], attr[:-1])
    assert key == vocab.strings["VALUE-\ud800"] and key in vocab.strings
    setattr(doc[1], attr[:-1], key)
    assert getattr(doc[1], attr) == "VALUE-\ud800"
    with pytest.raises(TypeError):
        setattr(doc[0], attr, 5)


def test_morph_string_setter_and_key(vocab):
    doc = Doc(vocab, words=["Running", "fast"])
    doc[0].morph_ = "VerbForm=Ger"
    key = doc[0].morph.key
    assert key == vocab.strings["VerbForm=Ger"]
    doc[1].morph = key
    assert doc[1].morph_ == "VerbForm=Ger"
    with pytest.raises(TypeError):
        doc[0].morph_ = 5


def test_empty_values_mean_missing(vocab):
    doc = Doc(vocab, words=["Running"])
    assert (doc[0].tag_, doc[0].pos_, doc[0].lemma_, doc[0].dep_, doc[0].morph_) == ("",) * 5
    assert doc[0].norm_ == "running"  # the lexeme's norm
    doc[0].tag_ = ""
    assert doc[0].tag == 0


def test_ent_attributes(parsed):
    pizza = parsed[3]
    assert (pizza.ent_iob_, pizza.ent_type_, pizza.ent_iob) == ("B", "FOOD", 3)
    assert pizza.ent_type == parsed.vocab.strings["FOOD"]
    assert (parsed[0].ent_iob_, parsed[0].ent_type_) == ("O", "")
    assert parsed[0].ent_kb_id_ == ""


def test_token_text_and_neighbours(parsed):
    token = parsed[3]
    assert (token.text, token.idx, len(token), token.i) == ("pizza", 12, 5, 3)
    assert token.text_with_ws == "pizza" and parsed[2].text_with_ws == "the "
    assert token.nbor().text == "." and token.nbor(-1).text == "the"
    with pytest.raises(IndexError):
        parsed[-1].nbor()
    with pytest.raises(IndexError):
        parsed[0].nbor(-1)
    assert token.doc is parsed and token.vocab is parsed.vocab


def test_token_equality_and_hash(parsed):
    assert parsed[0] == parsed[0] and parsed[0] != parsed[1]
    assert len({parsed[0], parsed[0], parsed[1]}) == 2


def test_get_attr(parsed):
    assert parsed[3].get_attr("TAG") == parsed.vocab.strings["NN"]
    assert parsed[0].get_attr("HEAD") == 1
    with pytest.raises(KeyError):
        parsed[0].get_attr("NOPE")


def test_token_outlives_shrinking_doc(vocab):
    doc = Doc(vocab, words=["a", "b", "c"])
    last = doc[2]
    doc.from_bytes(Doc(vocab, words=["x"]).to_bytes())
    with pytest.raises(IndexError):
        last.idx
    with pytest.raises(IndexError):
        last.tag_
    assert last.text == ""  # reads a blank token, never freed memory
