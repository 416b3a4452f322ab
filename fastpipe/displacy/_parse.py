"""Docs (or Spans) as the plain dicts the renderers draw, the same dicts ``manual=True`` takes:

- dep: ``{"words": [{"text", "tag", "lemma"}], "arcs": [{"start", "end", "label", "dir"}]}``,
  ``start < end`` token positions and ``dir`` "left" when the arrow points at ``start`` (the
  dependent comes first), "right" when it points at ``end``;
- ent: ``{"text", "ents": [{"start", "end", "label", "kb_id"}]}`` in character offsets;
- span: ``{"text", "tokens", "spaces", "spans": [{"start_token", "end_token", "label"}]}``,
  ``end_token`` exclusive.

Each carries ``settings``: the language code and the direction its writing system reads in."""
from typing import Any, Dict, List, Optional

from ..errors import Errors
from ..lang import get_lang_data
from ..tokens import Doc
from ..tokens.span import Span

_directions: Dict[str, str] = {}


def _settings(doc: Doc) -> Dict[str, str]:
    lang = doc.vocab.lang
    if lang not in _directions:
        system = get_lang_data(lang).writing_system
        _directions[lang] = "rtl" if system.get("direction") == "rtl" else "ltr"
    return {"lang": lang, "direction": _directions[lang]}


def _doc_and_bounds(item):
    if isinstance(item, Doc):
        return item, 0, len(item)
    if isinstance(item, Span):
        return item.doc, item.start, item.end
    raise ValueError(Errors.E692.format(type=type(item).__name__))


def _groups(doc: Doc, start: int, end: int, collapse_punct: bool) -> List[int]:
    """The word each token is drawn in: its own, or with ``collapse_punct`` the word before it
    for a punctuation token (so "world!" is one word)."""
    group, current = [], -1
    for i in range(start, end):
        if not (collapse_punct and doc[i].is_punct and current >= 0):
            current += 1
        group.append(current)
    return group


def parse_deps(item, options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The words and arcs of a Doc or Span; only arcs whose head lies inside it."""
    options = options or {}
    if options.get("collapse_phrases"):
        raise ValueError(Errors.E693)
    doc, start, end = _doc_and_bounds(item)
    group = _groups(doc, start, end, options.get("collapse_punct", True))
    words: List[Dict[str, str]] = []
    for i in range(start, end):
        token = doc[i]
        tag = token.tag_ if options.get("fine_grained") else (token.pos_ or token.tag_)
        if group[i - start] == len(words):
            words.append({"text": token.text, "tag": tag, "lemma": token.lemma_})
        else:  # punctuation joined onto the word before
            words[-1]["text"] += doc[i - 1].whitespace_ + token.text
    arcs = []
    for i in range(start, end):
        first = i == start or group[i - start] != group[i - start - 1]
        head = doc[i].head.i
        if not first or not start <= head < end or group[head - start] == group[i - start]:
            continue
        dep, gov = group[i - start], group[head - start]
        arcs.append({"start": min(dep, gov), "end": max(dep, gov), "label": doc[i].dep_,
                     "dir": "left" if dep < gov else "right"})
    return {"words": words, "arcs": arcs, "settings": _settings(doc)}


def parse_ents(item, options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The text and entities of a Doc or Span, in character offsets of that text."""
    doc, start, end = _doc_and_bounds(item)
    offset = doc[start].idx if end > start else 0
    text = doc[start:end].text if end > start else ""
    ents = [{"start": ent.start_char - offset, "end": ent.end_char - offset,
             "label": ent.label_, "kb_id": ent.kb_id_}
            for ent in doc.ents if start <= ent.start and ent.end <= end]
    return {"text": text, "ents": ents, "title": None, "settings": _settings(doc)}


def parse_spans(item, options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The tokens of a Doc or Span and the spans of ``doc.spans[options["spans_key"]]`` (default
    "sc") inside it, in token positions."""
    options = options or {}
    doc, start, end = _doc_and_bounds(item)
    group = doc.spans.get(options.get("spans_key", "sc"), [])
    spans = [{"start_token": s.start - start, "end_token": s.end - start, "label": s.label_,
              "kb_id": s.kb_id_}
             for s in group if start <= s.start and s.end <= end]
    return {"text": doc[start:end].text if end > start else "",
            "tokens": [doc[i].text for i in range(start, end)],
            "spaces": [bool(doc[i].whitespace_) for i in range(start, end)],
            "spans": spans, "settings": _settings(doc)}
