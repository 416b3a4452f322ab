"""Dependency parses as SVG: the words in a row with their tags under them, and one arc per
dependent from its head, the arrow at the dependent and the relation's label on the arc.

An arc's height is its nesting level: one more than the highest arc inside its span of words,
so an arc always clears the arcs it covers and the arcs of a projective tree never cross. At
the head's end an arc starts a little to the side of the word, the lower arcs further out,
which keeps arcs that share a head apart and off the arrowhead that lands on that word."""
from typing import Any, Dict, List

from ._markup import FONT, esc

# Settings of the picture (the option names spaCy users pass) and their values by default;
# ``compact`` has narrower words, lower levels and square arcs.
DEFAULTS = {"distance": 175, "offset_x": 50, "arrow_stroke": 2, "arrow_width": 10,
            "arrow_spacing": 12, "word_spacing": 45, "color": "#000000", "bg": "#ffffff",
            "font": FONT, "compact": False, "add_lemma": False}
COMPACT = {"distance": 100, "arrow_width": 8, "arrow_spacing": 10, "word_spacing": 40}
LINE = 20  # the height of a line of text under the arcs


def arc_levels(arcs: List[Dict[str, Any]]) -> List[int]:
    """Each arc's level: 1 for an arc with no arc inside its span, else one more than the
    highest arc inside it."""
    order = sorted(range(len(arcs)), key=lambda k: arcs[k]["end"] - arcs[k]["start"])
    levels = [0] * len(arcs)
    for n, k in enumerate(order):
        a = arcs[k]
        inside = [levels[j] for j in order[:n]
                  if a["start"] <= arcs[j]["start"] and arcs[j]["end"] <= a["end"]]
        levels[k] = 1 + max(inside, default=0)
    return levels


def render_dep(parsed: Dict[str, Any], options: Dict[str, Any], direction: str) -> str:
    """One parse (``parse_deps``'s dict or a manual one) as an ``<svg>`` element."""
    s = dict(DEFAULTS)
    if options.get("compact"):
        s.update(COMPACT)
    s.update({k: v for k, v in options.items() if k in DEFAULTS})
    words, arcs = parsed["words"], parsed["arcs"]
    levels = arc_levels(arcs)
    top = max(levels, default=0)
    distance, level_height = float(s["distance"]), float(s["distance"]) / 2.5
    base = 30 + top * level_height  # the arcs' feet
    n_lines = 3 if s["add_lemma"] else 2
    width = 2 * s["offset_x"] + len(words) * distance
    height = base + s["word_spacing"] + n_lines * LINE

    def x_of(i: int) -> float:
        slot = len(words) - 1 - i if direction == "rtl" else i
        return s["offset_x"] + distance / 2 + slot * distance

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
             f' class="fp-dep" direction="{direction}" width="{width:g}" height="{height:g}"'
             f' viewBox="0 0 {width:g} {height:g}" style="max-width: none; height: {height:g}px;'
             f' color: {esc(s["color"])}; background: {esc(s["bg"])};'
             f' font-family: {esc(s["font"])}">']
    for i, word in enumerate(words):
        parts.append(_word(word, x_of(i), base + s["word_spacing"], s["add_lemma"]))
    for arc, level in zip(arcs, levels):
        parts.append(_arc(arc, level, top, x_of, base, level_height, s))
    parts.append("</svg>")
    return "\n".join(parts)


def _word(word: Dict[str, Any], x: float, y: float, add_lemma: bool) -> str:
    lines = [f'<tspan class="fp-dep-text" x="{x:g}">{esc(word.get("text", ""))}</tspan>']
    if add_lemma:
        lines.append(f'<tspan class="fp-dep-lemma" x="{x:g}" dy="{LINE}">'
                     f'{esc(word.get("lemma") or "")}</tspan>')
    lines.append(f'<tspan class="fp-dep-tag" x="{x:g}" dy="{LINE}" font-size="0.85em" '
                 f'opacity="0.75">{esc(word.get("tag") or "")}</tspan>')
    return (f'<text class="fp-dep-word" fill="currentColor" text-anchor="middle" y="{y:g}">'
            + "".join(lines) + "</text>")


def _arc(arc, level, top, x_of, base, level_height, s) -> str:
    dependent, head = (arc["start"], arc["end"]) if arc["dir"] == "left" else \
        (arc["end"], arc["start"])
    x_dep, x_head = x_of(dependent), x_of(head)
    side = 1 if x_dep > x_head else -1
    # lower arcs start further from the head's centre, so the higher arcs around them clear
    # them; the closest is still beside the arrowhead that may land on the head
    gap = s["arrow_width"] / 2 + 2 + s["arrow_spacing"] * (top - level) / max(top, 1)
    x_start = x_head + side * gap
    y_top = base - level * level_height
    x1, x2 = sorted((x_start, x_dep))
    if s["compact"]:
        line = f"M{x1:g},{base:g} L{x1:g},{y_top:g} L{x2:g},{y_top:g} L{x2:g},{base:g}"
    else:  # a cubic curve peaks at 3/4 of its control points' height
        y_ctrl = base - level * level_height * 4 / 3
        line = f"M{x1:g},{base:g} C{x1:g},{y_ctrl:g} {x2:g},{y_ctrl:g} {x2:g},{base:g}"
    w = s["arrow_width"]
    head_path = (f"M{x_dep:g},{base:g} L{x_dep - w / 2:g},{base - w:g} "
                 f"L{x_dep + w / 2:g},{base - w:g} Z")
    label = esc(arc.get("label", ""))
    return (f'<g class="fp-dep-arc" data-dir="{esc(arc["dir"])}" data-label="{label}">'
            f'<path class="fp-dep-arc-line" d="{line}" stroke="currentColor" '
            f'stroke-width="{s["arrow_stroke"]}" fill="none"/>'
            f'<path class="fp-dep-arrowhead" d="{head_path}" fill="currentColor"/>'
            f'<text class="fp-dep-label" x="{(x1 + x2) / 2:g}" y="{y_top - 5:g}" '
            f'text-anchor="middle" font-size="0.8em" fill="currentColor">{label}</text></g>')
