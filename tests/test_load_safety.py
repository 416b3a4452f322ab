"""Loading a pipeline folder someone else made: whatever it holds, load refuses it with a coded
error naming the file or setting, or it loads and runs; it never hangs, recurses without end,
fails later on the first sentence, or executes code."""
import shutil

import pytest

import fastpipe
from fastpipe.gold.example import Example

T2V = {"@architectures": "fastpipe.HashEmbedCNN.v1", "width": 16, "depth": 1, "embed_size": 100,
       "window_size": 1, "maxout_pieces": 2, "subword_features": False}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small pipeline folder with a tagger, parser, ner, textcat and entity_ruler."""
    nlp = fastpipe.blank("en")
    for name in ("tagger", "parser", "ner", "textcat"):
        nlp.add_pipe(name, config={"model": {"tok2vec": T2V}})
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "FRUIT", "pattern": "apples"}])
    example = Example.from_dict(nlp.make_doc("I like apples"), {
        "tags": ["PRP", "VBP", "NNS"], "entities": ["O", "O", "U-FOOD"], "heads": [1, 1, 1],
        "deps": ["nsubj", "ROOT", "obj"], "cats": {"A": 1.0, "B": 0.0}})
    nlp.initialize(lambda: [example])
    folder = tmp_path_factory.mktemp("saved") / "pipeline"
    nlp.to_disk(folder)
    return folder


@pytest.fixture
def folder(saved, tmp_path):
    """A copy of the saved pipeline for a test to edit."""
    return shutil.copytree(saved, tmp_path / "pipeline")


def _source_tagger_from(folder, source):
    config = folder / "config.cfg"
    text = config.read_text(encoding="utf8")
    marker = '[components.tagger]\nfactory = "tagger"\n'
    assert marker in text
    config.write_text(text.replace(marker, f'[components.tagger]\nsource = "{source}"\n'
                                           'factory = "tagger"\n'), encoding="utf8")


def test_saved_pipeline_loads_and_runs(saved):
    doc = fastpipe.load(saved)("I like apples")
    assert [t.ent_type_ for t in doc] == ["", "", "FRUIT"]


def test_source_from_own_folder_is_a_cycle(folder):
    _source_tagger_from(folder, folder)
    with pytest.raises(ValueError, match=r"\[E640\]") as err:
        fastpipe.load(folder)
    assert str(folder) in str(err.value)


def test_source_cycle_through_two_folders(folder, tmp_path):
    other = shutil.copytree(folder, tmp_path / "other")
    _source_tagger_from(folder, other)
    _source_tagger_from(other, folder)
    with pytest.raises(ValueError, match=r"\[E640\].*other -> .*pipeline -> .*other"):
        fastpipe.load(other)


def test_source_without_cycle_loads_after_a_refused_one(folder, tmp_path):
    bad = shutil.copytree(folder, tmp_path / "bad")
    _source_tagger_from(bad, bad)
    with pytest.raises(ValueError, match=r"\[E640\]"):
        fastpipe.load(bad)
    # the refused load left no folder marked as loading: sourcing from another folder works
    other = shutil.copytree(folder, tmp_path / "other")
    _source_tagger_from(folder, other)
    nlp = fastpipe.load(folder)
    assert nlp("I like apples")[0].tag_ in {"PRP", "VBP", "NNS"}
    assert fastpipe.load(other).pipe_names == nlp.pipe_names
