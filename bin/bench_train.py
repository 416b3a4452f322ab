#!/usr/bin/env python
"""Training benchmark, fastpipe against spaCy 3.8 with the same settings and data.

    python bin/bench_train.py tagger  [--words 300000]   # EWT train -> tag accuracy on EWT dev
    python bin/bench_train.py textcat [--words 300000]   # SST-2 train -> accuracy on SST-2 dev
    python bin/bench_train.py pipeline [--words 300000]  # tok2vec+tagger+parser+ner on EWT
    python bin/bench_train.py ud|spancat [--steps N ...]  # runs bench_spacy_configs.py --tasks

The ``ud`` (tagger, morphologizer, trainable_lemmatizer, parser on EWT) and ``spancat`` (the
EWT span task of make_span_task.py) tasks compare each system's own starter config (spaCy's
``init config`` beside fastpipe's, and spaCy's in both) through the ``fastpipe train`` and
``spacy train`` commands: they live in bench_spacy_configs.py, which gets the other arguments.

Both systems get the same model settings (HashEmbedCNN tok2vec: width, depth, embed rows,
window, maxout pieces; for textcat an ensemble with a unigram bag-of-words model), the same
optimizer (Adam, learn rate 0.001, L2 0.01, gradient clip 1.0, no averages), dropout 0.1, and
the same examples in the same order, batched by about --batch-words words, until --words
training words have been seen. Each system runs in its own process so peak memory is its own.
Reported: accuracy on dev, training words/s (updates only), prediction words/s (nlp.pipe over
the raw dev texts) and peak resident memory. spaCy is measured only when it is installed.
The pipeline task shares one tok2vec between tagger, parser and ner through listeners (the
efficiency recipe) and reports tag accuracy, UAS and LAS (punctuation left out) and entity F,
all computed by this script in the same way for both systems.
"""
import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
sys.path.insert(0, str(HERE))

OPTIMIZER = dict(learn_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8, L2=0.01, grad_clip=1.0,
                 use_averages=False, L2_is_weight_decay=True)
TOK2VEC = {"tagger": dict(width=96, depth=4, embed_size=2000, window_size=1, maxout_pieces=3,
                          subword_features=True),
           "pipeline": dict(width=96, depth=4, embed_size=2000, window_size=1, maxout_pieces=3,
                            subword_features=True),
           "textcat": dict(width=64, depth=2, embed_size=2000, window_size=1, maxout_pieces=3,
                           subword_features=True)}


def load_task(task):
    """(train, dev): lists of (text, annotations) shared by both systems."""
    if task in ("tagger", "pipeline"):
        from bench_examples import read_conllu

        keys = ("words", "spaces", "tags") if task == "tagger" else ("words", "spaces", "tags", "heads", "deps", "entities")

        def keep(sents):
            return [(t, {k: a[k] for k in keys if k in a}) for t, a in sents]

        return (keep(read_conllu(DATA / "en_ewt" / "en_ewt-ud-train.conllu")),
                keep(read_conllu(DATA / "en_ewt" / "en_ewt-ud-dev.conllu")))

    def read_tsv(path):
        rows = []
        lines = path.read_text(encoding="utf8").splitlines()
        header = lines[0].split("\t")
        label_col = header.index("label")
        text_col = 1 - label_col
        for line in lines[1:]:
            cols = line.split("\t")
            positive = cols[label_col] == "1"
            rows.append((cols[text_col], {"cats": {"POS": float(positive), "NEG": float(not positive)}}))
        return rows

    return read_tsv(DATA / "sst2" / "train.tsv"), read_tsv(DATA / "sst2" / "dev.tsv")


def build(system, task):
    t2v = TOK2VEC[task]
    if system == "fastpipe":
        import fastpipe
        from fastpipe.gold.example import Example
        from fastpipe.ml.optimizers import Adam  # thinc's Adam arithmetic, fused into one pass

        nlp = fastpipe.blank("en")
        if task == "pipeline":
            listener = {"@architectures": "fastpipe.Tok2VecListener.v1", "width": t2v["width"], "upstream": "*"}
            nlp.add_pipe("tok2vec", config={"model": {"@architectures": "fastpipe.HashEmbedCNN.v1", **t2v}})
            nlp.add_pipe("tagger", config={"model": {"@architectures": "fastpipe.Tagger.v1", "tok2vec": listener}})
            for name in ("parser", "ner"):
                nlp.add_pipe(name, config={"model": {"@architectures": "fastpipe.TransitionBasedParser.v1",
                                                     "state_type": name, "hidden_width": 64,
                                                     "maxout_pieces": 2, "use_upper": True,
                                                     "tok2vec": listener}})
        elif task == "tagger":
            nlp.add_pipe("tagger", config={"model": {"@architectures": "fastpipe.Tagger.v1",
                                                     "tok2vec": {"@architectures": "fastpipe.HashEmbedCNN.v1", **t2v}}})
        else:
            nlp.add_pipe("textcat", config={"model": {
                "@architectures": "fastpipe.TextCatEnsemble.v1",
                "tok2vec": {"@architectures": "fastpipe.HashEmbedCNN.v1", **t2v},
                "linear_model": {"@architectures": "fastpipe.TextCatBOW.v1", "exclusive_classes": True,
                                 "ngram_size": 1, "no_output_layer": False}}})
        return nlp, Example, Adam(**OPTIMIZER)
    import spacy
    from spacy.training import Example
    from thinc.api import Adam

    nlp = spacy.blank("en")
    if task == "pipeline":
        listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": t2v["width"], "upstream": "*"}
        nlp.add_pipe("tok2vec", config={"model": {"@architectures": "spacy.HashEmbedCNN.v2",
                                                  "pretrained_vectors": None, **t2v}})
        nlp.add_pipe("tagger", config={"model": {"@architectures": "spacy.Tagger.v2", "nO": None, "tok2vec": listener}})
        for name in ("parser", "ner"):
            nlp.add_pipe(name, config={"model": {"@architectures": "spacy.TransitionBasedParser.v2",
                                                 "state_type": name, "extra_state_tokens": False,
                                                 "hidden_width": 64, "maxout_pieces": 2,
                                                 "use_upper": True, "nO": None, "tok2vec": listener}})
    elif task == "tagger":
        nlp.add_pipe("tagger", config={"model": {"@architectures": "spacy.Tagger.v2", "nO": None,
                                                 "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, **t2v}}})
    else:
        nlp.add_pipe("textcat", config={"model": {
            "@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
            "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, **t2v},
            "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
                             "ngram_size": 1, "no_output_layer": False, "length": 262144}}})
    return nlp, Example, Adam(**OPTIMIZER)


def batches(examples, batch_words, rng):
    order = list(range(len(examples)))
    while True:
        rng.shuffle(order)
        batch, size = [], 0
        for i in order:
            batch.append(examples[i])
            size += len(examples[i].reference)
            if size >= batch_words:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch


def accuracy(task, nlp, dev):
    """Scores computed the same way for both systems, matching predicted tokens to gold words
    by character offsets."""
    texts = [t for t, _ in dev]
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=256))
    elapsed = time.perf_counter() - start
    n_words = sum(len(d) for d in docs)
    if task == "textcat":
        correct = sum((doc.cats["POS"] >= doc.cats["NEG"]) == (ann["cats"]["POS"] == 1.0)
                      for doc, (_, ann) in zip(docs, dev))
        return {"accuracy": correct / len(dev)}, n_words / elapsed
    tag_ok = tag_n = uas = las = dep_n = 0
    ent_tp = ent_pred = ent_gold = 0
    for doc, (_, ann) in zip(docs, dev):
        pred = {(t.idx, t.idx + len(t.text)): t for t in doc}
        gold_spans = []
        idx = 0
        for word, space in zip(ann["words"], ann["spaces"]):
            gold_spans.append((idx, idx + len(word)))
            idx += len(word) + bool(space)
        for i, span in enumerate(gold_spans):
            token = pred.get(span)
            tag_n += 1
            tag_ok += token is not None and token.tag_ == ann["tags"][i]
            if task == "pipeline" and ann["deps"][i] != "punct":
                dep_n += 1
                if token is not None:
                    head_ok = (token.head.idx, token.head.idx + len(token.head.text)) == gold_spans[ann["heads"][i]]
                    uas += head_ok
                    las += head_ok and token.dep_.lower() == ann["deps"][i].lower()
        if task == "pipeline" and "entities" in ann:
            gold_ents = set()
            start = None
            for i, tag in enumerate(ann["entities"]):
                if tag[0] in "BU":
                    start = i
                if tag[0] in "LU":
                    gold_ents.add((gold_spans[start][0], gold_spans[i][1], tag[2:]))
            pred_ents = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
            ent_tp += len(gold_ents & pred_ents)
            ent_pred += len(pred_ents)
            ent_gold += len(gold_ents)
    scores = {"accuracy": tag_ok / tag_n}
    if task == "pipeline":
        p = ent_tp / ent_pred if ent_pred else 0.0
        r = ent_tp / ent_gold if ent_gold else 0.0
        scores.update(uas=uas / dep_n, las=las / dep_n, ents_f=2 * p * r / (p + r) if p + r else 0.0)
    return scores, n_words / elapsed


def run_one(system, task, max_words, batch_words, seed):
    from thinc.api import fix_random_seed

    fix_random_seed(seed)
    train, dev = load_task(task)
    nlp, Example, optimizer = build(system, task)
    examples = [Example.from_dict(nlp.make_doc(text), ann) for text, ann in train]
    nlp.initialize(lambda: examples[:2000])
    rng = random.Random(seed)
    seen = 0
    train_time = 0.0
    losses = {}
    for batch in batches(examples, batch_words, rng):
        start = time.perf_counter()
        nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        train_time += time.perf_counter() - start
        seen += sum(len(eg.predicted) for eg in batch)
        if seen >= max_words:
            break
    scores, predict_wps = accuracy(task, nlp, dev)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"system": system, "task": task, **scores, "train_wps": seen / train_time,
            "predict_wps": predict_wps, "peak_mb": peak_mb, "words": seen}


#: The tasks bench_spacy_configs.py runs (this script hands them over).
CONFIG_TASKS = ("ud", "spancat")


def main():
    if len(sys.argv) > 1 and sys.argv[1] in CONFIG_TASKS:
        sys.exit(subprocess.call([sys.executable, str(HERE / "bench_spacy_configs.py"),
                                  "--tasks", sys.argv[1]] + sys.argv[2:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=["tagger", "textcat", "pipeline", *CONFIG_TASKS])
    parser.add_argument("--words", type=int, default=300_000, help="training words per system")
    parser.add_argument("--batch-words", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--system", choices=["fastpipe", "spacy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.system:  # a child process: measure one system, print JSON
        print(json.dumps(run_one(args.system, args.task, args.words, args.batch_words, args.seed)))
        return
    systems = ["fastpipe"]
    try:
        import spacy  # noqa: F401

        systems.append("spacy")
    except ImportError:
        print("spaCy is not installed: fastpipe only")
    results = []
    for system in systems:
        cmd = [sys.executable, __file__, args.task, "--system", system, "--words", str(args.words),
               "--batch-words", str(args.batch_words), "--seed", str(args.seed)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{system} failed:\n{out.stderr[-3000:]}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"task {args.task}: {args.words:,} training words, batches of ~{args.batch_words} words")
    extra = ["uas", "las", "ents_f"] if args.task == "pipeline" else []
    head = f"{'system':<10}{'accuracy':>10}" + "".join(f"{k:>9}" for k in extra)
    print(head + f"{'train w/s':>12}{'predict w/s':>13}{'peak MB':>9}")
    for r in results:
        row = f"{r['system']:<10}{r['accuracy']:>10.4f}" + "".join(f"{r[k]:>9.4f}" for k in extra)
        print(row + f"{r['train_wps']:>12,.0f}{r['predict_wps']:>13,.0f}{r['peak_mb']:>9,.0f}")
    if len(results) == 2:
        a, b = results
        diffs = ", ".join(f"{k} {a[k] - b[k]:+.4f}" for k in ["accuracy"] + extra)
        print(f"ratio: train {a['train_wps'] / b['train_wps']:.2f}x, predict "
              f"{a['predict_wps'] / b['predict_wps']:.2f}x; {diffs}")


if __name__ == "__main__":
    main()
