#!/usr/bin/env python
"""Does pretraining help? fastpipe's efficiency tagger+parser+ner on EWT, with and without a
tok2vec pretrained on raw text.

    python bin/bench_pretrain.py [--epochs 3] [--steps 2000] [--eval-frequency 500]
        [--seeds 0,1] [--raw-lines N] [--keep DIR]

The raw text is every ``# text =`` line of the EWT training file and every sentence of SST-2's
training file (../shared/data, see its README), one ``{"text": ...}`` line each (the first
``--raw-lines`` of them when given, for a quick try). The config is
``fastpipe init config -p tagger,parser,ner -o efficiency`` filled by ``init fill-config
--pretraining`` (spaCy's [pretraining] defaults: characters objective, batches of 3000 words).
``fastpipe pretrain`` runs ``--epochs`` epochs with seed 0; then ``fastpipe train`` runs
``--steps`` steps on EWT train (``fastpipe convert``) for each seed, without and with
``--initialize.init_tok2vec`` set to the last epoch's weights. Each command is a fresh process
on one BLAS thread; the script prints each one's CPU time and the dev scores of every
evaluation from its ``training_log.jsonl``, and the means over the seeds.
"""
import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EWT_TRAIN = DATA / "en_ewt" / "en_ewt-ud-train.conllu"
EWT_DEV = DATA / "en_ewt" / "en_ewt-ud-dev.conllu"
SST2_TRAIN = DATA / "sst2" / "train.tsv"
SCORES = ("tag_acc", "dep_uas", "dep_las", "ents_f")


def fastpipe(*args, log: Path) -> float:
    """Run ``python -m fastpipe ARGS`` on one thread, output to ``log``; its CPU seconds."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "w") as out:
        code = subprocess.call([sys.executable, "-m", "fastpipe", *map(str, args)], env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code:
        sys.exit(f"fastpipe {args[0]} failed (exit {code}); see {log}")
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def raw_texts():
    for line in open(EWT_TRAIN, encoding="utf8"):
        if line.startswith("# text = "):
            yield line[len("# text = "):].rstrip("\n")
    with open(SST2_TRAIN, encoding="utf8") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        column = next(rows).index("sentence")
        for row in rows:
            yield row[column]


def write_raw_text(path: Path, limit: int) -> int:
    n = 0
    with open(path, "w", encoding="utf8") as out:
        for text in raw_texts():
            if limit and n >= limit:
                break
            out.write(json.dumps({"text": text}) + "\n")
            n += 1
    return n


def evaluations(output: Path):
    """{step: {score: value}} from a run's training_log.jsonl."""
    lines = (output / "training_log.jsonl").read_text(encoding="utf8").splitlines()
    return {entry["step"]: {k: entry["scores"].get(k) for k in SCORES}
            for entry in map(json.loads, lines)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--eval-frequency", type=int, default=500)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--raw-lines", type=int, default=0, help="only the first N texts")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder, kept")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_pretrain."))
    work.mkdir(parents=True, exist_ok=True)
    print(f"raw text: {write_raw_text(work / 'raw.jsonl', args.raw_lines):,} lines")
    for path in (EWT_TRAIN, EWT_DEV):
        fastpipe("convert", path, work, log=work / "convert.log")
    train, dev = (work / f"{p.stem}.fastpipe" for p in (EWT_TRAIN, EWT_DEV))
    fastpipe("init", "config", work / "base.cfg", "--lang", "en", "--pipeline",
             "tagger,parser,ner", "--optimize", "efficiency", log=work / "init.log")
    config = work / "pretrain.cfg"
    fastpipe("init", "fill-config", work / "base.cfg", config, "--pretraining",
             log=work / "fill.log")
    cpu = fastpipe("pretrain", config, work / "pretrained", "--paths.raw_text", work / "raw.jsonl",
                   "--pretraining.max_epochs", args.epochs, log=work / "pretrain.log")
    epochs = (work / "pretrained" / "log.jsonl").read_text().splitlines()
    print(f"pretrain: {args.epochs} epochs, {cpu:.1f} s CPU; loss a word by epoch: "
          + ", ".join(f"{e['epoch_loss'] / (e['nr_word'] / (e['epoch'] + 1)):.3f}"
                      for e in map(json.loads, epochs)))
    weights = work / "pretrained" / f"model{args.epochs - 1}.bin"
    results = {"without": [], "with": []}
    for seed in args.seeds.split(","):
        for name, extra in (("without", []), ("with", ["--initialize.init_tok2vec", weights])):
            output = work / f"train_{name}_{seed}"
            cpu = fastpipe("train", config, "--output", output, "--paths.train", train,
                           "--paths.dev", dev, "--training.max_steps", args.steps,
                           "--training.eval_frequency", args.eval_frequency,
                           "--system.seed", seed, *extra, log=work / f"{output.name}.log")
            scores = evaluations(output)
            results[name].append(scores)
            print(f"seed {seed} {name:7s} pretraining: {cpu:.1f} s CPU")
            for step, values in sorted(scores.items()):
                print(f"    step {step:5d}  " + "  ".join(f"{k} {v:.4f}" for k, v in values.items()))
    print("means over the seeds:")
    for step in sorted(results["without"][0]):
        for name in ("without", "with"):
            runs = [r[step] for r in results[name]]
            print(f"    step {step:5d} {name:7s}  " + "  ".join(
                f"{k} {sum(r[k] for r in runs) / len(runs):.4f}" for k in SCORES))
    if args.keep is None:
        print(f"(files in {work})")


if __name__ == "__main__":
    main()
