#!/usr/bin/env python
"""Does a graph-based (biaffine) parser buy more than fastpipe's transition parser in the same
time? Both train at the same time, each pinned to its own core with one thread, for N minutes.

    python bin/bench_biaffine.py --minutes N [--optimize efficiency|accuracy]
        [--eval-frequency K] [--out DIR] [--corpora DIR]

Configs: ``fastpipe init config -p parser --optimize X`` (a tok2vec and the transition parser
listening to it) and the same config with the parser replaced by ``bin/biaffine.py``'s
``bench_biaffine_parser`` (same tok2vec, same listener, same training settings). Corpora:
bench_budget's EWT files (``.spacy`` made by ``spacy convert``; spaCy is needed only to make
them once). ``patience`` and ``max_steps`` are 0; no pipeline is saved. Each run's training
loop evaluates on EWT dev every K steps with fastpipe's scorer (spaCy's definitions: UAS/LAS
without punctuation, sentence F) and writes one JSON line per evaluation
(``fastpipe.JsonlLogger.v1``: step, the loop's seconds, scores); evaluation counts against
the budget of each (the biaffine parser decodes with Eisner's algorithm in numpy, so its
evaluations cost it more). Each run is stopped (SIGINT, SIGKILL after a grace) N minutes after
both started. Reported: best dev UAS, LAS and sentence F of each, the steps, and the minutes
each needs to reach dev LAS levels; written: ``OUT/results.json``.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
import bench_budget as bb  # noqa: E402  (corpora, the pinned training processes, levels)

RUNS = ("transition", "biaffine")
METRICS = ("dep_uas", "dep_las", "sents_f")
LABELS = {"dep_uas": "UAS", "dep_las": "LAS", "sents_f": "sentences F"}


def make_configs(out: Path, optimize: str) -> dict:
    from thinc.api import Config

    base = out / "base.cfg"
    subprocess.run([sys.executable, "-m", "fastpipe", "init", "config", str(base), "-l", "en",
                    "-p", "parser", "-o", optimize, "--force"], check=True,
                   capture_output=True, env=bb.child_env())
    configs = {}
    for run in RUNS:
        cfg = Config().from_disk(base, interpolate=False)
        if run == "biaffine":
            listener = cfg["components"]["parser"]["model"]["tok2vec"]
            cfg["components"]["parser"] = {
                "factory": "bench_biaffine_parser",
                "model": {"@architectures": "bench.Biaffine.v1", "arc_width": 128,
                          "label_width": 64, "max_distance": 20, "dropout": 0.1,
                          "tok2vec": listener}}
        cfg["training"]["logger"] = {"@loggers": "fastpipe.JsonlLogger.v1",
                                     "path": str(out / run / "scores.jsonl")}
        (out / run).mkdir(parents=True, exist_ok=True)
        configs[run] = out / run / "config.cfg"
        cfg.to_disk(configs[run])
    return configs


def command(config: Path, corpora: dict, eval_frequency: int) -> list:
    return [sys.executable, "-m", "fastpipe", "train", str(config), "--code",
            str(HERE.parent / "biaffine.py"), "--paths.train", str(corpora["train"]),
            "--paths.dev", str(corpora["dev"]), "--training.max_steps", "0",
            "--training.patience", "0", "--training.eval_frequency", str(eval_frequency)]


def read_curve(path: Path, limit_s: float) -> list:
    points = []
    if path.exists():
        for line in path.read_text(encoding="utf8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("seconds", 0) <= limit_s:
                scores = record.get("other_scores") or {}
                points.append({"step": record["step"], "seconds": record["seconds"],
                               "scores": {m: scores.get(m) for m in METRICS}})
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--optimize", choices=("efficiency", "accuracy"), default="efficiency")
    parser.add_argument("--eval-frequency", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench_biaffine_out"))
    parser.add_argument("--corpora", type=Path, help="bench_budget's corpora folder, to reuse")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    corpora = bb.make_corpora((args.corpora or out / "corpora").resolve())
    configs = make_configs(out, args.optimize)
    commands = {run: command(configs[run], corpora, args.eval_frequency) for run in RUNS}
    load_before = os.getloadavg()
    runs = bb.run_both(commands, out, args.minutes, grace=120.0)
    curves = {run: read_curve(out / run / "scores.jsonl", args.minutes * 60) for run in RUNS}
    best = {run: bb.best_per_metric(curves[run], METRICS) for run in RUNS}
    levels = bb.default_levels(best["transition"], ("dep_las",))
    rows = []
    for level in levels.get("dep_las", []):
        rows.append({"level": level, "minutes": {run: bb.minutes_to_level(curves[run], "dep_las",
                                                                          level) for run in RUNS}})
    results = {"minutes": args.minutes, "optimize": args.optimize,
               "eval_frequency": args.eval_frequency, "machine": bb.bsc.machine(),
               "load_average": {"before": load_before, "after": os.getloadavg()},
               "runs": runs, "curves": curves, "best_dev": best, "time_to_las": rows}
    (out / "results.json").write_text(json.dumps(results, indent=2))
    fmt = lambda v: "-" if v is None else f"{v * 100:.2f}"  # noqa: E731
    print(f"\n{args.minutes:g} minutes each, tok2vec + parser ({args.optimize}), one core each; "
          f"dev scores by fastpipe's scorer (spaCy's definitions)\n")
    print("| | transition | biaffine |\n|---|---|---|")
    print(f"| steps | {curves['transition'][-1]['step'] if curves['transition'] else '-'} | "
          f"{curves['biaffine'][-1]['step'] if curves['biaffine'] else '-'} |")
    for m in METRICS:
        print(f"| best dev {LABELS[m]} | {fmt(best['transition'][m])} | "
              f"{fmt(best['biaffine'][m])} |")
    for row in rows:
        cells = [("not reached" if row["minutes"][r] is None else f"{row['minutes'][r]:.1f}")
                 for r in RUNS]
        print(f"| minutes to dev LAS {row['level'] * 100:.2f} | {cells[0]} | {cells[1]} |")
    print(f"\nwrote {out / 'results.json'}")


if __name__ == "__main__":
    main()
