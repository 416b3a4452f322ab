"""``fastpipe init config`` and ``fastpipe init fill-config``."""
import io

import pytest
from thinc.api import Config

import fastpipe
from fastpipe.cli.init import fill_config, starter_config
from fastpipe.config import load_config, load_config_from_str
from fastpipe.config_schema import validate_config, with_defaults
from fastpipe.gold.corpus import Corpus
from fastpipe.language import Language
from tests.helpers.cli import run


def test_init_help():
    for command in (["init", "--help"], ["init", "config", "--help"],
                    ["init", "fill-config", "--help"]):
        result = run(*command)
        assert result.exit_code == 0
    assert "--optimize" in run("init", "config", "--help").output


@pytest.mark.parametrize("pipeline", ["tagger", "textcat", "tagger,textcat",
                                      "textcat_multilabel,sentencizer", "tok2vec,tagger",
                                      "parser", "ner", "tagger,parser,ner,textcat",
                                      "morphologizer,senter", "senter",
                                      "tagger,trainable_lemmatizer", "spancat"])
@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_starter_configs_build(pipeline, optimize):
    text = starter_config("en", pipeline.split(","), optimize)
    config = load_config_from_str(text)
    validate_config(with_defaults(config).interpolate())
    nlp = Language.from_config(config)
    expected = pipeline.split(",")
    listens = {"tagger", "morphologizer", "parser", "ner", "spancat"} & set(expected) or (
        optimize == "accuracy" and "textcat" in pipeline)
    if listens and "tok2vec" not in expected:
        expected = ["tok2vec"] + expected
    assert nlp.pipe_names == expected


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_parser_and_ner_listen_to_the_shared_tok2vec(optimize):
    config = load_config_from_str(starter_config("en", ["tagger", "parser", "ner", "textcat"],
                                                 optimize), interpolate=True)
    width = config["components"]["tok2vec"]["model"]["embed"]["width"]
    assert width == (96 if optimize == "efficiency" else 256)
    components = config["components"]
    for name in ("parser", "ner"):
        model = components[name]["model"]
        beam = optimize == "accuracy" and name == "parser"  # see test_accuracy_preset.py
        assert components[name]["factory"] == ("beam_parser" if beam else name)
        assert model["@architectures"] == "fastpipe.TransitionBasedParser.v1"
        assert model["state_type"] == name
        assert (model["extra_state_tokens"], model["hidden_width"], model["maxout_pieces"],
                model["use_upper"]) == (False, 64, 2, True)
        # the accuracy preset sends twice the ner's gradient into the tok2vec
        factor = {"grad_factor": 2.0} if optimize == "accuracy" and name == "ner" else {}
        assert model["tok2vec"] == {"@architectures": "fastpipe.Tok2VecListener.v1",
                                    "width": width, "upstream": "tok2vec", **factor}
    assert components["parser"]["min_action_freq"] == 30
    assert components["parser"]["learn_tokens"] is False
    assert "min_action_freq" not in components["ner"]
    nlp = Language.from_config(config)
    # one tok2vec feeds the tagger, the parser and the entity recognizer: their listener nodes
    # are the ones the tok2vec component found
    listeners = {id(node) for node in nlp.get_pipe("tok2vec").listeners}
    for name in ("tagger", "parser", "ner"):
        ref = nlp.get_pipe(name).model.get_ref("tok2vec")
        assert ref.name == "tok2vec-listener" and id(ref) in listeners
        assert ref.get_dim("nO") == width
    assert nlp.get_pipe("parser").model.attrs["state_type"] == "parser"
    assert nlp.get_pipe("ner").model.attrs["n_feats"] == 3
    assert nlp.get_pipe("parser").cfg["min_action_freq"] == 30
    # score weights come from the factories
    weights = nlp.config["training"]["score_weights"]
    assert {"tag_acc", "dep_uas", "dep_las", "ents_f", "cats_score"} <= set(weights)
    assert weights["dep_uas"] > 0 and weights["ents_f"] > 0


def test_efficiency_and_accuracy_differ():
    small = load_config_from_str(starter_config("en", ["tagger"], "efficiency"), interpolate=True)
    large = load_config_from_str(starter_config("en", ["tagger"], "accuracy"), interpolate=True)
    width = lambda c: c["components"]["tok2vec"]["model"]["encode"]["width"]  # noqa: E731
    assert width(small) < width(large)
    # both average the weights (measured: +1.4 LAS at 2000 steps for 2% more CPU)
    for config in (small, large):
        assert config["training"]["optimizer"]["use_averages"] is True


def test_init_config_writes_a_file(tmp_path):
    out = tmp_path / "config.cfg"
    result = run("init", "config", out, "--lang", "de", "--pipeline", "tagger,textcat")
    assert result.exit_code == 0, result.output
    config = load_config(out, interpolate=True)
    assert config["nlp"]["lang"] == "de"
    assert config["nlp"]["pipeline"] == ["tok2vec", "tagger", "textcat"]
    result = run("init", "config", out)
    assert result.exit_code == 1 and "--force" in result.output
    assert f"[E113] Could not write {out}: it exists" in result.output
    assert run("init", "config", out, "--force").exit_code == 0
    result = run("init", "config", "-", "-p", "textcat")
    assert result.exit_code == 0 and '[components.textcat]' in result.output


def test_parser_and_ner_are_available_other_names_are_refused():
    result = run("init", "config", "-", "--pipeline", "tagger,parser,ner,textcat")
    assert result.exit_code == 0, result.output
    assert 'pipeline = ["tok2vec", "tagger", "parser", "ner", "textcat"]' in result.output
    assert "[components.parser.model.tok2vec]" in result.output
    assert "[components.ner.model.tok2vec]" in result.output
    # a component fastpipe does not have is refused, listing what there is
    result = run("init", "config", "-", "--pipeline", "tagger,xyzzy")
    assert result.exit_code == 1
    assert "[E112] Unknown component 'xyzzy'" in result.output
    available = result.output.split("Available components: ")[1].split(".")[0].split(", ")
    assert {"ner", "parser", "tagger", "textcat"} <= set(available)
    assert "Traceback" not in result.output
    result = run("init", "config", "-", "--pipeline", "tagger,tager")
    assert result.exit_code == 1 and "[E112] Unknown component 'tager'" in result.output
    assert "parser" in result.output


@pytest.mark.slow
def test_init_config_tagger_parser_ner_trains_on_ewt(ewt_corpus, tmp_path):
    from fastpipe.registry import registry
    from fastpipe.training.initialize import init_nlp
    from fastpipe.training.loop import train

    train_path, dev_path = ewt_corpus
    out = tmp_path / "config.cfg"
    result = run("init", "config", out, "--pipeline", "tagger,parser,ner")
    assert result.exit_code == 0, result.output
    config = load_config(out, {"paths.train": str(train_path), "paths.dev": str(dev_path),
                               "training.max_steps": 20, "training.eval_frequency": 10,
                               "training.logger.progress_bar": False})
    nlp = init_nlp(config)
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    assert {"nsubj", "obj", "det"} <= set(nlp.get_pipe("parser").labels)
    assert {"PER", "ORG"} <= set(nlp.get_pipe("ner").labels)
    # a few updates on one small batch: the parser's and the recognizer's losses fall
    optimizer = registry.resolve({"o": nlp.config["training"]["optimizer"]})["o"]
    examples = list(Corpus(train_path)(nlp))[:2]
    history = [nlp.update(examples, drop=0.0, sgd=optimizer) for _ in range(20)]
    for name in ("tagger", "parser", "ner"):
        assert history[-1][name] < 0.6 * history[0][name], (name, history)
    # the parser's gradient reaches the shared tok2vec through its listener (the squared
    # gradient the listeners sent is the tok2vec's "loss")
    losses = nlp.update(examples, exclude=["tagger", "ner"], drop=0.0, sgd=optimizer)
    assert losses["parser"] > 0 and losses["tok2vec"] > 0 and "tagger" not in losses
    # the training loop runs with every component and scores each of them
    result = train(nlp, stdout=io.StringIO(), stderr=io.StringIO())
    assert result.steps == 20
    assert [step for _, step in result.checkpoints] == [10, 20]
    scores = nlp.evaluate(list(Corpus(dev_path)(nlp)))
    for key in ("tag_acc", "dep_uas", "dep_las", "ents_f"):
        assert 0.0 <= scores[key] <= 1.0, key
    doc = nlp("Barack Obama visited the new school in Chicago on Monday.")
    assert doc.has_annotation("TAG") and doc.has_annotation("DEP")
    assert doc.has_annotation("ENT_IOB")


def test_morphologizer_listens_and_the_senter_keeps_its_own_tok2vec():
    config = load_config_from_str(starter_config("en", ["morphologizer", "senter"]),
                                  interpolate=True)
    assert config["nlp"]["pipeline"] == ["tok2vec", "morphologizer", "senter"]
    components = config["components"]
    assert components["morphologizer"]["factory"] == "morphologizer"
    assert components["morphologizer"]["model"] == {
        "@architectures": "fastpipe.Tagger.v1",
        "tok2vec": {"@architectures": "fastpipe.Tok2VecListener.v1", "width": 96,
                    "upstream": "tok2vec"}}
    assert components["senter"]["model"] == {
        "@architectures": "fastpipe.Tagger.v1",
        "tok2vec": {"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 12, "depth": 1,
                    "embed_size": 2000, "window_size": 1, "maxout_pieces": 2,
                    "subword_features": True}}
    # a senter alone needs no shared tok2vec
    assert load_config_from_str(starter_config("en", ["senter"]))["nlp"]["pipeline"] == ["senter"]


@pytest.mark.slow
def test_init_config_morphologizer_lemmatizer_senter_trains_on_ewt(ewt_corpus, tmp_path):
    from fastpipe.training.initialize import init_nlp
    from fastpipe.training.loop import train

    train_path, dev_path = ewt_corpus
    out = tmp_path / "config.cfg"
    result = run("init", "config", out, "--pipeline",
                 "tagger,morphologizer,trainable_lemmatizer,senter")
    assert result.exit_code == 0, result.output
    config = load_config(out, {"paths.train": str(train_path), "paths.dev": str(dev_path),
                               "training.max_steps": 4, "training.eval_frequency": 4,
                               "training.logger.progress_bar": False})
    nlp = init_nlp(config)
    assert nlp.pipe_names == ["tok2vec", "tagger", "morphologizer", "trainable_lemmatizer",
                              "senter"]
    assert "POS=NOUN|Number=Sing" in nlp.get_pipe("morphologizer").labels
    weights = nlp.config["training"]["score_weights"]
    for key in ("tag_acc", "pos_acc", "morph_acc", "lemma_acc", "sents_f"):
        assert weights[key] > 0, (key, weights)
    result = train(nlp, stdout=io.StringIO(), stderr=io.StringIO())
    assert result.steps == 4
    scores = nlp.evaluate(list(Corpus(dev_path)(nlp)))
    for key in ("tag_acc", "pos_acc", "morph_acc", "lemma_acc", "sents_f"):
        assert 0.0 < scores[key] <= 1.0, (key, scores[key])
    doc = nlp("The cats were sleeping. They woke up.")
    assert doc.has_annotation("POS") and doc.has_annotation("MORPH")
    assert doc.has_annotation("SENT_START")


def test_fill_config_fills_every_default(tmp_path):
    base = tmp_path / "base.cfg"
    base.write_text('[nlp]\nlang = "en"\npipeline = ["tagger"]\n\n[components]\n\n'
                    '[components.tagger]\nfactory = "tagger"\n')
    out = tmp_path / "filled.cfg"
    result = run("init", "fill-config", base, out)
    assert result.exit_code == 0, result.output
    filled = load_config(out, interpolate=True)
    tagger = filled["components"]["tagger"]
    assert tagger["model"]["@architectures"] == "fastpipe.Tagger.v1"
    assert "label_smoothing" in tagger
    assert filled["training"]["optimizer"]["beta1"] == 0.9
    assert filled["training"]["score_weights"] == {"tag_acc": 1.0}
    assert filled["corpora"]["train"]["@readers"] == "fastpipe.Corpus.v1"
    assert "max_epochs" in filled["training"] and "before_init" in filled["initialize"]
    # filling a filled config changes nothing
    again = fill_config(out)
    assert again == Config().from_disk(out, interpolate=False)


def test_fill_config_keeps_references_and_takes_overrides(tmp_path):
    base = tmp_path / "base.cfg"
    base.write_text(starter_config("en", ["tagger"]))
    result = run("init", "fill-config", base, "-", "--training.max_steps", "7")
    assert result.exit_code == 0, result.output
    assert "path = ${paths.train}" in result.output
    assert "max_steps = 7" in result.output
    result = run("init", "fill-config", base, "-", "--training.max_stepz", "7")
    assert result.exit_code == 1 and "max_stepz" in result.output


@pytest.mark.slow
def test_init_config_spancat_trains_on_overlapping_spans(tmp_path):
    from fastpipe.tokens import DocBin
    from tests.helpers.cli import table_steps
    from tests.pipeline.test_spancat import examples

    out = tmp_path / "config.cfg"
    assert run("init", "config", out, "--pipeline", "spancat").exit_code == 0
    docs = [eg.reference for eg in examples(fastpipe.blank("en"))]
    for name in ("train", "dev"):
        DocBin(docs=docs).to_disk(tmp_path / f"{name}.fastpipe")
    result = run("train", out, "--output", tmp_path / "out",
                 "--paths.train", tmp_path / "train.fastpipe",
                 "--paths.dev", tmp_path / "dev.fastpipe",
                 "--training.max_steps", "40", "--training.eval_frequency", "20")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [20, 40] and "SPANS_SC_F" in result.output
    nlp = fastpipe.load(tmp_path / "out" / "model-last")
    assert nlp.pipe_names == ["tok2vec", "spancat"]
    assert nlp.evaluate(examples(nlp))["spans_sc_f"] > 0.5


def test_a_bag_of_words_pipeline_alone_decays_its_weights_more():
    """Only the efficiency textcat preset without a tok2vec (its bag of words) takes the
    stronger weight decay; pipelines with a tok2vec keep spaCy's 0.01."""
    from fastpipe.cli.init import BOW_L2

    def l2(names, optimize="efficiency"):
        config = load_config_from_str(starter_config("en", names, optimize), interpolate=True)
        return config["training"]["optimizer"]["L2"]

    assert BOW_L2 > 0.01
    assert l2(["textcat"]) == l2(["textcat_multilabel"]) == BOW_L2
    assert l2(["textcat", "textcat_multilabel"]) == BOW_L2
    assert l2(["tagger", "textcat"]) == l2(["textcat"], "accuracy") == l2(["parser"]) == 0.01
