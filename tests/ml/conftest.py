import numpy
import pytest

import fastpipe


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
