"""Doc, Token and Span (compiled) and the DocBin corpus format."""
from .doc import Doc
from .docbin import DocBin, DocBinWriter, iter_docs
from .morphanalysis import MorphAnalysis
from .span import Span
from .span_group import SpanGroup
from .token import Token

__all__ = ["Doc", "DocBin", "DocBinWriter", "MorphAnalysis", "Span", "SpanGroup", "Token",
           "iter_docs"]
