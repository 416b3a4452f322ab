"""The guide's Python side, written against spaCy v3's API with ``spacy`` replaced by
``fastpipe``: Examples built by hand (a reference Doc filled with ``from_array``, then
``Example.from_dict`` with tags and with BILUO entity tags) and an entity recognizer trained
with the internal API (``nlp.initialize``, ``nlp.update``, ``nlp.to_disk``), loaded back and run.

    python train_loop.py --n-iter 30 --output ner_model
"""
import argparse
import random
from pathlib import Path

import numpy

import fastpipe
from fastpipe.tokens import Doc
from fastpipe.training import Example
from fastpipe.util import fix_random_seed

# Invented sentences with the character offsets of their entities.
TRAIN_DATA = [
    ("Otters were seen near Bristol last spring", [(0, 6, "ANIMAL"), (22, 29, "CITY")]),
    ("A heron nests outside Leeds", [(2, 7, "ANIMAL"), (22, 27, "CITY")]),
    ("Visitors to Cardiff often spot a badger", [(12, 19, "CITY"), (33, 39, "ANIMAL")]),
    ("The fox crossed the road in Glasgow", [(4, 7, "ANIMAL"), (28, 35, "CITY")]),
    ("Dublin has a famous colony of seals", [(0, 6, "CITY"), (30, 35, "ANIMAL")]),
    ("We watched a kestrel hunt above York", [(13, 20, "ANIMAL"), (32, 36, "CITY")]),
    ("Nobody expected a beaver in Oxford", [(18, 24, "ANIMAL"), (28, 34, "CITY")]),
    ("The museum in Bath keeps a stuffed owl", [(14, 18, "CITY"), (35, 38, "ANIMAL")]),
]


def tag_example_from_array(vocab) -> Example:
    """An Example whose reference Doc gets its tags from a uint64 array of string ids."""
    words = ["Birds", "sing", "songs"]
    predicted = Doc(vocab, words=words)
    tags = ["NNS", "VBP", "NNS"]
    tag_ids = [vocab.strings.add(tag) for tag in tags]
    reference = Doc(vocab, words=words).from_array("TAG", numpy.array(tag_ids, dtype="uint64"))
    return Example(predicted, reference)


def tag_example_from_dict(nlp) -> Example:
    """The same kind of Example in one call: the annotations as a dict."""
    predicted = Doc(nlp.vocab, words=["Birds", "sing", "songs"])
    return Example.from_dict(predicted, {"tags": ["NNS", "VBP", "NNS"]})


def entity_example_from_biluo(nlp) -> Example:
    """Entities as one BILUO tag per token: U- a one-token entity, O outside any entity."""
    doc = Doc(nlp.vocab, words=["Ada", "wrote", "notes", "in", "London"])
    return Example.from_dict(doc, {"entities": ["U-PERSON", "O", "O", "O", "U-CITY"]})


def update_without_optimizer(n_updates: int = 5):
    """``nlp.update([example])`` with no ``sgd``: the first call makes an optimizer from the
    config, later calls keep stepping with it. Returns the NER loss of each update."""
    nlp = fastpipe.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "CITY"):
        ner.add_label(label)
    nlp.initialize()
    text = "Ada wrote notes in London"
    annotations = {"entities": ["U-PERSON", "O", "O", "O", "U-CITY"]}
    losses = []
    for _ in range(n_updates):
        example = Example.from_dict(nlp.make_doc(text), annotations)
        losses.append(nlp.update([example])["ner"])
    return losses


def train_ner(n_iter: int, output_dir: Path, seed: int = 0):
    """Train a blank English pipeline's entity recognizer on TRAIN_DATA and save it."""
    random.seed(seed)
    fix_random_seed(seed)
    nlp = fastpipe.blank("en")
    ner = nlp.add_pipe("ner")
    for _, entity_offsets in TRAIN_DATA:
        for _, _, label in entity_offsets:
            ner.add_label(label)
    optimizer = nlp.initialize()
    train_data = list(TRAIN_DATA)
    for itn in range(n_iter):
        random.shuffle(train_data)
        losses = {}
        for raw_text, entity_offsets in train_data:
            doc = nlp.make_doc(raw_text)
            example = Example.from_dict(doc, {"entities": entity_offsets})
            nlp.update([example], sgd=optimizer, drop=0.1, losses=losses)
        if itn % 10 == 0 or itn == n_iter - 1:
            print(f"iteration {itn}: ner loss {losses.get('ner', 0.0):.3f}")
    nlp.to_disk(output_dir)
    return nlp


def main():
    parser = argparse.ArgumentParser(
        description="Build Examples by hand, then train, save and load an entity recognizer.")
    parser.add_argument("--n-iter", type=int, default=30, help="passes over the training sentences")
    parser.add_argument("--output", type=Path, default=Path("ner_model"),
                        help="folder to save the pipeline in")
    args = parser.parse_args()

    nlp = fastpipe.blank("en")
    for make in (tag_example_from_array, tag_example_from_dict):
        example = make(nlp.vocab if make is tag_example_from_array else nlp)
        print(make.__name__, [(t.text, t.tag_) for t in example.reference])
    example = entity_example_from_biluo(nlp)
    print(entity_example_from_biluo.__name__, [(e.text, e.label_) for e in example.reference.ents])
    print("updates without sgd, ner loss:", " ".join(f"{x:.2f}" for x in update_without_optimizer()))

    train_ner(args.n_iter, args.output)
    loaded = fastpipe.load(args.output)
    for text in ("A heron nests outside Leeds", "Seals swim past Cardiff"):
        print(text, "->", [(ent.text, ent.label_) for ent in loaded(text).ents])


if __name__ == "__main__":
    main()
