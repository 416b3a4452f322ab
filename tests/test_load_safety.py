"""Loading a pipeline folder someone else made: whatever it holds, load refuses it with a coded
error naming the file or setting, or it loads and runs; it never hangs, recurses without end,
fails later on the first sentence, or executes code."""
import pickle
import shutil
from pathlib import Path

import pytest
import srsly

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


# -- edited component state -----------------------------------------------------------------

def _edit_state(folder, component, edit):
    path = folder / component / "cfg"
    state = srsly.read_msgpack(path)
    edit(state)
    srsly.write_msgpack(path, state)
    return path


def _append(key, value, inner="cfg"):
    return lambda state: state[inner][key].append(value)


def _set(key, value, inner="cfg"):
    return lambda state: state[inner].__setitem__(key, value)


@pytest.mark.parametrize("component,edit", [
    ("tagger", _append("labels", "XX")),          # more labels than the weights score
    ("tagger", _set("labels", [])),               # none: the first Doc indexed past them
    ("textcat", _append("labels", "C")),
    ("textcat", _set("labels", ["A"])),
    ("parser", _append("labels", "nsubj", "moves")),  # a moves table the output layer lacks
    ("parser", _set("labels", [], "moves")),
    ("ner", _append("labels", "ORG", "moves")),
    ("ner", _set("labels", [], "moves")),
])
def test_state_that_disagrees_with_the_weights_is_refused(folder, component, edit):
    _edit_state(folder, component, edit)
    with pytest.raises(ValueError, match=r"\[E643\]") as err:
        fastpipe.load(folder)
    assert str(folder / component / "model") in str(err.value)
    assert repr(component) in str(err.value)


@pytest.mark.parametrize("component,edit,problem", [
    ("tagger", _set("labels", [1, 2, 3]), "labels hold 1"),
    ("tagger", _set("labels", "NNS"), "labels are str"),
    ("tagger", lambda state: state.__setitem__("cfg", [1]), "'cfg' is list"),
    ("textcat", _set("labels", ["A", "A"]), "repeat a label"),
    ("parser", _set("labels", {"dep": 1}, "moves"), "move labels are dict"),
    ("parser", _set("root_labels", ["nope"], "moves"), "root label is not one of its move"),
    ("parser", _set("break_after", [99], "moves"), "break_after"),
    ("ner", lambda state: state.__setitem__("moves", "BILUO"), "'moves' are str"),
    ("entity_ruler", lambda state: state.__setitem__("overwrite_ents", "yes"), "overwrite_ents"),
    ("entity_ruler", lambda state: state.__setitem__("ent_id_sep", 3), "ent_id_sep"),
])
def test_state_of_the_wrong_kind_is_refused_naming_the_file(folder, component, edit, problem):
    path = _edit_state(folder, component, edit)
    with pytest.raises(ValueError, match=r"\[E642\]") as err:
        fastpipe.load(folder)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_damaged_state_and_weights_files_are_refused(folder, tmp_path):
    other = shutil.copytree(folder, tmp_path / "other")
    (folder / "tagger" / "cfg").write_bytes(b"\x00\x01 not msgpack")
    with pytest.raises(ValueError, match=r"\[E642\].*tagger.cfg.*not msgpack"):
        fastpipe.load(folder)
    model = other / "parser" / "model"
    model.write_bytes(model.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"\[E643\].*parser.model"):
        fastpipe.load(other)


def test_component_bytes_are_checked_too(saved):
    nlp = fastpipe.load(saved)
    tagger = nlp.get_pipe("tagger")
    state = srsly.msgpack_loads(tagger.to_bytes())
    state["state"]["cfg"]["labels"].append("XX")
    with pytest.raises(ValueError, match=r"\[E643\] the bytes of component 'tagger'"):
        tagger.from_bytes(srsly.msgpack_dumps(state))
    with pytest.raises(ValueError, match=r"\[E642\] the bytes of component 'entity_ruler'"):
        nlp.get_pipe("entity_ruler").from_bytes(b"\xc1")


# -- tokenizer patterns -----------------------------------------------------------------------

def _edit_tokenizer(folder, name, pattern):
    path = folder / "tokenizer"
    rules = srsly.msgpack_loads(path.read_bytes())
    if isinstance(rules[name], list):
        rules[name].append(pattern)
    else:
        rules[name] = pattern
    path.write_bytes(srsly.msgpack_dumps(rules))
    return path


@pytest.mark.parametrize("name", ["prefixes", "suffixes", "infixes", "token_match", "url_match"])
def test_catastrophic_tokenizer_pattern_is_refused_at_load(folder, name):
    # (a|a)*b takes about 20 s on 25 a's and doubles with each one more
    path = _edit_tokenizer(folder, name, "(a|a)*b")
    with pytest.raises(ValueError, match=r"\[E644\]") as err:
        fastpipe.load(folder)
    assert str(path) in str(err.value) and "'(a|a)*b'" in str(err.value)
    assert name in str(err.value)


def test_tokenizer_bytes_are_checked(saved):
    tokenizer = fastpipe.load(saved).tokenizer
    rules = srsly.msgpack_loads(tokenizer.to_bytes())
    rules["suffixes"].append(r"(\w+\s?)*$")
    with pytest.raises(ValueError, match=r"\[E644\] the tokenizer's bytes"):
        tokenizer.from_bytes(srsly.msgpack_dumps(rules))


def test_safe_custom_tokenizer_pattern_loads_and_runs(folder):
    _edit_tokenizer(folder, "infixes", r"(?<=[a-z])~(?=[a-z])")
    doc = fastpipe.load(folder)("I like apples~pears")
    assert [t.text for t in doc] == ["I", "like", "apples", "~", "pears"]


# -- nothing on the load path runs code ---------------------------------------------------------

class _WritesMarker:
    """Unpickling this writes the marker file: a payload a hostile folder could hold."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "ran"))


@pytest.mark.parametrize("target", ["tagger/cfg", "tagger/model", "parser/model", "vocab",
                                    "tokenizer", "entity_ruler/cfg"])
def test_pickle_payloads_in_a_folder_never_run(folder, tmp_path, target):
    marker = tmp_path / "marker"
    payload = pickle.dumps(_WritesMarker(marker))
    (folder / target).write_bytes(payload)
    with pytest.raises(ValueError, match=r"\[E(005|642|643)\]"):
        fastpipe.load(folder)
    # the same payload as bytes inside msgpack, where a map of settings belongs: refused, or
    # (the entity_ruler ignores keys it does not know) loaded as inert bytes
    (folder / target).write_bytes(srsly.msgpack_dumps({"cfg": payload, "state": payload}))
    try:
        fastpipe.load(folder)("I like apples")
    except ValueError as err:
        assert "[E" in str(err)
    assert not marker.exists()


def test_a_code_file_in_the_folder_is_not_imported(folder, tmp_path):
    """The config names a function that only a Python file shipped in the folder registers:
    load refuses the unknown name (E581) and imports nothing; only code= would import it."""
    marker = tmp_path / "marker"
    (folder / "functions.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(marker)!r}).write_text('ran')\n"
        "import fastpipe\n\n"
        "@fastpipe.registry.callbacks('h8_marker_hook.v1')\n"
        "def make():\n"
        "    return lambda nlp: nlp\n", encoding="utf8")
    config = folder / "config.cfg"
    text = config.read_text(encoding="utf8")
    assert "after_creation = null" in text
    config.write_text(text.replace("after_creation = null",
                                   'after_creation = {"@callbacks": "h8_marker_hook.v1"}'),
                      encoding="utf8")
    with pytest.raises(ValueError, match=r"\[E581\].*h8_marker_hook\.v1"):
        fastpipe.load(folder)
    assert not marker.exists()
