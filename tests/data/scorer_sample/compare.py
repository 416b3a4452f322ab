"""Score the same predictions three ways: fastpipe's scorer, fastpipe's scorer at an older git
revision (before the one-ruler change, by default), and spaCy's Scorer. Not a test (pytest does
not collect it); it imports spaCy, in a child process only. From the repository root:

    python tests/data/scorer_sample/compare.py GOLD --pred PRED.spacy   # stored predictions
    python tests/data/scorer_sample/compare.py GOLD --model MODEL   # a model's, on GOLD's texts

GOLD is a `.spacy` or `.fastpipe` corpus. With ``--model`` the model annotates each reference
text tokenized by its own tokenizer, as ``fastpipe evaluate`` does. Prints one line per figure:
spaCy's, fastpipe's now, fastpipe's at ``--old`` and the two differences, in points.
"""
import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIGURES = ("token_acc", "tag_acc", "pos_acc", "morph_acc", "lemma_acc", "dep_uas", "dep_las",
           "sents_f", "ents_f", "spans_sc_f", "cats_score", "cats_macro_auc")
CATS = ("NEG", "NEU", "POS")


def fastpipe_scores(scorer, examples, labels) -> dict:
    scores = dict(scorer.score_tokenization(examples))
    for score in (scorer.tagger_score, scorer.morphologizer_score, scorer.lemmatizer_score,
                  scorer.parser_score, scorer.ents_score, scorer.spancat_score):
        scores.update(score(examples))
    scores.update(scorer.textcat_score(examples, labels=labels))
    return scores


def old_scorer(rev: str):
    """fastpipe/scorer.py as it was at ``rev``, loaded beside the current one."""
    source = subprocess.run(["git", "show", f"{rev}:fastpipe/scorer.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "scorer_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("fastpipe._scorer_before", path,
                                                  submodule_search_locations=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "fastpipe"
    spec.loader.exec_module(module)
    return module


def spacy_child(gold_path: str, pred_path: str) -> None:
    import spacy
    from spacy.scorer import Scorer
    from spacy.tokens import DocBin
    from spacy.training import Example

    nlp = spacy.blank("en")
    gold = list(DocBin().from_disk(gold_path).get_docs(nlp.vocab))
    pred = list(DocBin().from_disk(pred_path).get_docs(nlp.vocab))
    for name in ("tagger", "morphologizer", "trainable_lemmatizer", "parser", "ner", "spancat",
                 "textcat"):
        nlp.add_pipe(name)
    for label in CATS:
        nlp.get_pipe("textcat").add_label(label)
    scores = Scorer(nlp).score([Example(p, g) for p, g in zip(pred, gold)])
    print(json.dumps({k: scores.get(k) for k in FIGURES}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold")
    parser.add_argument("--pred")
    parser.add_argument("--model")
    parser.add_argument("--old", default="6ba14ba~1", help="git revision of the old scorer")
    parser.add_argument("--spacy-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.spacy_child:
        return spacy_child(*args.spacy_child)
    sys.path.insert(0, str(ROOT))   # run from a checkout, installed or not
    import fastpipe
    from fastpipe import scorer
    from fastpipe.gold.example import Example
    from fastpipe.tokens import DocBin

    nlp = fastpipe.load(args.model) if args.model else fastpipe.blank("en")
    gold = list(DocBin().from_disk(args.gold).get_docs(nlp.vocab))
    if args.model:
        pred = list(nlp.pipe(nlp.make_doc(doc.text) for doc in gold))
    else:
        pred = list(DocBin().from_disk(args.pred).get_docs(nlp.vocab))
    examples = [Example(p, g) for p, g in zip(pred, gold)]
    now = fastpipe_scores(scorer, examples, CATS)
    before = fastpipe_scores(old_scorer(args.old), examples, CATS)
    if args.model:   # the figures the pipeline reports, by the path nlp.evaluate takes
        reported = dict(scorer.score_tokenization(examples))
        for _, proc in nlp.pipeline:
            reported.update(proc.score(examples) if hasattr(proc, "score") else {})
        assert all(reported[k] == now[k] for k in reported if k in FIGURES)
        now = {k: v for k, v in now.items() if k in reported}
    with tempfile.TemporaryDirectory() as tmp:
        gold_file, pred_file = Path(tmp) / "gold.spacy", Path(tmp) / "pred.spacy"
        DocBin(docs=gold, store_user_data=True).to_disk(gold_file)
        DocBin(docs=pred, store_user_data=True).to_disk(pred_file)
        out = subprocess.run([sys.executable, __file__, args.gold, "--spacy-child",
                              str(gold_file), str(pred_file)], check=True, capture_output=True,
                             text=True).stdout
    theirs = json.loads(out.strip().splitlines()[-1])
    print(f"{'figure':<15}{'spaCy':>9}{'now':>9}{'before':>9}{'now-sp':>9}{'before-sp':>10}")
    for key in FIGURES:
        if key not in now:
            continue
        values = (theirs.get(key), now.get(key), before.get(key))
        cells = "".join(f"{100 * v:9.2f}" if v is not None else f"{'-':>9}" for v in values)
        diffs = [f"{100 * (v - values[0]):+9.2f}" if None not in (v, values[0]) else f"{'-':>9}"
                 for v in values[1:]]
        print(f"{key:<15}{cells}{diffs[0]}{diffs[1]:>10}")


if __name__ == "__main__":
    main()
