"""fastpipe plot: the curves read from a hand-written training log (the format fastpipe train
writes), the pictures matplotlib draws from them, and one clear sentence on a bad log."""
import json
import sys
import xml.etree.ElementTree as ET

import pytest

from fastpipe.cli.plot import curves, plot_training_log, read_training_log
from tests.helpers.cli import assert_one_clear_error, run

LOG = [
    {"step": 0, "epoch": 0, "seconds": 1.0, "words": 0, "score": 0.10, "is_best": True,
     "scores": {"tag_acc": 0.20, "dep_las": 0.0}, "losses": {"tagger": 90.0, "parser": 300.0}},
    {"step": 200, "epoch": 1, "seconds": 9.5, "words": 4000, "score": 0.62, "is_best": True,
     "scores": {"tag_acc": 0.80, "dep_las": 0.45}, "losses": {"tagger": 40.0, "parser": 120.5}},
    {"step": 400, "epoch": 2, "seconds": 18.0, "words": 8000, "score": 0.58, "is_best": False,
     "scores": {"tag_acc": 0.78, "dep_las": None}, "losses": {"tagger": 31.0, "parser": 99.0}},
]


@pytest.fixture
def run_dir(tmp_path):
    (tmp_path / "training_log.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in LOG) + "\n", encoding="utf8")
    return tmp_path


def test_curves_follow_the_log(run_dir):
    records = read_training_log(run_dir)
    assert len(records) == 3
    scores, losses = curves(records)
    assert list(scores) == ["score", "tag_acc", "dep_las"]
    assert scores["tag_acc"] == ([0, 200, 400], [0.20, 0.80, 0.78])
    assert scores["dep_las"] == ([0, 200], [0.0, 0.45])  # no point where the value is null
    assert losses == {"tagger": ([0, 200, 400], [90.0, 40.0, 31.0]),
                      "parser": ([0, 200, 400], [300.0, 120.5, 99.0])}
    scores, _ = curves(records, ["dep_las"])
    assert list(scores) == ["dep_las"]


def test_the_command_draws_a_png_beside_the_log(run_dir):
    result = run("plot", run_dir)
    assert result.exit_code == 0, result.output
    picture = run_dir / "curves.png"
    assert f"Saved the training curves to {picture}" in result.output
    data = picture.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_an_svg_names_every_curve_it_draws(run_dir, tmp_path):
    out = plot_training_log(run_dir / "training_log.jsonl", tmp_path / "pics" / "c.svg",
                            scores=["tag_acc", "score"])
    svg = ET.parse(out).getroot()
    texts = {"".join(t.itertext()).strip() for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"tag_acc", "score", "best", "tagger", "parser", "step", "loss"} <= texts
    assert "dep_las" not in texts  # only the scores asked for


def test_a_bad_log_line_is_named_by_file_and_line(run_dir):
    log = run_dir / "training_log.jsonl"
    log.write_text(json.dumps(LOG[0]) + "\n{not json\n", encoding="utf8")
    assert_one_clear_error(run("plot", run_dir), "[E698]", f"{log}:2:")
    log.write_text(json.dumps({"step": "ten", "scores": {}}) + "\n", encoding="utf8")
    assert_one_clear_error(run("plot", run_dir), "[E698]", f"{log}:1:", "step is 'ten'")


def test_missing_or_empty_logs_unknown_scores_and_formats_are_refused(run_dir, tmp_path):
    assert_one_clear_error(run("plot", tmp_path / "nowhere"), "[E697]", "no such file")
    assert_one_clear_error(run("plot", run_dir, "--scores", "tag_acc,ents_f"), "[E699]",
                           "ents_f", "tag_acc, dep_las")
    assert_one_clear_error(run("plot", run_dir, "--output", tmp_path / "c.docx"), "[E695]",
                           "'.docx'", "png")
    assert not (tmp_path / "c.docx").exists()
    (run_dir / "training_log.jsonl").write_text("\n", encoding="utf8")
    assert_one_clear_error(run("plot", run_dir), "[E697]", "no evaluations")


def test_without_matplotlib_it_says_how_to_install_it(run_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert_one_clear_error(run("plot", run_dir), "[E696]", "pip install 'fastpipe[plot]'")


def test_the_last_line_of_a_killed_run_is_left_out(run_dir):
    log = run_dir / "training_log.jsonl"
    log.write_text(json.dumps(LOG[0]) + "\n" + json.dumps(LOG[1])[:40], encoding="utf8")
    assert [r["step"] for r in read_training_log(log)] == [0]


@pytest.mark.slow
def test_the_curves_of_a_real_training_run(tmp_path):
    """The log fastpipe train writes (the toy tagger) plots as it is."""
    from tests.helpers.tagger import train_toy_tagger

    result, _ = train_toy_tagger(tmp_path)
    out = tmp_path / "out"
    scores, losses = curves(read_training_log(out))
    assert "tag_acc" in scores and "tagger" in losses
    assert scores["score"][1][-1] <= result.best_score
    cli = run("plot", out, "--output", out / "curves.svg")
    assert cli.exit_code == 0, cli.output
    assert (out / "curves.svg").stat().st_size > 5000
