"""spaCy's Python surface where a user's code touches it, written as a spaCy v3 user writes it
with ``spacy`` replaced by ``fastpipe``: custom components and factories, the training
helpers, ``nlp.initialize()`` after ``add_label``, the optimizer ``update`` keeps, custom
models sized at initialize, ``select_pipes``, ``nlp.pipe``'s options (worker processes
included), bytes, ``Doc.to_json``, loading a pipeline that needs the user's code, and
sourced components saved self-contained."""
import subprocess
import sys
import uuid
from pathlib import Path

import numpy
import pytest
from thinc.api import Config, Softmax, chain, fix_random_seed, with_array

import fastpipe
from fastpipe.language import Language
from fastpipe.registry import registry
from fastpipe.tokens import Doc, Span
from tests.helpers.tagger import STANDALONE_TAGGER_CONFIG, TAGGED, config_from, tag_examples

TEXT = "I like green apples ."


def unique(name: str) -> str:
    """A registered name no other test uses (registrations last for the whole process); no
    dots, as a component's name is also a config section's."""
    return f"surface_{name}_{uuid.uuid4().hex[:8]}"


def trained_tagger(steps: int = 25) -> Language:
    fix_random_seed(0)
    nlp = Language.from_config(config_from(STANDALONE_TAGGER_CONFIG))
    examples = tag_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer)
    return nlp


def tags(doc):
    return [t.tag_ for t in doc]


# -- custom components ----------------------------------------------------------------------------

def test_a_plain_function_is_a_component_under_any_number_of_names():
    name = unique("shout")
    seen = []

    @Language.component(name, assigns=["token.tag"])
    def shout(doc):
        seen.append(doc.text)
        for token in doc:
            token.tag_ = token.text.upper()
        return doc

    nlp = fastpipe.blank("en")
    nlp.add_pipe(name)
    nlp.add_pipe(name, name="again")
    assert nlp.pipe_names == [name, "again"]
    assert tags(nlp("a b")) == ["A", "B"]
    docs = list(nlp.pipe(["c d", "e"], batch_size=1))  # no .pipe: called on each Doc
    assert [tags(doc) for doc in docs] == [["C", "D"], ["E"]]
    assert seen == ["a b", "a b", "c d", "c d", "e", "e"]
    assert not hasattr(shout, "name")  # the user's function is left as it was
    assert nlp.get_pipe(name) is shout
    assert nlp.get_pipe_meta("again").assigns == ("token.tag",)
    assert nlp.config["components"]["again"] == {"factory": name}


def test_a_factory_may_return_any_callable_and_the_pipeline_round_trips(tmp_path):
    name = unique("suffix_tagger")

    class SuffixTagger:
        def __init__(self, suffix):
            self.suffix = suffix

        def __call__(self, doc):
            for token in doc:
                token.tag_ = token.text + self.suffix
            return doc

    @Language.factory(name, default_config={"suffix": "!"})
    def make_suffix_tagger(nlp, name, suffix: str):
        return SuffixTagger(suffix)

    nlp = trained_tagger()
    nlp.add_pipe(name, config={"suffix": "?"})
    assert tags(nlp("a b")) == ["a?", "b?"]
    assert nlp.config["components"][name] == {"factory": name, "suffix": "?"}
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    assert loaded.pipe_names == ["tagger", name]
    assert tags(loaded("x")) == ["x?"]
    loaded.disable_pipe(name)
    assert tags(loaded(TEXT)) == tags(trained_tagger()(TEXT))


def test_training_and_evaluate_leave_a_custom_component_alone():
    name = unique("noop")
    calls = []

    @Language.component(name)
    def noop(doc):
        calls.append(len(doc))
        return doc

    nlp = trained_tagger(steps=2)
    nlp.add_pipe(name)
    examples = tag_examples(nlp)
    losses = nlp.update(examples, sgd=nlp.create_optimizer())
    assert list(losses) == ["tagger"] and calls == []
    scores = nlp.evaluate(examples)
    assert "tag_acc" in scores and calls == [len(eg.predicted) for eg in examples]


def test_a_component_that_forgets_to_return_the_doc_is_named():
    name = unique("forgetful")

    @Language.component(name)
    def forgetful(doc):
        doc.cats["seen"] = 1.0

    nlp = fastpipe.blank("en")
    nlp.add_pipe(name)
    with pytest.raises(ValueError, match=f"E573.*{name}.*NoneType.*return doc"):
        nlp("text")
    with pytest.raises(ValueError, match="E573"):
        list(nlp.pipe(["text"]))


def test_registration_mistakes_are_named():
    with pytest.raises(ValueError, match="E570"):
        Language.component(lambda doc: doc)
    with pytest.raises(TypeError, match="E571.*not_callable"):
        Language.component("not_callable", func=42)
    name = unique("returns_a_number")
    Language.factory(name, func=lambda nlp, name: 42)
    with pytest.raises(ValueError, match=f"E572.*{name}.*int"):
        fastpipe.blank("en").add_pipe(name)


# -- fastpipe.training and fastpipe.util ----------------------------------------------------------

def test_training_exports_spacys_names_with_spacys_signatures():
    from fastpipe.training import (Corpus, Example, biluo_tags_to_offsets, biluo_tags_to_spans,
                                   offsets_to_biluo_tags)

    nlp = fastpipe.blank("en")
    doc = nlp.make_doc("Ada Lovelace lived in London")
    entities = [(0, 12, "PERSON"), (22, 28, "GPE")]
    biluo = offsets_to_biluo_tags(doc, entities)
    assert biluo == ["B-PERSON", "L-PERSON", "O", "O", "U-GPE"]
    assert offsets_to_biluo_tags(doc, entities, missing="-")[2] == "-"
    assert biluo_tags_to_offsets(doc, biluo) == entities
    spans = biluo_tags_to_spans(doc, biluo)
    assert [(s.text, s.label_) for s in spans] == [("Ada Lovelace", "PERSON"), ("London", "GPE")]
    example = Example.from_dict(doc, {"entities": entities})
    assert [e.label_ for e in example.reference.ents] == ["PERSON", "GPE"]
    assert Corpus.__name__ == "Corpus"


def test_importing_fastpipe_and_its_training_names_stays_cheap():
    code = ("import sys, fastpipe, fastpipe.training, fastpipe.util\n"
            "from fastpipe.training import Example, offsets_to_biluo_tags\n"
            "print(sorted(m for m in ('thinc', 'fastpipe.registry') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_util_offers_the_helpers_the_guide_imports(tmp_path):
    from fastpipe import util

    assert [len(b) for b in util.minibatch(range(10), util.compounding(1.0, 4.0, 2.0))] == \
        [1, 2, 4, 3]
    util.fix_random_seed(3)
    first = numpy.random.rand()
    util.fix_random_seed(3)
    assert numpy.random.rand() == first
    assert util.registry is registry
    assert issubclass(util.get_lang_class("en"), Language)
    path = tmp_path / "config.cfg"
    path.write_text(STANDALONE_TAGGER_CONFIG, encoding="utf8")
    assert util.load_config(path)["components"]["tagger"]["factory"] == "tagger"
    with pytest.raises(AttributeError):
        util.not_a_helper
    # reached from the package as a spaCy script does: spacy.util.minibatch, spacy.Language
    assert fastpipe.util.minibatch is util.minibatch and fastpipe.Language is Language


# -- initialize and update ------------------------------------------------------------------------

@pytest.mark.parametrize("factory,labels", [
    ("tagger", ["NN", "VB"]), ("ner", ["ORG", "GPE"]), ("parser", ["nsubj", "obj"]),
    ("textcat", ["POS", "NEG"]), ("textcat_multilabel", ["A", "B"])])
def test_initialize_without_examples_keeps_the_labels_added(factory, labels):
    nlp = fastpipe.blank("en")
    pipe = nlp.add_pipe(factory)
    for label in labels:
        pipe.add_label(label)
    optimizer = nlp.initialize()
    assert set(labels) <= set(pipe.labels)
    assert nlp._optimizer is optimizer
    doc = nlp("Some words here .")  # the models are sized and run
    if factory.startswith("textcat"):
        assert sorted(doc.cats) == sorted(labels)


def test_the_guides_ner_loop_learns_with_initialize_and_no_examples():
    from fastpipe.training import Example

    fix_random_seed(0)
    train = [("Uber blew through 1 million", [(0, 4, "ORG")]),
             ("Android Pay expands to Canada", [(0, 11, "PRODUCT"), (23, 29, "GPE")]),
             ("Spotify steps up Asia expansion", [(0, 7, "ORG"), (17, 21, "LOC")])]
    nlp = fastpipe.blank("en")
    ner = nlp.add_pipe("ner", config={"model": {"tok2vec": {"width": 32, "depth": 1}}})
    for _, entities in train:
        for *_, label in entities:
            ner.add_label(label)
    optimizer = nlp.initialize()
    for _ in range(25):
        for text, entities in train:
            example = Example.from_dict(nlp.make_doc(text), {"entities": entities})
            nlp.update([example], sgd=optimizer)
    doc = nlp("Android Pay expands to Canada")
    assert [(e.text, e.label_) for e in doc.ents] == [("Android Pay", "PRODUCT"), ("Canada", "GPE")]


def _probs(nlp, text=TEXT):
    return nlp.get_pipe("tagger").model.predict([nlp.make_doc(text)])[0].copy()


def test_update_without_sgd_makes_one_optimizer_keeps_it_and_steps():
    nlp = Language.from_config(config_from(STANDALONE_TAGGER_CONFIG + """
[training]
[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.02
"""))
    examples = tag_examples(nlp)
    nlp.get_pipe("tagger").initialize(lambda: examples)
    assert nlp._optimizer is None
    before = _probs(nlp)
    nlp.update(examples)
    optimizer = nlp._optimizer
    assert optimizer is not None and optimizer.learn_rate == 0.02
    assert not numpy.allclose(before, _probs(nlp))
    nlp.update(examples)
    assert nlp._optimizer is optimizer  # made once, then kept
    assert nlp.initialize(lambda: examples) is optimizer  # and what initialize returns


def test_update_with_sgd_false_adds_gradients_up_until_finish_update():
    nlp = trained_tagger(steps=1)
    examples = tag_examples(nlp)
    before = _probs(nlp)
    losses = nlp.update(examples, sgd=False)
    nlp.update(examples, sgd=False, losses=losses)
    assert losses["tagger"] > 0
    numpy.testing.assert_array_equal(before, _probs(nlp))
    nlp.finish_update(nlp.create_optimizer())
    assert not numpy.allclose(before, _probs(nlp))


def test_component_cfg_reaches_a_components_update():
    nlp = trained_tagger(steps=1)
    examples = tag_examples(nlp)
    seen = []
    tagger = nlp.get_pipe("tagger")
    original = tagger.update

    def spy(examples, **kwargs):
        seen.append(kwargs["drop"])
        return original(examples, **kwargs)

    tagger.update = spy
    nlp.update(examples, drop=0.1, component_cfg={"tagger": {"drop": 0.3}})
    nlp.update(examples, drop=0.1)
    assert seen == [0.3, 0.1]


# -- custom models sized at initialize ------------------------------------------------------------

def _guide_style_model(width: int):
    """A tagger model as the guide's custom_neural_network.v1 builds one: a tok2vec and a
    softmax whose output width (the number of tags) is left unset."""
    make_tok2vec = registry.architectures.get("fastpipe.HashEmbedCNN.v1")
    tok2vec = make_tok2vec(width=width, depth=1, embed_size=300, window_size=1,
                           maxout_pieces=2, subword_features=True)
    return chain(tok2vec, with_array(Softmax()))


def test_initialize_model_sizes_an_unset_softmax_from_sample_outputs():
    nlp = fastpipe.blank("en")
    tagger = nlp.add_pipe("tagger")
    tagger.model = _guide_style_model(32)
    for label in ("A", "B", "C"):
        tagger.add_label(label)
    tagger.initialize_model([nlp.make_doc("one two")])
    softmax = tagger.model.layers[-1].layers[0]
    assert softmax.get_dim("nO") == 3 and softmax.get_dim("nI") == 32
    assert tagger.model.predict([nlp.make_doc("a b c d")])[0].shape == (4, 3)
    tagger.initialize_model([])  # no sample Docs: a stand-in one
    assert softmax.get_dim("nO") == 3


def test_the_guides_custom_tagger_model_trains_without_hand_written_init():
    name = unique("custom_neural_network")
    registry.architectures(name)(lambda output_width: _guide_style_model(output_width))
    config = Config().from_str(f"""
[nlp]
lang = "en"
pipeline = ["tagger"]

[components]

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "{name}"
output_width = 32
""")
    fix_random_seed(0)
    nlp = Language.from_config(config)
    examples = tag_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    assert tags(nlp(TAGGED[0][0])) == TAGGED[0][1]


# -- select_pipes ---------------------------------------------------------------------------------

def _three_pipes():
    nlp = fastpipe.blank("en")
    for name in ("a", "b", "c"):
        nlp.add_pipe("sentencizer", name=name)
    return nlp


def test_select_pipes_as_a_block_and_as_a_call():
    nlp = _three_pipes()
    with nlp.select_pipes(disable=["a", "b"]) as disabled:
        assert nlp.pipe_names == ["c"] and list(disabled) == ["a", "b"]
    assert nlp.pipe_names == ["a", "b", "c"]
    disabled = nlp.select_pipes(enable="b")
    assert nlp.pipe_names == ["b"]
    disabled.restore()
    disabled.restore()  # a second restore changes nothing
    assert nlp.pipe_names == ["a", "b", "c"]
    nlp.disable_pipe("a")  # already disabled stays disabled after the block
    with nlp.select_pipes(disable="c"):
        assert nlp.pipe_names == ["b"]
    assert nlp.pipe_names == ["b", "c"]


def test_select_pipes_mistakes_are_named():
    nlp = _three_pipes()
    with pytest.raises(ValueError, match="E574"):
        nlp.select_pipes()
    with pytest.raises(KeyError, match="E089"):
        nlp.select_pipes(disable=["nope"])
    with pytest.raises(ValueError, match="E575"):
        nlp.select_pipes(enable=["a"], disable=["a"])
    assert nlp.pipe_names == ["a", "b", "c"]


# -- nlp.pipe -------------------------------------------------------------------------------------

def test_pipe_as_tuples_disable_and_component_cfg():
    name = unique("marker")

    @Language.component(name)
    def marker(doc, mark="*"):
        doc.cats[mark] = 1.0
        return doc

    nlp = trained_tagger(steps=20)
    nlp.add_pipe(name)
    pairs = [(text, {"i": i}) for i, (text, _) in enumerate(TAGGED)]
    out = list(nlp.pipe(pairs, as_tuples=True, batch_size=2))
    assert [ctx["i"] for _, ctx in out] == list(range(len(TAGGED)))
    assert [tags(doc) for doc, _ in out] == [t for _, t in TAGGED]
    docs = list(nlp.pipe([TEXT], disable=["tagger"], component_cfg={name: {"mark": "+"}}))
    assert tags(docs[0]) == [""] * 5 and docs[0].cats == {"+": 1.0}
    assert nlp.pipe_names == ["tagger", name]  # disable= lasts for the call only
    assert nlp(TEXT, component_cfg={name: {"mark": "!"}}).cats == {"!": 1.0}
    with pytest.raises(ValueError, match="E577"):
        list(nlp.pipe(["no context"], as_tuples=True))
    with pytest.raises(ValueError, match="E576"):
        list(nlp.pipe([TEXT], component_cfg={"ghost": {}}))
    with pytest.raises(ValueError, match="E578"):
        list(nlp.pipe([TEXT], n_process=0))


def test_pipe_with_two_processes_keeps_order_and_annotations():
    name = unique("lengths")

    @Language.component(name)
    def lengths(doc):
        doc.cats["n"] = float(len(doc))
        return doc

    nlp = trained_tagger(steps=20)
    nlp.add_pipe(name)
    texts = [f"{text} {'x ' * (i % 4)}".strip() for i, (text, _) in enumerate(TAGGED * 4)]
    texts.append(Doc(nlp.vocab, words=["We", "like", "zyzzyvas", "."]))
    expected = [(tags(d), d.cats) for d in nlp.pipe(texts, batch_size=3)]
    docs = list(nlp.pipe(texts, batch_size=3, n_process=2))
    assert [d.text for d in docs] == [t if isinstance(t, str) else t.text for t in texts]
    assert [(tags(d), d.cats) for d in docs] == expected
    assert docs[-1].vocab is nlp.vocab and "zyzzyvas" in nlp.vocab.strings


@pytest.mark.slow
def test_pipe_with_spawned_processes_rebuilds_the_pipeline(monkeypatch):
    import fastpipe.language.processes

    monkeypatch.setattr(fastpipe.language.processes, "PIPE_START_METHOD", "spawn")
    nlp = trained_tagger(steps=20)
    texts = [text for text, _ in TAGGED]
    docs = list(nlp.pipe(texts, batch_size=2, n_process=2))
    assert [tags(d) for d in docs] == [t for _, t in TAGGED]


# -- bytes and JSON -------------------------------------------------------------------------------

def test_to_bytes_and_from_bytes_carry_weights_labels_and_strings():
    nlp = trained_tagger()
    nlp.add_pipe("sentencizer", config={"punct_chars": ["|"]})
    nlp.vocab.strings.add("a string only this vocab knows")
    data = nlp.to_bytes()
    other = Language.from_config(nlp.config)
    assert other.get_pipe("tagger").labels == ()
    other.from_bytes(data)
    assert other.get_pipe("tagger").labels == nlp.get_pipe("tagger").labels
    numpy.testing.assert_array_equal(_probs(other), _probs(nlp))
    assert tags(other(TEXT)) == tags(nlp(TEXT))
    assert "a string only this vocab knows" in other.vocab.strings
    without = Language.from_config(nlp.config).from_bytes(nlp.to_bytes(exclude=["tagger"]))
    assert without.get_pipe("tagger").labels == ()


def test_from_bytes_mistakes_are_named():
    nlp = trained_tagger(steps=1)
    with pytest.raises(ValueError, match="E579"):
        nlp.from_bytes(b"not a pipeline")
    blank = fastpipe.blank("en")
    with pytest.raises(ValueError, match="E580.*tagger"):
        blank.from_bytes(nlp.to_bytes())


def test_doc_to_json_has_spacys_shape():
    nlp = fastpipe.blank("en")
    doc = Doc(nlp.vocab, words=["Ada", "visits", "Paris", "."], spaces=[True, True, False, False],
              tags=["NNP", "VBZ", "NNP", "."], pos=["PROPN", "VERB", "PROPN", "PUNCT"],
              morphs=["Number=Sing", "", "", ""], lemmas=["Ada", "visit", "Paris", "."],
              heads=[1, 1, 1, 1], deps=["nsubj", "ROOT", "obj", "punct"],
              ents=["B-PERSON", "O", "B-GPE", "O"])
    doc.cats = {"TRAVEL": 1.0}
    doc.spans["sc"] = [Span(doc, 0, 1, label="NAME")]
    assert doc.to_json() == {
        "text": "Ada visits Paris.",
        "ents": [{"start": 0, "end": 3, "label": "PERSON"},
                 {"start": 11, "end": 16, "label": "GPE"}],
        "sents": [{"start": 0, "end": 17}],
        "cats": {"TRAVEL": 1.0},
        "tokens": [
            {"id": 0, "start": 0, "end": 3, "tag": "NNP", "pos": "PROPN", "morph": "Number=Sing",
             "lemma": "Ada", "dep": "nsubj", "head": 1},
            {"id": 1, "start": 4, "end": 10, "tag": "VBZ", "pos": "VERB", "morph": "",
             "lemma": "visit", "dep": "ROOT", "head": 1},
            {"id": 2, "start": 11, "end": 16, "tag": "NNP", "pos": "PROPN", "morph": "",
             "lemma": "Paris", "dep": "obj", "head": 1},
            {"id": 3, "start": 16, "end": 17, "tag": ".", "pos": "PUNCT", "morph": "",
             "lemma": ".", "dep": "punct", "head": 1}],
        "spans": {"sc": [{"start": 0, "end": 3, "label": "NAME", "kb_id": ""}]},
    }
    # only the annotations a Doc has are written
    assert nlp("hi there").to_json() == {
        "text": "hi there", "tokens": [{"id": 0, "start": 0, "end": 2}, {"id": 1, "start": 3, "end": 8}]}
    with pytest.raises(ValueError, match="E582"):
        doc.to_json(underscore=["extra"])


# -- loading a pipeline that needs the user's code ------------------------------------------------

def test_load_names_what_the_users_code_registers_and_code_loads_it(tmp_path):
    component, architecture = unique("comp"), unique("arch")
    nlp = trained_tagger(steps=1)
    nlp.to_disk(tmp_path / "pipe")
    config_path = tmp_path / "pipe" / "config.cfg"
    config = Config().from_disk(config_path, interpolate=False)
    config["nlp"]["pipeline"] = ["tagger", "custom"]
    config["components"]["custom"] = {"factory": component}
    config_path.write_text(config.to_str(), encoding="utf8")
    with pytest.raises(ValueError, match=rf"E581.*config.cfg: \[components.custom\] factory "
                                         rf"names the component factory '{component}'.*code="):
        fastpipe.load(tmp_path / "pipe")
    model = dict(config["components"]["tagger"]["model"])
    config["components"]["tagger"]["model"] = {"@architectures": architecture, "inner": model}
    config_path.write_text(config.to_str(), encoding="utf8")
    with pytest.raises(ValueError, match=rf"E581.*\[components.tagger.model\] @architectures "
                                         rf"names the architectures function '{architecture}'"):
        fastpipe.load(tmp_path / "pipe")
    code = tmp_path / "functions.py"
    code.write_text(f"""
from fastpipe.language import Language
from fastpipe.registry import registry

@Language.component("{component}")
def custom(doc):
    doc.cats["custom"] = 1.0
    return doc

@registry.architectures("{architecture}")
def wrapped(inner):
    return inner
""", encoding="utf8")
    loaded = fastpipe.load(tmp_path / "pipe", code=code)
    assert loaded.pipe_names == ["tagger", "custom"]
    doc = loaded(TEXT)
    assert doc.cats == {"custom": 1.0}
    assert tags(doc) == tags(nlp(TEXT))


def test_load_with_exclude_and_enable(tmp_path):
    nlp = trained_tagger(steps=20)
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "pipe")
    config_path = tmp_path / "pipe" / "config.cfg"
    config = Config().from_disk(config_path, interpolate=False)
    config["nlp"]["pipeline"].append("custom")
    config["components"]["custom"] = {"factory": unique("never_registered")}
    config_path.write_text(config.to_str(), encoding="utf8")
    # an excluded component is not built, so its code is not needed
    loaded = fastpipe.load(tmp_path / "pipe", exclude=["custom"])
    assert loaded.component_names == ["tagger", "sentencizer"]
    assert tags(loaded(TEXT)) == tags(nlp(TEXT))
    only = fastpipe.load(tmp_path / "pipe", exclude="custom", enable=["sentencizer"])
    assert only.pipe_names == ["sentencizer"] and only.component_names == ["tagger", "sentencizer"]
    with pytest.raises(KeyError, match="E089"):
        fastpipe.load(tmp_path / "pipe", exclude=["ghost"])


# -- sourced components are saved self-contained -------------------------------------------------

def test_a_pipeline_with_a_sourced_component_loads_after_the_source_is_gone(tmp_path, monkeypatch):
    import shutil

    base = trained_tagger()
    work = tmp_path / "work"
    base.to_disk(work / "base")
    monkeypatch.chdir(work)
    config = Config().from_str("""
[nlp]
lang = "en"
pipeline = ["tagger", "sentencizer"]

[components]

[components.sentencizer]
factory = "sentencizer"

[components.tagger]
source = "base"
""", interpolate=False)
    nlp = Language.from_config(config)
    examples = tag_examples(nlp)
    nlp.update(examples, sgd=nlp.create_optimizer())  # trained on from the source's weights
    expected = _probs(nlp)
    saved_block = nlp.config["components"]["tagger"]
    assert "source" not in saved_block and saved_block["factory"] == "tagger"
    nlp.to_disk(work / "out")
    shutil.rmtree(work / "base")
    monkeypatch.chdir(tmp_path)
    loaded = fastpipe.load(Path("work") / "out")
    assert loaded.pipe_names == ["tagger", "sentencizer"]
    numpy.testing.assert_array_equal(_probs(loaded), expected)
    assert "source" not in (work / "out" / "config.cfg").read_text()


@pytest.mark.slow
def test_fastpipe_train_with_sourced_components_saves_a_self_contained_pipeline(tmp_path,
                                                                                 monkeypatch):
    """The issue's case: `fastpipe train` with components sourced by a relative path; the
    saved model-best loads from another directory once the source folder is gone."""
    import io
    import shutil

    from fastpipe.cli.train import train_from_config
    from tests.helpers.tagger import train_toy_tagger, write_tagger_setup

    first, _ = train_toy_tagger(tmp_path / "first")
    project = tmp_path / "project"
    shutil.copytree(first.best_path, project / "base")
    config_path, paths = write_tagger_setup(project)
    text = config_path.read_text()
    start, end = text.index("[components.tok2vec]"), text.index("[corpora]")
    sourced = '[components.tok2vec]\nsource = "base"\n\n[components.tagger]\nsource = "base"\n\n'
    config_path.write_text(text[:start] + sourced + text[end:])
    monkeypatch.chdir(project)
    result = train_from_config(config_path, project / "out",
                               overrides={**paths, "training.max_steps": 4}, stdout=io.StringIO())
    expected = [tags(doc) for doc in result.nlp.pipe(text for text, _ in TAGGED)]
    shutil.rmtree(project / "base")
    monkeypatch.chdir(tmp_path)
    saved = Path("project") / "out" / "model-last"
    assert "source" not in (saved / "config.cfg").read_text()
    loaded = fastpipe.load(saved)
    assert [tags(doc) for doc in loaded.pipe(text for text, _ in TAGGED)] == expected
