#!/usr/bin/env python
"""Several bench_budget runs of the same configs with different seeds: the mean and spread of
each system's best dev scores.

One 45-minute run per config cannot tell a 1-point difference from the seed: on EWT the best
dev entities F of one fastpipe config moved by 3.5 points between seeds 0 and 1. Give this
script the OUT folders of several ``bin/bench_budget.py`` runs (full runs, ``--spacy-from``
runs or ``--train-only`` runs); it groups the runs by system and config (the config with its
seed and the benchmark's own logger left out) and prints, for each group, the mean, standard
deviation (n - 1), lowest and highest of each metric's best dev score, then each fastpipe
group's mean against each spaCy group's.

A run counts for a system only where that system trained in its OUT (``OUT/<system>/train.log``
exists), so a spaCy run reused through ``--spacy-from`` counts once. Scores come from OUT's
``results.json`` (bench_budget's scorer, the same for both systems) where that system was
scored there, and otherwise from the dev rows of its own ``train.log`` (each system's
training-loop scores: fastpipe's follow spaCy's definitions); each run's source is printed.

    python bin/bench_seeds.py runs/seed0 runs/seed1 runs/seed2 [--json summary.json]
"""
import argparse
import json
import math
import sys
from pathlib import Path

from thinc.api import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_budget as bb  # noqa: E402  (its metric names, labels and best_per_metric)

SYSTEMS = bb.SYSTEMS
#: The train.log columns of each metric, and the names bench_budget's results use.
LOG_COLUMNS = {"TAG_ACC": "tag_acc", "DEP_UAS": "dep_uas", "DEP_LAS": "dep_las",
               "SENTS_F": "sents_f", "ENTS_F": "ents_f", "CATS_SCORE": "cats_score"}
LABELS = bb.LABELS


def read_log_scores(log: Path) -> list:
    """The dev rows of a training table (fastpipe's or spaCy's ``train.log``): one dict per
    evaluation as bench_budget's curves hold it: ``step`` and ``scores`` (the metrics in
    LOG_COLUMNS, as fractions)."""
    columns, rows = None, []
    for line in log.read_text(encoding="utf8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[0] == "E" and fields[1] == "#":
            # "LOSS TOK2VEC" is one column written as two words
            columns, i = [], 0
            while i < len(fields):
                if fields[i] == "LOSS" and i + 1 < len(fields):
                    columns.append(f"LOSS {fields[i + 1]}")
                    i += 2
                else:
                    columns.append(fields[i])
                    i += 1
            continue
        if columns is None or len(fields) != len(columns) or not fields[0].isdigit() \
                or not fields[1].isdigit():
            continue
        try:
            values = [float(v) for v in fields]
        except ValueError:
            continue
        rows.append({"step": int(fields[1]),
                     "scores": {LOG_COLUMNS[c]: v / 100 for c, v in zip(columns, values)
                                if c in LOG_COLUMNS}})
    return rows


def seed_and_key(path: Path) -> tuple:
    """The config's seed, and the config as it trains (variables filled in, so that
    ``${components.tok2vec.model.embed.width}`` and the 256 it stands for are the same config)
    without its seeds and bench_budget's logger (whose folder names the run): runs with equal
    keys are the same config. The seed is ``[training] seed`` (what training uses; spaCy's and
    fastpipe's configs set it to ``${system.seed}``), else ``[system] seed``."""
    config = Config().from_str(path.read_text(encoding="utf8"), interpolate=True)
    system_seed = config.get("system", {}).pop("seed", None)
    training_seed = config.get("training", {}).pop("seed", None)
    config.get("training", {}).pop("logger", None)
    seed = training_seed if training_seed is not None else system_seed
    return seed, config.to_str()


def load_run(out: Path, system: str):
    """One system's run in ``out``: its best dev score of each metric and where they came from;
    None where that system did not train there."""
    folder = out / system
    log = folder / "train.log"
    if not log.exists():
        return None
    curve, source = [], None
    results = out / "results.json"
    if results.exists():
        scored = json.loads(results.read_text(encoding="utf8")).get("systems", {}).get(system)
        if scored and scored.get("curve"):
            curve = scored["curve"]
            source = "results.json"
    if not curve:
        curve = read_log_scores(log)
        source = "train.log"
    if not curve:
        raise SystemExit(f"{log}: no dev evaluations in it, and no scores in {results}")
    best = {m: v for m, v in bb.best_per_metric(curve, LABELS).items() if v is not None}
    seed, key = seed_and_key(folder / "config.cfg")
    return {"out": str(out), "system": system, "seed": seed, "key": key, "source": source,
            "steps": max(p["step"] for p in curve), "best": best}


def stats(values: list) -> dict:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return {"n": n, "mean": mean, "sd": sd, "min": min(values), "max": max(values)}


def summarize(outs: list) -> list:
    """Groups of runs (same system and config) with their per-metric statistics."""
    groups = {}
    for out in outs:
        found = False
        for system in SYSTEMS:
            run = load_run(out, system)
            if run is None:
                continue
            found = True
            groups.setdefault((system, run["key"]), []).append(run)
        if not found:
            raise SystemExit(f"{out}: no spacy/train.log or fastpipe/train.log: not a "
                             "bench_budget OUT folder")
    summary = []
    for (system, _), runs in groups.items():
        metrics = [m for m in LABELS if all(m in r["best"] for r in runs)]
        summary.append({"system": system, "runs": runs,
                        "stats": {m: stats([r["best"][m] for r in runs]) for m in metrics}})
    for number, group in enumerate(summary, 1):
        group["name"] = f"{group['system']} #{number}"
    return summary


def _cell(value, digits=2):
    return "-" if value is None else f"{100 * value:.{digits}f}"


def report(summary: list) -> str:
    lines = []
    for group in summary:
        lines.append(f"{group['name']}: {len(group['runs'])} run(s)")
        for run in group["runs"]:
            scores = ", ".join(f"{LABELS[m]} {_cell(v)}" for m, v in run["best"].items())
            lines.append(f"  seed {run['seed']}  {run['out']}  ({run['source']}, "
                         f"{run['steps']} steps): {scores}")
        lines.append(f"  {'best dev':<16} {'mean':>7} {'sd':>6} {'min':>7} {'max':>7}")
        for metric, s in group["stats"].items():
            lines.append(f"  {LABELS[metric]:<16} {_cell(s['mean']):>7} {_cell(s['sd']):>6} "
                         f"{_cell(s['min']):>7} {_cell(s['max']):>7}")
    spacy = [g for g in summary if g["system"] == "spacy"]
    fastpipe = [g for g in summary if g["system"] == "fastpipe"]
    for base in spacy:
        for other in fastpipe:
            metrics = [m for m in other["stats"] if m in base["stats"]]
            diffs = ", ".join(f"{LABELS[m]} {100 * (other['stats'][m]['mean'] - base['stats'][m]['mean']):+.2f}"
                              for m in metrics)
            lines.append(f"{other['name']} - {base['name']} (means): {diffs}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outs", nargs="+", type=Path, metavar="OUT",
                        help="bench_budget.py --out folders, one run (seed) each")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    for out in args.outs:
        if not out.is_dir():
            parser.error(f"{out}: no such folder")
    summary = summarize(args.outs)
    print(report(summary))
    if args.json:
        for group in summary:
            for run in group["runs"]:
                run.pop("key")
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf8")


if __name__ == "__main__":
    sys.exit(main())
