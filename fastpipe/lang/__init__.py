"""Language data: plain tables per language code, and the generic fallback ``xx``."""
import importlib

from .base import LanguageData

__all__ = ["LanguageData", "get_lang_data"]


def get_lang_data(lang: str) -> LanguageData:
    """The data for a language code; codes without their own data fall back to ``xx``."""
    if not isinstance(lang, str) or not lang.isidentifier():
        raise ValueError(f"Invalid language code {lang!r}: expected a code such as 'en' or 'xx'")
    try:
        module = importlib.import_module(f"{__name__}.{lang}")
    except ModuleNotFoundError:
        module = importlib.import_module(f"{__name__}.xx")
        data = module.make_data()
        data.lang = lang
        return data
    return module.make_data()
