"""bin/bench_budget.py: the held-out test split, which checkpoints count, time-to-level and the
choice of the best checkpoint, and fastpipe's side of the benchmark logger (a real training
process saving averaged checkpoints that score what the loop reported)."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fastpipe
from fastpipe.tokens import DocBin
from fastpipe.training import Example

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bin" / "bench_budget.py"
SAMPLE = ROOT / "examples" / "data" / "en_ewt-dev-sample.conllu"


def load_script():
    spec = importlib.util.spec_from_file_location("bench_budget", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sentence_ids(text):
    return [line for line in text.splitlines() if line.startswith("# sent_id")]


def test_hold_out_keeps_documents_whole():
    script = load_script()
    text = SAMPLE.read_text(encoding="utf8")
    kept, held = script.hold_out(text, every=10)
    # the sample's 20 documents: the 10th and the 20th are held out
    assert kept.count("# newdoc") == 18 and held.count("# newdoc") == 2
    assert sorted(sentence_ids(kept) + sentence_ids(held)) == sorted(sentence_ids(text))
    assert not set(sentence_ids(kept)) & set(sentence_ids(held))
    documents = text.split("# newdoc")[1:]
    assert held.startswith("# newdoc" + documents[9].rstrip("\n"))


def point(step, minutes, **scores):
    return {"step": step, "seconds": minutes * 60, "scores": scores}


def test_minutes_to_level_is_the_first_evaluation_at_or_above_it():
    script = load_script()
    curve = [point(100, 1.0, dep_las=0.60), point(200, 2.0, dep_las=0.75),
             point(300, 3.0, dep_las=0.72), point(400, 4.0, dep_las=0.80)]
    assert script.minutes_to_level(curve, "dep_las", 0.75) == pytest.approx(2.0)
    assert script.minutes_to_level(curve, "dep_las", 0.76) == pytest.approx(4.0)
    assert script.minutes_to_level(curve, "dep_las", 0.81) is None
    assert script.minutes_to_level(curve, "ents_f", 0.1) is None


def test_time_to_levels_ratio_and_default_levels():
    script = load_script()
    curves = {"spacy": [point(200, 10.0, ents_f=0.5), point(400, 20.0, ents_f=0.6)],
              "fastpipe": [point(1000, 2.5, ents_f=0.55), point(2000, 5.0, ents_f=0.62)]}
    rows = script.time_to_levels(curves, {"ents_f": [0.6, 0.5, 0.61]})
    assert [(r["level"], r["minutes"]["spacy"], r["minutes"]["fastpipe"]) for r in rows] == [
        (0.5, 10.0, 2.5), (0.6, 20.0, 5.0), (0.61, None, 5.0)]
    assert rows[0]["ratio"] == pytest.approx(4.0) and rows[2]["ratio"] is None
    levels = script.default_levels({"dep_las": 0.8, "ents_f": 0.6, "tag_acc": 0.9})
    assert levels == {"dep_las": [0.72, 0.76, 0.792], "ents_f": [0.54, 0.57, 0.594]}


def test_parse_levels_reads_percentages_and_fractions():
    script = load_script()
    assert script.parse_levels("dep_las=78,79 ents_f=0.55") == {"dep_las": [0.78, 0.79],
                                                               "ents_f": [0.55]}
    with pytest.raises(ValueError, match="dep_uas"):
        script.parse_levels("las=78")


def test_select_best_sums_the_chosen_scores_and_keeps_the_earlier_on_a_tie():
    script = load_script()
    curve = [point(1, 1, dep_las=0.70, ents_f=0.50, tag_acc=0.99),
             point(2, 2, dep_las=0.72, ents_f=0.52, tag_acc=0.90),
             point(3, 3, dep_las=0.74, ents_f=0.50, tag_acc=0.90)]
    assert script.select_best(curve, ["dep_las", "ents_f"])["step"] == 2
    assert script.select_best(curve, ["tag_acc"])["step"] == 1
    assert script.select_best(curve, ["sents_f"]) is None


def test_checkpoints_skips_partial_and_late_ones(tmp_path):
    script = load_script()
    folder = tmp_path / "fastpipe"
    for step in (50, 100, 150, 200):
        (folder / "ckpt" / str(step)).mkdir(parents=True)
    lines = [json.dumps({"step": 50, "seconds": 30.0}), json.dumps({"step": 100, "seconds": 70.0}),
             json.dumps({"step": 200, "seconds": 130.0}),   # after the deadline
             '{"step": 150, "seco']                          # cut off by the kill
    (folder / script.LOG_FILE).write_text("\n".join(lines), encoding="utf8")
    assert [r["step"] for r in script.checkpoints(folder, limit_s=120.0)] == [50, 100]


@pytest.mark.slow
def test_fastpipe_logger_saves_averaged_checkpoints_that_score_as_the_loop_said(tmp_path,
                                                                                 ewt_split):
    script = load_script()
    data, _ = ewt_split
    config = tmp_path / "config.cfg"
    config.write_text((ROOT / "examples" / "tagger.cfg").read_text(encoding="utf8"))
    script.wrap_logger(config, tmp_path / "ckpt")
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{script.START_VAR: "0"})
    cmd = [sys.executable, str(SCRIPT), "--internal-train", "fastpipe", "--", "train",
           str(config), "--paths.train", str(data / "train.fastpipe"), "--paths.dev",
           str(data / "dev.fastpipe"), "--training.max_steps", "6",
           "--training.eval_frequency", "3", "--training.optimizer.use_averages", "true"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "TAG_ACC" in done.stdout   # the config's own console logger still prints its table
    records = script.read_checkpoint_log(tmp_path / script.LOG_FILE)
    assert [r["step"] for r in records] == [3, 6]
    assert records[1]["saved_total_s"] == pytest.approx(records[0]["save_s"] + records[1]["save_s"])
    assert records[0]["seconds"] < records[1]["seconds"]
    nlp = fastpipe.load(tmp_path / "ckpt" / "6")
    dev = DocBin().from_disk(data / "dev.fastpipe").get_docs(nlp.vocab)
    scores = nlp.evaluate([Example(nlp.make_doc(doc.text), doc) for doc in dev])
    # the loop evaluates with the parameter averages: the checkpoint must hold them
    assert scores["tag_acc"] == pytest.approx(records[1]["score"], abs=1e-9)
