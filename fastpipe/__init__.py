"""fastpipe: train and run NLP pipelines from one config file, with a compiled core."""
from pathlib import Path

from .about import __version__

__all__ = ["__version__", "blank", "load", "get_include", "Doc", "DocBin", "Span", "Token",
           "Language", "Vocab"]


def get_include() -> str:
    """The folder holding fastpipe's public C headers (``#include "fastpipe/structs.h"``).

    Pass it to ``include_dirs`` when compiling an extension that cimports fastpipe.
    """
    here = Path(__file__).parent
    installed = here / "include"
    if (installed / "fastpipe" / "structs.h").exists():
        return str(installed)
    return str(here.parent / "include")  # a source checkout before its first build


def blank(lang: str):
    """A pipeline with no components for a language code: its tokenizer and vocab."""
    from .language import Language

    return Language.blank(lang)


def load(path, **kwargs):
    """Load a pipeline saved with ``nlp.to_disk`` (for example a training run's model-best/),
    or an installed pipeline package by name (``fastpipe.load("en_NAME")``, made by
    ``fastpipe package``).
    ``code="functions.py"`` imports the file that registers what its config names first."""
    from .language import load as load_pipeline

    return load_pipeline(path, **kwargs)


def __getattr__(name):
    # Doc, Token, Span, DocBin and the registry load on first use, so `import fastpipe` stays
    # cheap (the registry imports thinc; fastpipe's built-ins register when it is first read).
    if name in ("Doc", "DocBin", "Span", "Token"):
        from . import tokens

        return getattr(tokens, name)
    if name == "Language":
        from .language import Language

        return Language
    if name == "Vocab":
        from .vocab import Vocab

        return Vocab
    if name == "util":  # spacy.util.minibatch and the like, reached as an attribute
        from . import util

        return util
    if name == "registry":
        import importlib

        return importlib.import_module(".registry", __name__)
    raise AttributeError(f"module 'fastpipe' has no attribute {name!r}")

