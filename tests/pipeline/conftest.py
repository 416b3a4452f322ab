import pytest

from tests.helpers.tagger import tag_examples as _tag_examples


@pytest.fixture
def tag_examples():
    """``make(nlp)``: Examples of the first four toy tagged sentences, tokenized by nlp."""
    def make(nlp):
        return _tag_examples(nlp, 4)

    return make
