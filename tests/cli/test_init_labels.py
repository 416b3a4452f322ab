"""``fastpipe init labels``: each component's labels saved once, read back at initialization
through [initialize.components.NAME.labels]."""
import json

import fastpipe
from fastpipe.cli.init import init_labels
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import TAGS, cli_paths, train_toy_tagger, write_tagger_setup

READ_LABELS = """
[initialize]

[initialize.components]

[initialize.components.tagger]

[initialize.components.tagger.labels]
@readers = "spacy.read_labels.v1"
path = "{path}"
require = true
"""


def test_init_labels_writes_a_json_list_per_trainable_component(tmp_path):
    config, paths = write_tagger_setup(tmp_path)
    result = run("init", "labels", config, tmp_path / "labels", *cli_paths(paths))
    assert result.exit_code == 0, result.output
    assert "Saved the labels of tagger to" in result.output
    assert [p.name for p in (tmp_path / "labels").iterdir()] == ["tagger.json"]
    assert json.loads((tmp_path / "labels" / "tagger.json").read_text()) == TAGS
    assert init_labels(config, tmp_path / "again", overrides=paths) == {
        "tagger": tmp_path / "again" / "tagger.json"}


def test_training_reads_the_labels_file(tmp_path):
    labels = tmp_path / "tagger.json"
    labels.write_text(json.dumps(TAGS + ["XX"]), encoding="utf8")  # XX is in no example
    result, _ = train_toy_tagger(tmp_path / "run", extra=READ_LABELS.format(path=labels))
    assert fastpipe.load(result.best_path).get_pipe("tagger").labels == tuple(TAGS + ["XX"])


def test_init_labels_needs_the_training_corpus(tmp_path):
    config, _ = write_tagger_setup(tmp_path)
    assert_one_clear_error(run("init", "labels", config, tmp_path / "labels"), "paths.train")
    assert not (tmp_path / "labels").exists()
