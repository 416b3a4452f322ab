"""bin/screenshot_displacy.py's check: a blank screenshot fails it, one with ink and colour
passes (the browser run itself needs Chromium and is run by hand or in CI)."""
import importlib.util
from pathlib import Path

from PIL import Image, ImageDraw

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "screenshot_displacy.py"


def load_script():
    spec = importlib.util.spec_from_file_location("screenshot_displacy", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_blank_and_inked_screenshots_are_told_apart(tmp_path):
    script = load_script()
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 200), "white").save(blank)
    assert script.ink(blank) == (0.0, 0.0)
    drawn = tmp_path / "drawn.png"
    image = Image.new("RGB", (400, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.arc((20, 20, 200, 180), 180, 360, fill="black", width=3)
    draw.rectangle((250, 50, 350, 90), fill="#a8e6cf")
    image.save(drawn)
    inked, colored = script.ink(drawn)
    assert inked > 0.003 and colored > 0.003


def test_the_script_renders_each_style_as_a_page():
    script = load_script()
    pages = script.pages(script.example_docs())
    assert sorted(pages) == ["dep", "dep-rtl", "ent", "span"]
    assert all(p.startswith("<!DOCTYPE html>") for p in pages.values())
    assert 'direction="rtl"' in pages["dep-rtl"] and "fp-span-band" in pages["span"]
