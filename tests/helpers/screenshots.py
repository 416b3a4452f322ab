"""The displacy pictures as a person sees them: every style drawn on one page, opened in
headless Chromium, screenshotted once, and each picture cut out of the screenshot as pixels.

One page and one browser start for all the pictures: starting Chromium costs 1-3 s, drawing
a picture almost nothing. Each picture sits in a box at a known place on the page (its top
left corner is the SVG's origin), so what the SVG says (where an arc peaks, where a word
sits) can be looked for at that place in the screenshot. tests/displacy/test_screenshots.py
checks the pictures; bin/screenshot_displacy.py keeps them for a person to look at.
"""
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, NamedTuple, Optional

import numpy

#: Names of the Chromium binary, tried in order after $FASTPIPE_CHROMIUM.
BROWSERS = ["chromium", "chromium-browser", "chromium-headless-shell", "google-chrome",
            "google-chrome-stable", "chrome"]
NO_BROWSER = ("No Chromium found for the displacy screenshot tests: install Debian's package "
              "(`apt-get install chromium`; `bash bin/test` does it when run as root) or set "
              "FASTPIPE_CHROMIUM to a Chromium or Chrome binary.")
#: The page's width and the room between two pictures, in CSS pixels (one pixel each: the
#: browser runs with a device scale factor of 1).
PAGE_WIDTH = 1700
GAP = 30
#: Colours of the span picture's labels: far apart, so each band is told by its colour.
SPAN_COLORS = {"PERSON": "#ff3b30", "WORK": "#34c759", "ACHIEVEMENT": "#007aff",
               "CLAIM": "#ffcc00"}
#: name: (style, options, the box's height for the HTML styles (an SVG brings its own), the
#: document: English, or Hebrew, whose words a browser lays out right to left (English words
#: in a right-to-left paragraph keep their order; an SVG parse places each word itself)
PICTURES = {
    "dep": ("dep", {}, None, "en"),
    "dep-compact": ("dep", {"compact": True}, None, "en"),
    "dep-rtl": ("dep", {"direction": "rtl"}, None, "en"),
    "ent": ("ent", {}, 90, "en"),
    "ent-rtl": ("ent", {"direction": "rtl"}, 90, "he"),
    "span": ("span", {"colors": SPAN_COLORS}, 160, "en"),
}
#: "Ada Lovelace wrote the first program in London." in Hebrew, entity for entity.
HEBREW = ["עדה", "לאבלייס", "כתבה", "את", "התוכנית", "הראשונה", "בלונדון", "."]


class Picture(NamedTuple):
    markup: str
    top: int
    height: int
    pixels: Optional[numpy.ndarray] = None  # (height, PAGE_WIDTH, 3) uint8, once screenshotted


def find_browser() -> Optional[str]:
    given = os.environ.get("FASTPIPE_CHROMIUM")
    if given:
        return given
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def example_doc(lang: str = "en"):
    """A parsed sentence with entities and overlapping spans, built by hand (in Hebrew: the
    same sentence with its entities only)."""
    import fastpipe
    from fastpipe.tokens import Doc
    from fastpipe.tokens.span import Span

    vocab = fastpipe.blank("en").vocab
    if lang == "he":
        return Doc(vocab, words=HEBREW, spaces=[True] * 6 + [False, False],
                   ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "B-GPE", "O"])
    words = ["Ada", "Lovelace", "wrote", "the", "first", "program", "in", "London", "."]
    doc = Doc(vocab, words=words, spaces=[True] * 7 + [False, False],
              heads=[1, 2, 2, 5, 5, 2, 2, 6, 2],
              deps=["compound", "nsubj", "ROOT", "det", "amod", "obj", "prep", "pobj", "punct"],
              ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "B-GPE", "O"])
    for token, tag in zip(doc, ["PROPN", "PROPN", "VERB", "DET", "ADJ", "NOUN", "ADP", "PROPN",
                                "PUNCT"]):
        token.pos_ = tag
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 6, label="WORK"),
                       Span(doc, 4, 6, label="ACHIEVEMENT"), Span(doc, 0, 6, label="CLAIM")]
    return doc


def layout() -> Dict[str, Picture]:
    """Each picture's markup and the top and height of its box on the page."""
    import xml.etree.ElementTree as ET

    from fastpipe import displacy

    docs = {"en": example_doc("en"), "he": example_doc("he")}
    pictures, top = {}, GAP
    for name, (style, options, height, lang) in PICTURES.items():
        markup = displacy.render(docs[lang], style=style, options=options)
        if height is None:
            height = int(float(ET.fromstring(markup).get("height")))
        pictures[name] = Picture(markup, top, height)
        top += height + GAP
    return pictures


def page(pictures: Dict[str, Picture]) -> str:
    """One HTML page holding every picture in its box."""
    boxes = [f'<div id="{name}" style="position: absolute; left: 0; top: {p.top}px; width: {PAGE_WIDTH}px; '
             f'height: {p.height}px; overflow: hidden">{p.markup}</div>'
             for name, p in pictures.items()]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><style>'
            'body { margin: 0; background: #ffffff; font-family: sans-serif; font-size: 16px }'
            ' svg { display: block }</style></head>\n<body>\n' + "\n".join(boxes)
            + "\n</body></html>\n")


def screenshot(browser: str, html: Path, png: Path, height: int) -> None:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--force-device-scale-factor=1", f"--window-size={PAGE_WIDTH},{height}",
               f"--screenshot={png}", html.as_uri()]
    subprocess.run(command, check=True, timeout=120, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def take(browser: str, folder: Path) -> Dict[str, Picture]:
    """Draw the pictures on one page in ``folder``, screenshot it (``folder/displacy.png``)
    and return each picture with its pixels."""
    from PIL import Image

    pictures = layout()
    last = list(pictures.values())[-1]
    height = last.top + last.height + GAP
    html, png = folder / "displacy.html", folder / "displacy.png"
    html.write_text(page(pictures), encoding="utf8")
    screenshot(browser, html, png, height)
    image = numpy.asarray(Image.open(png).convert("RGB"))
    if image.shape[:2] != (height, PAGE_WIDTH):
        raise ValueError(f"{png}: the screenshot is {image.shape[1]}x{image.shape[0]} pixels, "
                         f"not the {PAGE_WIDTH}x{height} asked for")
    return {name: p._replace(pixels=image[p.top:p.top + p.height]) for name, p in
            pictures.items()}


def ink_mask(pixels: numpy.ndarray, background=(255, 255, 255)) -> numpy.ndarray:
    """Where the picture differs clearly from its background (text, arcs, highlights)."""
    return numpy.abs(pixels.astype(int) - background).sum(axis=2) > 60


def colour_mask(pixels: numpy.ndarray, colour: str, tolerance: int = 6) -> numpy.ndarray:
    """Where the picture has the CSS colour ``colour`` (``#rrggbb``)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return (numpy.abs(pixels.astype(int) - rgb) <= tolerance).all(axis=2)


def ink(pixels: numpy.ndarray):
    """(share of pixels unlike the background, share of clearly coloured pixels)."""
    rgb = pixels.astype(int)
    coloured = (rgb.max(axis=2) - rgb.min(axis=2)) > 25
    return float(ink_mask(pixels).mean()), float(coloured.mean())
