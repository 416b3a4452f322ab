"""Write a span-categorization task built from English-EWT: overlapping labelled spans in
doc.spans["sc"], as .fastpipe and .spacy corpora (the same Docs), for training and comparing
spancat.

Each Doc (ten sentences, as `fastpipe convert` groups them) gets:

* every entity of the treebank's NER layer, labelled PER, LOC or ORG;
* for each entity, the base noun phrase around it, labelled NP, when it is longer than the
  entity: from the entity's root token, climb to the head while the token is a compound,
  flat, possessive, adjectival or numeric modifier of a NOUN or PROPN; the phrase is that head
  with its determiners, modifiers, possessives (with their "'s") and compounds, never
  prepositional phrases, clauses, conjuncts or punctuation: "the [US] army", "[Arafat]'s
  death" give entity-in-NP overlaps.

Source: ../shared/data/en_ewt (Universal Dependencies English-EWT with Universal NER's entities),
CC BY-SA 4.0; see that folder's README for citations. The corpora written are derived from it
and carry the same licence.

    python bin/make_span_task.py [--data ../shared/data/en_ewt] [--output corpus/spans]
"""
import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastpipe.cli.convert import convert_file  # noqa: E402
from fastpipe.tokens import DocBin  # noqa: E402
from fastpipe.tokens.span import Span  # noqa: E402

SPANS_KEY = "sc"
#: Relations by which an entity modifies the noun it hangs on inside one base noun phrase.
CLIMB = {"compound", "flat", "flat:foreign", "nmod:poss", "amod", "nummod"}
#: The relations a base noun phrase is made of: its head's determiners and modifiers, and
#: (below the head) a possessive's "'s".
INSIDE_NP = CLIMB | {"det", "det:poss", "fixed"}
NOMINAL = {"NOUN", "PROPN"}


def noun_phrase(heads, deps, pos, children, start: int, end: int):
    """(start, end) of the noun phrase around tokens start..end-1, or None; ``heads``, ``deps``,
    ``pos`` and ``children`` per token."""
    inside = range(start, end)
    root = next((i for i in inside if not start <= heads[i] < end), start)
    node = root
    while deps[node] in CLIMB and heads[node] != node and pos[heads[node]] in NOMINAL:
        node = heads[node]
    if node == root:
        return None
    lo = hi = node
    stack = [node]
    while stack:  # the head's descendants through noun-phrase relations only
        current = stack.pop()
        for child in children[current]:
            if deps[child] in INSIDE_NP or (deps[child] == "case" and current != node):
                lo, hi = min(lo, child), max(hi, child)
                stack.append(child)
    lo, hi = min(lo, start), max(hi, end - 1)
    return (lo, hi + 1) if (lo, hi + 1) != (start, end) else None


def add_spans(doc, counts: Counter) -> None:
    heads = (numpy.arange(len(doc)) + doc.to_array("HEAD").astype(numpy.int64)).tolist()
    deps = [t.dep_ for t in doc]
    pos = [t.pos_ for t in doc]
    children = {i: [] for i in range(len(doc))}
    for i, h in enumerate(heads):
        if h != i:
            children[h].append(i)
    spans = []
    for ent in doc.ents:
        spans.append(Span(doc, ent.start, ent.end, label=ent.label_))
        counts[ent.label_] += 1
        np_span = noun_phrase(heads, deps, pos, children, ent.start, ent.end)
        if np_span is not None and all((s.start, s.end) != np_span for s in spans if s.label_ == "NP"):
            spans.append(Span(doc, np_span[0], np_span[1], label="NP"))
            counts["NP"] += 1
    doc.spans[SPANS_KEY] = spans


def make_split(source: Path, output_dir: Path, n_sents: int = 10) -> str:
    """Write ``output_dir/<source stem>.fastpipe`` and ``.spacy`` with the spans; returns a line
    of counts."""
    with tempfile.TemporaryDirectory() as tmp:
        converted = convert_file(source, tmp, n_sents=n_sents)["output"]
        docs = list(DocBin().from_disk(converted).get_docs(_vocab()))
    counts, lengths = Counter(), Counter()
    for doc in docs:
        add_spans(doc, counts)
        lengths.update(min(len(s), 4) for s in doc.spans[SPANS_KEY])
    for suffix in ("fastpipe", "spacy"):
        DocBin(docs=docs).to_disk(output_dir / f"{Path(source).stem}.{suffix}")
    shown = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
    by_length = ", ".join(f"{'4+' if n == 4 else n}: {c}" for n, c in sorted(lengths.items()))
    return (f"{len(docs)} docs, {sum(len(d) for d in docs)} words; spans {shown}; "
            f"by length {by_length}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "en_ewt")
    parser.add_argument("--output", type=Path, default=Path("corpus/spans"))
    parser.add_argument("--n-sents", type=int, default=10)
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        source = args.data / f"en_ewt-ud-{split}.conllu"
        line = make_split(source, args.output, args.n_sents)
        for suffix in ("fastpipe", "spacy"):  # train.fastpipe, dev.spacy...
            (args.output / f"{source.stem}.{suffix}").replace(args.output / f"{split}.{suffix}")
        print(f"{split}: {line}")


def _vocab():
    import fastpipe

    return fastpipe.blank("en").vocab


if __name__ == "__main__":
    main()
