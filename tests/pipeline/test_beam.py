"""Beam search for parser and ner: beam_parser and beam_ner, decoding a greedy model with a beam,
the global beam update, settings and saving."""
from pathlib import Path

import numpy
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.pipeline._parser_internals.arc_eager import ArcEager
from fastpipe.pipeline._parser_internals.beam import BeamBatch
from tests.helpers.data import EWT_DEV_SAMPLE, EWT_TRAIN_SAMPLE, conllu_examples
from tests.pipeline.test_parser_ner import SMALL, TOY, toy_examples


@pytest.fixture(scope="module")
def greedy_nlp():
    """A parser and an ner trained greedily (15 epochs of 200 EWT sample sentences), and 60
    dev sentences."""
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    nlp.add_pipe("parser", config={"model": SMALL, "min_action_freq": 1})
    nlp.add_pipe("ner", config={"model": SMALL})
    train = conllu_examples(nlp, EWT_TRAIN_SAMPLE, n_sents=1)[:200]
    optimizer = nlp.initialize(lambda: train)
    for _ in range(15):
        for start in range(0, len(train), 16):
            nlp.update(train[start:start + 16], sgd=optimizer)
    dev = [eg.predicted for eg in conllu_examples(nlp, EWT_DEV_SAMPLE, n_sents=1)[:60]]
    return nlp, dev


def beam_decode(pipe, docs, width, density=0.0):
    """(best final states, best model score per doc) of a beam over the component's model."""
    step = pipe.model.predict(docs)
    states = [pipe.moves.init_state(doc) for doc in docs]
    batch = BeamBatch(pipe.moves, states, step.get_doc_offsets()[:-1],
                      pipe.model.attrs["n_feats"], width, density)
    while batch.n_active:
        batch.advance(numpy.ascontiguousarray(step.predict(batch.features()), dtype="float32"))
    scores = numpy.array([per_doc[0] for per_doc in batch.scores()])
    return batch.best_states(), scores


def analyses(states):
    return [(state.heads, state.labels, state.ents) for state in states]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["parser", "ner"])
def test_width_one_makes_the_greedy_choices(greedy_nlp, name):
    nlp, dev = greedy_nlp
    pipe = nlp.get_pipe(name)
    greedy = pipe.predict(dev)
    beam, _ = beam_decode(pipe, dev, 1)
    assert analyses(beam) == analyses(greedy)
    # and a wider beam finds other analyses for some documents (the test above is not vacuous)
    wide, _ = beam_decode(pipe, dev, 8)
    assert analyses(wide) != analyses(greedy)


@pytest.mark.slow
def test_a_wider_beam_finds_higher_model_scores(greedy_nlp):
    nlp, dev = greedy_nlp
    # entities: one move per token, so histories compare like for like; a beam can still drop
    # the greedy history (two others ahead of it half-way that end below it), so it finds
    # higher scores for the batch and for nearly every document, not for each one
    ner = nlp.get_pipe("ner")
    _, greedy = beam_decode(ner, dev, 1)
    for width in (2, 8):
        _, scores = beam_decode(ner, dev, width)
        assert scores.sum() > greedy.sum() + 0.5
        assert (scores >= greedy - 1e-9).mean() >= 0.9
    # arcs: a BREAK pops the whole stack in one move, so histories differ in length and a
    # beam can lose the greedy path; it finds higher scores for the batch and most documents
    # (78% of them with numpy 2.4 and thinc 8.3.14, 80% or more with earlier builds)
    parser = nlp.get_pipe("parser")
    _, greedy = beam_decode(parser, dev, 1)
    _, scores = beam_decode(parser, dev, 8)
    assert scores.sum() > greedy.sum() + 10
    assert (scores >= greedy - 1e-9).mean() >= 0.7


@pytest.mark.slow
def test_density_prunes_unlikely_candidates(greedy_nlp):
    nlp, dev = greedy_nlp
    parser = nlp.get_pipe("parser")
    # a density near 1 keeps only the candidates as likely as the best: the greedy path
    pruned, _ = beam_decode(parser, dev, 8, density=0.999999)
    assert analyses(pruned) == analyses(parser.predict(dev))


@pytest.mark.slow
def test_a_greedy_model_decodes_with_a_beam_when_beam_width_is_set(greedy_nlp):
    nlp, dev = greedy_nlp
    parser = nlp.get_pipe("parser")
    docs = [doc.copy() for doc in dev]
    parser.cfg["beam_width"] = 4
    try:
        beam_docs = [parser(doc.copy()) for doc in docs]
    finally:
        parser.cfg["beam_width"] = 1
    expected, _ = beam_decode(parser, docs, 4, density=parser.cfg["beam_density"])
    assert [[t.head.i for t in doc] for doc in beam_docs] == \
        [[i if h is None else h for i, h in enumerate(state.heads)] for state in expected]


@pytest.mark.slow
def test_toy_beam_parser_and_ner_learn_and_keep_their_settings(tmp_path):
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    nlp.add_pipe("beam_parser", config={"model": SMALL, "min_action_freq": 1, "beam_width": 4,
                                        "beam_update_prob": 1.0})
    nlp.add_pipe("beam_ner", config={"model": SMALL, "beam_width": 3, "beam_density": 0.001,
                                     "beam_update_prob": 1.0})
    examples = toy_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        losses = nlp.update(examples, sgd=optimizer)
    assert losses["beam_parser"] < 0.1 and losses["beam_ner"] < 0.1
    scores = nlp.evaluate(examples)
    assert scores["dep_las"] == 1.0 and scores["ents_f"] == 1.0
    doc = nlp("She likes big apples .")
    assert [(t.head.i, t.dep_) for t in doc] == list(zip(TOY[0][1], TOY[0][2]))
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    for name, settings in (("beam_parser", (4, 0.0001, 1.0)), ("beam_ner", (3, 0.001, 1.0))):
        cfg = loaded.get_pipe(name).cfg
        assert (cfg["beam_width"], cfg["beam_density"], cfg["beam_update_prob"]) == settings
    again = loaded("She likes big apples .")
    assert [(t.head.i, t.dep_, t.ent_iob_, t.ent_type_) for t in again] == \
        [(t.head.i, t.dep_, t.ent_iob_, t.ent_type_) for t in doc]


def test_beam_update_gradients_match_finite_differences():
    """The global loss's gradient for every step's scores, against the loss recomputed with
    one score moved a little either way (the beam's choices stay the same)."""
    nlp = fastpipe.blank("en")
    examples = [Example.from_dict(nlp.make_doc(text), {"heads": heads, "deps": deps})
                for text, heads, deps, _ in TOY[:2]]
    moves = ArcEager(nlp.vocab.strings)
    moves.initialize(examples)
    golds = [moves.init_gold(eg) for eg in examples]

    def run(nudge=None):
        rng = numpy.random.RandomState(0)
        batch = BeamBatch(moves, [moves.init_state(eg.predicted) for eg in examples], [0, 5],
                          8, 3, 0.0, golds)
        step = 0
        while batch.n_active:
            ids = batch.features()
            scores = rng.normal(0, 1, (len(ids), moves.n_moves)).astype("float32")
            if nudge is not None and nudge[0] == step:
                scores[nudge[1], nudge[2]] += nudge[3]
            batch.advance(scores)
            step += 1
        return batch.gradients()

    d_steps, loss = run()
    assert loss > 0
    cells = [(t, r, m) for t, d in enumerate(d_steps) for r, m in zip(*numpy.nonzero(d))]
    assert len(cells) > 50
    picks = numpy.random.RandomState(1).choice(len(cells), 25, replace=False)
    for t, r, m in [cells[i] for i in picks]:
        up, down = run((t, r, m, 1e-3))[1], run((t, r, m, -1e-3))[1]
        assert (up - down) / 2e-3 == pytest.approx(d_steps[t][r, m], abs=1e-3)


def test_beam_factories_take_spacys_settings():
    parser = Language.get_factory_meta("beam_parser").default_config
    ner = Language.get_factory_meta("beam_ner").default_config
    assert {k: v for k, v in parser.items() if k != "model"} == {
        "moves": None, "update_with_oracle_cut_size": 100, "learn_tokens": False,
        "min_action_freq": 30, "beam_width": 8, "beam_density": 0.0001, "beam_update_prob": 0.5,
        "scorer": {"@scorers": "fastpipe.parser_scorer.v1"}}
    assert {k: v for k, v in ner.items() if k != "model"} == {
        "moves": None, "update_with_oracle_cut_size": 100, "beam_width": 32,
        "beam_density": 0.01, "beam_update_prob": 0.5, "incorrect_spans_key": None,
        "scorer": {"@scorers": "fastpipe.ner_scorer.v1"}}


@pytest.mark.parametrize("setting,value,code", [
    ("beam_width", 0, "E860"), ("beam_density", 1.0, "E861"),
    ("beam_density", -0.1, "E861"), ("beam_update_prob", 1.5, "E863")])
def test_bad_beam_settings_are_refused(setting, value, code):
    nlp = fastpipe.blank("en")
    with pytest.raises(Exception, match=code):
        nlp.add_pipe("beam_parser", config={setting: value})


@pytest.mark.slow
def test_spacys_config_with_beam_parser_and_beam_ner_trains(tmp_path):
    """`fastpipe train` on spaCy's efficiency tagger+parser+ner config with the beam factories
    (tests/data/spacy_configs/README.md says how spaCy made it), over a .spacy corpus."""
    from fastpipe.tokens import DocBin
    from tests.helpers.cli import run, table_steps

    config = Path(__file__).resolve().parents[1] / "data" / "spacy_configs" / \
        "beam_tagger_parser_ner.cfg"
    nlp = fastpipe.blank("en")
    docs = [eg.reference for eg in conllu_examples(nlp, EWT_DEV_SAMPLE, n_sents=5)[:12]]
    for name in ("train", "dev"):
        DocBin(docs=docs).to_disk(tmp_path / f"{name}.spacy")
    result = run("train", config, "--output", tmp_path / "out",
                 "--paths.train", tmp_path / "train.spacy", "--paths.dev", tmp_path / "dev.spacy",
                 "--training.max_steps", "6", "--training.eval_frequency", "3",
                 "--components.parser.beam_update_prob", "1.0",
                 "--components.ner.beam_width", "4")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [3, 6]
    trained = fastpipe.load(tmp_path / "out" / "model-last")
    assert trained.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    parser, ner = trained.get_pipe("parser"), trained.get_pipe("ner")
    assert (parser.cfg["beam_width"], parser.cfg["beam_density"]) == (8, 0.0001)
    assert (parser.cfg["beam_update_prob"], ner.cfg["beam_width"]) == (1.0, 4)
    assert trained.config["components"]["parser"]["factory"] == "beam_parser"
    doc = trained("The cat sat on the mat in Paris .")
    assert all(0 <= t.head.i < len(doc) for t in doc)
