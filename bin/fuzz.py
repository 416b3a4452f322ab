#!/usr/bin/env python
"""Long fuzzing runs of the properties tests/fuzz checks in CI, over many more inputs.

    python bin/fuzz.py --target conllu --inputs 1000000 [--start 0] [--seconds 600]
    python bin/fuzz.py --target fastpipe --seed 123456    # replay one input, with its traceback

Targets: tokenizer, fastpipe, spacy, conllu, config (see tests/fuzz/properties.py). Input i is
made from ``random.Random(i)``, so a failure's seed replays it exactly; CI runs seeds 0 up to a
few thousand, so long runs start past them (``--start``). A failure is an input the code under
test answered with an exception other than its coded error, a result that is not whole, or
(``--max-rss-mb``) a rise of the process's peak memory: each is printed with its seed.
"""
import argparse
import random
import re
import resource
import sys
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.properties import TARGETS, Target, temp_dir  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replay(target: Target, seed: int) -> int:
    try:
        made = target.run(random.Random(seed))
    except AssertionError:
        traceback.print_exc()
        return 1
    print(f"seed {seed}: passes; the input was {made!r:.2000}")
    return 0


def kind(message: str) -> str:
    """A failure's kind: its first line with quoted values and numbers blanked."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", message.splitlines()[0] if message else "")[:100]


def run(target: Target, start: int, inputs: int, seconds: float, max_rss_mb: float) -> int:
    kinds = {}  # kind -> [count, first seed]
    baseline = peak_rss_mb()
    began = last = time.perf_counter()
    tried = 0

    def fail(seed, message):
        seen = kinds.setdefault(kind(message), [0, seed])
        seen[0] += 1
        if seen[0] == 1:  # each kind once, as it is first met
            print(f"FAIL seed {seed}: {message[:500]}", flush=True)

    for seed in range(start, start + inputs):
        try:
            target.run(random.Random(seed))
        except AssertionError as err:
            fail(seed, str(err))
        tried += 1
        if peak_rss_mb() - baseline > max_rss_mb:
            fail(seed, f"peak memory rose {peak_rss_mb() - baseline:.0f} MB")
            baseline = peak_rss_mb()
        now = time.perf_counter()
        if now - last > 30:
            failures = sum(count for count, _ in kinds.values())
            print(f"  {tried:,} inputs, {failures} failures, {tried / (now - began):,.0f}/s", flush=True)
            last = now
        if now - began > seconds:
            break
    elapsed = time.perf_counter() - began
    failures = sum(count for count, _ in kinds.values())
    print(f"{target.name}: {tried:,} inputs (seeds {start}..{start + tried - 1}) in {elapsed:.0f} s, "
          f"{failures} failures of {len(kinds)} kinds, peak RSS {peak_rss_mb():.0f} MB")
    for name, (count, seed) in sorted(kinds.items(), key=lambda item: -item[1][0]):
        print(f"  {count:,} x {name} (first: seed {seed})")
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=TARGETS, required=True)
    parser.add_argument("--inputs", type=int, default=1_000_000, help="how many inputs to try")
    parser.add_argument("--start", type=int, default=100_000, help="the first seed")
    parser.add_argument("--seconds", type=float, default=float("inf"), help="stop after this long")
    parser.add_argument("--seed", type=int, help="replay this one input and show its traceback")
    parser.add_argument("--max-rss-mb", type=float, default=512,
                        help="a rise of peak memory larger than this is a failure")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    target = Target(args.target, temp_dir())
    if args.seed is not None:
        return replay(target, args.seed)
    return run(target, args.start, args.inputs, args.seconds, args.max_rss_mb)


if __name__ == "__main__":
    sys.exit(main())
