"""Values of the wrong kind in a config (a section where a name belongs, a model block where a
number belongs) are reported with the setting they stand in, by validation and by building a
pipeline, before any code compares or hashes them."""
import pytest

from fastpipe.config import load_config_from_str
from fastpipe.config_schema import validate_config, with_defaults
from fastpipe.errors import ConfigError
from fastpipe.language import Language
from tests.helpers.tagger import TAGGER_CONFIG

MODEL = ('{"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 16, "depth": 1, '
         '"embed_size": 100, "window_size": 1, "maxout_pieces": 2, "subword_features": false}')


def _problems(text: str) -> str:
    config = load_config_from_str(text, where="test.cfg")
    with pytest.raises(ConfigError) as validated:
        validate_config(with_defaults(config).interpolate(), where="test.cfg")
    with pytest.raises(ConfigError) as built:
        Language.from_config(config)
    return str(validated.value), str(built.value)


@pytest.mark.parametrize("value", ["{}", '["tagger"]', "3"])
def test_factory_that_is_not_a_name(value):
    text = TAGGER_CONFIG.replace('[components.tagger]\nfactory = "tagger"',
                                 f'[components.tagger]\nfactory = {value}')
    for message in _problems(text):
        assert "[components.tagger] factory = " in message
        assert "expected the name of a registered factory (a string)" in message


def test_model_block_where_a_number_belongs():
    text = TAGGER_CONFIG.replace('[components.tagger]\nfactory = "tagger"',
                                 f'[components.tagger]\nfactory = "tagger"\nlabel_smoothing = {MODEL}')
    for message in _problems(text):
        assert "[components.tagger] label_smoothing = " in message
        assert "expected float" in message and "'fastpipe.HashEmbedCNN.v1'" in message


def test_model_block_in_an_architecture_argument():
    text = TAGGER_CONFIG.replace("embed_size = 500", f"embed_size = {MODEL}", 1)
    assert text != TAGGER_CONFIG
    for message in _problems(text):
        assert "embed_size = " in message and "expected int" in message


def test_model_block_in_training_settings():
    text = TAGGER_CONFIG.replace("max_steps = 12", f"max_steps = {MODEL}")
    config = load_config_from_str(text, where="test.cfg")
    with pytest.raises(ConfigError, match=r"\[training\] max_steps = .*expected int"):
        validate_config(with_defaults(config).interpolate())


def test_nlp_settings_of_the_wrong_kind():
    text = TAGGER_CONFIG.replace('lang = "en"', 'lang = "en"\nbatch_size = "big"')
    config = load_config_from_str(text, where="test.cfg")
    with pytest.raises(ConfigError, match=r"\[nlp\] batch_size = \"big\": expected int"):
        Language.from_config(config)


def test_plain_values_where_they_belong_are_fine():
    text = TAGGER_CONFIG.replace('[components.tagger]\nfactory = "tagger"',
                                 '[components.tagger]\nfactory = "tagger"\nlabel_smoothing = 0.1')
    assert Language.from_config(load_config_from_str(text)).pipe_names == ["tok2vec", "tagger"]
