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


# -- spancat ------------------------------------------------------------------------------------

SPAN_TEXTS = ["I like green apples .", "She eats red cherries .", "They want big houses .",
              "He sees small dogs .", "We love old books ."]
SPAN_GOLD = [(2, 4, "ITEM"), (3, 4, "THING"), (0, 1, "WHO")]


@pytest.fixture(scope="module")
def span_setup(tmp_path_factory):
    """A briefly trained spancat (its scores still spread over [0, 1]) and a corpus of its
    texts with overlapping spans."""
    from fastpipe.tokens.span import Span
    from thinc.api import fix_random_seed

    fix_random_seed(0)
    folder = tmp_path_factory.mktemp("span_threshold")
    nlp = fastpipe.blank("en")
    nlp.add_pipe("spancat", config={"model": {
        "tok2vec": {"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 16, "depth": 1,
                    "embed_size": 300, "window_size": 1, "maxout_pieces": 2,
                    "subword_features": True},
        "reducer": {"hidden_size": 16}}})
    train = []
    for text in SPAN_TEXTS:
        ref = nlp.make_doc(text)
        ref.spans["sc"] = [Span(ref, s, e, label=label) for s, e, label in SPAN_GOLD]
        train.append(Example(nlp.make_doc(text), ref))
    optimizer = nlp.initialize(lambda: train)
    for _ in range(6):
        nlp.update(train, sgd=optimizer)
    nlp.to_disk(folder / "model")
    DocBin(docs=[eg.reference for eg in train]).to_disk(folder / "dev.fastpipe")
    return folder / "model", folder / "dev.fastpipe"


def test_spancat_threshold_rescored_from_one_prediction_run(span_setup, tmp_path, monkeypatch):
    from fastpipe.pipeline.spancat import SpanCategorizer

    model, dev = span_setup
    calls = []
    predict = SpanCategorizer.predict
    monkeypatch.setattr(SpanCategorizer, "predict",
                        lambda self, docs: calls.append(len(docs)) or predict(self, docs))
    out = tmp_path / "tuned"
    result = find_threshold(model, dev, "spancat", n_trials=11, output=out)
    assert calls == [len(SPAN_TEXTS)]  # the model ran once, not once per threshold
    assert result["scores_key"] == "spans_sc_f"
    assert len(set(result["scores"].values())) > 2  # the threshold matters here
    assert result["scores"][1.0] == 0.0  # no score reaches 1: nothing kept
    assert result["best_score"] == max(result["scores"].values())
    monkeypatch.setattr(SpanCategorizer, "predict", predict)
    # each trial's score is what the pipeline scores with that threshold
    for threshold in (0.3, result["best_threshold"]):
        nlp = fastpipe.load(model)
        nlp.get_pipe("spancat").cfg["threshold"] = threshold
        gold = list(DocBin().from_disk(dev).get_docs(nlp.vocab))
        egs = [Example(nlp.make_doc(doc.text), doc) for doc in gold]
        assert nlp.evaluate(egs)["spans_sc_f"] == pytest.approx(result["scores"][threshold])
    assert fastpipe.load(out).get_pipe("spancat").cfg["threshold"] == result["best_threshold"]
    assert evaluate_model(out, dev)["spans_sc_f"] == pytest.approx(result["best_score"])


def test_spancat_find_threshold_cli_in_spacys_argument_order(span_setup, tmp_path):
    model, dev = span_setup
    result = run("find-threshold", model, dev, "spancat", "threshold", "spans_sc_p",
                 "--n_trials", 3)
    assert result.exit_code == 0, result.output
    assert "spans_sc_p" in result.output and "  <- best" in result.output
    assert "    0.500  " in result.output and "    1.000  " in result.output
    assert_one_clear_error(run("find-threshold", model, dev, "spancat", "max_positive",
                               "spans_sc_f"), "E834", "threshold")
    assert_one_clear_error(run("find-threshold", model, dev, "spancat", "threshold", "nope"),
                           "E674", "spans_sc_f")
    DocBin(docs=[fastpipe.blank("en").make_doc("no spans here")]).to_disk(tmp_path / "x.fastpipe")
    assert_one_clear_error(run("find-threshold", model, tmp_path / "x.fastpipe", "spancat"),
                           "E833", "sc")
