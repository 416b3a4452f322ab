"""Make the scorer sample of tests/test_scorer_one_ruler.py with spaCy 3.8, once: gold Docs, the
predictions of an imaginary pipeline on them, and what spaCy's Scorer says of those predictions.
Not a test (pytest does not collect it); run it by hand from the repository root, in an
environment with spaCy 3.x:

    python tests/data/scorer_sample/make.py

It writes, next to itself:

- ``gold.spacy``: 24 documents of three sentences each, the first 72 sentences of
  ``examples/data/en_ewt-dev-sample.conllu`` (words, spaces, tags, POS, morphology, lemmas,
  parse, entities from the NER= field), plus invented span groups ``sc`` and exclusive ``cats``.
  Some documents lose annotations on purpose: tags, lemmas or morphology missing on some tokens,
  entities missing on some tokens or on the whole document, parse labels missing on some
  tokens, the parse and sentence starts missing on a whole document, no ``sc`` group, an empty
  ``sc`` group, no cats.
- ``pred.spacy``: the same texts tokenized again (spaCy's English tokenizer, then some tokens
  split and some neighbours merged, so that tokens, entities and spans cross the gold tokens'
  boundaries, and a few spaces doubled, which makes whitespace tokens), with annotations
  copied from the gold ones where a predicted token matches one gold token, changed at random
  often enough to give errors of every kind (punctuation labels included), and made up
  elsewhere; sentences merged and split; textcat scores at random.
- ``spacy_scores.json``: ``{"made_with", "pipeline", "multilabel"}``: ``pipeline`` is
  ``spacy.scorer.Scorer(nlp).score(examples)`` for a blank English pipeline with tagger,
  morphologizer, trainable_lemmatizer, parser, ner, spancat and textcat (labels NEG, NEU, POS)
  over ``Example(pred, gold)``; ``multilabel`` is the scores of a textcat_multilabel (same
  labels, threshold 0.5) on the same examples, whose gold cats leave one label out at times.

Licence: the text and the gold annotations come from the Universal Dependencies English Web
Treebank, CC BY-SA 4.0 (see examples/data/README.md for its sources and citation); the spans,
cats and every prediction are made up here, with a fixed random seed.
"""
import json
import random
from pathlib import Path

import spacy
from spacy.scorer import Scorer
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example

HERE = Path(__file__).resolve().parent
EWT = HERE.parent.parent.parent / "examples" / "data" / "en_ewt-dev-sample.conllu"
N_DOCS = 24
SENTS_PER_DOC = 3
CATS = ("NEG", "NEU", "POS")
SPAN_LABELS = ("A", "B", "C")


def read_sentences(path, n):
    """The first n sentences of a CoNLL-U file: a list of token rows (word lines only)."""
    sents, rows = [], []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip():
            if rows:
                sents.append(rows)
                rows = []
                if len(sents) == n:
                    break
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        rows.append(cols)
    return sents


def gold_doc(vocab, sents):
    words, spaces, tags, pos, morphs, lemmas, heads, deps, ents = ([] for _ in range(9))
    for rows in sents:
        offset = len(words)
        for k, cols in enumerate(rows):
            words.append(cols[1])
            misc = cols[9].split("|")
            last = k == len(rows) - 1
            spaces.append("SpaceAfter=No" not in misc or last)
            tags.append(cols[4])
            pos.append(cols[3])
            morphs.append("" if cols[5] == "_" else cols[5])
            lemmas.append(cols[2])
            head = int(cols[6])
            heads.append(offset + head - 1 if head else offset + k)
            deps.append("ROOT" if head == 0 else cols[7])
            ner = [m[4:] for m in misc if m.startswith("NER=")]
            ents.append(ner[0] if ner else "O")
    spaces[-1] = False
    return dict(words=words, spaces=spaces, tags=tags, pos=pos, morphs=morphs, lemmas=lemmas,
                heads=heads, deps=deps, ents=ents)


def drop_gold_annotations(rng, index, ann):
    """Leave annotations out of some documents (the cases a scorer must not count)."""
    n = len(ann["words"])
    if index % 6 == 1:      # some tokens without tag or lemma, some without POS and morphology
        for key in ("tags", "lemmas", "pos"):
            for i in rng.sample(range(n), max(1, n // 8)):
                ann[key][i] = ""
                if key == "pos":
                    ann["morphs"][i] = None
    if index % 6 == 2:      # entities missing on some tokens
        for i in range(n // 3, n // 2):
            ann["ents"][i] = ""
    if index % 8 == 5:      # no entity annotation at all
        ann["ents"] = None
    # The two documents with parses left out come last: spaCy 3.8's score_deps carries the
    # positions of a document's unparsed tokens over to the documents after it (see
    # tests/test_scorer_one_ruler.py), which fastpipe does not copy.
    if index == N_DOCS - 2:     # some tokens without a parse
        for i in rng.sample(range(n), max(1, n // 6)):
            ann["deps"][i] = None
            ann["heads"][i] = None
    if index == N_DOCS - 1:     # no parse and no sentence starts at all
        ann["deps"] = ann["heads"] = None


def retokenize(rng, nlp, text):
    """spaCy's tokenizer, then a few tokens split in two and a few neighbours merged."""
    words, spaces = [], []
    for token in nlp.make_doc(text):
        word = token.text
        if len(word) >= 5 and word.isalpha() and rng.random() < 0.06:
            cut = rng.randrange(2, len(word) - 1)
            words += [word[:cut], word[cut:]]
            spaces += [False, bool(token.whitespace_)]
        elif words and not spaces[-1] and not word.isspace() and rng.random() < 0.2:
            words[-1] += word
            spaces[-1] = bool(token.whitespace_)
        else:
            words.append(word)
            spaces.append(bool(token.whitespace_))
        if spaces[-1] and rng.random() < 0.01:   # a doubled space: a whitespace token
            words.append(" ")
            spaces.append(False)
    return words, spaces


def one_to_one(pred, gold):
    """{predicted token: gold token} for the tokens both tokenizations cut the same."""
    gold_at = {(t.idx, len(t)): t.i for t in gold}
    return {t.i: gold_at[(t.idx, len(t))] for t in pred if (t.idx, len(t)) in gold_at}


def split_pieces(pred, gold):
    """Predicted tokens that lie inside a longer gold token."""
    out = []
    for t in pred:
        for g in gold:
            if g.idx <= t.idx and t.idx + len(t) <= g.idx + len(g) and len(t) < len(g):
                out.append(t.i)
    return out


def maybe(rng, value, choices, p_keep=0.85):
    return value if value and rng.random() < p_keep else rng.choice(choices)


def predicted_parse(rng, gold, pred, x_of, y_of, extra_starts=()):
    """Heads and labels: a tree in each predicted sentence, gold arcs kept where they map."""
    n = len(pred)
    labels = sorted({t.dep_ for t in gold if t.dep_} | {"punct", "dep"})
    gold_parsed = gold.has_annotation("DEP")
    starts = []
    for i, token in enumerate(pred):
        j = x_of.get(i)
        is_start = i == 0 or (gold_parsed and j is not None and gold[j].is_sent_start)
        if i and rng.random() < 0.012:
            is_start = not is_start      # sentences split and merged
        is_start = is_start or i in extra_starts
        if is_start:
            starts.append(i)
    bounds = list(zip(starts, starts[1:] + [n]))
    heads, deps = [0] * n, [""] * n
    for start, end in bounds:
        root = None
        for i in range(start, end):
            j = x_of.get(i)
            if j is not None and gold_parsed and gold[j].dep_ == "ROOT":
                root = i
                break
        if root is None:
            root = start
        for i in range(start, end):
            j = x_of.get(i)
            head = root
            if j is not None and gold[j].dep_ and rng.random() < 0.85:
                mapped = y_of.get(gold[j].head.i)
                if mapped is not None and start <= mapped < end:
                    head = mapped
            elif rng.random() < 0.3:
                head = rng.randrange(start, end)
            heads[i] = head
            if i == root:
                heads[i] = i
                deps[i] = "ROOT"
            else:
                gold_label = gold[j].dep_ if j is not None and gold[j].dep_ != "ROOT" else ""
                deps[i] = maybe(rng, gold_label, labels)
                if deps[i] == "ROOT":
                    deps[i] = "dep"
        for i in range(start, end):     # break cycles: a token on one hangs from the root
            seen, k = set(), i
            while heads[k] != k and k not in seen:
                seen.add(k)
                k = heads[k]
            if k != root:
                heads[i] = root
    return heads, deps


def snap_spans(rng, pred, spans, labels):
    """Gold (start_char, end_char, label) spans on the predicted tokens, with errors."""
    out = []
    for start_char, end_char, label in spans:
        r = rng.random()
        if r < 0.15:
            continue
        mode = "expand" if r < 0.6 else "contract"
        span = pred.char_span(start_char, end_char, label=maybe(rng, label, labels, 0.9),
                              alignment_mode=mode)
        if span is not None and len(span):
            out.append(span)
    for _ in range(rng.randrange(0, 3)):
        start = rng.randrange(len(pred))
        out.append(Span(pred, start, min(len(pred), start + rng.randrange(1, 4)),
                        rng.choice(labels)))
    return out


def make_docs(nlp):
    sents = read_sentences(EWT, N_DOCS * SENTS_PER_DOC)
    rng = random.Random(17)
    gold_docs, pred_docs = [], []
    for index in range(N_DOCS):
        ann = gold_doc(nlp.vocab, sents[index * SENTS_PER_DOC:(index + 1) * SENTS_PER_DOC])
        drop_gold_annotations(rng, index, ann)
        morphs = ann["morphs"]
        ann["morphs"] = [m or "" for m in morphs]
        gold = Doc(nlp.vocab, **{k: v for k, v in ann.items() if v is not None})
        for token, morph in zip(gold, morphs):
            if morph is None:
                token.set_morph(None)     # missing, unlike "" (analysed: no features)
        if index % 7 != 4:
            spans = [Span(gold, s, min(len(gold), s + rng.randrange(1, 5)), rng.choice(SPAN_LABELS))
                     for s in sorted(rng.sample(range(len(gold)), 4))]
            gold.spans["sc"] = spans if index % 7 != 6 else []
        if index % 9 != 7:
            chosen = rng.choice(CATS)
            gold.cats = {label: float(label == chosen) for label in CATS
                         if not (index % 4 == 1 and label != chosen and label == "NEU")}
        gold_docs.append(gold)
        words, spaces = retokenize(rng, nlp, gold.text)
        pred = Doc(nlp.vocab, words=words, spaces=spaces)
        x_of = one_to_one(pred, gold)
        y_of = {j: i for i, j in x_of.items()}
        pieces = split_pieces(pred, gold)
        if index % 10 != 9:
            # a sentence that starts inside a gold token, now and then
            starts = pieces[1:2] if index % 3 == 0 else []
            heads, deps = predicted_parse(rng, gold, pred, x_of, y_of, starts)
            pred = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps)
        else:
            pred[0].is_sent_start = True     # a sentencizer's output: starts only
            for i in range(1, len(pred)):
                pred[i].is_sent_start = pred[i - 1].text in (".", "!", "?")
        tags = sorted({t.tag_ for t in gold if t.tag_})
        pos = sorted({t.pos_ for t in gold if t.pos_})
        lemmas = sorted({t.lemma_ for t in gold if t.lemma_})
        analyses = sorted({str(t.morph) for t in gold if t.morph.key})
        for i, token in enumerate(pred):
            j = x_of.get(i)
            g = gold[j] if j is not None else None
            if rng.random() < 0.03:
                continue        # left without a prediction
            token.tag_ = maybe(rng, g.tag_ if g else "", tags)
            token.pos_ = maybe(rng, g.pos_ if g else "", pos)
            token.lemma_ = maybe(rng, g.lemma_ if g else "", lemmas, 0.9)
            # "" is the analysis without features, as a morphologizer predicts it
            token.set_morph(maybe(rng, str(g.morph) if g and g.morph.key else "", analyses, 0.8))
        ent_labels = ("ORG", "LOC", "PER")
        # an entity and a span on a piece of a split gold token, now and then
        on_piece = [Span(pred, i, i + 1, "ORG") for i in pieces[:1]] if index % 2 == 0 else []
        pred.ents = _no_overlap(on_piece + snap_spans(
            rng, pred, [(s.start_char, s.end_char, s.label_) for s in gold.ents], ent_labels))
        pred.spans["sc"] = [Span(pred, i, i + 1, "A") for i in pieces[-1:]] + snap_spans(
            rng, pred, [(s.start_char, s.end_char, s.label_) for s in gold.spans.get("sc", [])],
            SPAN_LABELS)
        scores = [rng.random() for _ in CATS]
        pred.cats = {label: round(s / sum(scores), 4) for label, s in zip(CATS, scores)}
        pred_docs.append(pred)
    return gold_docs, pred_docs


def _no_overlap(spans):
    out, used = [], set()
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):
        if not used.intersection(range(span.start, span.end)):
            out.append(span)
            used.update(range(span.start, span.end))
    return out


def main():
    nlp = spacy.blank("en")
    gold_docs, pred_docs = make_docs(nlp)
    DocBin(docs=gold_docs, store_user_data=True).to_disk(HERE / "gold.spacy")
    DocBin(docs=pred_docs, store_user_data=True).to_disk(HERE / "pred.spacy")
    # read back, as the test does
    gold_docs = list(DocBin().from_disk(HERE / "gold.spacy").get_docs(nlp.vocab))
    pred_docs = list(DocBin().from_disk(HERE / "pred.spacy").get_docs(nlp.vocab))
    examples = [Example(p, g) for p, g in zip(pred_docs, gold_docs)]
    for name in ("tagger", "morphologizer", "trainable_lemmatizer", "parser", "ner", "spancat",
                 "textcat"):
        nlp.add_pipe(name)
    for label in CATS:
        nlp.get_pipe("textcat").add_label(label)
    pipeline = Scorer(nlp).score(examples)
    multi = spacy.blank("en")
    textcat = multi.add_pipe("textcat_multilabel", config={"threshold": 0.5})
    for label in CATS:
        textcat.add_label(label)
    multilabel = textcat.score(examples)
    out = {"made_with": f"spaCy {spacy.__version__}", "pipeline": pipeline,
           "multilabel": multilabel}
    (HERE / "spacy_scores.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    for key, value in sorted(pipeline.items()):
        if not isinstance(value, dict):
            print(key, value)


if __name__ == "__main__":
    main()
