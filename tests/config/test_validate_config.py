"""Bad configs: every problem is reported at once, each naming its section and setting."""
import pytest

from fastpipe.cli.init import starter_config
from fastpipe.config import load_config_from_str
from fastpipe.config_schema import validate_config, with_defaults
from fastpipe.errors import ConfigError
from fastpipe.tokens import DocBin
from fastpipe.training.initialize import init_nlp
from tests.helpers.tagger import TAGGER_CONFIG, write_tag_corpus


def check(text: str):
    """Validate config text as init_nlp does; return the ConfigError's message."""
    config = load_config_from_str(text, where="test.cfg")
    with pytest.raises(ConfigError) as info:
        validate_config(with_defaults(config).interpolate(), where="test.cfg")
    return str(info.value), info.value.errors


def test_the_tagger_config_is_valid():
    validate_config(with_defaults(load_config_from_str(TAGGER_CONFIG)).interpolate())


def test_typo_in_a_section_name():
    text, errors = check(TAGGER_CONFIG.replace("[training]", "[trainig]")
                         .replace("[training.", "[trainig."))
    assert "[trainig]: not a section of a fastpipe config; did you mean 'training'?" in text
    assert "test.cfg" in text


def test_typo_in_a_setting_name():
    text, _ = check(TAGGER_CONFIG.replace("max_steps = 12", "max_step = 12"))
    assert "[training] max_step = 12: not a setting of [training]; did you mean 'max_steps'" in text


def test_missing_required_setting():
    text, _ = check(TAGGER_CONFIG.replace('lang = "en"\n', ""))
    assert "[nlp] lang: missing required setting" in text
    text, _ = check(TAGGER_CONFIG.replace("width = ${components.tok2vec.model.width}\n", ""))
    assert ("[components.tagger.model.tok2vec] width: missing required argument of "
            "'fastpipe.Tok2VecListener.v1'") in text


def test_wrong_types_and_ranges():
    text, _ = check(TAGGER_CONFIG.replace("max_steps = 12", 'max_steps = "ten"')
                    .replace("eval_frequency = 4", "eval_frequency = 0")
                    .replace("width = 32", "width = 3.5"))
    assert '[training] max_steps = "ten": expected int' in text
    assert "[training] eval_frequency = 0: expected a number at least 1" in text
    assert "[components.tok2vec.model] width = 3.5: expected int" in text


def test_unknown_registered_function_names_the_registry_and_close_names():
    text, _ = check(TAGGER_CONFIG.replace('"fastpipe.Tagger.v1"', '"fastpipe.Tager.v1"'))
    assert ('[components.tagger.model] @architectures = "fastpipe.Tager.v1": no function of that '
            "name in registry 'architectures'; did you mean 'fastpipe.Tagger.v1'") in text
    text, _ = check(TAGGER_CONFIG.replace("@loggers", "@logers"))
    assert "there is no registry 'logers'; did you mean 'loggers'?" in text


def test_unexpected_argument_suggests_the_right_one():
    text, _ = check(TAGGER_CONFIG.replace("learn_rate = 0.01", "learning_rate = 0.01"))
    assert ("[training.optimizer] learning_rate = 0.01: unexpected argument of 'Adam.v1'; "
            "did you mean 'learn_rate'") in text


def test_frozen_component_not_in_the_pipeline():
    text, _ = check(TAGGER_CONFIG.replace("patience = 0", 'patience = 0\nfrozen_components = ["ner"]'))
    assert "[training] frozen_components" in text and "'ner'" in text and "E110" in text


def test_unknown_factory_and_missing_component_section():
    text, _ = check(TAGGER_CONFIG.replace('factory = "tagger"', 'factory = "tager"')
                    .replace('pipeline = ["tok2vec", "tagger"]',
                             'pipeline = ["tok2vec", "tagger", "textcat"]'))
    assert "[components.tagger] factory = \"tager\": no such component factory; did you mean " \
           "'tagger'" in text
    assert "component 'textcat' has no [components.textcat] section" in text
    # a factory with no close name lists the factories there are
    text, _ = check(TAGGER_CONFIG.replace('factory = "tagger"', 'factory = "xyzzy"'))
    assert "factory = \"xyzzy\": no such component factory" in text
    available = text.split("(available: ")[1].split(")")[0].split(", ")
    assert {"ner", "parser", "tagger", "textcat"} <= set(available)


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_a_tagger_parser_ner_textcat_starter_config_is_valid(optimize):
    text = starter_config("en", ["tagger", "parser", "ner", "textcat"], optimize)
    validate_config(with_defaults(load_config_from_str(text)).interpolate())
    # the factories' own defaults (a parser with its own tok2vec) are valid too
    validate_config(with_defaults(load_config_from_str(
        '[nlp]\nlang = "en"\npipeline = ["parser", "ner"]\n\n[components]\n\n'
        '[components.parser]\nfactory = "parser"\n\n[components.ner]\nfactory = "ner"\n'
    )).interpolate(), training=False)


def test_typos_in_parser_settings_are_reported_like_other_settings():
    base = starter_config("en", ["tagger", "parser", "ner"], "efficiency")
    text, errors = check(base.replace("hidden_width = 64", "hiden_width = 64", 1)
                         .replace("min_action_freq = 30", "min_action_frq = 30")
                         .replace('state_type = "ner"', 'state_type = "nerr"')
                         .replace("maxout_pieces = 2", "maxout_pieces = two", 1)
                         .replace('upstream = "tok2vec"\n\n[components.ner]',
                                  'upstream = "tok2vec"\nupstrem = "x"\n\n[components.ner]'))
    assert ("[components.parser.model] hiden_width = 64: unexpected argument of "
            "'fastpipe.TransitionBasedParser.v1'; did you mean 'hidden_width'?") in text
    assert ("[components.parser] min_action_frq = 30: unexpected argument of the 'parser' "
            "factory; did you mean 'min_action_freq'?") in text
    assert ('[components.ner.model] state_type = "nerr": expected Literal'
            in text and "'parser', 'ner'" in text)
    assert '[components.parser.model] maxout_pieces = "two": expected int' in text
    assert ("[components.parser.model.tok2vec] upstrem = \"x\": unexpected argument of "
            "'fastpipe.Tok2VecListener.v1'; did you mean 'upstream'?") in text
    assert len(errors) == 5


def test_every_bad_setting_is_listed_at_once():
    text, errors = check(TAGGER_CONFIG.replace("max_steps = 12", 'max_steps = "ten"')
                         .replace("learn_rate = 0.01", "learn_rate = 0.01\nbeta_1 = 0.9")
                         .replace('"fastpipe.Tagger.v1"', '"fastpipe.Tager.v1"')
                         + "\n[extra]\nx = 1\n")
    assert len(errors) == 4
    assert "(4 in all)" in text
    locs = {tuple(e["loc"]) for e in errors}
    assert locs == {("training", "max_steps"), ("training", "optimizer", "beta_1"),
                    ("components", "tagger", "model", "@architectures"), ("extra",)}


def test_init_nlp_reports_config_problems_before_building(tmp_path):
    config = load_config_from_str(TAGGER_CONFIG.replace("max_steps = 12", 'max_steps = "x"'))
    with pytest.raises(ConfigError, match=r'max_steps = "x": expected int'):
        init_nlp(config, where="my.cfg")


def test_empty_training_corpus_names_the_corpus(tmp_path):
    train, dev = write_tag_corpus(tmp_path)
    empty = tmp_path / "empty.fastpipe"
    DocBin(docs=[]).to_disk(empty)
    config = load_config_from_str(TAGGER_CONFIG, {"paths.train": str(empty),
                                                  "paths.dev": str(dev)})
    with pytest.raises(ValueError) as info:
        init_nlp(config)
    assert "empty.fastpipe" in str(info.value)
    assert "no training examples" in str(info.value) or "E109" in str(info.value)


def test_component_settings_are_checked_against_the_factory():
    text, errors = check(TAGGER_CONFIG.replace(
        'factory = "tagger"', 'factory = "tagger"\noverwrit = true\nlabel_smoothing = "x"'))
    assert ("[components.tagger] overwrit = true: unexpected argument of the 'tagger' factory; "
            "did you mean 'overwrite'?") in text
    assert '[components.tagger] label_smoothing = "x": expected float' in text
    assert len(errors) == 2


def test_corpus_setting_naming_no_section(tmp_path):
    """E114: the loop's reader lookup, given a train_corpus/dev_corpus that names no section
    (the config check reports the same earlier, with a suggestion)."""
    from fastpipe.training.initialize import resolve_corpus

    train, dev = write_tag_corpus(tmp_path)
    config = load_config_from_str(TAGGER_CONFIG, {"paths.train": str(train),
                                                  "paths.dev": str(dev)}).interpolate()
    assert callable(resolve_corpus(config, "corpora.train"))
    with pytest.raises(ConfigError, match="E114") as info:
        resolve_corpus(config, "corpora.trian", where="test.cfg")
    message = str(info.value)
    assert "'corpora.trian'" in message and "does not name a section of the config" in message
    assert "train_corpus" in message and "test.cfg" in message
    text, _ = check(TAGGER_CONFIG.replace("patience = 0",
                                          'patience = 0\ntrain_corpus = "corpora.trian"'))
    assert "[training] train_corpus" in text and "did you mean 'corpora.train'" in text
