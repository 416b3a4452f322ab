"""Language data: plain tables per language code, and the generic fallback ``xx``."""
import importlib

from ..errors import Errors
from .base import LanguageData

__all__ = ["LanguageData", "get_lang_data"]


def get_lang_data(lang: str) -> LanguageData:
    """The data for a language code; codes without their own data fall back to ``xx``."""
    if not isinstance(lang, str) or not lang.isidentifier():
        raise ValueError(Errors.E035.format(lang=lang))
    try:
        module = importlib.import_module(f"{__name__}.{lang}")
    except ModuleNotFoundError:
        module = importlib.import_module(f"{__name__}.xx")
        data = module.make_data()
        data.lang = lang
        return data
    return module.make_data()
