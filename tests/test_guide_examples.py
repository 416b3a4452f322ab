"""examples/spacy_guide: spaCy's training-guide snippets, run as fastpipe code.

The project is run the way its README says (``fastpipe train config.cfg --code functions.py``
and ``python train_loop.py``, in subprocesses, from the project folder), and each test checks
what one snippet promises: the logger's table, the schedule's batch sizes, the batcher's
de-duplication, the creation callback's tokenizer and stop-word changes, the custom tagger
architecture learning, and the internal training loop's saved pipeline finding its entities.
The creation callback and the trained pipelines are probed in subprocesses too, as a user
would run them: what the callback changes (in spaCy 3.8, the English class of the whole
process) cannot reach other tests.
"""
import importlib.util
import json
import subprocess
import sys

import pytest

from tests.helpers.data import EWT_TRAIN_SAMPLE, ROOT

PROJECT = ROOT / "examples" / "spacy_guide"
STEPS, EVAL_EVERY = 60, 30


def _run(*args, timeout=120):
    """``python ARGS...`` in the project folder; the completed process (it must succeed)."""
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=PROJECT, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _probe(script: str, *args) -> dict:
    """Run a small Python script (with functions.py's path as argv[1]) in the project folder
    and return the JSON object it prints last."""
    proc = _run("-c", script, PROJECT / "functions.py", *args)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _load_module(name: str):
    spec = importlib.util.spec_from_file_location(f"spacy_guide_{name}", PROJECT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def functions():
    """The project's functions.py, imported the way ``--code`` imports it."""
    from fastpipe.config import import_code

    return import_code(PROJECT / "functions.py")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, process): the README's train command, shortened to STEPS steps."""
    folder = tmp_path_factory.mktemp("guide")
    proc = _run("-m", "fastpipe", "train", "config.cfg", "--code", "functions.py",
                "--output", folder / "out", "--paths.log", folder / "log.tab",
                "--training.max_steps", STEPS, "--training.eval_frequency", EVAL_EVERY, timeout=300)
    return folder, proc


def _distinct_examples(nlp, n):
    from fastpipe.training import Example

    return [Example.from_dict(nlp.make_doc(f"sentence number {i}"), {}) for i in range(n)]


# -- functions.py, in this process --------------------------------------------------------------

def test_the_schedule_in_the_config_sets_the_batch_sizes(functions):
    import fastpipe
    from fastpipe.config import load_config
    from fastpipe.registry import registry

    config = load_config(PROJECT / "config.cfg", overrides={"training.batcher.size.start": 3,
                                                            "training.batcher.size.factor": 1.5},
                         interpolate=True)
    batcher = registry.resolve({"batcher": config["training"]["batcher"]})["batcher"]
    batches = list(batcher(_distinct_examples(fastpipe.blank("en"), 60)))
    # 3, 4.5, 6.75, 10.1, 15.2, 22.8 rounded down: each batch takes the schedule's next value
    assert [len(b) for b in batches] == [3, 4, 6, 10, 15, 22]


def test_the_filtering_batcher_drops_a_text_already_in_the_batch(functions, en):
    from fastpipe.training import Example

    texts = ["a cat", "a cat", "a dog", "a cat", "an owl", "a dog", "a fox", "a fox"]
    examples = [Example.from_dict(en.make_doc(t), {}) for t in texts]
    batches = list(functions.filter_batch(size=2)(examples))
    # a repeat is dropped only within one batch; the last, short batch is kept
    assert [[eg.text for eg in b] for b in batches] == [
        ["a cat", "a dog"], ["a cat", "an owl"], ["a dog", "a fox"], ["a fox"]]


def test_the_reader_streams_annotated_variants(functions, en):
    plain = list(functions.stream_data(str(EWT_TRAIN_SAMPLE), make_variants=False)(en))
    varied = list(functions.stream_data(str(EWT_TRAIN_SAMPLE), make_variants=True)(en))
    assert len(plain) == len(varied) == 600
    # each variant has one character upper-cased (a no-op where it already was upper case)
    assert all(v.text.lower() == p.text.lower() for v, p in zip(varied, plain))
    assert sum(v.text != p.text for v, p in zip(varied, plain)) > 400
    first = plain[0]
    assert [t.tag_ for t in first.reference][:3] == ["NNP", "HYPH", "NNP"]
    assert [(e.text, e.label_) for e in first.reference.ents][:2] == [
        ("Al-Zaman", "ORG"), ("Shaikh Abdullah al-Ani", "PER")]
    questions = [eg for eg in plain if eg.reference.cats["QUESTION"] == 1.0]
    assert questions and all(eg.text.rstrip().endswith("?") for eg in questions)


# -- the creation callback, in a process of its own ----------------------------------------------

CALLBACK_PROBE = """
import json, sys
from fastpipe.config import import_code, load_config
from fastpipe.language import Language
import_code(sys.argv[1])
nlp = Language.from_config(load_config("config.cfg"))
print(json.dumps({"tokens": [t.text for t in nlp.make_doc("Bye--- see you")],
                  "stop": [nlp.vocab[w].is_stop for w in ("ooh", "aah", "tea")],
                  "suffix_added": r"-+$" in tuple(nlp.Defaults.suffixes)}))
"""


def test_the_creation_callback_changes_suffixes_and_stop_words():
    out = _probe(CALLBACK_PROBE)
    assert out["suffix_added"]
    assert out["tokens"] == ["Bye", "---", "see", "you"]
    assert out["stop"] == [True, True, False]


# -- fastpipe train config.cfg --code functions.py ------------------------------------------------

@pytest.mark.slow
def test_the_custom_logger_writes_the_step_score_and_loss_table(trained):
    folder, proc = trained
    assert "Updated stop words and tokenizer suffixes" in proc.stdout  # the callback's debug
    lines = (folder / "log.tab").read_text(encoding="utf8").splitlines()
    header = lines[0].split("\t")
    assert header == ["step", "score", "loss_tok2vec", "loss_tagger", "loss_ner", "loss_textcat"]
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == len(header) for row in rows)
    steps = [int(row[0]) for row in rows]
    assert steps[-1] == STEPS and all(step % EVAL_EVERY == 0 for step in steps)
    assert all(0.0 <= float(row[1]) <= 1.0 for row in rows)
    assert all(float(row[3]) > 0 and float(row[4]) > 0 for row in rows if int(row[0]) > 0)


TAGGER_PROBE = """
import json, sys
from collections import Counter
import fastpipe
from fastpipe.config import import_code
nlp = fastpipe.load(sys.argv[2], code=sys.argv[1])  # as the README says to load it
functions = import_code(sys.argv[1])
records = list(functions.read_custom_data(sys.argv[3]))[:150]
gold = [tag for r in records for tag in r["tags"]]
predicted = []
for r in records:
    doc = fastpipe.Doc(nlp.vocab, words=r["words"], spaces=r["spaces"])
    predicted.extend(t.tag_ for t in nlp.get_pipe("tagger")(doc))
print(json.dumps({"accuracy": sum(p == g for p, g in zip(predicted, gold)) / len(gold),
                  "majority": Counter(gold).most_common(1)[0][1] / len(gold),
                  "ooh_is_stop": nlp.vocab["ooh"].is_stop,
                  "layers": [layer.name for layer in nlp.get_pipe("tagger").model.walk()]}))
"""


@pytest.mark.slow
def test_the_custom_architecture_trains_a_tagger_that_beats_chance(trained):
    folder, _ = trained
    out = _probe(TAGGER_PROBE, folder / "out" / "model-last", EWT_TRAIN_SAMPLE)
    assert "softmax" in out["layers"] and "relu" in out["layers"]
    assert out["ooh_is_stop"]  # loading ran the creation callback again
    # better than always answering the most frequent tag of these sentences
    assert out["accuracy"] > out["majority"] + 0.05, out


# -- python train_loop.py ---------------------------------------------------------------------------

def test_the_example_snippets_build_their_references(en):
    loop = _load_module("train_loop")
    for example in (loop.tag_example_from_array(en.vocab), loop.tag_example_from_dict(en)):
        assert [t.tag_ for t in example.reference] == ["NNS", "VBP", "NNS"]
        assert [t.tag_ for t in example.predicted] == ["", "", ""]
    example = loop.entity_example_from_biluo(en)
    assert [(e.text, e.label_) for e in example.reference.ents] == [("Ada", "PERSON"), ("London", "CITY")]


@pytest.mark.slow
def test_update_without_sgd_keeps_stepping_with_its_own_optimizer():
    losses = _load_module("train_loop").update_without_optimizer(5)
    # no dropout: the loss only falls if every update (the first included) changed the weights
    assert all(later < earlier for earlier, later in zip(losses, losses[1:])), losses


@pytest.mark.slow
def test_the_internal_training_loop_saves_a_pipeline_that_finds_its_entities(tmp_path):
    import fastpipe

    proc = _run("train_loop.py", "--n-iter", 20, "--output", tmp_path / "ner")
    assert "iteration 19" in proc.stdout and "updates without sgd" in proc.stdout
    nlp = fastpipe.load(tmp_path / "ner")
    assert nlp.pipe_names == ["ner"]
    doc = nlp("A heron nests outside Leeds")
    assert [(e.text, e.label_) for e in doc.ents] == [("heron", "ANIMAL"), ("Leeds", "CITY")]
