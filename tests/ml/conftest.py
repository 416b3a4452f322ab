import pytest
from thinc.api import fix_random_seed

import fastpipe


@pytest.fixture(autouse=True)
def seeded():
    """Every test starts from the same random state: weights, dropout masks and numpy's global
    generator draw the same numbers on every run."""
    fix_random_seed(0)


@pytest.fixture(scope="module")
def nlp():
    return fastpipe.blank("en")


@pytest.fixture(scope="module")
def docs(nlp):
    texts = [
        "The quick brown fox jumps over the lazy dog.",
        "Hello world!",
        "A",
        "",
        "Prices rose 3.5% in New York on Tuesday, analysts said.",
    ]
    return [nlp(t) for t in texts]
