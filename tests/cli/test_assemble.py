"""``fastpipe assemble``: a rule-based pipeline built, initialized and saved without training."""
import json

import fastpipe
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import STANDALONE_TAGGER_CONFIG

RULES_CONFIG = """
[paths]
patterns = null

[nlp]
lang = "en"
pipeline = ["sentencizer", "entity_ruler"]

[components]

[components.sentencizer]
factory = "sentencizer"

[components.entity_ruler]
factory = "entity_ruler"

[initialize]

[initialize.components]

[initialize.components.entity_ruler]

[initialize.components.entity_ruler.patterns]
@readers = "fastpipe.read_patterns_jsonl.v1"
path = ${paths.patterns}
"""


def test_assemble_saves_a_rule_pipeline_with_its_patterns(tmp_path):
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(json.dumps({"label": "FRUIT", "pattern": "apples"}) + "\n"
                        + json.dumps({"label": "CITY", "pattern": [{"LOWER": "paris"}]}) + "\n",
                        encoding="utf8")
    config = tmp_path / "rules.cfg"
    config.write_text(RULES_CONFIG, encoding="utf8")
    out = tmp_path / "rules"
    result = run("assemble", config, out, "--paths.patterns", patterns)
    assert result.exit_code == 0, result.output
    assert "Saved the pipeline (sentencizer, entity_ruler)" in result.output
    assert "untrained" not in result.output
    nlp = fastpipe.load(out)
    doc = nlp("I like apples. She lives in Paris.")
    assert [(e.text, e.label_) for e in doc.ents] == [("apples", "FRUIT"), ("Paris", "CITY")]
    assert [s.text for s in doc.sents] == ["I like apples.", "She lives in Paris."]


def test_assemble_notes_untrained_weights_and_reports_config_errors(tmp_path):
    config = tmp_path / "tagger.cfg"
    config.write_text(STANDALONE_TAGGER_CONFIG, encoding="utf8")
    assert_one_clear_error(run("assemble", config, tmp_path / "out"), "E095", "tagger")
    config.write_text(STANDALONE_TAGGER_CONFIG + "\n[initialize]\n[initialize.components]\n"
                      "[initialize.components.tagger]\n"
                      'labels = ["NN", "VB"]\n', encoding="utf8")
    result = run("assemble", config, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Note: the weights of tagger are untrained" in result.output
    assert fastpipe.load(tmp_path / "out").get_pipe("tagger").labels == ("NN", "VB")
    config.write_text(RULES_CONFIG.replace('factory = "sentencizer"', 'factory = "sentencise"'),
                      encoding="utf8")
    result = run("assemble", config, tmp_path / "bad", "--paths.patterns", config)
    assert_one_clear_error(result, "sentencise")
    assert not (tmp_path / "bad").exists()
