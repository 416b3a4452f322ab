"""Doc, Token and Span (compiled) and the DocBin corpus format."""
from .doc import Doc
from .span import Span
from .token import Token

__all__ = ["Doc", "Span", "Token"]
