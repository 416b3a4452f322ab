"""render's page, minify and input checks, escaping of every string, and serve."""
import re
import threading
import urllib.request

import pytest

from fastpipe import displacy
from fastpipe.tokens import Doc

from .markup import dep_picture, parse_html, parse_svg

EVIL = '<script>alert("x")</script>'


def test_page_wraps_one_figure_per_doc_in_a_whole_html_document(en):
    docs = [Doc(en.vocab, words=["a", "b"], heads=[1, 1], deps=["x", "ROOT"]),
            Doc(en.vocab, words=["c", "d", "e"], heads=[1, 1, 1], deps=["y", "ROOT", "z"])]
    markup = displacy.render(docs, style="dep", page=True)
    assert markup.startswith("<!DOCTYPE html>")
    root = parse_html(markup)
    html = next(e for e in root.children if e.tag == "html")
    assert html.attrs["lang"] == "en" and html.attrs["dir"] == "ltr"
    figures = [e for e in root.iter() if e.tag == "figure"]
    assert [len([w for w in f.iter() if "fp-dep-word" in w.classes]) for f in figures] == [2, 3]
    assert "<!DOCTYPE" not in displacy.render(docs)  # without page: the pictures alone
    assert displacy.render(docs).count("<svg") == 2


def test_minify_drops_layout_whitespace_but_not_the_text(en):
    doc = Doc(en.vocab, words=["New", "York", "and", "Rome"], ents=["B-GPE", "I-GPE", "O",
                                                                   "B-GPE"])
    for style in ("dep", "ent", "span"):
        full = displacy.render(doc, style=style, page=True)
        small = displacy.render(doc, style=style, page=True, minify=True)
        assert "\n" not in small and len(small) < len(full)
        # every element keeps its text, spaces included; only the line breaks between
        # elements go
        assert _texts(small) == [re.sub(r"\n\s*", "", t) for t in _texts(full)]
        if style == "ent":
            assert "New York" in _texts(small) and " and " in _texts(small)


def _texts(markup):
    return [e.own_text() for e in parse_html(markup).iter()]


@pytest.mark.parametrize("style", ["dep", "ent", "span"])
def test_every_string_is_escaped(en, style):
    doc = Doc(en.vocab, words=[EVIL, "&", "b"], heads=[1, 1, 1], deps=[EVIL, "ROOT", "q'\""],
              ents=["B-" + EVIL.upper().replace(" ", ""), "O", "O"])
    doc.spans["sc"] = [doc[0:2]]
    doc[0].tag_ = EVIL
    markup = displacy.render(doc, style=style, page=True,
                             options={"collapse_punct": False, "add_lemma": True})
    root = parse_html(markup)
    assert not any(e.tag == "script" for e in root.iter())
    assert EVIL in root.text() or EVIL.upper() in root.text()  # shown as text
    if style == "dep":
        svg = displacy.render(doc, options={"collapse_punct": False})
        parse_svg(svg)  # still well-formed XML
        _, texts, tags, arcs = dep_picture(svg)
        assert texts[0] == EVIL and tags[0] == EVIL
        assert {a["label"] for a in arcs} == {EVIL, "q'\""}


def test_manual_titles_are_escaped_too():
    markup = displacy.render({"text": "x", "ents": [], "title": EVIL}, style="ent", manual=True)
    assert not any(e.tag == "script" for e in parse_html(markup).iter())


def test_bad_style_input_and_options_are_refused_with_one_sentence(en):
    doc = Doc(en.vocab, words=["a"])
    with pytest.raises(ValueError, match=r"\[E690\] displacy: style must be one of"):
        displacy.render(doc, style="tree")
    with pytest.raises(ValueError, match=r"\[E690\] displacy: direction .* 'sideways'"):
        displacy.render(doc, options={"direction": "sideways"})
    with pytest.raises(ValueError, match=r"\[E691\] .*item 1 .*'words', 'arcs'"):
        displacy.render([{"words": [], "arcs": []}, {"words": []}], manual=True)
    with pytest.raises(ValueError, match=r"\[E691\] .*arcs with \['start', 'end', 'dir'\]"):
        displacy.render({"words": [{"text": "a"}] * 2, "arcs": [{"start": 0, "end": 1}]},
                        manual=True)
    with pytest.raises(ValueError, match=r"\[E691\] .*'ent'.*found \['label', 'start'\]"):
        displacy.render({"text": "ab", "ents": [{"start": 0, "label": "X"}]}, style="ent",
                        manual=True)
    with pytest.raises(ValueError, match=r"\[E692\] .*not str"):
        displacy.render(["some text"])
    with pytest.raises(ValueError, match=r"\[E693\]"):
        displacy.render(doc, options={"collapse_phrases": True})


def _fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["Content-Type"], response.read().decode("utf8")


def test_the_server_answers_with_the_page(en):
    markup = displacy.render(Doc(en.vocab, words=["hello"]), style="ent", page=True)
    server = displacy.make_server(markup, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        kind, body = _fetch(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
    assert kind == "text/html; charset=utf-8" and body == markup
    with pytest.raises(OSError, match=r"\[E694\] displacy.serve cannot listen"):
        taken = displacy.make_server(markup, "127.0.0.1", 0)
        try:
            displacy.make_server(markup, "127.0.0.1", taken.server_address[1])
        finally:
            taken.server_close()


def test_serve_prints_its_address_and_stops_on_ctrl_c(en, monkeypatch, capsys):
    from http.server import HTTPServer

    served = []

    def interrupted(self, *args, **kwargs):
        served.append(self.server_address)
        raise KeyboardInterrupt

    monkeypatch.setattr(HTTPServer, "serve_forever", interrupted)
    taken = displacy.make_server("", "127.0.0.1", 0)
    port = taken.server_address[1]
    try:
        displacy.serve(Doc(en.vocab, words=["hi"]), style="ent", host="127.0.0.1", port=port,
                       auto_select_port=True)
    finally:
        taken.server_close()
    out = capsys.readouterr().out
    assert served and served[0][1] != port  # the taken port was passed over
    assert f"http://127.0.0.1:{served[0][1]}" in out and "Stopped" in out


def test_in_a_notebook_the_pictures_are_shown_not_returned(en, monkeypatch):
    import sys
    import types

    shown = []

    class ZMQInteractiveShell:  # the shell class a Jupyter kernel runs
        pass

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = ZMQInteractiveShell
    display_module = types.ModuleType("IPython.display")
    display_module.HTML = lambda markup: ("HTML", markup)
    display_module.display = shown.append
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    doc = Doc(en.vocab, words=["a"], ents=["B-X"])
    assert displacy.render(doc, style="ent") is None
    assert shown == [("HTML", displacy.render(doc, style="ent", jupyter=False))]
    assert isinstance(displacy.render(doc, style="ent", jupyter=False), str)
