"""Make the floret fixtures of tests/test_floret.py with spaCy, once: two tiny floret tables
(random numbers, written in floret's `.floret` text format) and, for each, the vectors spaCy
gives a list of words after `spacy init vectors --mode floret`. Not a test (pytest does not
collect it) and, with make_spacy_docbins.py, the only file under tests/ that imports spaCy: run
it by hand, in an environment with spaCy 3.x, from the repository root:

    python tests/data/make_floret_fixture.py

It rewrites tests/data/floret/*.floret.txt and tests/data/floret/spacy_vectors.json.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy
import spacy

HERE = Path(__file__).resolve().parent / "floret"
#: name: (rows, width, minn, maxn, hash_count, hash_seed, bow, eow); the first has floret's
#: recommended n-gram sizes and spaCy's seed, the second odd settings that a mistake in the
#: markers, the n-gram sizes or the hash words would show.
TABLES = {
    "common": (40, 5, 3, 5, 2, 2166136261, "<", ">"),
    "odd": (23, 3, 1, 3, 4, 7, "^", "$"),
}
#: Words to look up: short and long, accented, other scripts, an emoji (4 UTF-8 bytes), digits,
#: punctuation, the markers themselves inside a word, a space.
WORDS = ["the", "cat", "a", "I", "of", "Lovelace", "supercalifragilistic", "naïve", "Straße",
         "日本語", "мир", "😀ok", "2026", "e.g.", "<a>", "^x$", "x y", "!", "zzyzx"]
TEXT = "The cat sat on the zzyzx, naïvely."


def write_table(path: Path, settings, seed: int) -> None:
    rows, width, minn, maxn, hash_count, hash_seed, bow, eow = settings
    table = numpy.random.RandomState(seed).uniform(-1, 1, (rows, width))
    with path.open("w", encoding="utf8") as f:
        f.write(f"{rows} {width} {minn} {maxn} {hash_count} {hash_seed} {bow} {eow}\n")
        for i, row in enumerate(table):
            f.write(f"{i} " + " ".join(f"{x:.6f}" for x in row) + "\n")


def main() -> None:
    HERE.mkdir(exist_ok=True)
    out = {"spacy": spacy.__version__, "tables": {}}
    for seed, (name, settings) in enumerate(TABLES.items()):
        table = HERE / f"{name}.floret.txt"  # .txt: the sdist takes tests/**/*.txt
        write_table(table, settings, seed)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "spacy", "init", "vectors", "xx", str(table),
                            tmp, "--mode", "floret"], check=True, capture_output=True)
            nlp = spacy.load(tmp)
            vectors = nlp.vocab.vectors
            doc = nlp(TEXT)
            out["tables"][name] = {
                "settings": {key: getattr(vectors, key) for key in
                             ("minn", "maxn", "hash_count", "hash_seed", "bow", "eow")},
                "words": {word: vectors[word].tolist() for word in WORDS},
                "text": TEXT,
                "doc_words": [t.text for t in doc],
                "doc_vector": doc.vector.tolist(),
                "similarity": float(doc[1].similarity(doc[5])),
            }
    (HERE / "spacy_vectors.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf8")


if __name__ == "__main__":
    main()
