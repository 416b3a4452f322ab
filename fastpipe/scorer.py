"""Scores of predicted Docs against the references of Examples.

Plain functions over Examples (predicted + reference + alignment); components call the ones
for what they assign, and Language.evaluate merges the results. The figures are spaCy's
Scorer's, definition for definition, so that the two tools' reports compare
(tests/test_scorer_one_ruler.py checks a sample against spaCy's own output).

Each component's ``scorer`` setting names a registered scorer (``@scorers``): a function
without settings that returns ``score(examples, **kwargs) -> dict``. The component calls it
with its settings (``cfg``), its labels and the caller's keyword arguments (``run_scorer``), so
a scorer takes what it needs (``labels``, ``threshold``) and ignores the rest. The built-in
ones are registered at the end of this module; a user's registered scorer replaces them.
"""
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional, Set

import numpy

from .errors import Errors
from .registry import registry
from .tokens.morphanalysis import canonical_string, parse_features


class PRF:
    """Precision, recall and F-score from true-positive, false-positive and false-negative counts."""

    def __init__(self, tp: int = 0, fp: int = 0, fn: int = 0):
        self.tp, self.fp, self.fn = tp, fp, fn

    def score_set(self, predicted: Set, gold: Set):
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fscore(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> Dict[str, float]:
        return {"p": self.precision, "r": self.recall, "f": self.fscore}

    @property
    def counted(self) -> bool:
        """Whether anything was counted: where nothing was, spaCy's figures are None."""
        return bool(self.tp + self.fp + self.fn)


#: reference_index's marks for predicted tokens that lie within no single reference token
OVER_SEVERAL, WHITESPACE = -1, -2


def reference_index(example) -> numpy.ndarray:
    """For each predicted token, the one reference token it lies within; OVER_SEVERAL where it
    overlaps several, WHITESPACE for a whitespace token (spaCy aligns the texts without their
    whitespace, so such a token stands for nothing). This is how spaCy's scorer reads
    predictions: a reference token split in two gets two predicted values (both must be right),
    a predicted token over several reference tokens counts for none of them."""
    x2y = example.alignment.x2y
    lengths = numpy.asarray(x2y.lengths)
    out = numpy.full(len(lengths), OVER_SEVERAL, dtype=numpy.int64)
    one = lengths == 1
    out[one] = numpy.asarray(x2y.data)[numpy.asarray(x2y.starts)[one]]
    out[lengths == 0] = WHITESPACE
    if len(out):
        out[example.predicted.to_array(["IS_SPACE"]).reshape(-1) != 0] = WHITESPACE
    return out


def score_tokenization(examples) -> Dict[str, Optional[float]]:
    """token_acc: share of the predicted (non-whitespace) tokens that lie within one reference
    token; token_p/r/f over character spans of non-whitespace tokens, each in its own Doc's
    text (spaCy's definitions: where the texts differ in whitespace, the spans after the
    difference do not match)."""
    prf = PRF()
    inside = total = 0
    for eg in examples:
        pred = {(t.idx, t.idx + len(t)) for t in eg.predicted if not t.is_space}
        gold = {(t.idx, t.idx + len(t)) for t in eg.reference if not t.is_space}
        prf.score_set(pred, gold)
        lengths = numpy.asarray(eg.alignment.x2y.lengths)
        for i, token in enumerate(eg.predicted):
            if not token.is_space:
                total += 1
                inside += lengths[i] == 1
    return {"token_acc": int(inside) / total if total else None, "token_p": prf.precision,
            "token_r": prf.recall, "token_f": prf.fscore}


#: Values that mean "not annotated" to the token scorers.
MISSING_VALUES = frozenset({"", None, 0})


def score_token_attr(examples, attr: str, *, name: Optional[str] = None,
                     getter: Optional[Callable] = None) -> Dict[str, Optional[float]]:
    """{name}_acc, spaCy's definition: the F-score of the predicted (reference token, value)
    pairs against the reference ones. Reference tokens without a value are left out, with
    whatever was predicted on them; a predicted token is read through ``reference_index``, and
    a prediction without a value counts as wrong. With one predicted token per reference
    token this is the share of right values. A token's value is ``getter(token)`` (default:
    its ``{attr}_`` string)."""
    name = name or attr.lower().rstrip("_")
    if getter is None:
        def getter(token):
            return getattr(token, f"{attr}_")
    prf = PRF()
    for eg in examples:
        gold = set()
        missing = set()
        for j, token in enumerate(eg.reference):
            value = getter(token)
            if value in MISSING_VALUES:
                missing.add(j)
            else:
                gold.add((j, value))
        pred = set()
        for token, j in zip(eg.predicted, reference_index(eg).tolist()):
            if j >= 0 and j not in missing:
                pred.add((j, getter(token)))
        prf.score_set(pred, gold)
    return {f"{name}_acc": prf.fscore if prf.counted else None}


def _doc_ents(doc):
    return doc.ents


def _ent_iob_missing(token) -> bool:
    return token.ent_iob == 0


def span_mapper(example, whole_tokens: bool) -> Callable:
    """``map(start, end)``: the reference tokens [first, last + 1) that the predicted tokens
    start..end lie over (whitespace tokens left out), as spaCy's scorer reads a predicted span;
    None where they lie over none, and, with ``whole_tokens``, where the span cuts a reference
    token (it is then neither right nor wrong). Without ``whole_tokens`` a span over part of a
    reference token stands for the whole token, as spaCy's entity scores read it."""
    x2y, y2x = example.alignment.x2y, example.alignment.y2x
    x_len, x_start, x_data = (numpy.asarray(a).tolist() for a in (x2y.lengths, x2y.starts, x2y.data))
    y_len, y_start, y_data = (numpy.asarray(a).tolist() for a in (y2x.lengths, y2x.starts, y2x.data))
    space = (example.predicted.to_array(["IS_SPACE"]).reshape(-1).tolist()
             if len(example.predicted) else [])

    def map_span(start: int, end: int):
        ys = [y for i in range(start, end) if not space[i]
              for y in x_data[x_start[i]:x_start[i] + x_len[i]]]
        if not ys:
            return None
        first, last = min(ys), max(ys)
        if whole_tokens:   # the tokens inside are whole when the two at the ends are
            for j in (first, last):
                xs = y_data[y_start[j]:y_start[j] + y_len[j]]
                if min(xs) < start or max(xs) >= end:
                    return None
        return first, last + 1

    return map_span


def score_spans(examples, key: str = "ents", *, getter: Optional[Callable] = None,
                has_annotation: Optional[Callable] = None,
                is_missing: Optional[Callable] = None, labeled: bool = True) -> Dict:
    """{key}_p/r/f overall and {key}_per_type for labelled spans, compared in reference tokens
    (spaCy's definitions; ``span_mapper`` reads the predicted ones). Examples whose reference
    has no annotation of that kind are skipped, and so is a predicted span over a reference
    token whose annotation is missing (``is_missing(token)``; for the default entities, a
    token with no IOB value): it is neither right nor wrong. A predicted entity over part of a
    reference token stands for the whole token; other spans (``getter``) that cut a reference
    token are left out. ``labeled=False`` compares the spans without their labels (per type:
    the label ""). None where nothing was counted."""
    whole_tokens = getter is not None
    if getter is None:
        getter = _doc_ents
        is_missing = is_missing or _ent_iob_missing
    has_annotation = has_annotation or (lambda doc: doc.has_annotation("ENT_IOB"))
    total = PRF()
    per_type: Dict[str, PRF] = defaultdict(PRF)
    for eg in examples:
        if not has_annotation(eg.reference):
            continue
        gold = {(s.start, s.end, s.label_ if labeled else "") for s in getter(eg.reference)}
        unknown = ([t.i for t in eg.reference if is_missing(t)] if is_missing is not None
                   else [])
        map_span = span_mapper(eg, whole_tokens)
        pred = set()
        for span in getter(eg.predicted):
            mapped = map_span(span.start, span.end)
            if mapped is not None and not any(mapped[0] <= j < mapped[1] for j in unknown):
                pred.add((*mapped, span.label_ if labeled else ""))
        total.score_set(pred, gold)
        for label in {s[2] for s in gold | pred}:
            per_type[label].score_set({s for s in pred if s[2] == label},
                                      {s for s in gold if s[2] == label})
    if not total.counted:
        return {f"{key}_p": None, f"{key}_r": None, f"{key}_f": None, f"{key}_per_type": None}
    return {f"{key}_p": total.precision, f"{key}_r": total.recall, f"{key}_f": total.fscore,
            f"{key}_per_type": {label: prf.to_dict() for label, prf in sorted(per_type.items())}}


def score_deps(examples, *, ignore_labels=("punct", "p")) -> Dict:
    """Attachment scores, spaCy's definitions: dep_uas and dep_las are F-scores of the
    predicted arcs (reference token, reference head) and (token, head, label) against the
    reference ones, labels compared in lower case; dep_las_per_type holds P/R/F per label.
    Arcs whose label is in ``ignore_labels`` are left out on each side by that side's label
    (a gold "punct" arc predicted as "advmod" is a false positive). Reference tokens without
    a label are not scored, nor what was predicted on them. Predicted tokens are read through
    ``reference_index``: one over several reference tokens is a wrong arc (counted in UAS and
    LAS only), a whitespace token is not scored, and a head that lies within no single
    reference token is a wrong head (its arc counted in UAS and LAS only). A prediction
    without a parse counts each token as its own root with the label ""."""
    ignore = {label.lower() for label in ignore_labels}
    unlabelled = PRF()
    labelled = PRF()
    per_type: Dict[str, PRF] = defaultdict(PRF)
    for eg in examples:
        gold_arcs = set()
        missing = set()
        for j, token in enumerate(eg.reference):
            label = token.dep_.lower()
            if not label:
                missing.add(j)
            elif label not in ignore:
                gold_arcs.add((j, token.head.i, label))
        index = reference_index(eg).tolist()
        pred_arcs = set()
        for i, token in enumerate(eg.predicted):
            label = token.dep_.lower()
            j = index[i]
            if label in ignore or j == WHITESPACE:
                continue
            if j == OVER_SEVERAL:
                unlabelled.fp += 1
                labelled.fp += 1
            elif j not in missing:
                head = index[token.head.i]
                pred_arcs.add((j, head if head >= 0 else None, label))
        unlabelled.score_set({a[:2] for a in pred_arcs}, {a[:2] for a in gold_arcs})
        labelled.score_set(pred_arcs, gold_arcs)
        typed = {a for a in pred_arcs if a[1] is not None}
        for label in {a[2] for a in gold_arcs | typed}:
            per_type[label].score_set({a for a in typed if a[2] == label},
                                      {a for a in gold_arcs if a[2] == label})
    if not unlabelled.counted:
        return {"dep_uas": None, "dep_las": None, "dep_las_per_type": None}
    return {"dep_uas": unlabelled.fscore, "dep_las": labelled.fscore,
            "dep_las_per_type": {label: prf.to_dict() for label, prf in sorted(per_type.items())}}


def score_sents(examples, key: str = "sents") -> Dict[str, Optional[float]]:
    """Sentence boundaries: P/R/F over sentences in reference tokens, a predicted sentence that
    cuts a reference token left out (``span_mapper``); references without sentence boundaries
    are skipped, and a prediction without any finds nothing. None where nothing was counted."""
    prf = PRF()
    for eg in examples:
        if not eg.reference.has_annotation("SENT_START"):
            continue
        gold = {(s.start, s.end) for s in eg.reference.sents}
        try:
            spans = [(s.start, s.end) for s in eg.predicted.sents]
        except ValueError:
            spans = []
        map_span = span_mapper(eg, whole_tokens=True)
        pred = {map_span(start, end) for start, end in spans} - {None}
        prf.score_set(pred, gold)
    if not prf.counted:
        return {f"{key}_p": None, f"{key}_r": None, f"{key}_f": None}
    return {f"{key}_p": prf.precision, f"{key}_r": prf.recall, f"{key}_f": prf.fscore}


#: A token analysed as having no features (a POS but no morphology, UD's "_").
NO_FEATURES = "_"


def morph_string(token) -> str:
    """The token's features in canonical order for scoring: NO_FEATURES for a token with a POS
    and no features, "" (missing) for a token with neither."""
    text = canonical_string(token.morph_)
    return text or (NO_FEATURES if token.pos else "")


def score_morph_per_feat(examples, attr: str = "morph") -> Dict:
    """Features scored one field at a time (spaCy's definitions): a feature is a token's
    ``Field=Values``; {attr}_per_feat holds P/R/F per field and {attr}_micro_p/r/f the sums over
    fields. Reference tokens without features (missing, or NO_FEATURES) are left out, with
    what was predicted on them; predicted tokens are read through ``reference_index``."""
    per_feat: Dict[str, PRF] = defaultdict(PRF)
    total = PRF()
    for eg in examples:
        gold: Dict[str, Set] = defaultdict(set)
        annotated = set()
        for j, token in enumerate(eg.reference):
            text = morph_string(token)
            if text in ("", NO_FEATURES):
                continue
            annotated.add(j)
            for field, values in parse_features(text):
                gold[field].add((j, field, values))
        pred: Dict[str, Set] = defaultdict(set)
        for token, j in zip(eg.predicted, reference_index(eg).tolist()):
            if j not in annotated:
                continue
            for field, values in parse_features(morph_string(token)):
                pred[field].add((j, field, values))
        for field in set(gold) | set(pred):
            per_feat[field].score_set(pred[field], gold[field])
            total.score_set(pred[field], gold[field])
    if not per_feat:
        return {f"{attr}_micro_p": None, f"{attr}_micro_r": None, f"{attr}_micro_f": None,
                f"{attr}_per_feat": None}
    return {f"{attr}_micro_p": total.precision, f"{attr}_micro_r": total.recall,
            f"{attr}_micro_f": total.fscore,
            f"{attr}_per_feat": {field: prf.to_dict() for field, prf in sorted(per_feat.items())}}


def _roc_auc(truth: numpy.ndarray, scores: numpy.ndarray) -> Optional[float]:
    """Area under the ROC curve (the Mann-Whitney statistic, ties counted half)."""
    pos = scores[truth > 0.5]
    neg = scores[truth <= 0.5]
    if len(pos) == 0 or len(neg) == 0:
        return None
    order = numpy.argsort(numpy.concatenate([pos, neg]), kind="mergesort")
    ranks = numpy.empty(len(order))
    values = numpy.concatenate([pos, neg])[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def score_cats(examples, labels: Iterable[str], *, multi_label: bool, threshold: float = 0.5,
               key: str = "cats") -> Dict:
    """Text classification: per-label P/R/F and AUC, micro and macro averages; cats_score is
    macro F for exclusive classes and macro AUC for multi-label. A label the reference leaves
    out is missing (not scored) for multi-label, and false for exclusive classes, so that a
    reference without cats counts only there (spaCy's definitions). The macro AUC averages
    over every label, a label whose AUC is undefined (one class only) adding 0."""
    labels = list(labels)
    per_label = {label: PRF() for label in labels}
    micro = PRF()
    truths: Dict[str, List[float]] = {label: [] for label in labels}
    preds: Dict[str, List[float]] = {label: [] for label in labels}
    n = 0
    for eg in examples:
        gold = eg.reference.cats
        if multi_label and not gold:
            continue
        n += 1
        pred = eg.predicted.cats
        if multi_label:
            chosen = {label for label in labels if pred.get(label, 0.0) >= threshold}
        else:
            chosen = {max(labels, key=lambda label: pred.get(label, 0.0))} if pred else set()
        for label in labels:
            if label in gold:
                is_gold = gold[label] >= 0.5
            elif multi_label:
                continue
            else:
                is_gold = False
            truths[label].append(float(is_gold))
            preds[label].append(float(pred.get(label, 0.0)))
            in_pred = label in chosen
            if in_pred and is_gold:
                per_label[label].tp += 1
                micro.tp += 1
            elif in_pred:
                per_label[label].fp += 1
                micro.fp += 1
            elif is_gold:
                per_label[label].fn += 1
                micro.fn += 1
    if n == 0 or not labels:
        return {f"{key}_score": None, f"{key}_micro_f": None, f"{key}_macro_f": None,
                f"{key}_macro_auc": None, f"{key}_f_per_type": None}
    aucs = {label: _roc_auc(numpy.asarray(truths[label]), numpy.asarray(preds[label])) for label in labels}
    macro_p = sum(p.precision for p in per_label.values()) / len(labels)
    macro_r = sum(p.recall for p in per_label.values()) / len(labels)
    macro_f = sum(p.fscore for p in per_label.values()) / len(labels)
    macro_auc = sum(a for a in aucs.values() if a is not None) / len(labels)
    correct = sum(per_label[label].tp for label in labels)
    return {
        f"{key}_score": macro_auc if multi_label else macro_f,
        f"{key}_score_desc": "macro AUC" if multi_label else "macro F",
        **({} if multi_label else {f"{key}_acc": correct / n}),
        f"{key}_micro_p": micro.precision, f"{key}_micro_r": micro.recall, f"{key}_micro_f": micro.fscore,
        f"{key}_macro_p": macro_p, f"{key}_macro_r": macro_r, f"{key}_macro_f": macro_f,
        f"{key}_macro_auc": macro_auc,
        f"{key}_f_per_type": {label: prf.to_dict() for label, prf in per_label.items()},
        f"{key}_auc_per_type": aucs,
    }


# -- the components' scorers ---------------------------------------------------------------------

def check_scorer(scorer: Optional[Callable], name: str) -> Optional[Callable]:
    """The ``scorer`` setting of component ``name`` (None: it reports no scores); E552 unless
    it is a function."""
    if scorer is not None and not callable(scorer):
        raise TypeError(Errors.E552.format(name=name, type=type(scorer).__name__))
    return scorer


def run_scorer(scorer: Optional[Callable], examples, settings: Dict[str, Any], labels,
               kwargs: Dict[str, Any]) -> Dict:
    """Call a component's scorer as spaCy does: with the component's settings, its labels and
    the caller's keyword arguments, the later winning. No scorer: no scores."""
    if scorer is None:
        return {}
    merged = dict(settings)
    if labels is not None:
        merged["labels"] = labels
    merged.update(kwargs)
    return scorer(examples, **merged)


def tagger_score(examples, **kwargs) -> Dict:
    """tag_acc."""
    return score_token_attr(examples, "tag")


def parser_score(examples, **kwargs) -> Dict:
    """dep_uas, dep_las, dep_las_per_type and the sentence boundaries (sents_p/r/f)."""
    scores = score_deps(examples)
    scores.update(score_sents(examples))
    return scores


def ents_score(examples, **kwargs) -> Dict:
    """ents_p/r/f and ents_per_type."""
    return score_spans(examples, "ents")


def textcat_score(examples, *, labels=(), threshold: float = 0.0, **kwargs) -> Dict:
    """cats_* for exclusive classes (the highest-scoring label is the prediction)."""
    return score_cats(examples, labels, multi_label=False, threshold=threshold)


def textcat_multilabel_score(examples, *, labels=(), threshold: float = 0.5, **kwargs) -> Dict:
    """cats_* for independent labels (a label is predicted when its score >= threshold)."""
    return score_cats(examples, labels, multi_label=True, threshold=threshold)


def _span_group_scores(examples, spans_key: str, labeled: bool) -> Dict:
    """score_spans over ``doc.spans[spans_key]``; examples whose reference has no such group
    are skipped."""
    def getter(doc):
        return doc.spans.get(spans_key, ())

    def has_group(doc):
        return spans_key in doc.spans

    return score_spans(examples, f"spans_{spans_key}", getter=getter, has_annotation=has_group,
                       labeled=labeled)


def spancat_score(examples, *, spans_key: str = "sc", **kwargs) -> Dict:
    """spans_{key}_p/r/f and spans_{key}_per_type over ``doc.spans[spans_key]`` (spans may
    overlap); examples whose reference has no such group are skipped."""
    return _span_group_scores(examples, spans_key, labeled=True)


def span_finder_score(examples, *, spans_key: str = "sc", **kwargs) -> Dict:
    """spans_{key}_p/r/f of the span finder's unlabelled candidates, compared as spancat's
    spans are (in reference tokens) with the labels ignored; no per-type figures. None when no
    span was predicted or expected."""
    scores = _span_group_scores(examples, spans_key, labeled=False)
    scores.pop(f"spans_{spans_key}_per_type")
    return scores


def senter_score(examples, **kwargs) -> Dict:
    """sents_p/r/f."""
    return score_sents(examples)


def lemmatizer_score(examples, **kwargs) -> Dict:
    """lemma_acc."""
    return score_token_attr(examples, "lemma")


def morphologizer_score(examples, **kwargs) -> Dict:
    """pos_acc, morph_acc (the whole analysis right; a token with a POS and no features counts
    as the analysis "no features"), morph_micro_p/r/f and morph_per_feat."""
    scores = score_token_attr(examples, "pos")
    scores.update(score_token_attr(examples, "morph", getter=morph_string))
    scores.update(score_morph_per_feat(examples))
    return scores


def attribute_ruler_score(examples, **kwargs) -> Dict:
    """What an attribute ruler may set: tag_acc, lemma_acc and the morphologizer's scores
    (pos_acc, morph_acc, morph_micro_p/r/f, morph_per_feat)."""
    scores = tagger_score(examples)
    scores.update(morphologizer_score(examples))
    scores.update(lemmatizer_score(examples))
    return scores


@registry.scorers("fastpipe.tagger_scorer.v1")
def make_tagger_scorer() -> Callable:
    return tagger_score


@registry.scorers("fastpipe.parser_scorer.v1")
def make_parser_scorer() -> Callable:
    return parser_score


@registry.scorers("fastpipe.ner_scorer.v1")
def make_ner_scorer() -> Callable:
    return ents_score


@registry.scorers("fastpipe.entity_ruler_scorer.v1")
def make_entity_ruler_scorer() -> Callable:
    return ents_score


@registry.scorers("fastpipe.textcat_scorer.v1")
def make_textcat_scorer() -> Callable:
    return textcat_score


@registry.scorers("fastpipe.textcat_multilabel_scorer.v1")
def make_textcat_multilabel_scorer() -> Callable:
    return textcat_multilabel_score


@registry.scorers("fastpipe.spancat_scorer.v1")
def make_spancat_scorer() -> Callable:
    return spancat_score


@registry.scorers("fastpipe.span_finder_scorer.v1")
def make_span_finder_scorer() -> Callable:
    return span_finder_score


@registry.scorers("fastpipe.attribute_ruler_scorer.v1")
def make_attribute_ruler_scorer() -> Callable:
    return attribute_ruler_score


@registry.scorers("fastpipe.senter_scorer.v1")
def make_senter_scorer() -> Callable:
    return senter_score


@registry.scorers("fastpipe.morphologizer_scorer.v1")
def make_morphologizer_scorer() -> Callable:
    return morphologizer_score


@registry.scorers("fastpipe.lemmatizer_scorer.v1")
def make_lemmatizer_scorer() -> Callable:
    return lemmatizer_score
