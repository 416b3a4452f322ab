"""bin/bench_budget.py: the held-out test split, which checkpoints count, time-to-level and the
choice of the best checkpoint, and fastpipe's side of the benchmark logger (a real training
process saving averaged checkpoints that score what the loop reported)."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy
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


def results_for(script, curves, runs):
    """The results dict main() builds, from curves and run records."""
    selected = {s: script.select_best(curves[s], ["dep_las", "ents_f"]) for s in script.SYSTEMS}
    systems = {s: {"config_choice": "efficiency", "run": runs[s], "curve": curves[s],
                   "steps": curves[s][-1]["step"] if curves[s] else None,
                   "n_scored": len(curves[s]), "best_dev": script.best_per_metric(curves[s]),
                   "selected": selected[s], "test": selected[s] and selected[s]["scores"]}
               for s in script.SYSTEMS}
    levels = {"dep_las": [0.70, 0.75]}
    return {"minutes": 10, "pipeline": "tagger,parser,ner", "cores": 2,
            "select": ["dep_las", "ents_f"], "systems": systems, "levels": levels,
            "time_to_level": script.time_to_levels(curves, levels)}, selected


def test_report_and_plot_show_both_systems(tmp_path):
    from PIL import Image

    script = load_script()
    scores = dict(tag_acc=0.9, dep_uas=0.8, sents_f=0.7, ents_f=0.5)
    curves = {"spacy": [point(200, 4.0, dep_las=0.70, **scores), point(400, 8.0, dep_las=0.72,
                                                                        **scores)],
              "fastpipe": [point(1000, 1.0, dep_las=0.70, **scores),
                           point(2000, 2.0, dep_las=0.76, **scores)]}
    runs = {"spacy": {"peak_mb": 900.0, "cpu_s": 590.0, "wall_s": 600.0},
            "fastpipe": {"peak_mb": 600.0, "cpu_s": 300.0, "wall_s": 600.0}}
    results, selected = results_for(script, curves, runs)
    text = script.report(results)
    assert "| best dev LAS | 72.00 | 76.00 | +4.00 |" in text
    assert "| LAS 70.00 | 4.0 | 1.0 | 4.00x |" in text
    assert "| LAS 75.00 | not reached | 2.0 | - |" in text
    assert "| CPU time / wall time (100%: a core of its own) | 98% | 50% | |" in text
    path = tmp_path / "budget.png"
    script.plot(curves, selected, path, "test", minutes=10)
    pixels = numpy.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)
    for colour in ((31, 119, 180), (255, 127, 14)):   # spaCy's and fastpipe's lines
        assert (pixels == colour).all(axis=1).any()

    empty, _ = results_for(script, {"spacy": curves["spacy"], "fastpipe": []}, runs)
    assert "fastpipe finished no evaluation within the time" in script.report(empty)


def test_sst2_task_defaults_and_choices():
    script = load_script()
    args = script.parse_args(["--minutes", "5", "--task", "sst2"])
    assert args.pipeline == "textcat" and args.select == ["accuracy"]
    assert tuple(args.metrics) == ("cats_score", "cats_macro_f", "accuracy")
    assert script.parse_args(["--minutes", "5"]).select == ["dep_las", "ents_f"]
    # an EWT score cannot choose a textcat checkpoint, nor a textcat level be asked of EWT
    for argv in (["--task", "sst2", "--select", "dep_las"], ["--task", "sst2", "--levels",
                                                            "ents_f=55"],
                 ["--levels", "accuracy=80"]):
        with pytest.raises(SystemExit):
            script.parse_args(["--minutes", "5"] + argv)
    assert script.default_levels({"accuracy": 0.8, "dep_las": 0.7}, ("accuracy",)) == {
        "accuracy": [0.72, 0.76, 0.792]}


def test_sst2_report_has_no_test_rows_and_plots_its_three_scores(tmp_path):
    from PIL import Image

    script = load_script()
    metrics = script.TASKS["sst2"]["metrics"]
    curves = {"spacy": [point(200, 2.0, accuracy=0.80, cats_score=0.79, cats_macro_f=0.79),
                        point(400, 4.0, accuracy=0.82, cats_score=0.81, cats_macro_f=0.81)],
              "fastpipe": [point(1000, 1.0, accuracy=0.81, cats_score=0.80, cats_macro_f=0.80),
                           point(2000, 2.0, accuracy=0.84, cats_score=0.83,
                                 cats_macro_f=0.83)]}
    selected = {s: script.select_best(curves[s], ["accuracy"]) for s in script.SYSTEMS}
    assert selected["fastpipe"]["step"] == 2000
    systems = {s: {"config_choice": "efficiency", "run": {}, "curve": curves[s],
                   "steps": curves[s][-1]["step"], "n_scored": 2,
                   "best_dev": script.best_per_metric(curves[s], metrics),
                   "selected": selected[s], "test": None} for s in script.SYSTEMS}
    levels = script.default_levels(systems["spacy"]["best_dev"], ("accuracy",))
    results = {"minutes": 5, "pipeline": "textcat", "cores": 2, "select": ["accuracy"],
               "metrics": list(metrics), "test_split": None, "systems": systems,
               "levels": levels, "time_to_level": script.time_to_levels(curves, levels)}
    text = script.report(results)
    assert "| best dev accuracy | 82.00 | 84.00 | +2.00 |" in text
    assert "| accuracy 81.18 | 4.0 | 2.0 | 2.00x |" in text   # 99% of spaCy's best
    assert "test" not in text and "LAS" not in text
    path = tmp_path / "budget.png"
    script.plot(curves, selected, path, "sst2", minutes=5, metrics=metrics)
    image = Image.open(path)
    assert image.size == (1000, 850)   # two by two panels: three scores and the steps
    pixels = numpy.asarray(image.convert("RGB")).reshape(-1, 3)
    for colour in ((31, 119, 180), (255, 127, 14)):
        assert (pixels == colour).all(axis=1).any()


def test_spacy_from_refuses_a_run_made_another_way(tmp_path):
    script = load_script()
    spacy = {"config_choice": "efficiency", "curve": [], "selected": None}
    (tmp_path / "results.json").write_text(json.dumps(
        {"task": "ewt", "minutes": 45.0, "pipeline": "tagger,parser,ner",
         "eval_frequency": 500, "systems": {"spacy": spacy}}), encoding="utf8")
    same = ["--minutes", "45", "--eval-frequency", "500", "--spacy-from", str(tmp_path)]
    assert script.reused_spacy(script.parse_args(same)) == spacy
    assert script.trained_systems(script.parse_args(same)) == ("fastpipe",)
    for changed in (["--minutes", "40"], ["--eval-frequency", "200"],
                    ["--spacy-config", "accuracy"], ["--pipeline", "tagger"]):
        with pytest.raises(SystemExit):
            script.reused_spacy(script.parse_args(same + changed))


def test_train_only_trains_before_spacys_run_exists_and_leaves_scoring(tmp_path, monkeypatch,
                                                                       capsys):
    """--train-only with --spacy-from: no results.json there yet is fine (it is read when the
    checkpoints are scored with --score-only); the run is written to runs.json, nothing scored."""
    script = load_script()
    trained = {}

    def fake_run_both(commands, out, minutes, grace, cores):
        trained.update(commands=commands, cores=cores)
        return {s: {"core": c, "rc": 130} for s, c in zip(commands, cores)}

    monkeypatch.setattr(script, "check_requirements", lambda task: None)
    monkeypatch.setattr(script, "make_corpora", lambda folder, task: {"dev": tmp_path / "d"})
    monkeypatch.setattr(script, "make_config", lambda *a: tmp_path / "config.cfg")
    monkeypatch.setattr(script, "train_command", lambda system, *a: [system])
    monkeypatch.setattr(script, "run_both", fake_run_both)
    monkeypatch.setattr(script, "score_and_report", lambda *a: pytest.fail("scored"))
    out = tmp_path / "out"
    argv = ["bench_budget.py", "--minutes", "45", "--out", str(out), "--spacy-from",
            str(tmp_path / "spacy-not-yet"), "--core", "1", "--train-only"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # main() sets the workers' threads
    script.main()
    assert trained == {"commands": {"fastpipe": ["fastpipe"]}, "cores": [1]}
    assert json.loads((out / "runs.json").read_text())["fastpipe"]["core"] == 1
    assert not (out / "results.json").exists()
    assert "--score-only" in capsys.readouterr().out
    # without --train-only the missing spaCy run is refused before any training
    monkeypatch.setattr(sys, "argv", argv[:-1])
    with pytest.raises(SystemExit, match="no results.json"):
        script.main()
    with pytest.raises(SystemExit):
        script.parse_args(argv[1:] + ["--score-only"])
