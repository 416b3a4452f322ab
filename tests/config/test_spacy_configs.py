"""spaCy's configs (written by `spacy init config`, committed under tests/data/spacy_configs)
validate and build with fastpipe: every spaCy name resolves to fastpipe's function with spaCy's
signature, adapters honour their settings, [pretraining] and [initialize] are checked, and
`fastpipe.registry.<name>` works as `spacy.registry.<name>` does."""
import inspect
import io
import json
from pathlib import Path

import numpy
import pytest
from thinc.api import Model

import fastpipe
from fastpipe import aliases
from fastpipe.config import load_config, load_config_from_str
from fastpipe.config_schema import validate_config, with_defaults
from fastpipe.errors import ConfigError
from fastpipe.init_settings import init_tok2vec, init_tokenizer, init_vocab
from fastpipe.language import Language
from fastpipe.ml.optimizers import FusedAdam
from fastpipe.registry import registry
from fastpipe.training.loggers import console_table_logger
from tests.helpers.tagger import TAGGER_CONFIG, config_from, tag_examples, write_tag_corpus

DATA = Path(__file__).resolve().parents[1] / "data" / "spacy_configs"
CONFIGS = sorted(DATA.glob("*.cfg"))
SIGNATURES = json.loads((DATA / "spacy_signatures.json").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    train, dev = write_tag_corpus(tmp_path_factory.mktemp("corpus"))
    return {"paths.train": str(train), "paths.dev": str(dev)}


def load(path, overrides=None):
    return load_config(path, overrides=overrides or {}, interpolate=False)


def problems(config):
    with pytest.raises(ConfigError) as info:
        validate_config(with_defaults(config).interpolate(), where="test.cfg")
    return [(e["loc"], e["msg"]) for e in info.value.errors]


# -- the configs --------------------------------------------------------------------------------

def test_the_committed_configs_are_spacys():
    names = {p.name for p in CONFIGS}
    assert {"efficiency_tagger_parser_ner.cfg", "textcat_efficiency.cfg",
            "textcat_accuracy.cfg", "textcat_multilabel_accuracy.cfg",
            "tagger_pretraining.cfg", "entity_ruler_sentencizer.cfg"} <= names
    text = (DATA / "efficiency_tagger_parser_ner.cfg").read_text(encoding="utf8")
    assert '@architectures = "spacy.Tok2Vec.v2"' in text and "[pretraining]" in text


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_each_config_validates(path):
    # the accuracy presets' static vectors included ([initialize] vectors is read when the
    # pipeline is initialized)
    validate_config(with_defaults(load(path)).interpolate(), where=path.name)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_each_config_resolves_its_blocks_and_models(path, corpus):
    config = load(path, corpus).interpolate()
    training = registry.resolve({"training": config["training"]})["training"]
    assert isinstance(training["optimizer"], FusedAdam)
    assert callable(training["batcher"]) and callable(training["logger"])
    # (the pretraining corpus reads ${paths.raw_text}, which is null)
    corpora = {name: config["corpora"][name] for name in ("train", "dev")}
    corpora = registry.resolve({"corpora": corpora})["corpora"]
    assert all(callable(c) for c in corpora.values())
    init = registry.resolve({"initialize": config["initialize"]})["initialize"]
    assert init["init_tok2vec"] is None and init["vocab_data"] is None
    for name, block in config["components"].items():
        if "model" not in block:
            continue
        assert isinstance(registry.resolve({"model": block["model"]})["model"], Model)


def test_the_efficiency_config_builds_a_pipeline(corpus):
    nlp = Language.from_config(load(DATA / "efficiency_tagger_parser_ner.cfg", corpus))
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    tagger_model = nlp.get_pipe("tagger").model
    assert tagger_model.attrs["normalize"] is False  # spacy.Tagger.v2's normalize = false
    # the filled config keeps spaCy's names
    assert nlp.config["training"]["optimizer"]["@optimizers"] == "Adam.v1"
    assert nlp.config["components"]["tok2vec"]["model"]["@architectures"] == "spacy.Tok2Vec.v2"


def test_the_pretraining_config_validates_its_section():
    config = load(DATA / "tagger_pretraining.cfg")
    assert config["pretraining"]["objective"]["@architectures"] == "spacy.PretrainCharacters.v1"
    validate_config(with_defaults(config).interpolate())


# -- the alias table ----------------------------------------------------------------------------

def test_every_alias_is_registered():
    assert aliases.MISSING == []
    for reg_name, spacy_name, target in aliases.ALIASES:
        found = registry.get(reg_name, spacy_name)
        expected = registry.get(reg_name, target) if isinstance(target, str) else target
        assert found is expected, (reg_name, spacy_name)


@pytest.mark.parametrize("key", sorted(SIGNATURES["functions"]))
def test_signatures_are_spacys(key):
    reg_name, name = key.split(" ")
    params = list(inspect.signature(registry.get(reg_name, name)).parameters.values())
    theirs = SIGNATURES["functions"][key]
    assert [p.name for p in params] == [t["name"] for t in theirs]
    for param, their in zip(params, theirs):
        assert param.kind.name == their["kind"], param.name
        assert (param.default is param.empty) == their["required"], param.name
        if not their["required"]:
            assert param.default == their["default"], param.name
        annotation = their["annotation"]
        # spaCy's own classes and type variables have no fastpipe spelling
        if annotation is not None and not any(s in annotation for s in ("spacy.", "Model", "~")):
            assert str(param.annotation) == annotation, param.name


def test_adam_v1_is_built_by_the_fused_adam_and_keeps_its_name():
    block = {"@optimizers": "Adam.v1", "learn_rate": 0.01, "use_averages": False}
    optimizer = registry.resolve({"o": block})["o"]
    assert isinstance(optimizer, FusedAdam)
    assert optimizer.learn_rate == 0.01 and optimizer.averages is None
    assert registry.fill({"o": block})["o"]["@optimizers"] == "Adam.v1"
    assert not isinstance(registry.get("optimizers", "Adam.v1")(), FusedAdam)  # thinc's own
    # nested, and in a Config that keeps its flags
    config = config_from('[t]\n[t.optimizer]\n@optimizers = "Adam.v1"\n')
    assert isinstance(registry.resolve(config)["t"]["optimizer"], FusedAdam)
    assert config["t"]["optimizer"]["@optimizers"] == "Adam.v1"  # the caller's is untouched


# -- fastpipe.registry as spacy.registry ---------------------------------------------------------

def test_registry_module_reads_like_spacys():
    from fastpipe import registry as module

    for name in ("architectures", "factories", "tokenizers", "readers", "batchers", "loggers",
                 "callbacks", "scorers", "augmenters", "vectors", "misc", "optimizers",
                 "schedules", "layers"):
        assert hasattr(getattr(module, name), "register"), name
    for name in ("get", "has", "resolve", "fill"):
        assert callable(getattr(module, name))
    assert module.has("loggers", "spacy.ConsoleLogger.v1")
    with pytest.raises(AttributeError):
        module.no_such_registry


def test_a_users_logger_registers_through_the_module():
    @fastpipe.registry.loggers("test_spacy_configs.my_logger.v1")
    def my_logger(prefix: str = ">"):
        return lambda nlp: (lambda info: None, lambda: None)

    assert fastpipe.registry.get("loggers", "test_spacy_configs.my_logger.v1") is my_logger
    config = load_config_from_str(
        TAGGER_CONFIG.replace('"fastpipe.ConsoleLogger.v1"\nprogress_bar = false',
                              '"test_spacy_configs.my_logger.v1"'))
    validate_config(with_defaults(config).interpolate())


# -- adapters honour their settings -----------------------------------------------------------

class _Proc:
    is_trainable = True


class FakeNLP:
    config = {"training": {"eval_frequency": 2, "max_steps": 6,
                           "score_weights": {"tag_acc": 1.0, "speed": None}}}
    pipeline = [("tagger", _Proc())]


class TTY(io.StringIO):
    def isatty(self):
        return True


INFO = {"epoch": 0, "step": 2, "score": 0.5, "losses": {"tagger": 1.25},
        "other_scores": {"tag_acc": 0.5, "speed": 100.0}}


def logger_of(name, **settings):
    return registry.resolve({"l": {"@loggers": name, **settings}})["l"]


def test_console_logger_v2_writes_its_output_file_and_can_be_quiet(tmp_path):
    path = tmp_path / "logs" / "train.jsonl"
    out = io.StringIO()
    log_step, finalize = logger_of("spacy.ConsoleLogger.v2", console_output=False,
                                   output_file=str(path))(FakeNLP(), stdout=out, stderr=TTY())
    log_step(None)
    log_step(INFO)
    finalize()
    assert out.getvalue() == ""
    lines = [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]
    assert lines == [{"epoch": 0, "step": 2, "losses": {"tagger": 1.25},
                      "scores": {"tag_acc": 50.0}, "score": 0.5}]


def test_console_logger_keeps_an_existing_output_file(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("old\n", encoding="utf8")
    setup = logger_of("spacy.ConsoleLogger.v3", output_file=str(path))
    with pytest.warns(UserWarning, match=r"\[W010\]"):
        log_step, finalize = setup(FakeNLP(), stdout=io.StringIO(), stderr=io.StringIO())
    log_step(INFO)
    finalize()
    assert path.read_text(encoding="utf8") == "old\n"


def test_console_logger_v3_progress_bars():
    with pytest.raises(ValueError, match=r"\[E520\]"):
        logger_of("spacy.ConsoleLogger.v3", progress_bar="epoch")
    for kind, expected in (("train", "3/6"), ("eval", "1/2")):
        err = TTY()
        log_step, finalize = console_table_logger(progress_bar=kind)(
            FakeNLP(), stdout=io.StringIO(), stderr=err)
        log_step(INFO)  # the "train" bar starts at the evaluated step
        log_step(None)
        finalize()
        assert expected in err.getvalue(), (kind, err.getvalue())
    out = io.StringIO()
    logger_of("spacy.ConsoleLogger.v1")(FakeNLP(), stdout=out, stderr=TTY())[0](INFO)
    assert out.getvalue().split()[:3] == ["E", "#", "LOSS"]


def test_tagger_v2_normalize_false_predicts_logits_with_the_same_tags(en):
    nlp_a = Language.from_config(config_from(_standalone_tagger("spacy.Tagger.v2", "false")))
    nlp_b = Language.from_config(config_from(_standalone_tagger("spacy.Tagger.v2", "true")))
    nlp_a.initialize(lambda: tag_examples(nlp_a))
    nlp_b.initialize(lambda: tag_examples(nlp_b))
    model_a, model_b = nlp_a.get_pipe("tagger").model, nlp_b.get_pipe("tagger").model
    W = model_a.get_param("W")
    W[...] = numpy.random.default_rng(0).uniform(-1.0, 1.0, W.shape)  # not all-zero logits
    for node_a, node_b in zip(model_a.walk(), model_b.walk()):  # the weights, not the attrs
        for name in node_a.param_names:
            if node_a.has_param(name):
                node_b.set_param(name, node_a.get_param(name).copy())
    docs = [nlp_a.make_doc("She eats red apples .")]
    logits, probs = model_a.predict(docs)[0], model_b.predict(docs)[0]
    assert numpy.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert not numpy.allclose(logits.sum(axis=1), 1.0, atol=1e-3)
    assert (logits.argmax(axis=1) == probs.argmax(axis=1)).all()
    trained, _ = model_a.begin_update(docs)  # training always normalizes
    assert numpy.allclose(trained[0], probs, atol=1e-5)
    assert model_b.attrs["normalize"] is True


def _standalone_tagger(arch: str, normalize: str) -> str:
    return f"""
[nlp]
lang = "en"
pipeline = ["tagger"]

[components]

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "{arch}"
normalize = {normalize}

[components.tagger.model.tok2vec]
@architectures = "spacy.HashEmbedCNN.v2"
width = 16
depth = 1
embed_size = 200
window_size = 1
maxout_pieces = 2
subword_features = true
pretrained_vectors = null
"""


def test_pretrained_vectors_builds_static_vectors_into_the_tok2vec():
    text = _standalone_tagger("spacy.Tagger.v2", "false").replace(
        "pretrained_vectors = null", "pretrained_vectors = true")
    validate_config(with_defaults(load_config_from_str(text)).interpolate())
    model = registry.resolve({"m": config_from(text)["components"]["tagger"]["model"]})["m"]
    embed = model.layers[0].layers[0]
    assert embed.name == "multi_hash_embed" and embed.attrs["static_vectors"] is True


def test_transition_parser_v2_and_batchers_require_spacys_settings():
    text = TAGGER_CONFIG.replace('"fastpipe.batch_by_sequence.v1"\nsize = 3',
                                 '"spacy.batch_by_words.v1"\nsize = 3')
    found = problems(load_config_from_str(text))
    assert (["training", "batcher", "tolerance"], "missing required argument of "
            "'spacy.batch_by_words.v1'") in found
    assert (["training", "batcher", "discard_oversize"], "missing required argument of "
            "'spacy.batch_by_words.v1'") in found
    with pytest.raises(Exception):
        registry.resolve({"m": {"@architectures": "spacy.TransitionBasedParser.v2",
                                "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1",
                                            "width": 8}, "state_type": "ner"}})
    batcher = registry.resolve({"b": {"@batchers": "spacy.batch_by_padded.v1", "size": 6,
                                      "buffer": 4, "discard_oversize": True}})["b"]
    # spaCy's order: the groups of a buffer go out longest items first; 9 is dropped
    assert list(batcher([[0] * 2, [0] * 2, [0] * 9, [0] * 3])) == [[[0] * 3],
                                                                   [[0] * 2, [0] * 2]]


def test_textcat_bow_v2_has_v2s_table_and_v3_its_length():
    v2 = registry.resolve({"m": {"@architectures": "spacy.TextCatBOW.v2",
                                 "exclusive_classes": True, "ngram_size": 1,
                                 "no_output_layer": False}})["m"]
    v3 = registry.resolve({"m": {"@architectures": "spacy.TextCatBOW.v3",
                                 "exclusive_classes": True, "ngram_size": 1,
                                 "no_output_layer": False, "length": 1024}})["m"]
    assert v2.get_dim("length") == 2 ** 18 and v3.get_dim("length") == 1024


def test_lower_case_v1_replaces_the_example(en):
    example = tag_examples(en, 1)[0]
    always = registry.resolve({"a": {"@augmenters": "spacy.lower_case.v1", "level": 1.0}})["a"]
    never = registry.resolve({"a": {"@augmenters": "spacy.lower_case.v1", "level": 0.0}})["a"]
    lowered = list(always(en, example))
    assert len(lowered) == 1 and lowered[0].reference.text == example.reference.text.lower()
    assert [t.tag_ for t in lowered[0].reference] == [t.tag_ for t in example.reference]
    assert list(never(en, example)) == [example]


def test_orth_variants_is_refused():
    block = {"@augmenters": "spacy.orth_variants.v1", "level": 0.1, "lower": 0.0,
             "orth_variants": {}}
    with pytest.raises(ValueError, match=r"\[E531\]"):
        registry.resolve({"a": block})
    text = TAGGER_CONFIG.replace('[corpora.dev]', '[corpora.train.augmenter]\n'
                                 '@augmenters = "spacy.orth_variants.v1"\nlevel = 0.1\n'
                                 'lower = 0.0\north_variants = {}\n\n[corpora.dev]')
    found = problems(load_config_from_str(text))
    assert found[0][0] == ["corpora", "train", "augmenter", "@augmenters"]
    assert "[E531]" in found[0][1]


def test_read_labels(tmp_path):
    path = tmp_path / "tagger.json"

    def read(**settings):
        return registry.resolve({"r": {"@readers": "spacy.read_labels.v1", "path": str(path),
                                       **settings}})["r"]

    assert read() is None
    with pytest.raises(ValueError, match=r"\[E535\]"):
        read(require=True)
    path.write_text('["NN", "VB"]', encoding="utf8")
    assert read(require=True) == ["NN", "VB"]


def test_vectors_and_pretraining_objectives(en):
    create = registry.resolve({"v": {"@vectors": "spacy.Vectors.v1"}})["v"]
    assert create(en.vocab) is None
    objective = registry.resolve({"o": {"@architectures": "spacy.PretrainCharacters.v1",
                                        "maxout_pieces": 3, "hidden_size": 300,
                                        "n_characters": 4}})["o"]
    tok2vec = registry.resolve({"t": {"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 32,
                                      "depth": 1, "embed_size": 100, "window_size": 1,
                                      "maxout_pieces": 2, "subword_features": False}})["t"]
    model = objective(en.vocab, tok2vec)
    model.initialize(X=[en.make_doc("a b")])
    assert model.get_dim("nO") == 4 * 256   # n_characters bytes, each a softmax over 256


# -- [pretraining], [initialize] and [nlp] vectors ---------------------------------------------

PRETRAINING = """
[corpora.pretrain]
@readers = "spacy.JsonlCorpus.v1"
path = null

[pretraining]
max_epochs = 1000
dropout = 0.2
n_save_every = null
n_save_epoch = null
component = "tok2vec"
layer = ""
corpus = "corpora.pretrain"

[pretraining.batcher]
@batchers = "spacy.batch_by_words.v1"
size = 3000
discard_oversize = false
tolerance = 0.2
get_length = null

[pretraining.objective]
@architectures = "spacy.PretrainCharacters.v1"
maxout_pieces = 3
hidden_size = 300
n_characters = 4

[pretraining.optimizer]
@optimizers = "Adam.v1"
"""


def test_pretraining_section_is_checked():
    validate_config(with_defaults(load_config_from_str(TAGGER_CONFIG + PRETRAINING))
                    .interpolate())
    validate_config(with_defaults(load_config_from_str(TAGGER_CONFIG + "\n[pretraining]\n"))
                    .interpolate())
    found = problems(load_config_from_str(TAGGER_CONFIG + PRETRAINING.replace(
        "max_epochs = 1000", "max_epoch = 1000").replace('corpus = "corpora.pretrain"',
                                                         'corpus = "corpora.pretrian"')))
    locs = {tuple(loc): msg for loc, msg in found}
    assert locs[("pretraining", "max_epochs")] == "missing required setting"
    assert "did you mean 'max_epochs'" in locs[("pretraining", "max_epoch")]
    assert "did you mean 'corpora.pretrain'" in locs[("pretraining", "corpus")]
    found = problems(load_config_from_str(TAGGER_CONFIG + PRETRAINING.replace(
        "dropout = 0.2", 'dropout = "high"')))
    assert found == [(["pretraining", "dropout"], "expected float")]


@pytest.mark.parametrize("setting, value, code", [
    ("vocab_data", '"vocab.jsonl"', "E524"),
    ("lookups", '{"@misc": "spacy.LookupsDataLoader.v1"}', "E525")])
def test_initialize_settings_without_fastpipe_support_are_refused(setting, value, code, en):
    text = TAGGER_CONFIG + f"\n[initialize]\n{setting} = {value}\n"
    if setting == "lookups":
        text = TAGGER_CONFIG + "\n[initialize]\n\n[initialize.lookups]\n@misc = \"x.v1\"\n"
    found = problems(load_config_from_str(text))
    assert any(loc == ["initialize", setting] and f"[{code}]" in msg for loc, msg in found)
    with pytest.raises(ConfigError, match=rf"\[{code}\]"):
        init_vocab(en, {setting: "something"})
    init_vocab(en, {"vectors": None, "vocab_data": None, "lookups": None})


def test_initialize_vectors_names_a_pipeline_folder(en):
    # (loading a folder's vectors is tested in tests/ml/test_static_vectors.py)
    validate_config(with_defaults(load_config_from_str(
        TAGGER_CONFIG + '\n[initialize]\nvectors = "en_core_web_lg"\n')).interpolate())
    with pytest.raises(ConfigError, match=r"\[E734\].*en_core_web_lg.*no such folder"):
        init_vocab(en, {"vectors": "en_core_web_lg"})


def test_nlp_vectors_takes_only_the_empty_table():
    ok = TAGGER_CONFIG + '\n[nlp.vectors]\n@vectors = "spacy.Vectors.v1"\n'
    validate_config(with_defaults(load_config_from_str(ok)).interpolate())

    @fastpipe.registry.vectors("test_spacy_configs.floret.v1")
    def floret():
        return lambda vocab: None

    found = problems(load_config_from_str(ok.replace("spacy.Vectors.v1",
                                                     "test_spacy_configs.floret.v1")))
    assert found[0][0] == ["nlp", "vectors", "@vectors"] and "[E534]" in found[0][1]


class _Tokenizer:
    def __init__(self, with_initialize=True):
        self.calls = []
        if with_initialize:
            self.initialize = self._initialize

    def _initialize(self, get_examples, *, nlp=None, rules_file=None):
        self.calls.append((nlp, rules_file))


class _NLP:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer


def test_tokenizer_settings_go_to_its_initialize():
    nlp = _NLP(_Tokenizer())
    init_tokenizer(nlp, list, {"rules_file": "x.json"})
    assert nlp.tokenizer.calls == [(nlp, "x.json")]
    with pytest.raises(ConfigError, match=r"\[E533\] \[initialize.tokenizer\] rule_file"):
        init_tokenizer(nlp, list, {"rule_file": "x.json"})
    init_tokenizer(_NLP(_Tokenizer(False)), list, {})
    with pytest.raises(ConfigError, match=r"\[E532\]"):
        init_tokenizer(_NLP(_Tokenizer(False)), list, {"rules_file": "x.json"})


# -- init_tok2vec -----------------------------------------------------------------------------

def _trained_tagger(seed_text=TAGGER_CONFIG):
    nlp = Language.from_config(config_from(seed_text))
    optimizer = nlp.initialize(lambda: tag_examples(nlp))
    for _ in range(3):
        nlp.update(tag_examples(nlp), sgd=optimizer)
    return nlp


def _weights(model):
    return [node.get_param(name).copy() for node in model.walk()
            for name in node.param_names if node.has_param(name)]


def test_init_tok2vec_loads_a_trained_tok2vec(tmp_path):
    trained = _trained_tagger()
    path = tmp_path / "tok2vec.bin"
    path.write_bytes(trained.get_pipe("tok2vec").model.to_bytes())
    fresh = Language.from_config(config_from(TAGGER_CONFIG))
    fresh.initialize(lambda: tag_examples(fresh))
    before = _weights(fresh.get_pipe("tok2vec").model)
    assert init_tok2vec(fresh, {"init_tok2vec": str(path)}, {}) is True
    after = _weights(fresh.get_pipe("tok2vec").model)
    expected = _weights(trained.get_pipe("tok2vec").model)
    assert all(numpy.array_equal(a, b) for a, b in zip(after, expected))
    assert not all(numpy.array_equal(a, b) for a, b in zip(before, expected))
    assert init_tok2vec(fresh, {"init_tok2vec": None}, {}) is False


def test_init_tok2vec_problems_name_the_setting(tmp_path):
    nlp = Language.from_config(config_from(TAGGER_CONFIG))
    nlp.initialize(lambda: tag_examples(nlp))
    with pytest.raises(ConfigError, match=r"\[E526\] \[initialize\] init_tok2vec"):
        init_tok2vec(nlp, {"init_tok2vec": str(tmp_path / "missing.bin")}, {})
    bad = tmp_path / "bad.bin"
    bad.write_bytes(nlp.get_pipe("tagger").model.to_bytes())  # another model's weights
    with pytest.raises(ConfigError, match=r"\[E527\].*'tok2vec'"):
        init_tok2vec(nlp, {"init_tok2vec": str(bad)}, {})
    with pytest.raises(ConfigError, match=r"\[E528\].*'encoder'"):
        init_tok2vec(nlp, {"init_tok2vec": str(bad)}, {"component": "encoder"})
    with pytest.raises(ConfigError, match=r"\[E529\].*'embed'"):
        init_tok2vec(nlp, {"init_tok2vec": str(bad)}, {"component": "tagger",
                                                      "layer": "embed"})
    # [pretraining] layer picks a named layer of the component's model
    good = tmp_path / "tagger_t2v.bin"
    good.write_bytes(nlp.get_pipe("tagger").model.get_ref("tok2vec").to_bytes())
    assert init_tok2vec(nlp, {"init_tok2vec": str(good)}, {"component": "tagger",
                                                           "layer": "tok2vec"})


def test_training_init_loads_init_tok2vec(tmp_path):
    """Language.initialize honours [initialize] init_tok2vec (through init_settings)."""
    from fastpipe.training.initialize import init_nlp

    trained = _trained_tagger()
    weights = tmp_path / "tok2vec.bin"
    weights.write_bytes(trained.get_pipe("tok2vec").model.to_bytes())
    train, dev = write_tag_corpus(tmp_path)
    config = load_config_from_str(TAGGER_CONFIG + f'\n[initialize]\ninit_tok2vec = "{weights}"\n',
                                  overrides={"paths.train": str(train), "paths.dev": str(dev)})
    nlp = init_nlp(config)
    loaded = _weights(nlp.get_pipe("tok2vec").model)
    expected = _weights(trained.get_pipe("tok2vec").model)
    assert all(numpy.array_equal(a, b) for a, b in zip(loaded, expected))


# -- training from spaCy's own config ---------------------------------------------------------

@pytest.mark.slow
def test_fastpipe_train_runs_spacys_efficiency_config_unchanged(tmp_path):
    """`fastpipe train` on spaCy's `init config` output, as it is, on the EWT slices: only
    the paths and a short run are given on the command line, as a spaCy user would."""
    from fastpipe.cli.convert import convert_file
    from tests.helpers.cli import run, table_steps
    from tests.helpers.data import EWT_DEV_SLICE, EWT_TRAIN_SLICE

    train = convert_file(EWT_TRAIN_SLICE, tmp_path, n_sents=10)["output"]
    dev = convert_file(EWT_DEV_SLICE, tmp_path, n_sents=10)["output"]
    result = run("train", DATA / "efficiency_tagger_parser_ner.cfg", "--output", tmp_path / "out",
                 "--paths.train", train, "--paths.dev", dev, "--training.max_steps", "6",
                 "--training.eval_frequency", "3")
    assert result.exit_code == 0, result.output
    assert table_steps(result.output) == [3, 6]
    for column in ("LOSS TAGGER", "LOSS PARSER", "LOSS NER", "TAG_ACC", "DEP_LAS", "ENTS_F"):
        assert column in result.output
    nlp = fastpipe.load(tmp_path / "out" / "model-best")
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    assert len(nlp.get_pipe("tagger").labels) > 10
