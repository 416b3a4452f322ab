#!/usr/bin/env python
"""Speed of building training examples: Example.from_dict plus alignment, examples per second.

    python bin/bench_examples.py [CONLLU] [--rounds 3] [--gold]

Every sentence of the CoNLL-U file becomes an annotation dict (words, spaces, tags, POS, lemmas,
heads, dependency labels, sentence starts and the entities of the MISC NER= column as BILUO
tags). The predicted Docs are tokenized once, outside the timing. Timed: Example.from_dict for
every sentence and the alignment of its two tokenizations (x2y and y2x). spaCy 3.8 is measured
the same way when it is installed (same dicts, same predicted tokenization by its own tokenizer).

With --gold, also the gold values a training step reads from each example, in examples per
second: get_aligned("TAG") (tagger), get_aligned_parse() (parser, projectivized) and
get_aligned_ner() (entity recognizer), each over examples built and aligned beforehand.
"""
import argparse
import platform
import sys
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "en_ewt" / "en_ewt-ud-train.conllu"


def read_conllu(path):
    """(text, annotations) per sentence; multiword tokens become their words."""
    if not path.is_file():
        sys.exit(f"error: {path} not found")
    sents = []
    text = None
    rows = []
    mwt_end = 0
    mwt_space = True
    for line in path.read_text(encoding="utf8").splitlines() + [""]:
        if not line:
            if rows:
                sents.append((text, _annotations(rows)))
            rows, text, mwt_end = [], None, 0
            continue
        if line.startswith("# text = "):
            text = line[len("# text = "):]
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "." in cols[0]:
            continue
        if "-" in cols[0]:
            mwt_end = int(cols[0].split("-")[1])
            mwt_space = "SpaceAfter=No" not in cols[9]
            continue
        idx = int(cols[0])
        if mwt_end and idx < mwt_end:
            space = False
        elif mwt_end and idx == mwt_end:
            space = mwt_space
        else:
            space = "SpaceAfter=No" not in cols[9]
        ner = next((f[4:] for f in cols[9].split("|") if f.startswith("NER=")), None)
        rows.append((cols[1], space, cols[2], cols[3], cols[4], int(cols[6]), cols[7], ner))
    return sents


def _annotations(rows):
    n = len(rows)
    iob = [r[7] for r in rows]
    ann = {
        "words": [r[0] for r in rows],
        "spaces": [r[1] for r in rows],
        "lemmas": [r[2] for r in rows],
        "pos": [r[3] for r in rows],
        "tags": [r[4] for r in rows],
        "heads": [r[5] - 1 if r[5] > 0 else i for i, r in enumerate(rows)],
        "deps": [r[6] for r in rows],
        "sent_starts": [i == 0 for i in range(n)],
    }
    if all(t is not None for t in iob):
        ann["entities"] = _iob2_to_biluo(iob)
    return ann


def _iob2_to_biluo(tags):
    out = []
    for i, tag in enumerate(tags):
        if tag == "O":
            out.append("O")
            continue
        label = tag[2:]
        nxt = tags[i + 1] if i + 1 < len(tags) else "O"
        cont = nxt == f"I-{label}"
        if tag.startswith("B-"):
            out.append(("B-" if cont else "U-") + label)
        else:
            out.append(("I-" if cont else "L-") + label)
    return out


def measure(example_cls, docs, anns, rounds):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for doc, ann in zip(docs, anns):
            eg = example_cls.from_dict(doc, ann)
            eg.alignment.x2y
        best = min(best, time.perf_counter() - start)
    return len(docs) / best


GOLD_READS = (
    ("get_aligned", lambda eg: eg.get_aligned("TAG", as_string=True)),
    ("get_aligned_parse", lambda eg: eg.get_aligned_parse(projectivize=True)),
    ("get_aligned_ner", lambda eg: eg.get_aligned_ner()),
)


def measure_gold(example_cls, docs, anns, rounds):
    """Examples per second of each gold read, best of ``rounds``."""
    examples = [example_cls.from_dict(doc, ann) for doc, ann in zip(docs, anns)]
    for eg in examples:
        _ = eg.alignment  # computed here, outside the timing
    speeds = {}
    for name, read in GOLD_READS:
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            for eg in examples:
                read(eg)
            best = min(best, time.perf_counter() - start)
        speeds[name] = len(examples) / best
    return speeds


def report_gold(system, speeds):
    for name, speed in speeds.items():
        print(f"  {system:8} {name:18}: {speed:>10,.0f} examples/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conllu", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gold", action="store_true", help="also time the gold reads of a training step")
    args = parser.parse_args()
    sents = read_conllu(args.conllu)
    texts = [t for t, _ in sents]
    anns = [a for _, a in sents]
    print(f"{len(sents):,} sentences from {args.conllu}")
    print(f"machine: {platform.machine()}, python {platform.python_version()}")

    import fastpipe
    from fastpipe.gold.example import Example

    nlp = fastpipe.blank("en")
    docs = [nlp.tokenizer(t) for t in texts]
    ours = measure(Example, docs, anns, args.rounds)
    print(f"fastpipe {fastpipe.__version__:>8}: {ours:>10,.0f} examples/s")
    if args.gold:
        report_gold("fastpipe", measure_gold(Example, docs, anns, args.rounds))
    try:
        import spacy
        from spacy.training import Example as SpacyExample
    except ImportError:
        print("spaCy is not installed: no comparison")
        return
    snlp = spacy.blank("en")
    sdocs = [snlp.make_doc(t) for t in texts]
    theirs = measure(SpacyExample, sdocs, anns, args.rounds)
    print(f"spaCy    {spacy.__version__:>8}: {theirs:>10,.0f} examples/s")
    if args.gold:
        report_gold("spaCy", measure_gold(SpacyExample, sdocs, anns, args.rounds))
    print(f"ratio fastpipe / spaCy: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
