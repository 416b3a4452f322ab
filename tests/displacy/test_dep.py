"""The dependency picture: an arc per dependent with its label, the arrow at the dependent,
arcs of projective trees never crossing, and the documented layout options."""
import random
import sys
import types

import pytest

import fastpipe
from fastpipe import displacy
from fastpipe.lang.base import LanguageData
from fastpipe.tokens import Doc
from fastpipe.vocab import Vocab

from .markup import SVG, dep_picture, numbers, parse_svg

WORDS = ["She", "gave", "the", "old", "dog", "a", "bone", "yesterday"]
HEADS = [1, 1, 4, 4, 1, 6, 1, 1]
DEPS = ["nsubj", "ROOT", "det", "amod", "iobj", "det", "obj", "advmod"]
TAGS = ["PRP", "VBD", "DT", "JJ", "NN", "DT", "NN", "NN"]


def make_doc(vocab, words=WORDS, heads=HEADS, deps=DEPS, tags=TAGS):
    doc = Doc(vocab, words=words, heads=heads, deps=deps)
    for token, tag in zip(doc, tags or ["X"] * len(words)):
        token.tag_ = tag
    return doc


def projective_heads(n, rng):
    """Random heads of a projective tree over n words: a subtree covers a run of words."""
    heads = [0] * n

    def runs(lo, hi):
        cuts = sorted(rng.sample(range(lo + 1, hi), rng.randint(0, max(0, hi - lo - 1))))
        edges = [lo] + cuts + [hi]
        return [(a, b) for a, b in zip(edges, edges[1:]) if a < b]

    def build(lo, hi, parent):
        root = rng.randrange(lo, hi)
        heads[root] = root if parent is None else parent
        for a, b in runs(lo, root) + runs(root + 1, hi):
            build(a, b, root)

    build(0, n, None)
    return heads


def crossing(a, b):
    return a["left"] < b["left"] < a["right"] < b["right"] or \
        b["left"] < a["left"] < b["right"] < a["right"]


def test_one_arc_per_dependent_labelled_and_pointing_at_it(en):
    doc = make_doc(en.vocab)
    xs, texts, tags, arcs = dep_picture(displacy.render(doc, style="dep"))
    assert texts == WORDS and tags == TAGS
    assert len(arcs) == len(WORDS) - 1  # every word but the root has one
    seen = set()
    for arc in arcs:
        dependent = xs.index(arc["tip"])  # the arrow's tip sits on the dependent's word
        seen.add(dependent)
        assert arc["label"] == DEPS[dependent]
        head = HEADS[dependent]
        foot = arc["right"] if arc["tip"] == arc["left"] else arc["left"]
        assert abs(foot - xs[head]) < abs(xs[1] - xs[0]) / 2  # the other foot at the head
        assert arc["dir"] == ("left" if dependent < head else "right")
    assert seen == {i for i in range(len(WORDS)) if HEADS[i] != i}


@pytest.mark.parametrize("compact", [False, True])
def test_arcs_of_projective_trees_never_cross_and_outer_arcs_run_higher(compact):
    rng = random.Random(7)
    vocab = fastpipe.blank("en").vocab
    for _ in range(60):
        n = rng.randint(2, 14)
        heads = projective_heads(n, rng)
        doc = make_doc(vocab, [f"w{i}" for i in range(n)], heads, ["dep"] * n, None)
        _, _, _, arcs = dep_picture(displacy.render(doc, options={"compact": compact}))
        assert len(arcs) == n - 1
        for a in arcs:
            for b in arcs:
                if a is b:
                    continue
                assert not crossing(a, b), (heads, a, b)
                if a["left"] <= b["left"] and b["right"] <= a["right"]:
                    assert a["top"] < b["top"], (heads, a, b)  # the outer one clears it


def test_a_non_projective_arc_is_drawn_too(en):
    doc = make_doc(en.vocab, ["a", "b", "c", "d"], [2, 3, 2, 2], ["x", "y", "ROOT", "z"], None)
    _, _, _, arcs = dep_picture(displacy.render(doc))
    assert sorted(a["label"] for a in arcs) == ["x", "y", "z"]
    assert any(crossing(a, b) for a in arcs for b in arcs)  # a crossing tree stays crossed


def test_compact_is_narrower_with_square_arcs(en):
    doc = make_doc(en.vocab)
    wide, compact = displacy.render(doc), displacy.render(doc, options={"compact": True})
    xs_wide, _, _, arcs_wide = dep_picture(wide)
    xs_compact, _, _, arcs_compact = dep_picture(compact)
    assert xs_compact[-1] - xs_compact[0] < xs_wide[-1] - xs_wide[0]
    assert all("C" in a["path"] for a in arcs_wide)
    assert all("C" not in a["path"] and a["path"].count("L") == 3 for a in arcs_compact)


def test_distance_word_spacing_and_stroke_options(en):
    doc = make_doc(en.vocab)
    markup = displacy.render(doc, options={"distance": 120, "offset_x": 10,
                                           "arrow_stroke": 5, "word_spacing": 80})
    xs, _, _, _ = dep_picture(markup)
    assert [b - a for a, b in zip(xs, xs[1:])] == [120] * (len(xs) - 1)
    assert xs[0] == 10 + 60
    assert 'stroke-width="5"' in markup and 'stroke-width="2"' not in markup
    assert _word_y(markup) - _arc_feet_y(markup) == 80  # words that far under the arcs
    plain = displacy.render(doc)
    assert _word_y(plain) - _arc_feet_y(plain) == 45


def _word_y(markup):
    return float(next(t for t in parse_svg(markup).iter(SVG + "text")
                      if t.get("class") == "fp-dep-word").get("y"))


def _arc_feet_y(markup):
    path = next(p for p in parse_svg(markup).iter(SVG + "path")
                if p.get("class") == "fp-dep-arc-line")
    return numbers(path.get("d"))[1]


def test_tags_lemmas_and_fine_grained(en):
    doc = make_doc(en.vocab)
    for token in doc:
        token.pos_ = "NOUN"
        token.lemma_ = token.text.lower()
    _, _, tags, _ = dep_picture(displacy.render(doc))
    assert tags == ["NOUN"] * len(WORDS)  # coarse tags unless fine_grained
    _, _, tags, _ = dep_picture(displacy.render(doc, options={"fine_grained": True}))
    assert tags == TAGS
    markup = displacy.render(doc, options={"add_lemma": True})
    assert 'class="fp-dep-lemma"' in markup and ">gave</tspan>" in markup and \
        ">she</tspan>" in markup


def test_punctuation_joins_the_word_before_unless_asked_not_to(en):
    doc = make_doc(en.vocab, ["Hi", ",", "you", "!"], [0, 0, 0, 0],
                   ["ROOT", "punct", "appos", "punct"], None)
    _, texts, _, arcs = dep_picture(displacy.render(doc))
    assert texts == ["Hi ,", "you !"] and [a["label"] for a in arcs] == ["appos"]
    _, texts, _, arcs = dep_picture(displacy.render(doc, options={"collapse_punct": False}))
    assert texts == ["Hi", ",", "you", "!"] and len(arcs) == 3
    parsed = displacy.parse_deps(doc)
    assert parsed["arcs"] == [{"start": 0, "end": 1, "label": "appos", "dir": "right"}]


def test_a_span_draws_its_own_words_and_arcs_inside_it(en):
    doc = make_doc(en.vocab)
    parsed = displacy.parse_deps(doc[2:5])  # "the old dog"
    assert [w["text"] for w in parsed["words"]] == ["the", "old", "dog"]
    assert parsed["arcs"] == [{"start": 0, "end": 2, "label": "det", "dir": "left"},
                              {"start": 1, "end": 2, "label": "amod", "dir": "left"}]


def test_right_to_left_option_puts_the_first_word_on_the_right(en):
    doc = make_doc(en.vocab)
    markup = displacy.render(doc, options={"direction": "rtl"})
    xs, _, _, arcs = dep_picture(markup)
    assert xs == sorted(xs, reverse=True) and 'direction="rtl"' in markup
    for arc in arcs:  # arrows still land on the dependents
        dependent = xs.index(arc["tip"])
        assert arc["label"] == DEPS[dependent]


def test_a_language_written_right_to_left_is_drawn_so(monkeypatch):
    """A language package whose writing system says rtl (found by name as fastpipe.lang
    finds any) needs no option."""
    package = types.ModuleType("fastpipe.lang.zz")
    package.__path__ = []
    package.make_data = lambda: LanguageData(lang="zz", writing_system={"direction": "rtl"})
    monkeypatch.setitem(sys.modules, "fastpipe.lang.zz", package)
    doc = make_doc(Vocab(lang="zz"), ["a", "b"], [1, 1], ["x", "ROOT"], None)
    xs, _, _, _ = dep_picture(displacy.render(doc))
    assert xs[0] > xs[1]
    assert 'dir="rtl"' in displacy.render(doc, page=True)
    xs, _, _, _ = dep_picture(displacy.render(doc, options={"direction": "ltr"}))
    assert xs[0] < xs[1]  # the option wins


def test_manual_words_and_arcs(en):
    parse = {"words": [{"text": "This", "tag": "DT"}, {"text": "is", "tag": "VBZ"},
                       {"text": "it", "tag": "PRP"}],
             "arcs": [{"start": 0, "end": 1, "label": "nsubj", "dir": "left"},
                      {"start": 1, "end": 2, "label": "attr", "dir": "right"}]}
    xs, texts, tags, arcs = dep_picture(displacy.render(parse, manual=True))
    assert texts == ["This", "is", "it"] and tags == ["DT", "VBZ", "PRP"]
    assert {(a["label"], xs.index(a["tip"])) for a in arcs} == {("nsubj", 0), ("attr", 2)}
