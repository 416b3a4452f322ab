"""The accuracy presets: fastpipe's `init config --optimize accuracy` and spaCy's own (without
transformers, committed under tests/data/spacy_configs) both train with `fastpipe train`."""
from pathlib import Path

import pytest

import fastpipe
from fastpipe.cli.init import starter_config
from fastpipe.config import load_config, load_config_from_str
from tests.helpers.cli import run, table_steps
from tests.helpers.data import EWT_DEV_SLICE, EWT_TRAIN_SLICE

SPACY_CONFIGS = Path(__file__).resolve().parents[1] / "data" / "spacy_configs"


@pytest.fixture(scope="module")
def ewt(tmp_path_factory):
    from fastpipe.cli.convert import convert_file

    folder = tmp_path_factory.mktemp("ewt")
    train = convert_file(EWT_TRAIN_SLICE, folder, n_sents=10)["output"]
    dev = convert_file(EWT_DEV_SLICE, folder, n_sents=10)["output"]
    return str(train), str(dev)


def tok2vec_of(text: str):
    return load_config_from_str(text, interpolate=True)["components"]["tok2vec"]["model"]


def test_the_accuracy_preset_is_larger_and_averages():
    for names in (["tagger"], ["tagger", "parser", "ner"]):
        small = tok2vec_of(starter_config("en", names, "efficiency"))
        large_text = starter_config("en", names, "accuracy")
        large = tok2vec_of(large_text)
        # a parser or an ner gets the hybrid tok2vec: its maxout layers come first in a chain
        cnn = large["encode"]["*"]["cnn"] if "parser" in names else large["encode"]
        assert large["embed"]["width"] == cnn["width"] > small["encode"]["width"]
        assert cnn["depth"] >= small["encode"]["depth"]
        rows = large["embed"]["rows"]
        assert (rows if "parser" in names else rows[0]) > small["embed"]["rows"][0]
        config = load_config_from_str(large_text, interpolate=True)
        assert config["training"]["optimizer"]["use_averages"] is True
        # the larger model is regularized more (chosen by bin/bench_budget.py --minutes 45)
        small_config = load_config_from_str(starter_config("en", names, "efficiency"),
                                            interpolate=True)
        assert config["training"]["dropout"] > small_config["training"]["dropout"]


def test_the_accuracy_preset_of_a_parser_or_ner_is_the_measured_hybrid():
    """CharacterEmbed, the maxout layers and a residual BiLSTM layer, weight decay 0.1 and
    twice the ner's gradient: what bin/bench_budget.py measured over three seeds."""
    from fastpipe.language import Language

    for names in (["parser"], ["ner"], ["tagger", "parser", "ner"]):
        config = load_config_from_str(starter_config("en", names, "accuracy"), interpolate=True)
        tok2vec = config["components"]["tok2vec"]["model"]
        assert tok2vec["embed"]["@architectures"] == "fastpipe.CharacterEmbed.v1"
        assert (tok2vec["embed"]["nM"], tok2vec["embed"]["nC"]) == (64, 8)
        assert tok2vec["encode"]["@layers"] == "chain.v1"
        assert list(tok2vec["encode"]["*"]) == ["cnn", "lstm"]
        lstm = tok2vec["encode"]["*"]["lstm"]
        assert lstm["@layers"] == "residual.v1"
        assert lstm["layer"] == {"@architectures": "fastpipe.BiLSTMEncoder.v1", "width": 256,
                                 "depth": 1, "dropout": 0.0}
        assert config["training"]["optimizer"]["L2"] == 0.1
        if "ner" in names:
            assert config["components"]["ner"]["model"]["tok2vec"]["grad_factor"] == 2.0
        if "parser" in names:
            assert "grad_factor" not in config["components"]["parser"]["model"]["tok2vec"]
    nlp = Language.from_config(config)
    walked = [node.name for node in nlp.get_pipe("tok2vec").model.walk()]
    assert "character_embed" in walked and "bilstm_encoder" in walked
    assert walked.index("window_maxout") < walked.index("bilstm_encoder")
    assert nlp.get_pipe("ner").model.get_ref("tok2vec").attrs["grad_factor"] == 2.0
    assert nlp.get_pipe("parser").model.get_ref("tok2vec").attrs["grad_factor"] == 1.0
    # what was not measured keeps the plain tok2vec and spaCy's weight decay
    for names, optimize in ((["tagger"], "accuracy"), (["tagger", "parser", "ner"], "efficiency")):
        config = load_config_from_str(starter_config("en", names, optimize), interpolate=True)
        embed = config["components"]["tok2vec"]["model"]["embed"]
        assert embed["@architectures"] == "fastpipe.MultiHashEmbed.v1"
        assert config["components"]["tok2vec"]["model"]["encode"]["@architectures"] == (
            "fastpipe.MaxoutWindowEncoder.v1")
        assert config["training"]["optimizer"]["L2"] == 0.01


def test_the_accuracy_preset_decodes_the_parser_with_a_beam_and_decays_its_learning_rate():
    from thinc.api import registry

    names = ["tagger", "parser", "ner"]
    large = load_config_from_str(starter_config("en", names, "accuracy"), interpolate=True)
    small = load_config_from_str(starter_config("en", names, "efficiency"), interpolate=True)
    parser = large["components"]["parser"]
    assert parser["factory"] == "beam_parser" and parser["beam_width"] == 8
    assert small["components"]["parser"]["factory"] == "parser"
    assert large["components"]["ner"]["factory"] == "ner"
    # the efficiency preset keeps spaCy's constant rate; the accuracy preset warms up for 250
    # steps, then falls linearly to 0 at its max_steps
    assert small["training"]["optimizer"]["learn_rate"] == 0.001
    optimizer = registry.resolve({"o": large["training"]["optimizer"]})["o"]
    rates = {}
    for step in range(large["training"]["max_steps"] + 1):
        rates[step] = optimizer.learn_rate
        optimizer.step_schedules()
    assert rates[0] < rates[100] < rates[250] == pytest.approx(0.001)
    assert rates[250] > rates[10000] > rates[19000] > rates[20000] == 0.0


@pytest.mark.slow
def test_fastpipe_accuracy_preset_fills_and_trains(tmp_path, ewt):
    train, dev = ewt
    cfg = tmp_path / "config.cfg"
    assert run("init", "config", cfg, "-p", "tagger,parser,ner", "-o", "accuracy").exit_code == 0
    filled = tmp_path / "filled.cfg"
    result = run("init", "fill-config", cfg, filled)
    assert result.exit_code == 0, result.output
    result = run("train", filled, "--output", tmp_path / "out", "--paths.train", train,
                 "--paths.dev", dev, "--training.max_steps", "2",
                 "--training.eval_frequency", "2")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [2]
    nlp = fastpipe.load(tmp_path / "out" / "model-best")
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    doc = nlp("Apple opened a store in Paris.")
    assert len(doc) == 7 and all(t.tag_ for t in doc)
    # the saved parser keeps its beam: it parses with 8 histories after loading
    assert nlp.get_pipe("parser").cfg["beam_width"] == 8
    assert all(t.head.i >= 0 and t.dep_ for t in doc)


@pytest.mark.slow
def test_spacys_accuracy_preset_trains_with_its_static_vectors(tmp_path, ewt):
    """spaCy's config as `spacy init config -o accuracy` writes it (256 wide, depth 8, static
    vectors, parser hidden width 128): only the paths, a small vectors folder in place of
    en_core_web_lg and a short run come on the command line."""
    from fastpipe.cli.init_vectors import init_vectors

    train, dev = ewt
    words = ["the", "a", "of", "to", "and", "in", "is", "Paris", "store", "."]
    lines = [f"{len(words)} 4"] + [f"{w} {i / 10} {-i / 10} {i % 3} 1" for i, w in enumerate(words)]
    (tmp_path / "vectors.txt").write_text("\n".join(lines) + "\n", encoding="utf8")
    init_vectors("en", tmp_path / "vectors.txt", tmp_path / "vectors")
    path = SPACY_CONFIGS / "accuracy_tagger_parser_ner.cfg"
    config = load_config(path)
    assert config["components"]["tok2vec"]["model"]["encode"]["depth"] == 8
    assert config["paths"]["vectors"] == "en_core_web_lg"
    result = run("train", path, "--output", tmp_path / "out", "--paths.train", train,
                 "--paths.dev", dev, "--paths.vectors", tmp_path / "vectors",
                 "--training.max_steps", "2", "--training.eval_frequency", "2")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [2]
    nlp = fastpipe.load(tmp_path / "out" / "model-last")
    assert nlp.vocab.vectors.shape == (len(words), 4)
    embed = nlp.get_pipe("tok2vec").model.layers[0]
    assert embed.get_param("P").shape == (256, 4)
