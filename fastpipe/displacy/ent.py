"""Named entities as HTML: the text with each entity highlighted in its label's colour and the
label beside it.

Options: ``ents`` (the labels to highlight; others stay plain text), ``colors`` ({label:
CSS colour}) and ``kb_url_template`` (a link for an entity's knowledge-base id, ``{}`` standing
for the id)."""
from typing import Any, Dict, List

from ._markup import esc, label_color


def _text(text: str) -> str:
    return esc(text).replace("&#10;", "<br>")


def render_ent(parsed: Dict[str, Any], options: Dict[str, Any], direction: str) -> str:
    """One text (``parse_ents``'s dict or a manual one) as a ``<div>`` of marked entities."""
    text = parsed["text"]
    wanted = options.get("ents")
    wanted = {str(label).upper() for label in wanted} if wanted is not None else None
    colors = options.get("colors") or {}
    parts: List[str] = []  # inline content: joined with nothing between
    cursor = 0
    for ent in sorted(parsed.get("ents", []), key=lambda e: (e["start"], -e["end"])):
        start, end, label = int(ent["start"]), int(ent["end"]), str(ent["label"])
        if start < cursor or (wanted is not None and label.upper() not in wanted):
            continue  # overlaps the one before, or a label not asked for: plain text
        parts.append(_text(text[cursor:start]))
        parts.append(_mark(text[start:end], label, ent.get("kb_id") or "",
                           label_color(label, colors), options.get("kb_url_template")))
        cursor = end
    parts.append(_text(text[cursor:]))
    title = parsed.get("title")
    heading = f'<h2 class="fp-title" style="margin: 0 0 1rem">{esc(title)}</h2>\n' if title \
        else ""
    return (f'{heading}<div class="fp-entities" dir="{direction}" style="line-height: 2.5; '
            f'direction: {direction}">{"".join(parts)}</div>')


def _mark(text: str, label: str, kb_id: str, color: str, kb_url_template) -> str:
    link = ""
    if kb_url_template and kb_id:
        url = esc(kb_url_template.format(kb_id))
        link = (f'<a class="fp-entity-kb" href="{url}" style="margin-inline-start: 0.3rem; '
                f'text-decoration: none; color: inherit">{esc(kb_id)}</a>')
    return (f'<mark class="fp-entity" data-label="{esc(label)}" style="background: '
            f'{esc(color)}; padding: 0.4em 0.6em; margin: 0 0.2em; line-height: 1; '
            f'border-radius: 0.35em">{_text(text)}<span class="fp-entity-label" style='
            f'"font-size: 0.75em; font-weight: bold; vertical-align: middle; '
            f'margin-inline-start: 0.5rem; margin-inline-end: 0.1rem">{esc(label)}</span>{link}</mark>')
