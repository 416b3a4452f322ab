"""Language data: a package per language code with data of its own, and the generic rules.

Each language package (``fastpipe.lang.en``) holds its tables (``make_data()``), its Defaults
class (``EnglishDefaults``) and its Language subclass (``English``): the packages sit above
fastpipe.language, as spaCy's do, and fastpipe.language finds them by name
(``lang_module``), never by an import. The modules beside them (``base``, ``char_classes``,
``lex_attrs``, ``generic``) are plain tables below fastpipe.language. A code without a package
of its own runs on the generic rules (``generic``, also the tables of ``xx``) and says so once
per process (W030).
"""
import importlib
import sys
import warnings
from types import ModuleType
from typing import Optional

from ..errors import Errors, FastpipeWarning, Warnings
from .base import BaseDefaults, LanguageData, data_from_defaults

__all__ = ["LanguageData", "BaseDefaults", "get_lang_data", "lang_module", "data_from_defaults"]

_warned_codes = set()


def lang_module(lang: str) -> Optional[ModuleType]:
    """The package with ``lang``'s own data, or None (after warning once) for a code without
    one, whose pipelines use the generic ``xx`` rules."""
    if not isinstance(lang, str) or not lang.isidentifier():
        raise ValueError(Errors.E035.format(lang=lang))
    try:
        module = importlib.import_module(f"{__name__}.{lang}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{lang}":
            raise  # the package exists but something it imports does not
    else:
        if hasattr(module, "__path__"):  # a language package, not one of the table modules
            return module
    _warn_generic(lang)
    return None


def get_lang_data(lang: str) -> LanguageData:
    """The data for a language code; codes without their own data get the generic rules."""
    module = lang_module(lang)
    if module is None:
        data = importlib.import_module(f"{__name__}.generic").make_data()
        data.lang = lang
        return data
    return module.make_data()


def _warn_generic(lang: str) -> None:
    if lang in _warned_codes:
        return
    _warned_codes.add(lang)
    warnings.warn(Warnings.W030.format(lang=lang), FastpipeWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The stacklevel of the first frame outside fastpipe, so the warning names the user's line."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "fastpipe":
        frame, level = frame.f_back, level + 1
    return level
