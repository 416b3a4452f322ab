"""The displacy pictures as a browser draws them: one screenshot by headless Chromium of every
style (tests/helpers/screenshots.py), checked for what a person would see there: the arcs
each at the place the SVG gives, with their labels, arrowheads and words; square arcs when
compact; the right-to-left parse the mirror image of the left-to-right one; the entities'
highlight colours on the entities, in reading order; overlapping spans as bands in rows.

Chromium must be installed (`bash bin/test` installs Debian's package when run as root):
without it these tests fail, saying so."""
import xml.etree.ElementTree as ET

import numpy
import pytest
from PIL import Image, ImageDraw

from fastpipe.displacy._markup import label_color
from tests.helpers.screenshots import (NO_BROWSER, PAGE_WIDTH, SPAN_COLORS, colour_mask,
                                       find_browser, ink, ink_mask, take)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    browser = find_browser()
    if browser is None:
        pytest.fail(NO_BROWSER, pytrace=False)
    return take(browser, tmp_path_factory.mktemp("displacy-shots"))


def arcs_of(markup: str):
    """Each arc of an SVG parse: (x1, x2, feet y, peak y, label x, label y, arrow x)."""
    arcs = []
    for group in ET.fromstring(markup).iter(f"{SVG}g"):
        line = group.find(f"{SVG}path[@class='fp-dep-arc-line']").get("d")
        points = [tuple(float(v) for v in p.split(",")) for p in
                  line.replace("M", " ").replace("C", " ").replace("L", " ").split()]
        (x1, base), (x2, _) = points[0], points[-1]
        if "C" in line:  # a cubic curve peaks at 3/4 of its control points' height
            peak = base + 0.75 * (points[1][1] - base)
        else:
            peak = points[1][1]
        label = group.find(f"{SVG}text")
        arrow = float(group.find(f"{SVG}path[@class='fp-dep-arrowhead']").get("d")[1:]
                      .split(",")[0])
        arcs.append((x1, x2, base, peak, float(label.get("x")), float(label.get("y")), arrow))
    return arcs


def words_of(markup: str):
    """Each word of an SVG parse: (x, baseline y)."""
    root = ET.fromstring(markup)
    return [(float(t.find(f"{SVG}tspan").get("x")), float(t.get("y")))
            for t in root.iter(f"{SVG}text") if t.get("class") == "fp-dep-word"]


def inked(mask, x0, x1, y0, y1) -> int:
    """How many ink pixels lie in the rectangle (picture coordinates, rounded outwards)."""
    return int(mask[max(0, int(y0)):int(y1) + 1, max(0, int(x0)):int(x1) + 1].sum())


def box(mask):
    """(left, right, top, bottom) of the True pixels."""
    ys, xs = numpy.nonzero(mask)
    return xs.min(), xs.max(), ys.min(), ys.max()


def near(mask, reach: int):
    """``mask`` grown by ``reach`` pixels each way."""
    grown = mask.copy()
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            grown |= numpy.roll(numpy.roll(mask, dy, axis=0), dx, axis=1)
    return grown


@pytest.mark.parametrize("name", ["dep", "dep-compact", "dep-rtl"])
def test_each_arc_label_arrowhead_and_word_is_drawn_where_the_svg_puts_it(pictures, name):
    picture = pictures[name]
    mask = ink_mask(picture.pixels)
    arcs, words = arcs_of(picture.markup), words_of(picture.markup)
    assert len(arcs) == 7 and len(words) == 8  # the full stop joins "London"
    for x1, x2, base, peak, label_x, label_y, arrow in arcs:
        middle = (x1 + x2) / 2
        assert inked(mask, middle - 3, middle + 3, peak - 3, peak + 3) > 0  # the arc's top
        assert inked(mask, label_x - 20, label_x + 20, label_y - 12, label_y + 2) >= 10
        assert inked(mask, arrow - 3, arrow + 3, base - 6, base) >= 6  # the arrowhead
        assert inked(mask, x1 - 2, x1 + 2, base - 8, base - 2) > 0  # both feet
        assert inked(mask, x2 - 2, x2 + 2, base - 8, base - 2) > 0
    for x, y in words:
        assert inked(mask, x - 12, x + 12, y - 14, y + 2) >= 15
    # nothing above the highest label, and the drawing fills most of its width
    top_label = min(a[5] for a in arcs)
    assert inked(mask, 0, PAGE_WIDTH, 0, top_label - 20) == 0
    width = float(ET.fromstring(picture.markup).get("width"))
    left, right, _, bottom = box(mask)
    assert right < width and right - left > 0.7 * (width - 2 * 50 - 175)
    assert bottom < picture.height


def test_compact_arcs_are_square_and_the_others_curved(pictures):
    def flat_share(name):
        mask = ink_mask(pictures[name].pixels)
        shares = []
        for x1, x2, _, peak, *_ in arcs_of(pictures[name].markup):
            columns = mask[int(peak) - 2:int(peak) + 3, int(x1) + 4:int(x2) - 3].any(axis=0)
            shares.append(columns.mean())
        return shares

    assert min(flat_share("dep-compact")) > 0.95  # a straight top from foot to foot
    assert max(flat_share("dep")) < 0.6  # a curve touches its top row only near the middle
    assert pictures["dep-compact"].height < pictures["dep"].height


def test_the_right_to_left_parse_is_the_mirror_of_the_left_to_right_one(pictures):
    width = int(float(ET.fromstring(pictures["dep"].markup).get("width")))
    feet = int(arcs_of(pictures["dep"].markup)[0][2])

    def arcs_ink(name):  # the arcs and their labels, above the words
        return ink_mask(pictures[name].pixels)[:feet + 1, :width]

    ltr, rtl = arcs_ink("dep"), arcs_ink("dep-rtl")
    mirrored = near(ltr[:, ::-1], 3)
    assert (rtl & mirrored).sum() / rtl.sum() > 0.9
    assert (rtl & near(ltr, 3)).sum() / rtl.sum() < 0.6  # not the same picture unmirrored


@pytest.mark.parametrize("name,person_first", [("ent", True), ("ent-rtl", False)])
def test_entities_are_highlighted_in_their_colours_in_reading_order(pictures, name,
                                                                     person_first):
    # "ent-rtl" is the sentence in Hebrew: its first entity is on the right
    pixels = pictures[name].pixels
    person = colour_mask(pixels, label_color("PERSON"))
    place = colour_mask(pixels, label_color("GPE"))
    assert person.sum() > 800 and place.sum() > 400  # "Ada Lovelace" is the longer entity
    (p_left, p_right, p_top, p_bottom), (g_left, g_right, _, _) = box(person), box(place)
    assert 18 <= p_bottom - p_top <= 45  # one line of text with its padding
    assert (p_right < g_left) if person_first else (g_right < p_left)
    between = (p_right, g_left) if person_first else (g_right, p_left)
    mask = ink_mask(pixels)
    assert inked(mask, between[0] + 2, between[1] - 2, p_top, p_bottom) > 200  # plain words
    coloured = (pixels.astype(int).max(axis=2) - pixels.astype(int).min(axis=2)) > 25
    outside = coloured & ~near(person | place, 2)
    assert outside.sum() < 0.01 * coloured.sum()  # no highlight anywhere else
    left, right, _, _ = box(mask)  # the line starts at the side its script starts from
    assert left < 10 if person_first else right > PAGE_WIDTH - 10


def test_overlapping_spans_are_bands_in_rows_under_their_words(pictures):
    pixels = pictures["span"].pixels
    bands = {label: box(colour_mask(pixels, colour)) for label, colour in SPAN_COLORS.items()}
    assert all(colour_mask(pixels, c).sum() > 300 for c in SPAN_COLORS.values())

    def columns_overlap(a, b):
        return bands[a][0] < bands[b][1] and bands[b][0] < bands[a][1]

    def rows_apart(a, b):
        return bands[a][3] < bands[b][2] or bands[b][3] < bands[a][2]

    for outer, inner in [("CLAIM", "PERSON"), ("CLAIM", "WORK"), ("WORK", "ACHIEVEMENT")]:
        assert bands[outer][0] <= bands[inner][0] + 2 and bands[inner][1] <= bands[outer][1] + 2
        assert columns_overlap(outer, inner) and rows_apart(outer, inner)
    assert not columns_overlap("PERSON", "WORK")  # "wrote" is in neither
    text = pixels.astype(int).sum(axis=2) < 200  # dark: the words, and the labels on bands
    for left, right, top, bottom in bands.values():
        text[top:bottom + 1, left:right + 1] = False
    assert box(text)[3] < min(b[2] for b in bands.values())  # the words are above the bands


def test_blank_and_inked_pictures_are_told_apart(tmp_path):
    blank = numpy.asarray(Image.new("RGB", (400, 200), "white"))
    assert ink(blank) == (0.0, 0.0)
    image = Image.new("RGB", (400, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.arc((20, 20, 200, 180), 180, 360, fill="black", width=3)
    draw.rectangle((250, 50, 350, 90), fill="#a8e6cf")
    inked_share, coloured = ink(numpy.asarray(image))
    assert inked_share > 0.003 and coloured > 0.003
    assert colour_mask(numpy.asarray(image), "#a8e6cf").sum() == 101 * 41
