"""The entity picture: each entity marked with its label in its label's colour, the text
around them unchanged."""
from fastpipe import displacy
from fastpipe.tokens import Doc

from .markup import parse_html

WORDS = ["Ada", "Lovelace", "worked", "in", "London", "with", "Babbage", "."]
SPACES = [True, True, True, True, True, True, False, False]
ENTS = ["B-PERSON", "I-PERSON", "O", "O", "B-GPE", "O", "B-PERSON", "O"]


def entity_doc(vocab):
    return Doc(vocab, words=WORDS, spaces=SPACES, ents=ENTS)


def marks(markup):
    root = parse_html(markup)
    found = []
    for mark in root.find_class("fp-entity"):
        label = mark.find_class("fp-entity-label")[0]
        style = dict(part.strip().split(":", 1) for part in mark.attrs["style"].split(";")
                     if part.strip())
        found.append((mark.own_text(), label.text(), style["background"].strip()))
    return root, found


def test_each_entity_is_marked_with_its_label_and_the_text_reads_as_before(en):
    doc = entity_doc(en.vocab)
    root, found = marks(displacy.render(doc, style="ent"))
    assert [(text, label) for text, label, _ in found] == \
        [("Ada Lovelace", "PERSON"), ("London", "GPE"), ("Babbage", "PERSON")]
    colors = {label: color for _, label, color in found}
    assert colors["PERSON"] != colors["GPE"]  # a colour per label...
    assert found[0][2] == found[2][2]  # ...the same for the same label
    div = root.find_class("fp-entities")[0]
    assert div.own_text() == " worked in  with ."  # what lies between the marks is kept


def test_colors_and_ents_options(en):
    doc = entity_doc(en.vocab)
    _, found = marks(displacy.render(doc, style="ent", options={
        "ents": ["PERSON"], "colors": {"PERSON": "#123456"}}))
    assert [(t, c) for t, _, c in found] == [("Ada Lovelace", "#123456"), ("Babbage", "#123456")]
    root = parse_html(displacy.render(doc, style="ent", options={"ents": ["PERSON"]}))
    assert "London" in root.find_class("fp-entities")[0].own_text()  # shown as plain text


def test_an_unknown_label_gets_a_stable_colour_of_its_own(en):
    doc = Doc(en.vocab, words=["tea", "and", "cake"], ents=["B-FOOD", "O", "B-DESSERT"])
    _, first = marks(displacy.render(doc, style="ent"))
    _, again = marks(displacy.render(doc, style="ent"))
    assert first == again and first[0][2] != first[1][2]


def test_manual_entities_line_breaks_title_and_links():
    item = {"text": "Go to Paris\nnow", "ents": [{"start": 6, "end": 11, "label": "GPE",
                                                 "kb_id": "Q90"}], "title": "Trip"}
    markup = displacy.render(item, style="ent", manual=True,
                             options={"kb_url_template": "https://www.wikidata.org/wiki/{}"})
    root = parse_html(markup)
    assert root.find_class("fp-title")[0].text() == "Trip"
    assert [e.tag for e in root.find_class("fp-entities")[0].children][-1] == "br"
    link = root.find_class("fp-entity-kb")[0]
    assert link.attrs["href"] == "https://www.wikidata.org/wiki/Q90" and link.text() == "Q90"
    _, found = marks(markup)
    assert found[0][:2] == ("Paris", "GPE")


def test_a_span_shows_the_entities_inside_it_in_its_own_offsets(en):
    doc = entity_doc(en.vocab)
    parsed = displacy.parse_ents(doc[3:7])
    assert parsed["text"] == "in London with Babbage"
    assert [(e["start"], e["end"], e["label"]) for e in parsed["ents"]] == \
        [(3, 9, "GPE"), (15, 22, "PERSON")]
