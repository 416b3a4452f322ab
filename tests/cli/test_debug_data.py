"""``fastpipe debug data``: corpus statistics, labels per component, problems."""
import json

import fastpipe
from fastpipe.cli.debug_data import debug_data
from fastpipe.tokens import Doc, DocBin
from tests.helpers.cli import run
from tests.helpers.tagger import (CORPORA_SECTIONS, TAGGER_CONFIG, tagged_docs,
                                  write_tagger_setup)

TEXTCAT_CONFIG = """
[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["textcat"]

[components]

[components.textcat]
factory = "textcat"
""" + CORPORA_SECTIONS


def test_debug_data_reports_counts_and_labels(tmp_path):
    config_path, paths = write_tagger_setup(tmp_path)
    result = run("debug", "data", config_path, "--paths.train", paths["paths.train"],
                 "--paths.dev", paths["paths.dev"])
    assert result.exit_code == 0, result.output
    assert "train" in result.output and "tagger (tagger): 6 labels" in result.output
    report = debug_data(config_path, overrides=paths)
    assert report["corpora"]["train"]["docs"] == 12
    assert report["corpora"]["train"]["tokens"] == 60
    assert report["components"]["tagger"]["labels"] == {
        "PRP": 12, "JJ": 12, "NNS": 12, ".": 12, "VBP": 6, "VBZ": 6}
    assert report["n_errors"] == 0
    json_result = run("debug", "data", config_path, "--json", "--paths.train",
                      paths["paths.train"], "--paths.dev", paths["paths.dev"])
    assert json.loads(json_result.output)["corpora"]["dev"]["docs"] == 6


def test_debug_data_finds_problems(tmp_path):
    vocab = fastpipe.blank("en").vocab
    docs = tagged_docs(vocab)
    # an entity inside the token "Anna": misaligned with the tokenizer
    docs.append(Doc(vocab, words=["Hello", "Ann", "a"], spaces=[True, False, False],
                    ents=["O", "B-PER", "O"]))
    # crossing arcs: non-projective
    docs.append(Doc(vocab, words=["a", "b", "c", "d"], heads=[2, 3, 2, 2],
                    deps=["x", "x", "ROOT", "x"]))
    docs.append(Doc(vocab, words=["rare"], tags=["FW"]))
    train = tmp_path / "train.fastpipe"
    DocBin(docs=docs).to_disk(train)
    config_path = tmp_path / "config.cfg"
    config_path.write_text(TAGGER_CONFIG)
    report = debug_data(config_path, overrides={"paths.train": str(train),
                                                "paths.dev": str(train)})
    problems = {p["msg"].split(" (")[0]: p for p in report["problems"]}
    misaligned = [p for m, p in problems.items() if m.startswith("entities whose boundaries")]
    assert misaligned and misaligned[0]["examples"] == [f"{train}#6"]
    nonproj = [p for m, p in problems.items() if m.startswith("non-projective")]
    assert nonproj and nonproj[0]["examples"] == [f"{train}#7"]
    rare = [p for p in report["problems"] if p["msg"].startswith("labels with fewer")]
    assert "FW" in rare[0]["examples"]
    assert report["n_errors"] == 0


def test_debug_data_errors_exit_non_zero(tmp_path):
    vocab = fastpipe.blank("en").vocab
    docs = []
    for text, cats in [("good film", {"POS": 1.0, "NEG": 0.0}), ("bad film", {"POS": 0.0, "NEG": 1.0}),
                       ("odd film", {"POS": 1.0, "NEG": 1.0})]:
        doc = Doc(vocab, words=text.split())
        doc.cats = cats
        docs.append(doc)
    train = tmp_path / "cats.fastpipe"
    DocBin(docs=docs).to_disk(train)
    empty = tmp_path / "empty.fastpipe"
    DocBin(docs=[]).to_disk(empty)
    config_path = tmp_path / "config.cfg"
    config_path.write_text(TEXTCAT_CONFIG)
    result = run("debug", "data", config_path, "--paths.train", train, "--paths.dev", empty)
    assert result.exit_code == 1, result.output
    assert "ERROR [components.textcat] textcat documents need exactly one positive label" \
        in result.output and f"{train}#2" in result.output
    assert "ERROR [corpora.dev]" in result.output and "empty.fastpipe" in result.output
    # tagger without tags in the data
    config_path.write_text(TAGGER_CONFIG)
    result = run("debug", "data", config_path, "--paths.train", train, "--paths.dev", train)
    assert result.exit_code == 1
    assert "the training data has no tags annotation for this tagger" in result.output


def test_debug_data_help_and_bad_config(tmp_path):
    assert run("debug", "data", "--help").exit_code == 0
    result = run("debug", "data", tmp_path / "missing.cfg")
    assert result.exit_code == 1 and "E100" in result.output and "Traceback" not in result.output


CODE = '''
from fastpipe.gold.corpus import Corpus
from fastpipe.registry import registry


@registry.readers("test.debug_data.first_two.v1")
def first_two(path: str):
    corpus = Corpus(path)

    def read(nlp):
        for i, eg in enumerate(corpus(nlp)):
            if i == 2:
                return
            yield eg

    return read
'''


def test_debug_data_imports_code_first(tmp_path):
    """The training corpus is read by a reader that only the --code file registers."""
    config_path, paths = write_tagger_setup(tmp_path)
    text = config_path.read_text()
    reader = '[corpora.train]\n@readers = "fastpipe.Corpus.v1"'
    assert reader in text
    config_path.write_text(text.replace(
        reader, '[corpora.train]\n@readers = "test.debug_data.first_two.v1"'))
    code = tmp_path / "readers.py"
    code.write_text(CODE, encoding="utf8")
    args = ["--paths.train", paths["paths.train"], "--paths.dev", paths["paths.dev"]]
    result = run("debug", "data", config_path, *args)
    assert result.exit_code == 1
    assert "test.debug_data.first_two.v1" in result.output and "Traceback" not in result.output
    result = run("debug", "data", config_path, "--code", code, "--json", *args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["corpora"]["train"]["docs"] == 2  # the code's reader: two of the twelve
    assert report["corpora"]["dev"]["docs"] == 6
    result = run("debug", "data", config_path, "--code", tmp_path / "nothere.py", *args)
    assert result.exit_code == 1 and "E105" in result.output
