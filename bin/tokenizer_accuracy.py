#!/usr/bin/env python
"""Token-boundary accuracy of a fastpipe tokenizer against a CoNLL-U treebank.

Usage:
    python bin/tokenizer_accuracy.py [CONLLU_PATH] [--lang en] [--errors N] [--compare-spacy]

For every sentence, the ``# text =`` line is tokenized and the predicted tokens are compared
with the gold tokens as character-offset spans (start, end). Gold tokens are the word lines;
a multiword-token range line (``3-4 don't``) counts as its words when their forms concatenate
exactly to the surface form, otherwise as one token. Empty nodes (``8.1``) are skipped.
Whitespace tokens in the prediction are ignored.
"""
import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT.parent / "shared" / "data" / "en_ewt" / "en_ewt-ud-dev.conllu"


class AlignmentError(ValueError):
    pass


def read_conllu(path):
    """Yield (text, gold_token_strings) for each sentence of a CoNLL-U file."""
    text = None
    rows = []

    def finish():
        if text is None:
            return None
        return text, _gold_tokens(rows)

    with open(path, encoding="utf8") as file_:
        for line in file_:
            line = line.rstrip("\n")
            if not line.strip():
                sent = finish()
                if sent is not None:
                    yield sent
                text, rows = None, []
                continue
            if line.startswith("#"):
                key, sep, value = line[1:].partition("=")
                if sep and key.strip() == "text":
                    text = value[1:] if value.startswith(" ") else value
                continue
            rows.append(line.split("\t"))
    sent = finish()
    if sent is not None:
        yield sent


def _gold_tokens(rows):
    tokens = []
    skip_until = 0
    for index, row in enumerate(rows):
        if len(row) < 2:
            continue
        ident, form = row[0], row[1]
        if "." in ident:
            continue  # empty node
        if "-" in ident:
            start, end = (int(x) for x in ident.split("-"))
            words = [r[1] for r in rows[index + 1:] if r[0].isdigit() and start <= int(r[0]) <= end]
            if "".join(words) == form:
                continue  # counted as its words
            tokens.append(form)
            skip_until = end
            continue
        if int(ident) <= skip_until:
            continue
        tokens.append(form)
    return tokens


def align(text, token_strings):
    """Character spans of non-whitespace token strings, found in order in ``text``."""
    spans = []
    pos = 0
    for tok in token_strings:
        if not tok or tok.isspace():
            pos += len(tok) if text.startswith(tok, pos) else 0
            continue
        while pos < len(text) and text[pos].isspace() and not text.startswith(tok, pos):
            pos += 1
        if not text.startswith(tok, pos):
            raise AlignmentError(f"token {tok!r} not found at offset {pos} of {text!r}")
        spans.append((pos, pos + len(tok)))
        pos += len(tok)
    return spans


def doc_spans(doc):
    spans = []
    for token in doc:
        word = token.text
        if not word or word.isspace():
            continue
        spans.append((token.idx, token.idx + len(word)))
    return spans


def evaluate(sentences, tokenize, n_errors=0):
    """Score ``tokenize(text) -> list of spans`` on (text, gold tokens) pairs."""
    n_pred = n_gold = n_correct = 0
    skipped = 0
    errors = Counter()
    examples = {}
    for text, gold_tokens in sentences:
        try:
            gold = align(text, gold_tokens)
        except AlignmentError:
            skipped += 1
            continue
        pred = tokenize(text)
        gold_set, pred_set = set(gold), set(pred)
        n_pred += len(pred_set)
        n_gold += len(gold_set)
        n_correct += len(gold_set & pred_set)
        if n_errors and gold_set != pred_set:
            for pattern in _disagreements(text, gold, pred):
                errors[pattern] += 1
                examples.setdefault(pattern, text)
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "n_pred": n_pred,
        "n_gold": n_gold,
        "n_correct": n_correct,
        "skipped": skipped,
        "errors": errors.most_common(n_errors) if n_errors else [],
        "examples": examples,
    }


def _disagreements(text, gold, pred):
    """Group mismatched spans into minimal regions where both sides cover the same characters."""
    gold_set, pred_set = set(gold), set(pred)
    bad_gold = sorted(s for s in gold if s not in pred_set)
    bad_pred = sorted(s for s in pred if s not in gold_set)
    spans = sorted([(s, e, "g") for s, e in bad_gold] + [(s, e, "p") for s, e in bad_pred])
    groups = []
    for start, end, side in spans:
        if groups and start < groups[-1][1]:
            group = groups[-1]
            group[1] = max(group[1], end)
            group[2].append((start, end, side))
        else:
            groups.append([start, end, [(start, end, side)]])
    for start, end, members in groups:
        g = " ".join(text[s:e] for s, e, side in members if side == "g")
        p = " ".join(text[s:e] for s, e, side in members if side == "p")
        yield f"gold [{g}]  pred [{p}]"


def fastpipe_tokenizer(lang):
    sys.path.insert(0, str(ROOT))
    import fastpipe

    nlp = fastpipe.blank(lang)
    return lambda text: doc_spans(nlp.tokenizer(text))


def spacy_tokenizer():
    import spacy  # only for comparison; fastpipe never imports spaCy

    nlp = spacy.blank("en")
    return lambda text: doc_spans(nlp.tokenizer(text))


def report(name, scores, n_errors):
    print(
        f"{name}: P={scores['precision']:.4f} R={scores['recall']:.4f} F1={scores['f1']:.4f} "
        f"(pred {scores['n_pred']}, gold {scores['n_gold']}, correct {scores['n_correct']}"
        + (f", skipped {scores['skipped']} unalignable sentences" if scores["skipped"] else "")
        + ")"
    )
    if n_errors:
        print(f"Most frequent disagreements ({name}):")
        for pattern, count in scores["errors"]:
            print(f"  {count:5d}  {pattern}")
            print(f"         e.g. {scores['examples'][pattern][:150]!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="CoNLL-U file (default: %(default)s)")
    parser.add_argument("--lang", default="en", help="fastpipe language code (default: en)")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="show the N most frequent disagreements")
    parser.add_argument("--compare-spacy", action="store_true", help="also score spaCy's blank English tokenizer")
    args = parser.parse_args(argv)

    path = Path(args.path)
    if not path.is_file():
        parser.error(f"CoNLL-U file not found: {path}")
    sentences = list(read_conllu(path))
    if not sentences:
        parser.error(f"no sentences with a '# text =' line in {path}")
    print(f"{path}: {len(sentences)} sentences")

    scores = evaluate(sentences, fastpipe_tokenizer(args.lang), args.errors)
    report(f"fastpipe[{args.lang}]", scores, args.errors)
    if args.compare_spacy:
        try:
            tokenize = spacy_tokenizer()
        except ImportError:
            print("spaCy is not installed: --compare-spacy skipped", file=sys.stderr)
        else:
            report("spacy[en]", evaluate(sentences, tokenize, args.errors), args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
