"""Pictures of parses, entities and spans: ``render`` returns SVG (dependencies) or HTML
(entities, spans) for Docs, Spans or, with ``manual=True``, plain dicts; ``serve`` shows them
on a local web page.

``render(docs, style="dep"|"ent"|"span", page=False, minify=False, jupyter=None, options={},
manual=False)`` takes the arguments and options spaCy users know (``displacy.render``): see
``dep.DEFAULTS`` and the ``ent`` and ``span`` modules for the options each style honours, and
``_parse`` for the dicts ``manual=True`` takes. Text reads right to left where the Doc's
language writes so, or with the option ``direction="rtl"``."""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ..errors import Errors
from ._markup import direction_of, figure, lang_of, minify as minify_markup, page as page_markup
from ._parse import parse_deps, parse_ents, parse_spans
from .dep import render_dep
from .ent import render_ent
from .span import render_span

__all__ = ["render", "serve", "parse_deps", "parse_ents", "parse_spans"]

# style -> (Doc or Span -> dict, dict -> markup, keys a manual dict must have, the key of
# its list of marks and the keys each mark must have)
STYLES: Dict[str, Tuple[Callable, Callable, Tuple[str, ...], str, Tuple[str, ...]]] = {
    "dep": (parse_deps, render_dep, ("words", "arcs"), "arcs", ("start", "end", "dir")),
    "ent": (parse_ents, render_ent, ("text", "ents"), "ents", ("start", "end", "label")),
    "span": (parse_spans, render_span, ("tokens", "spans"), "spans",
             ("start_token", "end_token", "label")),
}


def _items(docs, style: str, options: Dict[str, Any], manual: bool) -> List[Dict[str, Any]]:
    if style not in STYLES:
        raise ValueError(Errors.E690.format(option="style", choices="'dep', 'ent', 'span'",
                                            value=style))
    parse, _, keys, marks, mark_keys = STYLES[style]
    if isinstance(docs, (dict, str)) or not isinstance(docs, Iterable) or \
            hasattr(docs, "vocab"):  # one Doc, Span or dict
        docs = [docs]
    docs = list(docs)
    if not manual:
        return [parse(doc, options) for doc in docs]
    for n, item in enumerate(docs):
        if not isinstance(item, dict) or any(key not in item for key in keys):
            found = sorted(item) if isinstance(item, dict) else type(item).__name__
            raise ValueError(Errors.E691.format(n=n, style=style, keys=list(keys), found=found))
        for mark in item[marks]:
            if not isinstance(mark, dict) or any(key not in mark for key in mark_keys):
                found = sorted(mark) if isinstance(mark, dict) else type(mark).__name__
                raise ValueError(Errors.E691.format(n=n, style=style, found=found,
                                                    keys=f"{list(keys)}, each of its {marks} "
                                                    f"with {list(mark_keys)}"))
    return docs


def render(docs, style: str = "dep", page: bool = False, minify: bool = False,
           jupyter: Optional[bool] = None, options: Optional[Dict[str, Any]] = None,
           manual: bool = False) -> Optional[str]:
    """The markup of ``docs`` (a Doc, a Span, a dict with ``manual=True``, or a list of them)
    in ``style``: one ``<figure>`` each, in a whole HTML page with ``page=True``. In a Jupyter
    notebook (``jupyter=None`` finds out) the pictures are shown and None is returned."""
    options = dict(options or {})
    items = _items(docs, style, options, manual)
    draw = STYLES[style][1]
    directions = [direction_of(item, options) for item in items]
    parts = [draw(item, options, direction) for item, direction in zip(items, directions)]
    if page:
        direction = directions[0] if directions else "ltr"
        markup = page_markup("\n".join(figure(p, d) for p, d in zip(parts, directions)),
                             lang=lang_of(items), direction=direction)
    else:
        markup = "\n".join(parts)
    if minify:
        markup = minify_markup(markup)
    if jupyter is None:
        jupyter = _in_notebook()
    if jupyter:
        from IPython.display import HTML, display

        display(HTML(markup))
        return None
    return markup


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def make_server(markup: str, host: str, port: int) -> HTTPServer:
    """An HTTP server (not yet serving) answering every GET with ``markup``."""
    body = markup.encode("utf8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # no line per request on stderr
            pass

    try:
        return HTTPServer((host, port), Handler)
    except OSError as err:
        raise OSError(Errors.E694.format(host=host, port=port, err=err)) from None


def serve(docs, style: str = "dep", page: bool = True, minify: bool = False,
          options: Optional[Dict[str, Any]] = None, manual: bool = False, port: int = 5000,
          host: str = "0.0.0.0", auto_select_port: bool = False) -> None:
    """Show ``render(docs, style, ...)`` at http://host:port until Ctrl-C (this call blocks);
    ``auto_select_port`` takes the next free port when ``port`` is taken."""
    markup = render(docs, style=style, page=page, minify=minify, jupyter=False,
                    options=options, manual=manual)
    server = None
    for candidate in range(port, port + (100 if auto_select_port else 1)):
        try:
            server = make_server(markup, host, candidate)
            break
        except OSError:
            if not auto_select_port or candidate == port + 99:
                raise
    shown = "localhost" if host in ("0.0.0.0", "") else host
    print(f"Serving the '{style}' pictures on http://{shown}:{server.server_address[1]} "
          f"(Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped serving the pictures.")
    finally:
        server.server_close()

