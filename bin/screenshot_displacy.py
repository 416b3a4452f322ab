#!/usr/bin/env python
"""The displacy pictures for a person to look at: every style drawn on one page and
screenshotted by headless Chromium, as tests/displacy/test_screenshots.py does (its checks are
the test's; this only keeps the files and prints how much of each picture is ink).

    python bin/screenshot_displacy.py [--output DIR] [--browser PATH] [--example FILE.svg]

The page and its screenshot (displacy.html, displacy.png) go to --output (a temporary folder
by default), out of the repository. --example also writes the dependency picture as SVG, as
the README shows it. Exit status 0: done; 2: no Chromium found.
"""
import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's fastpipe and tests helpers


def main(argv=None) -> int:
    from tests.helpers.screenshots import NO_BROWSER, example_doc, find_browser, ink, take

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=None,
                        help="folder for the page and its screenshot (default: a temporary one)")
    parser.add_argument("--browser", default=None, help="the Chromium binary to run")
    parser.add_argument("--example", type=Path, default=None,
                        help="also write the dependency picture (SVG) here, for the README")
    args = parser.parse_args(argv)
    if args.example:
        from fastpipe import displacy

        args.example.parent.mkdir(parents=True, exist_ok=True)
        args.example.write_text(displacy.render(example_doc(), style="dep") + "\n",
                                encoding="utf8")
        print(f"wrote {args.example}")
    if args.browser:
        os.environ["FASTPIPE_CHROMIUM"] = args.browser
    browser = find_browser()
    if browser is None:
        print(NO_BROWSER, file=sys.stderr)
        return 2
    out = args.output or Path(tempfile.mkdtemp(prefix="displacy-shots-"))
    out.mkdir(parents=True, exist_ok=True)
    for name, picture in take(browser, out).items():
        inked, coloured = ink(picture.pixels)
        print(f"{name:12} ink {inked:6.2%}  coloured {coloured:6.2%}")
    print(f"page and screenshot: {out / 'displacy.html'}, {out / 'displacy.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
