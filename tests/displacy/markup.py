"""Reading the pictures back as a person's browser would: SVG with ElementTree, HTML with the
standard library's parser into a small element tree."""
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Dict, List, Optional

SVG = "{http://www.w3.org/2000/svg}"
VOID = {"br", "meta", "link", "img", "input", "hr"}


class Element:
    def __init__(self, tag: str, attrs: Dict[str, Optional[str]], parent=None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: List["Element"] = []
        self.parts: List[object] = []  # text and child elements in order

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_class(self, name: str) -> List["Element"]:
        return [e for e in self.iter() if name in e.classes]

    def own_text(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        self.current.parts.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def parse_html(markup: str) -> Element:
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    assert builder.current is builder.root, "an element was left open"
    return builder.root


def parse_svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def numbers(path: str) -> List[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", path)]


def dep_picture(markup: str):
    """(word x positions, word texts, tags, arcs): each arc a dict with the label, dir, the
    x of its two feet (left, right), the y of its top and the x of its arrow's tip."""
    svg = parse_svg(markup)
    xs, texts, tags = [], [], []
    for word in svg.iter(SVG + "text"):
        if word.get("class") != "fp-dep-word":
            continue
        spans = {t.get("class"): t for t in word.iter(SVG + "tspan")}
        xs.append(float(spans["fp-dep-text"].get("x")))
        texts.append(spans["fp-dep-text"].text or "")
        tags.append(spans["fp-dep-tag"].text or "")
    arcs = []
    for g in svg.iter(SVG + "g"):
        if g.get("class") != "fp-dep-arc":
            continue
        paths = {p.get("class"): p.get("d") for p in g.iter(SVG + "path")}
        line = numbers(paths["fp-dep-arc-line"])
        label = next(t for t in g.iter(SVG + "text") if t.get("class") == "fp-dep-label")
        peak = min(line[1::2])
        if "C" in paths["fp-dep-arc-line"]:  # a cubic curve peaks at 3/4 of its controls
            peak = line[1] - 0.75 * (line[1] - peak)
        arcs.append({"label": label.text or "", "dir": g.get("data-dir"), "left": line[0],
                     "right": line[-2], "top": peak, "tip": numbers(paths["fp-dep-arrowhead"])[0],
                     "path": paths["fp-dep-arc-line"]})
    return xs, texts, tags, arcs
