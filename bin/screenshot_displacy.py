#!/usr/bin/env python
"""The displacy pictures as a person sees them: each style rendered as a page, opened in
headless Chromium, screenshotted, and the screenshot checked for ink.

    python bin/screenshot_displacy.py [--output DIR] [--browser PATH] [--example FILE.svg]

The documents are built by hand (no trained pipeline needed): a parsed sentence (dep), a
sentence with entities (ent), overlapping spans (span) and the parse again right to left
(dep-rtl). For each, the check reads the PNG (with Pillow, which comes with matplotlib in
requirements-dev.txt) and fails when the page came out blank, when too little of it is ink
(text and arcs), or, for the entities and spans, when nothing is coloured (the highlights).
The screenshots stay in --output (a temporary folder by default), out of the repository.
Exit status 0: every picture passed; 1: one failed; 2: no Chromium found.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's fastpipe, installed or not

BROWSERS = ["chromium", "chromium-browser", "chromium-headless-shell", "google-chrome",
            "google-chrome-stable", "chrome"]


def example_docs():
    import fastpipe
    from fastpipe.tokens import Doc
    from fastpipe.tokens.span import Span

    vocab = fastpipe.blank("en").vocab
    words = ["Ada", "Lovelace", "wrote", "the", "first", "program", "in", "London", "."]
    doc = Doc(vocab, words=words, spaces=[True] * 7 + [False, False],
              heads=[1, 2, 2, 5, 5, 2, 2, 6, 2],
              deps=["compound", "nsubj", "ROOT", "det", "amod", "obj", "prep", "pobj", "punct"],
              ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "B-GPE", "O"])
    tags = ["PROPN", "PROPN", "VERB", "DET", "ADJ", "NOUN", "ADP", "PROPN", "PUNCT"]
    for token, tag in zip(doc, tags):
        token.pos_ = tag
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 6, label="WORK"),
                       Span(doc, 4, 6, label="ACHIEVEMENT"), Span(doc, 0, 6, label="CLAIM")]
    return doc


def pages(doc):
    from fastpipe import displacy

    return {
        "dep": displacy.render(doc, style="dep", page=True),
        "dep-rtl": displacy.render(doc, style="dep", page=True, options={"direction": "rtl"}),
        "ent": displacy.render(doc, style="ent", page=True),
        "span": displacy.render(doc, style="span", page=True),
    }


def find_browser(given):
    if given:
        return given
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def screenshot(browser: str, page: Path, png: Path, size=(1600, 700)) -> None:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--window-size={size[0]},{size[1]}", f"--screenshot={png}", page.as_uri()]
    subprocess.run(command, check=True, timeout=120, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def ink(png: Path):
    """(share of pixels unlike the background, share of clearly coloured pixels)."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    pixels = list(getattr(image, "get_flattened_data", image.getdata)())  # Pillow 12+ name
    background = max(set(pixels[:: max(1, len(pixels) // 5000)]), key=pixels.count)
    differ = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, background)) > 60)
    colored = sum(1 for p in pixels if max(p) - min(p) > 25)
    return differ / len(pixels), colored / len(pixels)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=None,
                        help="folder for the pages and screenshots (default: a temporary one)")
    parser.add_argument("--browser", default=None, help="the Chromium binary to run")
    parser.add_argument("--example", type=Path, default=None,
                        help="also write the dependency picture (SVG) here, for the README")
    args = parser.parse_args(argv)
    doc = example_docs()
    if args.example:
        from fastpipe import displacy

        args.example.parent.mkdir(parents=True, exist_ok=True)
        args.example.write_text(displacy.render(doc, style="dep") + "\n", encoding="utf8")
        print(f"wrote {args.example}")
    browser = find_browser(args.browser)
    if browser is None:
        print("no Chromium found: install it (Debian: apt-get install chromium) or pass "
              "--browser", file=sys.stderr)
        return 2
    out = args.output or Path(tempfile.mkdtemp(prefix="displacy-shots-"))
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, markup in pages(doc).items():
        page, png = out / f"{name}.html", out / f"{name}.png"
        page.write_text(markup, encoding="utf8")
        screenshot(browser, page, png)
        inked, colored = ink(png)
        problems = []
        if inked < 0.003:
            problems.append("blank")
        if name in ("ent", "span") and colored < 0.003:
            problems.append("no coloured highlights")
        status = "FAIL " + ", ".join(problems) if problems else "ok"
        failed += bool(problems)
        print(f"{name:8} {png}  ink {inked:.2%}  coloured {colored:.2%}  {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
