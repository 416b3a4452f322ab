import pytest

import fastpipe


@pytest.fixture
def vocab():
    return fastpipe.blank("en").vocab


@pytest.fixture
def parsed(vocab):
    """'She ate the pizza . It was good .' with tags, lemmas, a parse and an entity."""
    from fastpipe.tokens import Doc

    words = ["She", "ate", "the", "pizza", ".", "It", "was", "good", "."]
    return Doc(
        vocab,
        words=words,
        spaces=[True, True, True, False, True, True, True, False, False],
        tags=["PRP", "VBD", "DT", "NN", ".", "PRP", "VBD", "JJ", "."],
        pos=["PRON", "VERB", "DET", "NOUN", "PUNCT", "PRON", "AUX", "ADJ", "PUNCT"],
        lemmas=["she", "eat", "the", "pizza", ".", "it", "be", "good", "."],
        morphs=["Case=Nom", "Tense=Past", None, "Number=Sing", "", None, None, None, None],
        heads=[1, 1, 3, 1, 1, 6, 6, 6, 6],
        deps=["nsubj", "ROOT", "det", "dobj", "punct", "nsubj", "ROOT", "acomp", "punct"],
        ents=["O", "O", "O", "B-FOOD", "O", "O", "O", "O", "O"],
    )
