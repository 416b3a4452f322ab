#!/usr/bin/env python
"""Memory over a long run: resident memory (RSS) every 100,000 documents of ever-new words,
with and without memory zones; or where a training run's memory goes.

    python bin/bench_memory.py [--docs 1000000] [--words 10] [--zone-size 10000] [--model PATH]
    python bin/bench_memory.py --train CONFIG [--steps 200] [fastpipe train overrides...]

Each document is ``--words`` random lower-case words that no earlier document used, so without
a zone every word adds a lexeme, its strings and a tokenizer cache entry for good. Each mode runs
in a fresh process over the same documents: ``nlp.pipe(texts)`` keeping nothing, then
``nlp.pipe(texts, zone_size=N)``. The pipeline is ``fastpipe.blank("en")`` unless ``--model``
names a saved one. Prints a table and, for the zone run, how far RSS moved after its first
checkpoint (flat: within 10%).

``--train`` runs ``fastpipe train CONFIG`` (no output folder; the other arguments are its
overrides, e.g. ``--paths.train X --paths.dev Y``) in this process for ``--steps`` steps and
prints the RSS, the peak so far and the bytes pooled in the ops workspace (the reused work
arrays, ``fastpipe.ml.ops.Workspace``) after initialization and around every evaluation: the
peak of a training run is where these jump.
"""
import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

EVERY = 100_000


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)


def novel_texts(n_docs: int, n_words: int, seed: int = 0):
    """Documents of words never seen before: a counter spelled in letters, salted so the
    words look like words (random lengths and letters) and never repeat."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    serial = 0
    for _ in range(n_docs):
        words = []
        for _ in range(n_words):
            serial += 1
            stem, n = [], serial
            while n:
                n, r = divmod(n, 26)
                stem.append(letters[r])
            salt = "".join(rng.choice(letters) for _ in range(rng.randint(2, 5)))
            words.append(salt + "".join(stem))
        yield " ".join(words)


def run_one(args) -> None:
    """One mode in this process: print a JSON line of (docs, RSS MB) checkpoints."""
    import fastpipe

    nlp = fastpipe.load(args.model) if args.model else fastpipe.blank("en")
    texts = novel_texts(args.docs, args.words)
    points = [(0, rss_mb())]
    start = time.perf_counter()
    n_tokens = 0
    for i, doc in enumerate(nlp.pipe(texts, zone_size=args.zone_size if args.zoned else 0), 1):
        n_tokens += len(doc)
        if i % EVERY == 0:
            points.append((i, rss_mb()))
    elapsed = time.perf_counter() - start
    print(json.dumps({"points": points, "seconds": elapsed, "tokens": n_tokens,
                      "strings": len(nlp.vocab.strings), "lexemes": len(nlp.vocab)}))


def peak_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def run_training(config: str, steps: int, overrides) -> None:
    """``fastpipe train`` in this process, with a line of memory figures at each phase."""
    from fastpipe.cli.train import train_from_config
    from fastpipe.config import parse_config_overrides
    from fastpipe.language import Language
    from fastpipe.ml.ops import fastpipe_ops
    from fastpipe.training import initialize

    def report(phase: str) -> None:
        pools = fastpipe_ops().workspace._pool.values()
        pooled = sum(buf.nbytes for bufs in pools for buf in bufs) / 2**20
        print(f"{phase:<28}{rss_mb():>9.1f}{peak_mb():>9.1f}{pooled:>11.1f}", flush=True)

    init_nlp, evaluate = initialize.init_nlp, Language.evaluate

    def init_reported(*args, **kwargs):
        nlp = init_nlp(*args, **kwargs)
        report("initialized")
        return nlp

    def evaluate_reported(self, *args, **kwargs):
        report("before evaluation")
        scores = evaluate(self, *args, **kwargs)
        report("after evaluation")
        return scores

    initialize.init_nlp, Language.evaluate = init_reported, evaluate_reported
    settings = parse_config_overrides(list(overrides))
    settings["training.max_steps"] = steps
    print(f"{'phase':<28}{'RSS MB':>9}{'peak MB':>9}{'pooled MB':>11}")
    report("start")
    train_from_config(config, None, overrides=settings)
    report("end")


def main():
    if "--train" in sys.argv[1:]:
        train_parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        train_parser.add_argument("--train", required=True, help="a training config")
        train_parser.add_argument("--steps", type=int, default=200)
        args, overrides = train_parser.parse_known_args()
        return run_training(args.train, args.steps, overrides)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=10)
    parser.add_argument("--zone-size", type=int, default=10_000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--zoned", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return run_one(args)
    results = {}
    for zoned in (False, True):
        command = [sys.executable, str(Path(__file__).resolve()), "--one", "--docs", str(args.docs),
                   "--words", str(args.words), "--zone-size", str(args.zone_size)]
        command += ["--model", args.model] if args.model else []
        command += ["--zoned"] if zoned else []
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[zoned] = json.loads(out.strip().splitlines()[-1])
    print(f"{args.docs} documents of {args.words} new words each; RSS in MB")
    print(f"{'documents':>10} {'no zone':>10} {'zone ' + str(args.zone_size):>12}")
    for (n, plain), (_, zoned) in zip(results[False]["points"], results[True]["points"]):
        print(f"{n:>10} {plain:>10.1f} {zoned:>12.1f}")
    for zoned in (False, True):
        r = results[zoned]
        print(f"{'zone' if zoned else 'no zone'}: {r['tokens'] / r['seconds']:.0f} tokens/s, "
              f"{r['strings']} strings and {r['lexemes']} lexemes at the end")
    zone_rss = [rss for n, rss in results[True]["points"] if n >= EVERY]
    if len(zone_rss) >= 2:
        spread = (max(zone_rss) - min(zone_rss)) / min(zone_rss)
        print(f"zone run after {EVERY} documents: {min(zone_rss):.1f}-{max(zone_rss):.1f} MB, "
              f"spread {spread:.1%} ({'flat' if spread <= 0.10 else 'NOT flat'} within 10%)")


if __name__ == "__main__":
    main()
