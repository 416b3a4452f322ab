"""spancat and spancat_singlelabel: suggesters, the model's gradients, learning overlapping
toy spans, threshold and max_positive, scores, saving, settings, and spaCy's config."""
from pathlib import Path

import numpy
import pytest
from thinc.api import Ragged, fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.ml.maxout import maxout_norm_forward
from fastpipe.ml.spancat import TokenSpans, mean_max_reducer
from fastpipe.pipeline.spancat import ngram_range_suggester, ngram_suggester, preset_spans_suggester
from fastpipe.scorer import spancat_score
from fastpipe.tokens import Doc, DocBin
from fastpipe.tokens.span import Span
from fastpipe.tokens.span_group import SpanGroup

SPACY_CONFIGS = Path(__file__).resolve().parents[1] / "data" / "spacy_configs"
SMALL_TOK2VEC = {"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 32, "depth": 1,
                 "embed_size": 500, "window_size": 1, "maxout_pieces": 2,
                 "subword_features": True}
SMALL_MODEL = {"model": {"tok2vec": SMALL_TOK2VEC, "reducer": {"hidden_size": 32}}}

# Each sentence: a person (WHO, token 0), a thing (THING, the noun) inside an item (ITEM, the
# adjective and the noun): THING always overlaps ITEM.
TEXTS = ["I like green apples .", "She eats red cherries .", "They want big houses .",
         "He sees small dogs .", "We love old books .", "It needs new shoes ."]
GOLD = [(2, 4, "ITEM"), (3, 4, "THING"), (0, 1, "WHO")]


@pytest.fixture(autouse=True)
def seeded():
    fix_random_seed(0)


def examples(nlp, key="sc"):
    out = []
    for text in TEXTS:
        ref = nlp.make_doc(text)
        ref.spans[key] = [Span(ref, s, e, label=label) for s, e, label in GOLD]
        out.append(Example(nlp.make_doc(text), ref))
    return out


def trained(factory="spancat", steps=30, **config):
    nlp = fastpipe.blank("en")
    spancat = nlp.add_pipe(factory, config={**SMALL_MODEL, **config})
    egs = examples(nlp, config.get("spans_key", "sc"))
    optimizer = nlp.initialize(lambda: egs)
    for _ in range(steps):
        nlp.update(egs, sgd=optimizer)
    return nlp, spancat, egs


def found(doc, key="sc"):
    return sorted((s.start, s.end, s.label_) for s in doc.spans[key])


# -- suggesters ---------------------------------------------------------------------------------

def test_ngram_suggester_gives_every_ngram_per_doc_by_size_then_start():
    nlp = fastpipe.blank("en")
    docs = [nlp.make_doc("a b c"), nlp.make_doc(""), nlp.make_doc("d")]
    spans = ngram_suggester([1, 2, 3])(docs)
    assert spans.lengths.tolist() == [6, 0, 1]
    assert spans.dataXd.tolist() == [[0, 1], [1, 2], [2, 3], [0, 2], [1, 3], [0, 3], [0, 1]]
    spans = ngram_range_suggester(2, 3)(docs)
    assert spans.lengths.tolist() == [3, 0, 0]
    assert spans.dataXd.tolist() == [[0, 2], [1, 3], [0, 3]]


def test_preset_suggester_and_bad_sizes():
    nlp = fastpipe.blank("en")
    doc = nlp.make_doc("a b c d")
    doc.spans["x"] = [Span(doc, 1, 3, label="L"), Span(doc, 0, 4, label="M")]
    spans = preset_spans_suggester("x")([doc, nlp.make_doc("e")])
    assert spans.dataXd.tolist() == [[1, 3], [0, 4]] and spans.lengths.tolist() == [2, 0]
    for bad in ([], [0, 1]):
        with pytest.raises(ValueError, match="E771"):
            ngram_suggester(bad)
    with pytest.raises(ValueError, match="E771"):
        ngram_range_suggester(3, 2)


# -- the model ----------------------------------------------------------------------------------

def test_reducer_is_a_hidden_layer_over_last_first_mean_max():
    """The parts the reducer computes its hidden layer in add up to the layer over the four
    pooled vectors side by side."""
    reducer = mean_max_reducer(hidden_size=4)
    reducer.set_dim("nI", 8)
    reducer.initialize()
    reducer.set_param("b", numpy.linspace(-1, 1, 12).astype("f"))
    data = numpy.asarray([[1, 5], [3, -1], [2, 2], [7, 0]], dtype="f")
    pooled = numpy.asarray([[2, 2, 1, 5, 2, 2, 3, 5], [7, 0, 7, 0, 7, 0, 7, 0]], dtype="f")
    expected, _ = maxout_norm_forward(reducer, pooled, False)
    got = reducer.predict(Ragged(data, numpy.asarray([3, 1], dtype="i")))
    assert numpy.allclose(got, expected, atol=1e-5)
    # the same spans (and one more, overlapping) read straight from the token rows
    spans = TokenSpans(data, numpy.asarray([0, 3, 1]), numpy.asarray([3, 1, 2]))
    assert numpy.allclose(reducer.predict(spans)[:2], expected, atol=1e-5)


@pytest.mark.parametrize("overlapping", [False, True])
def test_reducer_gradient_matches_finite_differences(overlapping):
    """Consecutive sequences (a Ragged) and overlapping spans of a token matrix (TokenSpans,
    what the span categorizer passes), through the parts the hidden layer is computed in."""
    reducer = mean_max_reducer(hidden_size=3)
    rng = numpy.random.default_rng(0)
    data = rng.normal(size=(6, 2)).astype("float64")
    reducer.set_dim("nI", 8)
    reducer.initialize()
    for name in ("W", "b", "G", "beta"):
        reducer.set_param(name, reducer.get_param(name).astype("float64"))
    if overlapping:
        starts, lengths = numpy.asarray([0, 1, 0, 3, 5, 2]), numpy.asarray([3, 2, 1, 3, 1, 2])
        weights = rng.normal(size=(6, 3))

        def wrap(x):
            return TokenSpans(x, starts, lengths)
    else:
        weights = rng.normal(size=(3, 3))

        def wrap(x):
            return Ragged(x, numpy.asarray([2, 3, 1], dtype="i"))

    def loss(x):
        return float((reducer.predict(wrap(x)) * weights).sum())

    _, backprop = reducer(wrap(data), is_train=True)
    analytic = backprop(weights.astype("float64"))
    analytic = analytic if overlapping else analytic.dataXd
    eps = 1e-6
    numeric = numpy.zeros_like(data)
    for idx in numpy.ndindex(data.shape):
        up, down = data.copy(), data.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (loss(up) - loss(down)) / (2 * eps)
    assert numpy.allclose(analytic, numeric, atol=1e-5)


def test_a_thinc_reducer_gets_each_spans_rows():
    """Any reducer of a Ragged works in the model: here thinc's mean over each span's rows, its
    gradient added back into the tokens of overlapping spans."""
    from thinc.api import reduce_mean

    nlp = fastpipe.blank("en")
    model = {"tok2vec": SMALL_TOK2VEC, "reducer": {"@layers": "reduce_mean.v1"}}
    spancat = nlp.add_pipe("spancat", config={"model": model})
    egs = examples(nlp)
    optimizer = nlp.initialize(lambda: egs)
    assert spancat.model.get_ref("reducer").name == reduce_mean().name
    before = nlp.update(egs, sgd=optimizer)["spancat"]
    for _ in range(20):
        after = nlp.update(egs, sgd=optimizer)["spancat"]
    assert after < before / 2


# -- learning -----------------------------------------------------------------------------------

def test_learns_overlapping_spans_with_scores():
    nlp, spancat, egs = trained()
    assert spancat.labels == ("ITEM", "THING", "WHO")
    for eg in egs:
        doc = nlp(eg.text)
        group = doc.spans["sc"]
        assert isinstance(group, SpanGroup) and group.name == "sc"
        assert found(doc) == sorted(GOLD)
        scores = group.attrs["scores"]
        assert len(scores) == len(group) and (scores >= 0.5).all()
    assert nlp.evaluate(egs)["spans_sc_f"] == 1.0


def test_threshold_and_max_positive():
    nlp, spancat, egs = trained()
    doc = nlp(egs[0].text)
    scores = doc.spans["sc"].attrs["scores"]
    spancat.cfg["threshold"] = float(scores.max()) + 1e-6
    assert len(nlp(egs[0].text).spans["sc"]) == 0
    spancat.cfg["threshold"] = 0.0  # every label of every suggestion
    spans = nlp(egs[0].text).spans["sc"]
    assert len(spans) == 12 * 3  # 5 + 4 + 3 n-grams, three labels each
    spancat.cfg["max_positive"] = 1
    spans = nlp(egs[0].text).spans["sc"]
    assert len(spans) == 12 and len({(s.start, s.end) for s in spans}) == 12


def test_prediction_in_groups_of_docs_gives_the_same_scores(monkeypatch):
    from fastpipe.ml import spancat as model_module

    nlp, spancat, egs = trained(steps=5)
    docs = [eg.predicted for eg in egs]
    spans, whole = spancat.predict(docs)
    monkeypatch.setattr(model_module, "PREDICT_TOKENS", 7)  # one 5-word doc a group
    assert model_module._doc_groups(numpy.asarray([5] * 6), [12] * 6) == [
        (0, 5, 0, 12), (5, 10, 12, 24), (10, 15, 24, 36), (15, 20, 36, 48), (20, 25, 48, 60),
        (25, 30, 60, 72)]
    _, grouped = spancat.predict(docs)
    assert numpy.allclose(grouped, whole, atol=1e-6) and len(grouped) == 72


def test_singlelabel_learns_and_allow_overlap():
    nlp, spancat, egs = trained("spancat_singlelabel", steps=40)
    assert spancat.model.get_dim("nO") == 4  # three labels and "no label"
    doc = nlp(egs[1].text)
    assert found(doc) == sorted(GOLD)
    spancat.cfg["allow_overlap"] = False
    spans = nlp(egs[1].text).spans["sc"]
    covered = [i for s in spans for i in range(s.start, s.end)]
    assert len(covered) == len(set(covered)) and len(spans) == 2


def test_gold_spans_in_another_key_and_tokenization():
    nlp, spancat, egs = trained(spans_key="things", steps=25)
    doc = nlp(egs[2].text)
    assert "sc" not in doc.spans and found(doc, "things") == sorted(GOLD)
    assert nlp.evaluate(egs)["spans_things_f"] == 1.0
    # gold tokens that differ from the predicted ones are matched by character offsets
    ref = Doc(nlp.vocab, words=["I", "like", "green", "apples."], spaces=[True, True, True, False])
    ref.spans["things"] = [Span(ref, 0, 1, label="WHO"), Span(ref, 3, 4, label="THING")]
    eg = Example(nlp.make_doc("I like green apples."), ref)
    suggested = spancat.suggester([eg.predicted])
    rows, labels = spancat._gold_rows([eg], suggested)
    # "apples." is one gold token and two predicted ones
    assert [suggested.dataXd[r].tolist() for r in rows] == [[0, 1], [3, 5]]
    assert [spancat.labels[j] for j in labels] == ["WHO", "THING"]


def test_no_gold_spans_is_refused():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("spancat", config=SMALL_MODEL)
    egs = [Example(nlp.make_doc(t), nlp.make_doc(t)) for t in TEXTS]
    with pytest.raises(ValueError, match="E095"):
        nlp.initialize(lambda: egs)


def test_settings_are_checked():
    nlp = fastpipe.blank("en")
    with pytest.raises(ValueError, match="E773"):
        nlp.add_pipe("spancat", config={"max_positive": 0})


# -- scores -------------------------------------------------------------------------------------

def test_scorer_counts_overlapping_spans_per_type():
    nlp = fastpipe.blank("en")
    ref, pred = nlp.make_doc("a b c d"), nlp.make_doc("a b c d")
    ref.spans["sc"] = [Span(ref, 0, 2, label="X"), Span(ref, 1, 2, label="Y"), Span(ref, 2, 4, label="X")]
    pred.spans["sc"] = [Span(pred, 0, 2, label="X"), Span(pred, 1, 2, label="X"), Span(pred, 1, 2, label="Y")]
    scores = spancat_score([Example(pred, ref)], spans_key="sc")
    assert scores["spans_sc_p"] == pytest.approx(2 / 3) and scores["spans_sc_r"] == pytest.approx(2 / 3)
    assert scores["spans_sc_per_type"]["Y"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    assert scores["spans_sc_per_type"]["X"]["p"] == 0.5
    # a reference without the group is not scored
    assert spancat_score([Example(pred, nlp.make_doc("a b c d"))], spans_key="sc")["spans_sc_f"] is None


# -- saving -------------------------------------------------------------------------------------

def test_disk_and_bytes_round_trips_keep_predictions(tmp_path):
    nlp, spancat, egs = trained(steps=10)
    text = egs[3].text
    before = nlp(text).spans["sc"].attrs["scores"]
    nlp.to_disk(tmp_path / "nlp")
    loaded = fastpipe.load(tmp_path / "nlp")
    after = loaded(text)
    assert numpy.allclose(after.spans["sc"].attrs["scores"], before)
    assert loaded.get_pipe("spancat").labels == spancat.labels
    fresh = fastpipe.blank("en")
    fresh.add_pipe("spancat", config=SMALL_MODEL).from_bytes(spancat.to_bytes())
    assert numpy.allclose(fresh(text).spans["sc"].attrs["scores"], before)


def test_predicted_spans_go_through_a_docbin():
    nlp, _, egs = trained(steps=20)
    doc = nlp(egs[0].text)
    back = list(DocBin(docs=[doc]).get_docs(nlp.vocab))[0]
    assert found(back) == found(doc)


# -- spaCy's config -----------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("factory,scorer", [("spancat", "linear_logistic"),
                                            ("spancat_singlelabel", "softmax")])
def test_spacys_spancat_config_trains(tmp_path, factory, scorer):
    """`fastpipe train` on spaCy's `init config -p spancat` (and `spancat_singlelabel`) output,
    unchanged, over a .spacy corpus of overlapping spans."""
    from tests.helpers.cli import run, table_steps

    nlp = fastpipe.blank("en")
    docs = [eg.reference for eg in examples(nlp)]
    for name in ("train", "dev"):
        DocBin(docs=docs).to_disk(tmp_path / f"{name}.spacy")
    result = run("train", SPACY_CONFIGS / f"{factory}.cfg", "--output", tmp_path / "out",
                 "--paths.train", tmp_path / "train.spacy", "--paths.dev", tmp_path / "dev.spacy",
                 "--training.max_steps", "40", "--training.eval_frequency", "20")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [20, 40]
    assert "SPANS_SC_F" in result.output, result.output
    trained_nlp = fastpipe.load(tmp_path / "out" / "model-last")
    assert trained_nlp.pipe_names == ["tok2vec", factory]
    spancat = trained_nlp.get_pipe(factory)
    assert spancat.labels == ("ITEM", "THING", "WHO")
    assert spancat.model.get_ref("scorer").name == scorer  # fastpipe's layer, or thinc's Softmax
    assert trained_nlp.evaluate(examples(trained_nlp))["spans_sc_f"] > 0.5
