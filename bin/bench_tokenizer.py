#!/usr/bin/env python
"""Tokenizer speed: tokens per second over every sentence text of a CoNLL-U file.

    python bin/bench_tokenizer.py [CONLLU] [--lang en] [--rounds 5]

Each system tokenizes every `# text =` line once to warm up (filling its caches, as in any
real run), then the whole set `--rounds` times; the best round counts. When spaCy is installed
its English tokenizer is measured the same way in the same process, on the same texts, and the
ratio is printed. fastpipe never imports spaCy; only this script does, and only if present.
"""
import argparse
import platform
import sys
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "en_ewt" / "en_ewt-ud-train.conllu"


def read_texts(path: Path):
    if not path.is_file():
        sys.exit(f"error: {path} not found (pass a CoNLL-U file with '# text =' lines)")
    prefix = "# text = "
    with path.open(encoding="utf8") as f:
        texts = [line[len(prefix):].rstrip("\n") for line in f if line.startswith(prefix)]
    if not texts:
        sys.exit(f"error: {path} has no '# text =' lines")
    return texts


def measure(tokenize, texts, rounds):
    for text in texts:  # warm-up
        tokenize(text)
    best = float("inf")
    n_tokens = 0
    for _ in range(rounds):
        start = time.perf_counter()
        n_tokens = 0
        for text in texts:
            n_tokens += len(tokenize(text))
        best = min(best, time.perf_counter() - start)
    return n_tokens, best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conllu", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    texts = read_texts(args.conllu)
    print(f"{len(texts):,} texts from {args.conllu}")
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")

    import fastpipe

    nlp = fastpipe.blank(args.lang)
    n, secs = measure(nlp.tokenizer, texts, args.rounds)
    ours = n / secs
    print(f"fastpipe {fastpipe.__version__:>8}: {n:>9,} tokens in {secs:.3f}s = {ours:>12,.0f} tokens/s")
    try:
        import spacy
    except ImportError:
        print("spaCy is not installed: no comparison")
        return
    snlp = spacy.blank(args.lang)
    n, secs = measure(snlp.tokenizer, texts, args.rounds)
    theirs = n / secs
    print(f"spaCy    {spacy.__version__:>8}: {n:>9,} tokens in {secs:.3f}s = {theirs:>12,.0f} tokens/s")
    print(f"ratio fastpipe / spaCy: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
