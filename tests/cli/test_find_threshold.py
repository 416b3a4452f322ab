"""``fastpipe find-threshold``: the best threshold of a textcat_multilabel component."""
import pytest

import fastpipe
from fastpipe.cli.evaluate import evaluate_model
from fastpipe.cli.find_threshold import find_threshold
from fastpipe.gold.example import Example
from fastpipe.tokens import DocBin
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import train_toy_tagger

TEXTS = [("great fun film", {"POS": 1.0, "FUN": 1.0}), ("loved it , wonderful", {"POS": 1.0,
         "FUN": 0.0}), ("a boring and dreadful story", {"POS": 0.0, "FUN": 0.0}),
         ("awful , hated the cast", {"POS": 0.0, "FUN": 0.0}), ("fun but awful", {"POS": 0.0,
         "FUN": 1.0}), ("a wonderful fun cast", {"POS": 1.0, "FUN": 1.0})]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A briefly trained textcat_multilabel pipeline (scores vary with the threshold) and a
    corpus of its texts with categories."""
    folder = tmp_path_factory.mktemp("threshold")
    nlp = fastpipe.blank("en")
    nlp.add_pipe("textcat_multilabel", name="cats", config={
        "model": {"tok2vec": {"width": 16, "depth": 1, "embed_size": 200}}})
    train = [Example.from_dict(nlp.make_doc(text), {"cats": cats}) for text, cats in TEXTS]
    optimizer = nlp.initialize(lambda: train)
    for _ in range(4):
        nlp.update(train, sgd=optimizer)
    nlp.to_disk(folder / "model")
    docs = [eg.reference for eg in train]
    DocBin(docs=docs).to_disk(folder / "dev.fastpipe")
    return folder / "model", folder / "dev.fastpipe"


def test_best_threshold_is_saved_into_a_copy(setup, tmp_path):
    model, dev = setup
    out = tmp_path / "tuned"
    result = find_threshold(model, dev, "cats", n_trials=6, output=out)
    assert list(result["scores"]) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert result["best_score"] == max(result["scores"].values())
    assert len(set(result["scores"].values())) > 1  # the threshold matters here
    assert result["original_threshold"] == 0.5
    tuned = fastpipe.load(out)
    assert tuned.get_pipe("cats").cfg["threshold"] == result["best_threshold"]
    assert tuned.config["components"]["cats"]["threshold"] == result["best_threshold"]
    assert evaluate_model(out, dev)["cats_macro_f"] == result["best_score"]
    assert fastpipe.load(model).get_pipe("cats").cfg["threshold"] == 0.5  # the model untouched


def test_find_threshold_cli_prints_the_trials(setup):
    model, dev = setup
    result = run("find-threshold", model, dev, "cats", "--n-trials", 3)
    assert result.exit_code == 0, result.output
    assert "  <- best" in result.output and "Best threshold" in result.output
    assert "    0.500  " in result.output


def test_find_threshold_refusals(setup, tmp_path):
    model, dev = setup
    assert_one_clear_error(run("find-threshold", model, dev, "spancat"), "E672", "cats")
    assert_one_clear_error(run("find-threshold", model, dev, "cats", "-k", "nope"), "E674",
                           "cats_macro_f")
    assert_one_clear_error(run("find-threshold", model, dev, "cats", "-n", 1), "E671")
    tagger, _ = train_toy_tagger(tmp_path)
    assert_one_clear_error(run("find-threshold", tagger.best_path, tmp_path / "dev.fastpipe",
                               "tagger"), "E673", "spancat")
    assert_one_clear_error(run("find-threshold", model, tmp_path / "dev.fastpipe", "cats"),
                           "E675")
