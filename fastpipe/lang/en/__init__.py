"""English language data (placeholder: replaced by the language-data work)."""
from ..xx import make_data as make_xx


def make_data():
    data = make_xx()
    data.lang = "en"
    data.special_cases = {"don't": [{"ORTH": "do"}, {"ORTH": "n't", "NORM": "not"}]}
    return data
