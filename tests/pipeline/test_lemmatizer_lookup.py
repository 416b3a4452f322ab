"""The lemmatizer in lookup mode: the user's lemma_lookup table from Python, a JSON file or a
config section; overwrite; saving; refusals."""
import json

import pytest

import fastpipe
from fastpipe.config import load_config_from_str
from fastpipe.gold.example import Example
from fastpipe.language import Language
from fastpipe.pipeline.lemmatizer import Lemmatizer
from fastpipe.tokens import Doc

TABLE = {"dogs": "dog", "were": "be", "running": "run", "mice": "mouse"}


def lemmas(nlp, text):
    return [t.lemma_ for t in nlp(text)]


def pipeline(lookups, **config):
    nlp = fastpipe.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config=config)
    lemmatizer.initialize(lookups=lookups)
    return nlp


class SpacyStyleLookups:
    """What spaCy's Lookups offers the lemmatizer: get_table(name)."""

    def get_table(self, name):
        assert name == "lemma_lookup"
        return dict(TABLE)


@pytest.mark.parametrize("lookups", [TABLE, {"lemma_lookup": TABLE}, SpacyStyleLookups()],
                         ids=["table", "tables", "lookups-object"])
def test_looks_lemmas_up_and_keeps_unknown_forms(lookups):
    nlp = pipeline(lookups)
    assert lemmas(nlp, "the dogs were running") == ["the", "dog", "be", "run"]
    assert lemmas(nlp, "Dogs") == ["Dogs"]  # the table's forms are exact


def test_a_json_file(tmp_path):
    path = tmp_path / "en_lemma_lookup.json"
    path.write_text(json.dumps(TABLE), encoding="utf8")
    assert lemmas(pipeline(str(path)), "mice were") == ["mouse", "be"]
    path.write_text(json.dumps({"lemma_lookup": TABLE}), encoding="utf8")
    assert lemmas(pipeline(path), "mice were") == ["mouse", "be"]


CONFIG = """
[nlp]
lang = "en"
pipeline = ["lemmatizer"]

[components]

[components.lemmatizer]
factory = "lemmatizer"
mode = "lookup"

[initialize]

[initialize.components]

[initialize.components.lemmatizer]
"""


def test_initialize_settings_in_the_config(tmp_path):
    section = CONFIG + '\n[initialize.components.lemmatizer.lookups]\n\n' \
        '[initialize.components.lemmatizer.lookups.lemma_lookup]\ndogs = "dog"\nmice = "mouse"\n'
    nlp = _from_config(section)
    nlp.initialize()
    assert lemmas(nlp, "mice and dogs") == ["mouse", "and", "dog"]
    path = tmp_path / "lemmas.json"
    path.write_text(json.dumps(TABLE), encoding="utf8")
    nlp = _from_config(CONFIG + f'lookups = "{path}"\n')
    nlp.initialize()
    assert lemmas(nlp, "dogs were") == ["dog", "be"]


def _from_config(text):
    return Language.from_config(load_config_from_str(text))


def test_spacys_lookups_loader_is_refused():
    text = CONFIG + ('\n[initialize.components.lemmatizer.lookups]\n'
                     '@misc = "spacy.LookupsDataLoader.v1"\nlang = "en"\n'
                     'tables = ["lemma_lookup"]\n')
    nlp = _from_config(text)
    with pytest.raises(ValueError, match=r"E749"):
        nlp.initialize()


def test_overwrite():
    for overwrite, expected in ((False, ["mine", "be"]), (True, ["dog", "be"])):
        nlp = pipeline(TABLE, overwrite=overwrite)
        doc = Doc(nlp.vocab, words=["dogs", "were"], lemmas=["mine", None])
        assert [t.lemma_ for t in nlp.get_pipe("lemmatizer")(doc)] == expected


def test_saved_with_its_table(tmp_path):
    nlp = pipeline(TABLE, overwrite=True)
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    assert lemmas(loaded, "dogs were") == ["dog", "be"]
    assert loaded.get_pipe("lemmatizer").overwrite is True
    copy = fastpipe.blank("en")
    copy.add_pipe("lemmatizer").from_bytes(nlp.get_pipe("lemmatizer").to_bytes())
    assert lemmas(copy, "mice") == ["mouse"]


def test_scores_lemma_acc():
    nlp = pipeline(TABLE)
    ref = Doc(nlp.vocab, words=["dogs", "were", "geese"], lemmas=["dog", "be", "goose"])
    scores = nlp.evaluate([Example(nlp.make_doc("dogs were geese"), ref)])
    assert scores["lemma_acc"] == pytest.approx(2 / 3)


def test_refusals(tmp_path):
    nlp = fastpipe.blank("en")
    with pytest.raises(ValueError, match=r"\[E744\].*'rule'"):
        nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    with pytest.raises(ValueError, match=r"\[E745\]"):
        Lemmatizer(nlp.vocab, model=object())
    lemmatizer = nlp.add_pipe("lemmatizer")
    with pytest.raises(ValueError, match=r"\[E746\]"):
        lemmatizer(nlp.make_doc("dogs"))
    with pytest.raises(ValueError, match=r"\[E746\]"):
        nlp.initialize()
    with pytest.raises(ValueError, match=r"\[E747\].*'dogs': 3"):
        lemmatizer.initialize(lookups={"dogs": 3})
    with pytest.raises(ValueError, match=r"\[E747\].*list"):
        lemmatizer.initialize(lookups=["dogs"])
    bad = tmp_path / "bad.json"
    bad.write_text("{dogs", encoding="utf8")
    with pytest.raises(ValueError, match=r"\[E748\].*bad.json"):
        lemmatizer.initialize(lookups=bad)
    with pytest.raises(ValueError, match=r"\[E748\].*missing.json"):
        lemmatizer.initialize(lookups=str(tmp_path / "missing.json"))
