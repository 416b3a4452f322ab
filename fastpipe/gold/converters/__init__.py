"""Converters from common corpus formats to Docs, one module per format.

Every converter has the signature ``converter(lines, nlp, *, source, n_sents) -> Iterator[Doc]``:
``lines`` are the input's lines (line ends optional), ``nlp`` a Language (the conllu and iob
converters also take a bare Vocab), ``source`` the name used in ``file:line`` error messages and
``n_sents`` the number of sentences per Doc (ignored by textcat, which makes one Doc per
example). Malformed input raises ConversionError, a ValueError.
"""
from pathlib import Path
from typing import Callable, Dict, Iterator

from ...errors import Errors
from ._util import ConversionError, read_lines
from .conllu import conllu_to_docs
from .iob import iob_to_docs
from .textcat import textcat_to_docs

CONVERTERS: Dict[str, Callable[..., Iterator]] = {
    "conllu": conllu_to_docs,
    "iob": iob_to_docs,
    "textcat": textcat_to_docs,
}

# File extension -> converter, for ``--converter auto``.
EXTENSIONS = {
    ".conllu": "conllu",
    ".conll": "conllu",
    ".iob": "iob",
    ".tsv": "textcat",
    ".jsonl": "textcat",
}

__all__ = ["CONVERTERS", "EXTENSIONS", "ConversionError", "conllu_to_docs", "iob_to_docs",
           "textcat_to_docs", "guess_converter", "read_lines"]


def guess_converter(path) -> str:
    """The converter name for a file, from its extension; ValueError if none fits."""
    suffix = Path(path).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(f"{ext} ({name})" for ext, name in EXTENSIONS.items())
        raise ValueError(Errors.E310.format(path=str(path), suffix=suffix or "(none)", known=known,
                                            converters=", ".join(CONVERTERS))) from None
