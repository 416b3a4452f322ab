"""fastpipe evaluate --displacy-path: pages of the pipeline's parses and entities for the
first documents of the corpus, beside the scores."""
import pytest

import fastpipe
from fastpipe.language import Language
from fastpipe.tokens import Doc, DocBin
from tests.helpers.cli import run

from .markup import dep_picture, parse_html

TEXTS = ["I flew to Paris .", "Paris is lovely", "We left Rome", "Home again"]


@Language.component("displacy_test_chain")
def chain(doc):
    """Each word headed by the one before: a parse without training."""
    for token in doc:
        token.head = doc[token.i - 1] if token.i else token
        token.dep_ = "next" if token.i else "ROOT"
    return doc


@pytest.fixture(scope="module")
def model_and_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    nlp = fastpipe.blank("en")
    nlp.add_pipe("displacy_test_chain")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Paris"},
                                               {"label": "GPE", "pattern": "Rome"}])
    nlp.to_disk(folder / "model")
    docs = [nlp(text) for text in TEXTS]  # the gold: what the pipeline finds
    DocBin(docs=docs).to_disk(folder / "dev.fastpipe")
    return folder / "model", folder / "dev.fastpipe"


def test_pictures_of_the_first_documents(model_and_corpus, tmp_path):
    model, corpus = model_and_corpus
    out = tmp_path / "pictures"
    result = run("evaluate", model, corpus, "--displacy-path", out, "--displacy-limit", 3)
    assert result.exit_code == 0, result.output
    assert f"to {out}: parses.html, entities.html" in result.output
    parses = (out / "parses.html").read_text(encoding="utf8")
    svgs = [s[:s.index("</svg>") + 6] for s in parses.split("<svg")[1:]]
    assert len(svgs) == 3  # the limit
    words = [dep_picture("<svg" + svg)[1] for svg in svgs]
    assert words == [["I", "flew", "to", "Paris ."], ["Paris", "is", "lovely"],
                     ["We", "left", "Rome"]]  # the full stop drawn with the word before
    assert [len(dep_picture("<svg" + svg)[3]) for svg in svgs] == [3, 2, 2]
    marks = parse_html((out / "entities.html").read_text(encoding="utf8")).find_class(
        "fp-entity")
    assert [m.own_text() for m in marks] == ["Paris", "Paris", "Rome"]


def test_a_pipeline_without_parses_or_entities_draws_nothing(tmp_path):
    nlp = fastpipe.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "model")
    DocBin(docs=[Doc(nlp.vocab, words=["a", "b"])]).to_disk(tmp_path / "dev.fastpipe")
    result = run("evaluate", tmp_path / "model", tmp_path / "dev.fastpipe",
                 "--displacy-path", tmp_path / "pictures")
    assert result.exit_code == 0, result.output
    assert "none (no parses or entities)" in result.output
    assert not (tmp_path / "pictures").exists()
