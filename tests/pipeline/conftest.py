import pytest
from thinc.api import fix_random_seed

from fastpipe.gold.example import Example

SENTS = [
    ("I like green apples .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("She eats red cherries .", ["PRP", "VBZ", "JJ", "NNS", "."]),
    ("They want big houses .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("He sees small dogs .", ["PRP", "VBZ", "JJ", "NNS", "."]),
]


@pytest.fixture
def tag_examples():
    def make(nlp):
        return [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in SENTS]

    return make


@pytest.fixture(autouse=True)
def seed():
    fix_random_seed(0)
