"""Write en_ewt-{train,dev}-slice.conllu: the sentences of the whole EWT files (in
../shared/data/en_ewt, see its README) that the first-N samples lack and the real-data tests
look for: non-projective trees (including those the pseudo-projective round trip cannot
restore), the sentences without entity annotation, empty nodes, goeswith parts, the word "_",
long sentences. Whole sentence blocks are copied verbatim (comments included), in file order.

    python examples/data/make_ewt_slices.py [SHARED_EWT_FOLDER]
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data" / "en_ewt"


def blocks(path):
    """The sentence blocks of a CoNLL-U file, each a list of lines without newlines."""
    block = []
    for line in path.read_text(encoding="utf8").splitlines():
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def words(block):
    return [line.split("\t") for line in block
            if not line.startswith("#") and line.split("\t")[0].isdigit()]


def heads(block):
    """0-based heads, a root pointing at itself."""
    return [int(c[6]) - 1 if c[6] != "0" else i for i, c in enumerate(words(block))]


def crosses(heads):
    """True when some arc has a token between its ends that its head does not dominate."""
    def dominated(token, head):
        seen = set()
        while token != head and heads[token] != token and token not in seen:
            seen.add(token)
            token = heads[token]
        return token == head

    for dep, head in enumerate(heads):
        if head == dep:
            continue
        lo, hi = sorted((dep, head))
        if any(not dominated(k, head) for k in range(lo + 1, hi)):
            return True
    return False


def round_trip_inexact(block):
    from fastpipe.gold.nonproj import deprojectivize, projectivize

    h = heads(block)
    labels = [c[7] for c in words(block)]
    return deprojectivize(*projectivize(h, labels)) != (h, labels)


def select(all_blocks, rules):
    """Indices chosen by (predicate, how many) rules, in file order."""
    chosen = set()
    for predicate, limit in rules:
        found = [i for i, b in enumerate(all_blocks) if i not in chosen and predicate(b)]
        chosen.update(found[:limit])
    return sorted(chosen)


def has_ner(block):
    return any("NER=" in c[9] for c in words(block))


def write(path, all_blocks, indices):
    text = "\n\n".join("\n".join(all_blocks[i]) for i in indices) + "\n\n"
    path.write_text(text, encoding="utf8")
    print(f"{path.name}: {len(indices)} sentences")


def main(source: Path = DEFAULT_SOURCE):
    nonproj = lambda b: crosses(heads(b))  # noqa: E731
    common = [
        (lambda b: any("." in line.split("\t")[0] for line in b if not line.startswith("#")), 10),
        (lambda b: any(c[7] == "goeswith" for c in words(b)), 10),
        (lambda b: any(c[1] == "_" for c in words(b)), 5),
        (lambda b: len(words(b)) > 60, 5),
    ]
    train = list(blocks(source / "en_ewt-ud-train.conllu"))
    missing = [i for i, b in enumerate(train) if not has_ner(b)]
    around = {j for i in missing for j in (i - 1, i, i + 1) if 0 <= j < len(train)}
    indices = select(train, [(lambda b: nonproj(b) and round_trip_inexact(b), 40),
                             (nonproj, 40)] + common)
    write(HERE / "en_ewt-train-slice.conllu", train, sorted(set(indices) | around))
    dev = list(blocks(source / "en_ewt-ud-dev.conllu"))
    write(HERE / "en_ewt-dev-slice.conllu", dev, select(dev, [(nonproj, 40)] + common))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
