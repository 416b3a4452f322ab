"""The span picture: each span a band under all its tokens; spans that overlap in different
rows, spans that do not may share one."""
from fastpipe import displacy
from fastpipe.displacy.span import span_rows
from fastpipe.tokens import Doc
from fastpipe.tokens.span import Span

from .markup import parse_html

WORDS = ["Welcome", "to", "the", "Bank", "of", "China", "in", "Beijing"]


def bands(markup):
    """{(start, end, label): {token position: row}} read from the bands under the tokens."""
    found = {}
    for token in parse_html(markup).find_class("fp-span-token"):
        for band in token.find_class("fp-span-band"):
            key = (int(band.attrs["data-start"]), int(band.attrs["data-end"]),
                   band.attrs["data-label"])
            found.setdefault(key, {})[int(token.attrs["data-i"])] = int(band.attrs["data-row"])
    return found


def span_doc(vocab):
    doc = Doc(vocab, words=WORDS)
    doc.spans["sc"] = [Span(doc, 3, 6, label="ORG"), Span(doc, 5, 6, label="GPE"),
                       Span(doc, 2, 6, label="NP"), Span(doc, 7, 8, label="GPE")]
    return doc


def test_overlapping_spans_sit_in_separate_rows_under_all_their_tokens(en):
    found = bands(displacy.render(span_doc(en.vocab), style="span"))
    assert set(found) == {(3, 6, "ORG"), (5, 6, "GPE"), (2, 6, "NP"), (7, 8, "GPE")}
    for (start, end, _), rows in found.items():
        assert sorted(rows) == list(range(start, end))  # a band under each of its tokens
        assert len(set(rows.values())) == 1  # one row all along
    row = {key: next(iter(rows.values())) for key, rows in found.items()}
    overlapping = [(3, 6, "ORG"), (5, 6, "GPE"), (2, 6, "NP")]
    assert len({row[k] for k in overlapping}) == 3
    assert row[(7, 8, "GPE")] == 0  # nothing else over "Beijing": the first row


def test_the_label_is_written_once_on_the_first_token(en):
    root = parse_html(displacy.render(span_doc(en.vocab), style="span"))
    labels = [(int(label.parent.attrs["data-start"]), label.text())
              for label in root.find_class("fp-span-label")]
    assert sorted(labels) == [(2, "NP"), (3, "ORG"), (5, "GPE"), (7, "GPE")]
    tokens = root.find_class("fp-span-token")
    assert [t.own_text() for t in tokens] == [w + " " for w in WORDS[:-1]] + ["Beijing"]


def test_rows_are_as_few_as_the_deepest_overlap():
    spans = [{"start_token": s, "end_token": e} for s, e in [(0, 2), (1, 3), (2, 4), (3, 5)]]
    assert span_rows(spans) == [0, 1, 0, 1]


def test_spans_key_colors_and_manual_form(en):
    doc = span_doc(en.vocab)
    doc.spans["other"] = [Span(doc, 0, 1, label="GREETING")]
    markup = displacy.render(doc, style="span", options={
        "spans_key": "other", "colors": {"GREETING": "#abcdef"}})
    assert list(bands(markup)) == [(0, 1, "GREETING")] and "#abcdef" in markup
    item = {"text": "Welcome to the Bank of China", "tokens": WORDS[:6],
            "spans": [{"start_token": 3, "end_token": 6, "label": "ORG"}]}
    assert list(bands(displacy.render(item, style="span", manual=True))) == [(3, 6, "ORG")]
