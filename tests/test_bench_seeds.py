"""bin/bench_seeds.py: groups bench_budget runs by system and config (seed left out) and
reports the mean and spread of each metric's best dev score."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bin" / "bench_seeds.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_seeds", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONFIG = """[system]
seed = {seed}

[training]
dropout = {dropout}

[training.logger]
@loggers = "bench_budget.Logger.v1"
folder = "{out}/ckpt"
"""

FASTPIPE_LOG = """E         #  LOSS TOK2VEC  LOSS TAGGER  LOSS PARSER  LOSS NER  TAG_ACC  DEP_UAS  DEP_LAS  SENTS_F  ENTS_F  ENTS_P  ENTS_R  SCORE
---  ------  ------------  -----------  -----------  --------  -------  -------  -------  -------  ------  ------  ------  -----
0       500       3549.87     91635.54    207348.71  23980.36    {tag1}    74.99    {las1}    68.59   {ents1}   45.58   34.16   0.67
WARNING: Ctrl-C: stopping after this step (press it again to stop at once)
0      1000       8323.86     24820.97     92563.77   8841.16    {tag2}    79.19    {las2}    73.03   {ents2}   51.25   42.34   0.72
"""

SPACY_LOG = """\x1b[38;5;4mi Pipeline: ['tok2vec', 'tagger', 'parser', 'ner']\x1b[0m
E    #       LOSS TOK2VEC  LOSS TAGGER  LOSS PARSER  LOSS NER  TAG_ACC  POS_ACC  DEP_UAS  DEP_LAS  SENTS_F  ENTS_F  ENTS_P  ENTS_R  SCORE 
---  ------  ------------  -----------  -----------  --------  -------  -------  -------  -------  -------  ------  ------  ------  ------
  0       0          0.00       157.90       369.63     80.07    26.11     0.00    23.74     4.21     3.15    0.34    0.37    0.31    0.13
 25    7000     131663.50     11834.93     60008.14   2266.78    {tag}     0.00    83.08    {las}    75.31   {ents}   60.76   51.14    0.77
Best score 0.780 at step 4000 (9764 steps, 7,254,482 words, 2701.4s)
"""


def _run_dir(root, name, system, seed, dropout=0.2, log=None):
    folder = root / name / system
    folder.mkdir(parents=True)
    (folder / "config.cfg").write_text(CONFIG.format(seed=seed, dropout=dropout, out=folder))
    (folder / "train.log").write_text(log)
    return root / name


def _fp_log(las, ents, tag=93.0):
    # the later row has the better LAS, the earlier the better entities: best is per metric
    return FASTPIPE_LOG.format(tag1=tag, las1=las - 1, ents1=ents, tag2=tag - 0.5, las2=las,
                               ents2=ents - 2)


def test_read_log_scores_reads_both_tables(bench, tmp_path):
    fp = tmp_path / "fp.log"
    fp.write_text(_fp_log(80.0, 60.0))
    rows = bench.read_log_scores(fp)
    assert [r["step"] for r in rows] == [500, 1000]
    assert rows[1]["scores"]["dep_las"] == pytest.approx(0.80)
    assert rows[0]["scores"]["ents_f"] == pytest.approx(0.60)
    sp = tmp_path / "sp.log"
    sp.write_text(SPACY_LOG.format(tag=93.04, las=79.00, ents=57.71))
    rows = bench.read_log_scores(sp)
    # spaCy's table has a POS_ACC column fastpipe's lacks: the columns are read by name
    assert rows[-1]["step"] == 7000
    assert rows[-1]["scores"] == pytest.approx({"tag_acc": 0.9304, "dep_uas": 0.8308,
                                                "dep_las": 0.79, "sents_f": 0.7531,
                                                "ents_f": 0.5771})


def test_groups_by_config_without_seed_and_averages_the_best_scores(bench, tmp_path):
    outs = [_run_dir(tmp_path, "a0", "fastpipe", 0, log=_fp_log(80.0, 60.0)),
            _run_dir(tmp_path, "a1", "fastpipe", 1, log=_fp_log(81.0, 57.0)),
            _run_dir(tmp_path, "a2", "fastpipe", 2, log=_fp_log(82.0, 57.0)),
            _run_dir(tmp_path, "b0", "fastpipe", 0, dropout=0.1, log=_fp_log(70.0, 50.0))]
    _run_dir(tmp_path, "a0", "spacy", 0, log=SPACY_LOG.format(tag=93.0, las=79.0, ents=58.0))
    _run_dir(tmp_path, "a1", "spacy", 1, log=SPACY_LOG.format(tag=92.0, las=78.0, ents=56.0))
    summary = bench.summarize(outs)
    by_size = sorted(summary, key=lambda g: (g["system"], len(g["runs"])))
    fp_b, fp_a, spacy = by_size
    assert [r["seed"] for r in fp_a["runs"]] == [0, 1, 2] and len(fp_b["runs"]) == 1
    las = fp_a["stats"]["dep_las"]
    assert las["mean"] == pytest.approx(0.81) and las["sd"] == pytest.approx(0.01)
    assert (las["min"], las["max"]) == pytest.approx((0.80, 0.82))
    assert fp_a["stats"]["ents_f"]["mean"] == pytest.approx(0.58)
    assert fp_a["stats"]["tag_acc"]["mean"] == pytest.approx(0.93)   # the better of two rows
    assert fp_b["stats"]["dep_las"]["sd"] is None
    assert spacy["stats"]["dep_las"]["mean"] == pytest.approx(0.785)
    text = bench.report(summary)
    assert f"{fp_a['name']} - {spacy['name']} (means): tag accuracy +0.50, UAS" in text
    assert "LAS +2.50" in text and "entities F +1.00" in text


WIDTHS = """[system]
seed = {seed}

[components]

[components.tok2vec]

[components.tok2vec.model]

[components.tok2vec.model.embed]
width = 256

[components.tagger]

[components.tagger.model]

[components.tagger.model.tok2vec]
width = {width}

[training]
seed = ${{system.seed}}
"""


def test_configs_are_compared_as_they_train(bench, tmp_path):
    """A variable and the value it stands for are the same config; the seeds (``[system]`` and
    the ``[training]`` one that refers to it) are left out; a different value is another
    config."""
    paths = []
    for seed, width in [(0, "256"), (1, "${components.tok2vec.model.embed.width}"), (2, "128")]:
        path = tmp_path / f"{seed}.cfg"
        path.write_text(WIDTHS.format(seed=seed, width=width))
        paths.append(path)
    (seed0, key0), (seed1, key1), (seed2, key2) = (bench.seed_and_key(p) for p in paths)
    assert (seed0, seed1, seed2) == (0, 1, 2)
    assert key0 == key1 and key2 != key0


def test_scored_results_win_and_a_reused_spacy_run_counts_once(bench, tmp_path):
    full = _run_dir(tmp_path, "full", "fastpipe", 0, log=_fp_log(80.0, 60.0))
    _run_dir(tmp_path, "full", "spacy", 0, log=SPACY_LOG.format(tag=93.0, las=79.0, ents=58.0))
    spacy_scored = {"curve": [{"step": 7000, "scores": {"tag_acc": 0.9, "dep_uas": 0.8,
                                                        "dep_las": 0.77, "sents_f": 0.7,
                                                        "ents_f": 0.5}}]}
    (full / "results.json").write_text(json.dumps({"systems": {"spacy": spacy_scored}}))
    # trained with --spacy-from full: its results.json carries spaCy's run, not its train.log
    reuse = _run_dir(tmp_path, "reuse", "fastpipe", 1, log=_fp_log(81.0, 58.0))
    (reuse / "results.json").write_text(json.dumps({"systems": {"spacy": spacy_scored}}))
    summary = bench.summarize([full, reuse])
    (spacy,) = [g for g in summary if g["system"] == "spacy"]
    assert len(spacy["runs"]) == 1 and spacy["runs"][0]["source"] == "results.json"
    assert spacy["stats"]["dep_las"]["mean"] == pytest.approx(0.77)
    (fp,) = [g for g in summary if g["system"] == "fastpipe"]
    assert [r["source"] for r in fp["runs"]] == ["train.log", "train.log"]


def test_command_line_prints_and_writes_json_and_refuses_other_folders(tmp_path):
    out = _run_dir(tmp_path, "run", "fastpipe", 3, log=_fp_log(80.0, 60.0))
    proc = subprocess.run([sys.executable, str(SCRIPT), str(out), "--json",
                           str(tmp_path / "s.json")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "seed 3" in proc.stdout and "LAS                80.00" in proc.stdout
    (group,) = json.loads((tmp_path / "s.json").read_text())
    assert group["runs"][0]["best"]["dep_las"] == pytest.approx(0.80)
    (tmp_path / "empty").mkdir()
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "empty")],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "not a bench_budget OUT folder" in proc.stderr
