"""Spans that may overlap (``doc.spans[key]``) as HTML: the tokens in a row, and under them one
coloured band per span, running under all its tokens with the label on its first one.

Bands that overlap go in different rows: spans are taken by start (longer first) and each goes
in the first row free at its start, which uses as few rows as the most spans over any token.
Options: ``spans_key`` (default "sc", read by ``parse_spans``) and ``colors``."""
from typing import Any, Dict, List

from ._markup import esc, label_color

ROW = 1.6  # em: the height of a row of bands
TEXT = 1.8  # em: the height of the line of text above them


def span_rows(spans: List[Dict[str, Any]]) -> List[int]:
    """The row of each span: no two spans sharing a token share a row."""
    order = sorted(range(len(spans)), key=lambda k: (spans[k]["start_token"],
                                                     -spans[k]["end_token"]))
    rows, row_ends = [0] * len(spans), []
    for k in order:
        start = spans[k]["start_token"]
        free = next((r for r, end in enumerate(row_ends) if end <= start), len(row_ends))
        if free == len(row_ends):
            row_ends.append(0)
        row_ends[free] = spans[k]["end_token"]
        rows[k] = free
    return rows


def render_span(parsed: Dict[str, Any], options: Dict[str, Any], direction: str) -> str:
    """One text (``parse_spans``'s dict or a manual one) as a ``<div>`` of tokens and bands."""
    tokens = parsed["tokens"]
    spaces = parsed.get("spaces") or [True] * len(tokens)
    spans = [s for s in parsed.get("spans", []) if 0 <= s["start_token"] < s["end_token"]]
    rows = span_rows(spans)
    colors = options.get("colors") or {}
    n_rows = max(rows, default=-1) + 1
    cells = []
    for i, token in enumerate(tokens):
        bands = []
        for span, row in zip(spans, rows):
            if span["start_token"] <= i < span["end_token"]:
                bands.append(_band(span, row, i, colors, last=i == span["end_token"] - 1))
        space = " " if i < len(spaces) and spaces[i] else ""
        cells.append(f'<span class="fp-span-token" data-i="{i}" style="position: relative; '
                     f'display: inline-block; white-space: pre; height: {TEXT + n_rows * ROW:g}em;'
                     f' vertical-align: top">{esc(token)}{esc(space)}{"".join(bands)}</span>')
    return (f'<div class="fp-spans" dir="{direction}" style="line-height: {TEXT}em; '
            f'direction: {direction}">{"".join(cells)}</div>')


def _band(span, row: int, i: int, colors, last: bool) -> str:
    label = str(span.get("label", ""))
    color = esc(label_color(label, colors))
    # a band runs on over the space after a token, except after the span's last token
    inset = "0.4em" if last else "0"
    text = ""
    if i == span["start_token"]:
        text = (f'<span class="fp-span-label" style="font-size: 0.7em; font-weight: bold; '
                f'padding: 0 0.4em; white-space: nowrap; position: relative; z-index: 1">'
                f'{esc(label)}</span>')
    return (f'<span class="fp-span-band" data-label="{esc(label)}" data-row="{row}" '
            f'data-start="{span["start_token"]}" data-end="{span["end_token"]}" '
            f'style="position: absolute; top: {TEXT + row * ROW:g}em; height: {ROW - 0.2:g}em; '
            f'inset-inline-start: 0; inset-inline-end: {inset}; background: {color}; '
            f'line-height: {ROW - 0.2:g}em; overflow: visible">{text}</span>')
