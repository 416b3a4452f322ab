"""Decode a trained pipeline's parser and ner greedily and with beams of several widths: the
scores on a corpus and the CPU time of each component (words per CPU second).

    python bin/bench_beam.py out/model-best corpus/dev.fastpipe --widths 1,4,8

The components' own beam settings are replaced for the run (``beam_width``; ``beam_density``
from --parser-density and --ner-density, spaCy's beam_parser and beam_ner defaults unless
given). The CPU time is the process's (time.process_time), the fastest of --repeat runs, so a loaded
machine slows the figures less than wall-clock time would.
"""
import argparse
import json
import time

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.tokens import Doc, DocBin

METRICS = ("tag_acc", "dep_uas", "dep_las", "sents_f", "ents_f")


def words_only(nlp, doc):
    """The gold tokens without annotation (as ``fastpipe evaluate`` scores them)."""
    return Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])


def run(nlp, examples, width, densities):
    for name, density in densities.items():
        if name in nlp.pipe_names:
            nlp.get_pipe(name).cfg.update(beam_width=width, beam_density=density)
    fresh = [Example(words_only(nlp, eg.reference), eg.reference) for eg in examples]
    docs = [eg.predicted for eg in fresh]
    cpu = {}
    for name, proc in nlp.pipeline:
        start = time.process_time()
        docs = list(proc.pipe(docs, batch_size=nlp.batch_size))
        cpu[name] = time.process_time() - start
    scores = {}
    for name, proc in nlp.pipeline:
        if hasattr(proc, "score"):
            scores.update(proc.score(fresh))
    n_words = sum(len(doc) for doc in docs)
    return {"width": width, **{m: round(scores[m], 4) for m in METRICS if m in scores},
            **{f"{name}_wps": round(n_words / max(t, 1e-9)) for name, t in cpu.items()
               if name in densities},
            "pipeline_wps": round(n_words / max(sum(cpu.values()), 1e-9))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("corpus")
    parser.add_argument("--widths", default="1,4,8")
    parser.add_argument("--parser-density", type=float, default=0.0001)
    parser.add_argument("--ner-density", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3, help="runs per width; the fastest "
                        "of each component's is reported")
    args = parser.parse_args()
    nlp = fastpipe.load(args.model)
    docs = list(DocBin().from_disk(args.corpus).get_docs(nlp.vocab))
    examples = [Example(words_only(nlp, doc), doc) for doc in docs]
    densities = {"parser": args.parser_density, "ner": args.ner_density}
    widths = [int(w) for w in args.widths.split(",")]
    run(nlp, examples[:50], widths[0], densities)  # warm-up: the first pass fills caches
    for width in widths:
        runs = [run(nlp, examples, width, densities) for _ in range(args.repeat)]
        best = {key: max(r[key] for r in runs) if key.endswith("_wps") else value
                for key, value in runs[0].items()}
        print(json.dumps(best), flush=True)


if __name__ == "__main__":
    main()
