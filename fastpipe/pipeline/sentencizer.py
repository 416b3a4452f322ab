"""sentencizer: rule-based sentence boundaries after sentence-final punctuation."""
from typing import Any, Callable, List, Optional

import numpy

from ..registry import factory
from ..scorer import check_scorer, run_scorer, senter_score
from ._annotate import set_sent_starts
from .base import Pipe

DEFAULT_PUNCT = [
    "!", ".", "?", "\u0589", "\u061f", "\u06d4", "\u0700", "\u0701", "\u0702", "\u07f9",
    "\u0964", "\u0965", "\u104a", "\u104b", "\u1362", "\u1367", "\u1368", "\u166e", "\u1803",
    "\u1809", "\u203c", "\u203d", "\u2047", "\u2048", "\u2049", "\u3002", "\ufe52", "\ufe56",
    "\ufe57", "\uff01", "\uff0e", "\uff1f", "\uff61", "...", "\u2026",
]


@factory("sentencizer", default_config={"punct_chars": None, "overwrite": False,
                                        "scorer": {"@scorers": "fastpipe.senter_scorer.v1"}},
         default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
         assigns=("token.is_sent_start",))
def make_sentencizer(nlp: Any, name: str, punct_chars: Optional[List[str]], overwrite: bool,
                     scorer: Optional[Callable]) -> "Sentencizer":
    return Sentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)


class Sentencizer(Pipe):
    """A sentence starts after a token in ``punct_chars``: at the next word, or at punctuation
    that follows a space (an opening quote). Punctuation attached to the end stays with it."""

    def __init__(self, name: str = "sentencizer", *, punct_chars=None, overwrite: bool = False,
                 scorer: Optional[Callable] = senter_score):
        self.name = name
        self.punct_chars = set(punct_chars or DEFAULT_PUNCT)
        self.overwrite = overwrite
        self.scorer = check_scorer(scorer, name)

    def __call__(self, doc):
        n = len(doc)
        if n == 0 or (doc.has_annotation("SENT_START") and not self.overwrite):
            return doc
        starts = numpy.full(n, -1, dtype=numpy.int8)
        starts[0] = 1
        seen_end = False
        after_space = False
        for i, token in enumerate(doc):
            text = token.text
            # after the end of a sentence, closing punctuation attached to it stays; the next
            # word, or punctuation standing after a space (an opening quote), starts anew
            if seen_end and (not (token.is_punct or token.is_space) or (after_space and token.is_punct)):
                starts[i] = 1
                seen_end = False
            if text in self.punct_chars:
                seen_end = True
            after_space = bool(token.whitespace_) or token.is_space
        set_sent_starts(doc, starts)
        return doc

    def score(self, examples, **kwargs):
        return run_scorer(self.scorer, examples, self.get_state(), None, kwargs)

    def get_state(self):
        return {"punct_chars": sorted(self.punct_chars), "overwrite": self.overwrite}

    def set_state(self, state):
        self.punct_chars = set(state.get("punct_chars", self.punct_chars))
        self.overwrite = state.get("overwrite", self.overwrite)
