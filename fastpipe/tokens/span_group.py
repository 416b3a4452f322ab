"""SpanGroup: a named list of a Doc's spans that also carries attributes.

``doc.spans[key]`` may hold any list of Spans; components that annotate spans (spancat,
span_ruler) put a SpanGroup there so that what they know about the group as a whole travels
with it, as spaCy's does: spancat's ``doc.spans["sc"].attrs["scores"]`` (one score per span).
It is a list, so everything that reads ``doc.spans`` reads it unchanged; the corpus formats
keep its spans, not its attributes.
"""
from typing import Any, Dict, Iterable, Optional


class SpanGroup(list):
    """A list of Spans with a ``name`` and an ``attrs`` dict."""

    def __init__(self, spans: Iterable = (), *, name: str = "", attrs: Optional[Dict[str, Any]] = None):
        super().__init__(spans)
        self.name = name
        self.attrs = dict(attrs or {})

    def __repr__(self) -> str:
        return f"SpanGroup(name={self.name!r}, {list.__repr__(self)})"
