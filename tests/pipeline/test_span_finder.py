"""span_finder: pairing start and end tokens, learning toy span boundaries, threshold and
length limits, scores, saving, the preset suggester feeding a spancat, and spaCy's config."""
from pathlib import Path

import numpy
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.pipeline.span_finder import pair_boundaries
from fastpipe.registry import get_factory_meta
from fastpipe.scorer import span_finder_score
from fastpipe.tokens import DocBin
from fastpipe.tokens.span import Span

SPACY_CONFIGS = Path(__file__).resolve().parents[1] / "data" / "spacy_configs"
SMALL_TOK2VEC = {"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 32, "depth": 1,
                 "embed_size": 500, "window_size": 1, "maxout_pieces": 2,
                 "subword_features": True}
SMALL_MODEL = {"model": {"tok2vec": SMALL_TOK2VEC}}

# As in test_spancat: a person (WHO, token 0), a thing (THING, the noun) inside an item (ITEM,
# the adjective and the noun). Starts: tokens 0, 2, 3; ends (last tokens): 0 and 3.
TEXTS = ["I like green apples .", "She eats red cherries .", "They want big houses .",
         "He sees small dogs .", "We love old books .", "It needs new shoes ."]
GOLD = [(2, 4, "ITEM"), (3, 4, "THING"), (0, 1, "WHO")]
# Every pair of a gold start and a gold end at or after it.
CANDIDATES = [(0, 1), (0, 4), (2, 4), (3, 4)]


@pytest.fixture(autouse=True)
def seeded():
    fix_random_seed(0)


def examples(nlp, keys=("sc",)):
    out = []
    for text in TEXTS:
        ref = nlp.make_doc(text)
        for key in keys:
            ref.spans[key] = [Span(ref, s, e, label=label) for s, e, label in GOLD]
        out.append(Example(nlp.make_doc(text), ref))
    return out


def trained(steps=40, **config):
    nlp = fastpipe.blank("en")
    finder = nlp.add_pipe("span_finder", config={**SMALL_MODEL, **config})
    egs = examples(nlp, (config.get("spans_key", "sc"),))
    optimizer = nlp.initialize(lambda: egs)
    losses = []
    for _ in range(steps):
        losses.append(nlp.update(egs, sgd=optimizer)["span_finder"])
    return nlp, finder, egs, losses


def found(doc, key="sc"):
    return [(s.start, s.end) for s in doc.spans[key]]


# -- pairing ------------------------------------------------------------------------------------

def brute_force(scores, lengths, threshold, min_length, max_length):
    """Every (doc, start, end) the pairing must give, by two plain loops per Doc."""
    out, offset = [], 0
    for d, n in enumerate(lengths):
        for s in range(n):
            for e in range(s, n):
                length = e - s + 1
                if (scores[offset + s, 0] >= threshold and scores[offset + e, 1] >= threshold
                        and length >= (min_length or 1)
                        and (max_length is None or length <= max_length)):
                    out.append((d, s, e + 1))
        offset += n
    return out


def test_pairing_gives_every_start_end_pair_within_the_lengths():
    scores = numpy.asarray([[0.9, 0.1], [0.6, 0.7], [0.1, 0.2], [0.5, 0.5], [0.2, 0.9],
                            [0.0, 0.0]], dtype="f")
    starts, ends, per_doc = pair_boundaries(scores, [6], 0.5, None, None)
    assert list(zip(starts.tolist(), ends.tolist())) == [
        (0, 2), (0, 4), (0, 5), (1, 2), (1, 4), (1, 5), (3, 4), (3, 5)]
    assert per_doc.tolist() == [8]
    starts, ends, _ = pair_boundaries(scores, [6], 0.5, 2, 3)
    assert list(zip(starts.tolist(), ends.tolist())) == [(0, 2), (1, 4), (3, 5)]
    # a span never crosses into the next Doc; each Doc's offsets are its own
    starts, ends, per_doc = pair_boundaries(scores, [2, 0, 4], 0.5, None, None)
    assert per_doc.tolist() == [2, 0, 2]
    assert list(zip(starts.tolist(), ends.tolist())) == [(0, 2), (1, 2), (1, 2), (1, 3)]


@pytest.mark.parametrize("min_length,max_length", [(None, None), (2, None), (None, 3), (2, 4),
                                                   (5, 2)])
def test_pairing_matches_two_plain_loops(min_length, max_length):
    rng = numpy.random.default_rng(1)
    lengths = [7, 0, 1, 12, 3]
    scores = rng.random((sum(lengths), 2)).astype("f")
    starts, ends, per_doc = pair_boundaries(scores, lengths, 0.6, min_length, max_length)
    docs = numpy.repeat(numpy.arange(len(lengths)), per_doc)
    got = list(zip(docs.tolist(), starts.tolist(), ends.tolist()))
    assert got == brute_force(scores, lengths, 0.6, min_length, max_length)
    assert (len(got) > 0) == ((min_length or 1) <= (max_length or 99))  # 5 > 2: none


# -- learning -----------------------------------------------------------------------------------

def test_learns_the_toy_span_boundaries():
    nlp, finder, egs, losses = trained()
    assert losses[-1] < losses[0] / 20
    doc = nlp(TEXTS[0])
    assert found(doc) == CANDIDATES
    assert all(span.label_ == "" for span in doc.spans["sc"])
    scores = nlp.evaluate(egs)
    # 3 of the 4 candidates are gold spans: labels are not compared
    assert scores["spans_sc_p"] == 0.75 and scores["spans_sc_r"] == 1.0
    probs = finder.predict([nlp.make_doc(TEXTS[0])])
    assert probs.shape == (5, 2)
    assert (probs[[0, 2, 3], 0] > 0.9).all() and (probs[[1, 4], 0] < 0.1).all()
    assert (probs[[0, 3], 1] > 0.9).all() and (probs[[1, 2, 4], 1] < 0.1).all()


def test_the_loss_and_its_gradient_from_gold_boundaries():
    nlp = fastpipe.blank("en")
    finder = nlp.add_pipe("span_finder", config=SMALL_MODEL)
    eg = examples(nlp)[0]
    scores = numpy.full((5, 2), 0.25, dtype="f")
    loss, d_scores = finder.get_loss([eg, eg], numpy.concatenate([scores, scores]))
    truth = numpy.zeros((5, 2), dtype="f")
    truth[[0, 2, 3], 0] = 1.0
    truth[[0, 3], 1] = 1.0
    expected = numpy.concatenate([scores - truth] * 2)
    assert numpy.allclose(d_scores, expected)
    assert loss == pytest.approx(float((expected ** 2).sum()))


def test_gold_spans_are_aligned_to_other_tokens():
    nlp = fastpipe.blank("en")
    finder = nlp.add_pipe("span_finder", config=SMALL_MODEL)
    ref = fastpipe.tokens.Doc(nlp.vocab, words=["New", "York", "is", "big"])
    ref.spans["sc"] = [Span(ref, 0, 2, label="LOC")]
    assert finder._aligned_gold(Example(nlp.make_doc("New York is big"), ref)) == [(0, 2)]
    merged = fastpipe.tokens.Doc(nlp.vocab, words=["New York", "is", "big"])
    assert finder._aligned_gold(Example(merged, ref)) == [(0, 1)]
    split = fastpipe.tokens.Doc(nlp.vocab, words=["Ne", "w", "York", "is", "big"],
                                spaces=[False, True, True, True, False])
    assert finder._aligned_gold(Example(split, ref)) == [(0, 3)]


def test_threshold_and_length_limits():
    nlp, finder, egs, _ = trained()
    doc = nlp.make_doc(TEXTS[0])
    probs = finder.predict([doc])
    finder.cfg["threshold"] = float(probs.max()) + 1e-6
    finder.set_annotations([doc], probs)
    assert found(doc) == []
    finder.cfg["threshold"] = 0.0  # every pair
    finder.set_annotations([doc], probs)
    assert len(found(doc)) == 15
    finder.cfg.update(threshold=0.5, min_length=2)
    finder.set_annotations([doc], probs)
    assert found(doc) == [(0, 4), (2, 4)]
    finder.cfg.update(min_length=None, max_length=1)
    finder.set_annotations([doc], probs)
    assert found(doc) == [(0, 1), (3, 4)]


def test_settings_are_checked():
    nlp = fastpipe.blank("en")
    for setting in ("max_length", "min_length"):
        for bad in (0, -3):
            with pytest.raises(ValueError, match="E831"):
                nlp.add_pipe("span_finder", name=f"sf_{setting}_{bad}", config={setting: bad})
        with pytest.raises(Exception, match=setting):  # config validation: not a whole number
            nlp.add_pipe("span_finder", name=f"sf_{setting}_float", config={setting: 2.5})
    with pytest.raises(Exception, match="E832"):
        nlp.add_pipe("span_finder", name="sf_key", config={"spans_key": ""})
    with pytest.raises(ValueError, match="E830"):
        finder = nlp.add_pipe("span_finder", name="sf_three", config={
            "model": {"tok2vec": SMALL_TOK2VEC, "scorer": {"nO": 3}}})
        finder.initialize(lambda: examples(nlp))


def test_defaults_and_spacy_names():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("span_finder")
    settings = nlp.config["components"]["span_finder"]
    assert {k: settings[k] for k in ("threshold", "spans_key", "max_length", "min_length")} == {
        "threshold": 0.5, "spans_key": "sc", "max_length": 25, "min_length": None}
    assert get_factory_meta("span_finder").default_score_weights == {
        "spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0}
    assert fastpipe.registry.get("architectures", "spacy.SpanFinder.v1") is \
        fastpipe.registry.get("architectures", "fastpipe.SpanFinder.v1")
    assert fastpipe.registry.get("scorers", "spacy.span_finder_scorer.v1") is \
        fastpipe.registry.get("scorers", "fastpipe.span_finder_scorer.v1")


# -- scores and saving ---------------------------------------------------------------------------

def test_scorer_compares_spans_without_labels():
    nlp = fastpipe.blank("en")
    ref = nlp.make_doc("a b c d e")
    ref.spans["sc"] = [Span(ref, 0, 2, label="X"), Span(ref, 1, 3, label="Y")]
    pred = nlp.make_doc("a b c d e")
    pred.spans["sc"] = [Span(pred, 0, 2), Span(pred, 2, 3)]
    assert span_finder_score([Example(pred, ref)]) == {
        "spans_sc_p": 0.5, "spans_sc_r": 0.5, "spans_sc_f": 0.5}
    empty = nlp.make_doc("a b c d e")
    empty.spans["sc"] = []
    assert span_finder_score([Example(nlp.make_doc("a b c d e"), empty)])["spans_sc_f"] is None
    assert span_finder_score([Example(pred, nlp.make_doc("a b c d e"))])["spans_sc_p"] is None
    assert span_finder_score([Example(pred, empty)])["spans_sc_p"] == 0.0


def test_disk_and_bytes_round_trips_keep_predictions(tmp_path):
    nlp, finder, _, _ = trained(steps=20, threshold=0.3)
    expected = finder.predict([nlp.make_doc(TEXTS[1])])
    nlp.to_disk(tmp_path / "model")
    back = fastpipe.load(tmp_path / "model")
    assert back.get_pipe("span_finder").cfg["threshold"] == 0.3
    assert numpy.allclose(back.get_pipe("span_finder").predict([back.make_doc(TEXTS[1])]),
                          expected)
    assert found(back(TEXTS[1])) == found(nlp(TEXTS[1]))
    again = fastpipe.blank("en")
    again.add_pipe("span_finder", config={**SMALL_MODEL, "threshold": 0.3})
    again.get_pipe("span_finder").from_bytes(finder.to_bytes())
    assert found(again(TEXTS[1])) == found(nlp(TEXTS[1]))
    docs = list(DocBin(docs=[nlp(TEXTS[2])]).get_docs(nlp.vocab))
    assert found(docs[0]) == found(nlp(TEXTS[2]))


# -- with a spancat -----------------------------------------------------------------------------

def finder_and_spancat():
    """span_finder writes candidates to "cands"; spancat labels exactly those (preset
    suggester) into "sc"."""
    nlp = fastpipe.blank("en")
    finder = nlp.add_pipe("span_finder", config={**SMALL_MODEL, "spans_key": "cands"})
    spancat = nlp.add_pipe("spancat", config={
        "model": {"tok2vec": SMALL_TOK2VEC, "reducer": {"hidden_size": 32}},
        "suggester": {"@misc": "spacy.preset_spans_suggester.v1", "spans_key": "cands"}})
    egs = examples(nlp, ("cands", "sc"))
    optimizer = nlp.initialize(lambda: egs)
    for _ in range(40):
        nlp.update(egs, sgd=optimizer, annotates=["span_finder"])
    return nlp, finder, spancat, egs


def test_preset_suggester_feeds_spancat_the_candidates():
    nlp, finder, spancat, egs = finder_and_spancat()
    doc = nlp(TEXTS[0])
    assert found(doc, "cands") == CANDIDATES
    assert sorted((s.start, s.end, s.label_) for s in doc.spans["sc"]) == sorted(GOLD)
    scores = nlp.evaluate(egs)
    assert scores["spans_sc_f"] == 1.0 and scores["spans_cands_p"] == 0.75
    # no candidates: nothing for the spancat to label
    finder.cfg["threshold"] = 1.01
    assert list(nlp(TEXTS[0]).spans["sc"]) == []


@pytest.mark.slow
def test_spacys_span_finder_spancat_config_trains(tmp_path):
    """`fastpipe train` on spaCy's `init config -p span_finder,spancat`, with the preset
    suggester and span_finder annotating (README of tests/data/spacy_configs)."""
    from tests.helpers.cli import run, table_steps

    nlp = fastpipe.blank("en")
    docs = [eg.reference for eg in examples(nlp)]
    for name in ("train", "dev"):
        DocBin(docs=docs).to_disk(tmp_path / f"{name}.spacy")
    result = run("train", SPACY_CONFIGS / "span_finder_spancat.cfg", "--output",
                 tmp_path / "out", "--paths.train", tmp_path / "train.spacy", "--paths.dev",
                 tmp_path / "dev.spacy", "--training.max_steps", "60",
                 "--training.eval_frequency", "30")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [30, 60]
    trained_nlp = fastpipe.load(tmp_path / "out" / "model-last")
    assert trained_nlp.pipe_names == ["tok2vec", "span_finder", "spancat"]
    assert trained_nlp.config["training"]["annotating_components"] == ["tok2vec", "span_finder"]
    assert trained_nlp.get_pipe("spancat").labels == ("ITEM", "THING", "WHO")
    doc = trained_nlp(TEXTS[0])
    assert {(s.start, s.end) for s in doc.spans["sc"]} <= set(CANDIDATES)
    assert trained_nlp.evaluate(examples(trained_nlp))["spans_sc_f"] > 0.5


@pytest.mark.slow
def test_init_config_span_finder_spancat_trains(tmp_path):
    """fastpipe's own `init config -p span_finder,spancat`: a span_finder listening to the
    tok2vec, spancat over its candidates (preset suggester), both annotating in training."""
    from fastpipe.cli.init import starter_config
    from tests.helpers.cli import run

    config = tmp_path / "config.cfg"
    config.write_text(starter_config("en", ["span_finder", "spancat"]), encoding="utf8")
    nlp = fastpipe.blank("en")
    docs = [eg.reference for eg in examples(nlp)]
    for name in ("train", "dev"):
        DocBin(docs=docs).to_disk(tmp_path / f"{name}.spacy")
    result = run("train", config, "--output", tmp_path / "out", "--paths.train",
                 tmp_path / "train.spacy", "--paths.dev", tmp_path / "dev.spacy",
                 "--training.max_steps", "60", "--training.eval_frequency", "30")
    assert result.exit_code == 0, result.output
    trained_nlp = fastpipe.load(tmp_path / "out" / "model-last")
    assert trained_nlp.pipe_names == ["tok2vec", "span_finder", "spancat"]
    suggester = trained_nlp.config["components"]["spancat"]["suggester"]
    assert suggester["@misc"] == "fastpipe.preset_spans_suggester.v1"
    doc = trained_nlp(TEXTS[0])
    assert {(s.start, s.end) for s in doc.spans["sc"]} <= set(CANDIDATES)
    assert trained_nlp.evaluate(examples(trained_nlp))["spans_sc_f"] > 0.5
