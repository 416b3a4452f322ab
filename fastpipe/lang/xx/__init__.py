"""The generic rules ("xx"), for text in any language or several: the tables of
fastpipe.lang.generic under their own Defaults, and the MultiLanguage class."""
from ...language import Language
from ..base import defaults_class
from ..generic import make_data

__all__ = ["make_data", "MultiLanguageDefaults", "MultiLanguage"]

#: MultiLanguage.Defaults: the generic tables as spaCy's Language.Defaults attributes.
MultiLanguageDefaults = defaults_class("MultiLanguageDefaults", make_data(), __name__)


class MultiLanguage(Language):
    """The generic rules ("xx"), for text in any language or several."""

    lang = "xx"
    Defaults = MultiLanguageDefaults
