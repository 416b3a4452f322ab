#!/usr/bin/env python
"""Micro-benchmark: tagger model (HashEmbedCNN tok2vec + softmax) training and prediction speed,
fastpipe against spaCy (when spaCy is installed), on the same EWT sentences.

Each library tokenizes the texts with its own blank English tokenizer; the timed part is only
the model: forward + backward + optimizer update ("train") and forward alone ("predict"), over
batches of about --batch-words words, dropout 0.1, thinc's Adam (defaults) for both. The two
systems are timed alternately, --repeats rounds, and the best round of each is reported, so a
busy machine disturbs both alike.

    python bin/bench_tok2vec.py --sentences 10000
"""
import argparse
import time
from pathlib import Path

import numpy
from thinc.api import Adam, fix_random_seed, set_dropout_rate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "en_ewt" / "en_ewt-ud-train.conllu"
N_TAGS = 50


def read_texts(path: Path, limit: int):
    texts = []
    with path.open(encoding="utf8") as f:
        for line in f:
            if line.startswith("# text ="):
                texts.append(line[len("# text ="):].strip())
                if len(texts) >= limit:
                    break
    return texts


def batch_by_words(docs, size):
    batch, n = [], 0
    for doc in docs:
        batch.append(doc)
        n += len(doc)
        if n >= size:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


def fake_gold(batches, seed=0):
    """Random tag ids per token (speed does not depend on them), one-hot, per doc."""
    rng = numpy.random.RandomState(seed)
    eye = numpy.eye(N_TAGS, dtype="float32")
    return [[eye[rng.randint(0, N_TAGS, size=len(doc))] for doc in batch] for batch in batches]


class System:
    def __init__(self, name, nlp, model, texts, batch_words):
        self.name = name
        docs = [nlp.make_doc(t) for t in texts]
        self.n_words = sum(len(d) for d in docs)
        self.batches = list(batch_by_words(docs, batch_words))
        self.gold = fake_gold(self.batches)
        self.model = model
        fix_random_seed(0)
        model.initialize(X=docs[:50], Y=[numpy.zeros((1, N_TAGS), "float32")])
        set_dropout_rate(model, 0.1)
        self.optimizer = Adam(0.001)
        self.best = {"train": float("inf"), "predict": float("inf")}

    def train_epoch(self):
        model, opt = self.model, self.optimizer
        start = time.perf_counter()
        for batch, gold in zip(self.batches, self.gold):
            probs, backprop = model.begin_update(batch)
            backprop([p - g for p, g in zip(probs, gold)])
            model.finish_update(opt)
        return time.perf_counter() - start

    def predict_epoch(self):
        start = time.perf_counter()
        for batch in self.batches:
            self.model.predict(batch)
        return time.perf_counter() - start

    def run_round(self):
        self.best["train"] = min(self.best["train"], self.train_epoch())
        self.best["predict"] = min(self.best["predict"], self.predict_epoch())

    def wps(self, kind):
        return self.n_words / self.best[kind]


def fastpipe_system(texts, args):
    import fastpipe
    import fastpipe.ml  # noqa: F401
    from fastpipe.registry import registry

    tok2vec = registry.architectures.get("fastpipe.HashEmbedCNN.v1")(
        width=args.width, depth=args.depth, embed_size=args.embed_size, window_size=1,
        maxout_pieces=3, subword_features=True)
    model = registry.architectures.get("fastpipe.Tagger.v1")(tok2vec, nO=N_TAGS)
    return System("fastpipe", fastpipe.blank("en"), model, texts, args.batch_words)


def spacy_system(texts, args):
    try:
        import spacy
    except ImportError:
        return None
    if hasattr(spacy.registry, "ensure_populated"):  # spaCy >= 3.8 registers lazily
        spacy.registry.ensure_populated()
    tok2vec = spacy.registry.architectures.get("spacy.HashEmbedCNN.v2")(
        width=args.width, depth=args.depth, embed_size=args.embed_size, window_size=1,
        maxout_pieces=3, subword_features=True, pretrained_vectors=None)
    model = spacy.registry.architectures.get("spacy.Tagger.v2")(tok2vec, nO=N_TAGS)
    return System(f"spaCy {spacy.__version__}", spacy.blank("en"), model, texts, args.batch_words)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sentences", type=int, default=10000)
    parser.add_argument("--batch-words", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--embed-size", type=int, default=2000)
    parser.add_argument("--no-spacy", action="store_true", help="time fastpipe only")
    args = parser.parse_args()

    texts = read_texts(args.data, args.sentences)
    systems = [fastpipe_system(texts, args)]
    if not args.no_spacy:
        other = spacy_system(texts, args)
        if other is None:
            print("spaCy is not installed: timing fastpipe only")
        else:
            systems.append(other)
    for system in systems:  # warm-up: first-touch of buffers, caches
        system.model.predict(system.batches[0])
    for r in range(args.repeats):
        for system in systems:
            system.run_round()
        print(f"round {r + 1}/{args.repeats} done", flush=True)

    print(f"\n{len(texts)} sentences, batches of ~{args.batch_words} words, "
          f"HashEmbedCNN(width={args.width}, depth={args.depth}, embed_size={args.embed_size}) "
          f"+ softmax({N_TAGS}); best of {args.repeats}")
    print(f"{'system':<16}{'words':>9}{'train w/s':>12}{'predict w/s':>14}")
    for system in systems:
        print(f"{system.name:<16}{system.n_words:>9}{system.wps('train'):>12,.0f}"
              f"{system.wps('predict'):>14,.0f}")
    if len(systems) == 2:
        fp, sp = systems
        print(f"speed-up: train {fp.wps('train') / sp.wps('train'):.2f}x, "
              f"predict {fp.wps('predict') / sp.wps('predict'):.2f}x")


if __name__ == "__main__":
    main()
