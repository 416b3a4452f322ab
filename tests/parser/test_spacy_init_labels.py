"""The parser's and the ner's labels from the files spaCy's ``init labels`` writes (a dict of
move number -> {label: count}; tests/data/spacy_init_labels, made by spaCy as its README says),
read at initialization through ``fastpipe.read_labels.v1``; fastpipe's own list stays valid."""
import json
from pathlib import Path

import pytest

import fastpipe
from fastpipe.cli.init import init_labels
from fastpipe.config import load_config_from_str
from fastpipe.gold.corpus import Corpus
from fastpipe.language import Language
from fastpipe.registry import registry
from tests.helpers.tagger import CORPORA_SECTIONS, nlp_section

DATA = Path(__file__).resolve().parents[1] / "data"
LABELS = DATA / "spacy_init_labels"
CORPUS = DATA / "spacy_annotated.spacy"  # the corpus spaCy's files were written from

CONFIG = f"""
[nlp]
lang = "en"
pipeline = ["parser", "ner"]

[components]

[components.parser]
factory = "parser"

[components.ner]
factory = "ner"

[initialize]

[initialize.components]

[initialize.components.parser]

[initialize.components.parser.labels]
@readers = "fastpipe.read_labels.v1"
path = "{LABELS / 'parser.json'}"
require = true

[initialize.components.ner]

[initialize.components.ner.labels]
@readers = "spacy.read_labels.v1"
path = "{LABELS / 'ner.json'}"
require = true
"""


def read_labels(name):
    return registry.resolve({"r": {"@readers": "fastpipe.read_labels.v1",
                                   "path": str(LABELS / f"{name}.json"), "require": True}})["r"]


def initialized(factory, **settings):
    nlp = fastpipe.blank("en")
    proc = nlp.add_pipe(factory, config=settings)
    return nlp, proc


def test_spacy_files_give_the_labels_fastpipe_finds_in_the_same_corpus():
    nlp, from_corpus = initialized("parser", min_action_freq=1)
    examples = list(Corpus(CORPUS)(nlp))
    from_corpus.initialize(lambda: examples)
    _, from_file = initialized("parser", min_action_freq=1)
    from_file.initialize(lambda: examples, labels=read_labels("parser"))
    # spaCy always lists the back-off label "dep" (count 0); its BREAK labels are the roots
    assert set(from_file.labels) == set(from_corpus.labels) | {"dep"}
    assert from_file.moves.cfg["root_labels"] == from_corpus.moves.cfg["root_labels"] == ["ROOT"]
    assert from_file.labels[:2] == ("ROOT", "nsubj")  # most frequent first
    _, ner_corpus = initialized("ner")
    ner_corpus.initialize(lambda: examples)
    _, ner_file = initialized("ner")
    ner_file.initialize(lambda: examples, labels=read_labels("ner"))
    assert set(ner_file.labels) == set(ner_corpus.labels) == {"PERSON", "GPE", "DATE"}


def test_a_config_reads_spacys_files_at_initialization():
    nlp = Language.from_config(load_config_from_str(CONFIG))
    examples = list(Corpus(CORPUS)(nlp))
    nlp.initialize(lambda: examples)
    parser, ner = nlp.get_pipe("parser"), nlp.get_pipe("ner")
    # from the corpus, min_action_freq = 30 would fold every label into "dep"
    assert {"nsubj", "dobj", "pobj", "ROOT", "dep"} <= set(parser.labels)
    assert "B-ROOT" in parser.moves.move_names
    assert set(ner.labels) == {"PERSON", "GPE", "DATE"}
    losses = nlp.update(examples, drop=0.0)
    assert losses["parser"] > 0 and losses["ner"] > 0
    doc = nlp("Mira sold the tram in Lisbon.")
    assert doc.has_annotation("DEP") and all(t.dep_ in parser.labels for t in doc)


def test_label_data_is_spacys_form_and_keeps_the_root_labels():
    nlp, trained = initialized("parser", min_action_freq=1)
    examples = list(Corpus(CORPUS)(nlp))
    trained.initialize(lambda: examples)
    data = json.loads(json.dumps(trained.label_data))  # as init labels writes it
    assert data["0"] == data["1"] == {"": 0} and set(data["2"]) == set(trained.labels)
    _, parser = initialized("parser")
    parser.initialize(lambda: [], labels=data)
    assert set(parser.labels) == set(trained.labels)
    assert parser.moves.cfg["root_labels"] == trained.moves.cfg["root_labels"] == ["ROOT"]
    assert "B-ROOT" in parser.moves.move_names  # a plain list would lose it: no BREAK move
    _, ner_trained = initialized("ner")
    ner_trained.initialize(lambda: examples)
    _, ner = initialized("ner")
    ner.initialize(lambda: [], labels=json.loads(json.dumps(ner_trained.label_data)))
    assert set(ner.labels) == set(ner_trained.labels) == {"PERSON", "GPE", "DATE"}


def test_init_labels_writes_the_parsers_label_data(tmp_path):
    config = tmp_path / "config.cfg"
    config.write_text("\n".join(["[paths]\ntrain = null\ndev = null\n", nlp_section(["parser"]),
                                 '[components.parser]\nfactory = "parser"\n'
                                 "min_action_freq = 1\n", CORPORA_SECTIONS]), encoding="utf8")
    paths = {"paths.train": str(CORPUS), "paths.dev": str(CORPUS)}
    written = init_labels(config, tmp_path / "labels", overrides=paths)
    data = json.loads(written["parser"].read_text(encoding="utf8"))
    assert data["4"] == {"": 0, "ROOT": 0} and "nsubj" in data["2"]


def test_fastpipe_label_lists_stay_valid():
    _, parser = initialized("parser")
    parser.initialize(lambda: [], labels=["nsubj", "obj"])
    assert parser.labels == ("nsubj", "obj")
    _, ner = initialized("ner")
    ner.initialize(lambda: [], labels=["PERSON"])
    assert ner.labels == ("PERSON",)


@pytest.mark.parametrize("labels", [{"2": ["nsubj"]}, {"2": {"nsubj": "many"}},
                                    {"4": {"ROOT": True}}])
def test_a_malformed_labels_dict_is_refused(labels):
    _, parser = initialized("parser")
    with pytest.raises(ValueError, match=r"\[E760\] Component 'parser'.*move '[24]'"):
        parser.initialize(lambda: [], labels=labels)
