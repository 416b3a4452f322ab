"""What the three renderers share: escaping, label colours, the direction of the text and
the HTML page around the pictures.

All markup is written as text with every user string escaped here, so a token, label or title
holding ``<script>`` shows as text and never runs."""
import html
import re
import zlib
from typing import Any, Dict, Iterable, Optional

from ..errors import Errors

# Colours of the usual entity labels (OntoNotes and WikiNER names); other labels get a pale
# colour from a hash of their name, the same in every run.
LABEL_COLORS = {
    "PERSON": "#b8e0f6", "PER": "#b8e0f6", "NORP": "#e4c1f9", "FAC": "#d0d6e2",
    "ORG": "#a8e6cf", "GPE": "#ffd3b6", "LOC": "#ffe29a", "PRODUCT": "#c9d7f8",
    "EVENT": "#ffb7c5", "WORK_OF_ART": "#f3c4fb", "LAW": "#e2ece9", "LANGUAGE": "#fde2e4",
    "DATE": "#d7f9c8", "TIME": "#c5f1e7", "PERCENT": "#f9e0c7", "MONEY": "#e9f5a4",
    "QUANTITY": "#dfe7fd", "ORDINAL": "#f0efeb", "CARDINAL": "#eae4e9", "MISC": "#fcd5ce",
}

FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif"


def esc(text: Any) -> str:
    """``text`` as markup text or an attribute value: ``& < > " '`` escaped, and line breaks
    kept as character references so that minifying cannot drop them."""
    return html.escape(str(text), quote=True).replace("\n", "&#10;").replace("\r", "&#13;")


def label_color(label: str, colors: Optional[Dict[str, str]] = None) -> str:
    """The background of ``label``: the caller's colour, a known one, or a pale hue of its
    own."""
    if colors and label in colors:
        return str(colors[label])
    if label.upper() in LABEL_COLORS:
        return LABEL_COLORS[label.upper()]
    hue = zlib.crc32(label.encode("utf8")) % 360
    return f"hsl({hue}, 70%, 85%)"


def direction_of(item: Dict[str, Any], options: Dict[str, Any]) -> str:
    """"rtl" or "ltr": the ``direction`` option wins over the one the parsed item carries
    (its language's writing system)."""
    value = options.get("direction") or item.get("settings", {}).get("direction") or "ltr"
    if value not in ("ltr", "rtl"):
        raise ValueError(Errors.E690.format(option="direction", choices="'ltr', 'rtl'",
                                            value=value))
    return value


def lang_of(items: Iterable[Dict[str, Any]]) -> str:
    for item in items:
        lang = item.get("settings", {}).get("lang")
        if lang:
            return str(lang)
    return "en"


def page(body: str, *, lang: str = "en", direction: str = "ltr") -> str:
    """``body`` in a whole HTML page that a browser opens as it is."""
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}" dir="{esc(direction)}">\n<head>\n'
            '<meta charset="utf-8">\n<title>fastpipe displacy</title>\n</head>\n'
            f'<body style="margin: 0 0 3rem; font-family: {FONT}; background: #ffffff">\n'
            f'{body}\n</body>\n</html>\n')


def figure(markup: str, direction: str) -> str:
    return (f'<figure class="fp-displacy" dir="{direction}" '
            f'style="margin: 1.5rem 1rem; overflow-x: auto">\n{markup}\n</figure>')


def minify(markup: str) -> str:
    """``markup`` without the renderers' line breaks and indentation (text never holds a raw
    line break: ``esc`` writes them as references)."""
    return re.sub(r"\n\s*", "", markup)
