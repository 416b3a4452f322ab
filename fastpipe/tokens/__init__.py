"""Doc, Token and Span (compiled) and the DocBin corpus format."""
from .doc import Doc
from .docbin import DocBin, DocBinWriter, iter_docs
from .span import Span
from .token import Token

__all__ = ["Doc", "DocBin", "DocBinWriter", "Span", "Token", "iter_docs"]
