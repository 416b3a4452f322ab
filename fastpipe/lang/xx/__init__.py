"""Generic fallback language data (placeholder: replaced by the language-data work)."""
from ..base import LanguageData


def make_data() -> LanguageData:
    punct = r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"
    return LanguageData(lang="xx", prefixes=[punct], suffixes=[punct], infixes=[r"(?<=\w)[,:;](?=\w)"])
