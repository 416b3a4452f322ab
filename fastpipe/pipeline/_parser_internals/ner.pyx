# cython: language_level=3
"""BILUO entity moves with an oracle.

Moves: OUT ("O") is move 0, then BEGIN, IN, LAST and UNIT of each label ("B-PER", "I-PER",
"L-PER", "U-PER") in the order the labels were added. Each move labels the token B0 and
advances the buffer; the state is final when every token is labelled.

Entities preset on the Doc (by an entity_ruler or any earlier component) are constraints: a
token annotated O must get OUT, and the tokens of a preset entity (read as Doc.ents reads
them) must get exactly the moves that rebuild it. A preset entity whose label this system does
not know is passed over with OUT and left untouched in the Doc. Tokens with missing entity
annotation are free; an entity may only grow over free tokens.

Oracle: the cost of a move is how many more entity errors (false positives plus false
negatives) the best completion has after the move than before. With complete gold this is
exact. Tokens with missing gold ("-") are free: no move is charged for them, and a predicted
entity that touches one is not counted as a false positive (the cost then ignores that growing
a wrong entity until it reaches a missing token would also excuse it). Gold entities with labels
this system does not know can never be matched: their tokens read as O.

Incorrect spans (the ner's ``incorrect_spans_key``): the spans of the reference's
``doc.spans[key]`` are known not to be entities with their label (a span without a label: not an
entity of any label), typically where the rest of the gold is missing. A move that completes such
an entity exactly costs one more: UNIT over it, LAST closing it, and BEGIN or IN when the entity
can then only close on the next token. Such a span that is also a gold entity is a
contradiction in the data (E550).
"""
from ...structs cimport TokenC, FP_IOB_MISSING, FP_IOB_O, FP_IOB_B, FP_IOB_I
from ...tokens.doc cimport Doc
from ...typedefs cimport attr_t
from ._state cimport (StateC, GoldC, EntC, FP_FEATS_NER, FP_NER_MISSING, FP_NER_BEGIN,
                      FP_NER_IN, FP_NER_LAST, FP_NER_UNIT, FP_NER_OUT)
from .transition_system cimport TransitionSystem, Gold

from collections import Counter

from ...errors import Errors

DEFAULT_N_FEATS = 3
_PREFIX = {"B": FP_NER_BEGIN, "I": FP_NER_IN, "L": FP_NER_LAST, "U": FP_NER_UNIT}


cdef inline int preset_tag(const TokenC* sent, int n, int i, attr_t* label) noexcept nogil:
    """The BILUO action a preset annotation forces on token i (its label in ``label``), or
    FP_NER_MISSING when the token is free."""
    cdef int iob = sent[i].ent_iob
    cdef attr_t lab = sent[i].ent_type
    label[0] = 0
    if iob == FP_IOB_O:
        return FP_NER_OUT
    if iob != FP_IOB_B and iob != FP_IOB_I:
        return FP_NER_MISSING
    label[0] = lab
    cdef bint starts = (iob == FP_IOB_B or i == 0
                        or not ((sent[i - 1].ent_iob == FP_IOB_B or sent[i - 1].ent_iob == FP_IOB_I)
                                and sent[i - 1].ent_type == lab))
    cdef bint goes_on = (i + 1 < n and sent[i + 1].ent_iob == FP_IOB_I
                         and sent[i + 1].ent_type == lab)
    if starts:
        return FP_NER_BEGIN if goes_on else FP_NER_UNIT
    return FP_NER_IN if goes_on else FP_NER_LAST


cdef inline bint is_neg(const GoldC* gold, int start, int end, attr_t label) noexcept nogil:
    """Is (start, end, label) one of the spans known not to be entities?"""
    cdef int i
    for i in range(<int>gold.negs.size()):
        if (gold.negs[i].start == start and gold.negs[i].end == end
                and (gold.negs[i].label == label or gold.negs[i].label == 0)):
            return True
    return False


cdef inline bint must_close_at(const StateC* st, int i) noexcept nogil:
    """Must an entity that takes in token i end there (no free token follows)?"""
    cdef attr_t label
    return i + 1 >= st.length or preset_tag(st.sent, st.length, i + 1, &label) != FP_NER_MISSING


cdef inline bint starts_gold(int tag) noexcept nogil:
    return tag == FP_NER_BEGIN or tag == FP_NER_UNIT


cdef inline int open_value(const GoldC* gold, int i, attr_t label, bint viable,
                           bint touched) noexcept nogil:
    """Fewest errors still to come from an entity open before token i: it must take in token i.
    ``viable``: it matches the start of a gold entity so far (losing that entity is an error);
    ``touched``: it covers a token with missing gold (then it is never a false positive)."""
    cdef int g = gold.ner_tags[i]
    if g == FP_NER_MISSING:
        return 0
    if viable and (g == FP_NER_IN or g == FP_NER_LAST) and gold.ner_labels[i] == label:
        return 0
    # a false positive (unless excused), the gold entity it was matching lost, and a gold
    # entity starting at i swallowed
    return (0 if touched else 1) + viable + starts_gold(g)


cdef class BiluoPushDown(TransitionSystem):
    """``BiluoPushDown(vocab_or_strings, labels=None)``: BILUO moves over entity labels."""

    action_names = {FP_NER_OUT: "O", FP_NER_BEGIN: "B", FP_NER_IN: "I", FP_NER_LAST: "L",
                    FP_NER_UNIT: "U"}

    def __init__(self, strings, labels=None):
        self.feature_set = FP_FEATS_NER
        self.n_feats = DEFAULT_N_FEATS
        TransitionSystem.__init__(self, strings, labels)

    def _init_moves(self):
        self._append_move(FP_NER_OUT, 0)

    def _add_label_moves(self, attr_t key):
        for action in (FP_NER_BEGIN, FP_NER_IN, FP_NER_LAST, FP_NER_UNIT):
            self._append_move(action, key)

    cdef int move_of(self, int action, int k) noexcept nogil:
        return 0 if action == FP_NER_OUT else 1 + 4 * k + (action - FP_NER_BEGIN)

    def count_labels(self, examples):
        """Counts of gold entities per label."""
        counts = Counter()
        for eg in examples:
            for tag in eg.get_aligned_ner() or ():
                if tag[:2] in ("B-", "U-"):
                    counts[tag[2:]] += 1
        return counts

    def init_gold(self, example, neg_key=None):
        """The gold BILUO tags of an example on its predicted tokens ("-" = missing). Gold
        entities with labels the system does not know (add labels first) read as O. With
        ``neg_key``, the spans of ``example.reference.spans[neg_key]`` are known not to be
        entities (see the module's docstring)."""
        tags = example.get_aligned_ner()
        cdef int n = len(example.predicted), i
        cdef Gold gold = Gold(example.id)
        cdef EntC neg
        gold.c.length = n
        gold.c.ner_tags.assign(n, FP_NER_MISSING)
        gold.c.ner_labels.assign(n, 0)
        if neg_key is not None:
            for start, end, label in aligned_spans(example, neg_key):
                neg.start = start
                neg.end = end
                neg.label = self.strings.add(label) if label else 0
                gold.c.negs.push_back(neg)
        if tags is None:
            return gold
        known = set(self.cfg["labels"])
        for i, tag in enumerate(tags):
            if tag == "O":
                gold.c.ner_tags[i] = FP_NER_OUT
            elif tag and tag != "-":
                prefix, _, label = tag.partition("-")
                if prefix not in _PREFIX or not label:
                    raise ValueError(Errors.E065.format(tag=tag, i=i,
                                                        where=f" in example {example.id!r}"))
                if label in known:
                    gold.c.ner_tags[i] = _PREFIX[prefix]
                    gold.c.ner_labels[i] = self.strings.add(label)
                else:  # can never be predicted: predicting anything there is a false positive
                    gold.c.ner_tags[i] = FP_NER_OUT
        self._check_negs(gold, tags, neg_key)
        return gold

    def _check_negs(self, Gold gold, tags, neg_key):
        """E550 when a span known not to be an entity is one of the gold entities."""
        cdef int i
        for i in range(<int>gold.c.negs.size()):
            neg = gold.c.negs[i]
            first, last = tags[neg.start], tags[neg.end - 1]
            label = first.partition("-")[2]
            whole = (first[:2] in ("B-", "U-") and last[:2] in ("L-", "U-")
                     and all(tag.partition("-")[2] == label for tag in tags[neg.start:neg.end])
                     and all(tag[:2] == "I-" for tag in tags[neg.start + 1:neg.end - 1]))
            if whole and (neg.label == 0 or self.strings[neg.label] == label):
                raise ValueError(Errors.E550.format(id=gold.example_id, key=neg_key,
                                                    start=neg.start, end=neg.end, label=label))

    cdef bint is_final(self, const StateC* st) noexcept nogil:
        return st.b0 >= st.length

    cdef int set_valid(self, int* is_valid, const StateC* st) noexcept nogil:
        cdef int i, k, n_labels = <int>self.label_keys.size(), b0 = st.b0, n = st.length
        cdef attr_t label, next_label
        for i in range(<int>self.c.size()):
            is_valid[i] = 0
        if b0 >= n:
            return 0
        cdef int tag = preset_tag(st.sent, n, b0, &label)
        if tag != FP_NER_MISSING:
            k = self.label_index(label) if tag != FP_NER_OUT else -1
            is_valid[self.move_of(tag, k) if k >= 0 else 0] = 1
            return 0
        cdef bint next_free = (b0 + 1 < n and
                               preset_tag(st.sent, n, b0 + 1, &next_label) == FP_NER_MISSING)
        if st.ent_start != -1:
            k = self.label_index(st.ent_label)
            is_valid[self.move_of(FP_NER_LAST, k)] = 1
            is_valid[self.move_of(FP_NER_IN, k)] = next_free
            return 0
        is_valid[0] = 1
        for k in range(n_labels):
            is_valid[self.move_of(FP_NER_UNIT, k)] = 1
            is_valid[self.move_of(FP_NER_BEGIN, k)] = next_free
        return 0

    cdef void apply(self, StateC* st, int move) noexcept nogil:
        cdef int action = self.c[move].action
        if action == FP_NER_BEGIN:
            st.open_entity(self.c[move].label)
        elif action == FP_NER_UNIT:
            st.open_entity(self.c[move].label)
            st.close_entity()
        elif action == FP_NER_LAST:
            st.close_entity()
        st.b0 += 1

    cdef int set_costs(self, int* is_valid, float* costs, const StateC* st,
                       const GoldC* gold) noexcept nogil:
        self.set_valid(is_valid, st)
        cdef int i, t, action, cost, v0 = 0, b0 = st.b0
        if b0 >= st.length:
            return 0
        cdef int g = gold.ner_tags[b0]
        cdef attr_t g_label = gold.ner_labels[b0], label, open_label = st.ent_label
        cdef bint missing = g == FP_NER_MISSING
        cdef bint viable = False, touched = False
        cdef bint negs = gold.negs.size() != 0
        if st.ent_start != -1:
            viable = (gold.ner_tags[st.ent_start] == FP_NER_BEGIN
                      and gold.ner_labels[st.ent_start] == open_label)
            for t in range(st.ent_start, b0):
                if gold.ner_tags[t] == FP_NER_MISSING:
                    touched = True
                if t > st.ent_start and not (gold.ner_tags[t] == FP_NER_IN
                                             and gold.ner_labels[t] == open_label):
                    viable = False
            v0 = open_value(gold, b0, open_label, viable, touched)
        for i in range(<int>self.c.size()):
            costs[i] = 0
            if not is_valid[i]:
                continue
            action = self.c[i].action
            label = self.c[i].label
            if action == FP_NER_OUT:
                cost = starts_gold(g) if st.ent_start == -1 else 0
            elif action == FP_NER_UNIT:
                if missing or (g == FP_NER_UNIT and g_label == label):
                    cost = 0
                else:
                    cost = 1 + starts_gold(g)
                if negs:
                    cost += is_neg(gold, b0, b0 + 1, label)
            elif action == FP_NER_BEGIN:
                cost = starts_gold(g) and not (g == FP_NER_BEGIN and g_label == label)
                if b0 + 1 < st.length:
                    cost += open_value(gold, b0 + 1, label, g == FP_NER_BEGIN and g_label == label,
                                       missing)
                    if negs and must_close_at(st, b0 + 1):
                        cost += is_neg(gold, b0, b0 + 2, label)
            elif action == FP_NER_IN:
                cost = starts_gold(g) - v0
                if viable and not missing and not (g == FP_NER_IN and g_label == open_label):
                    cost += 1   # the gold entity it was matching ends here: lost
                if b0 + 1 < st.length:
                    cost += open_value(gold, b0 + 1, open_label,
                                       viable and g == FP_NER_IN and g_label == open_label,
                                       touched or missing)
                    if negs and must_close_at(st, b0 + 1):
                        cost += is_neg(gold, st.ent_start, b0 + 2, open_label)
            else:  # LAST
                cost = starts_gold(g) - v0
                if not (touched or missing
                        or (viable and g == FP_NER_LAST and g_label == open_label)):
                    cost += 1   # a false positive
                if viable and not missing and not (g == FP_NER_LAST and g_label == open_label):
                    cost += 1   # the gold entity it was matching goes on: lost
                if negs:
                    cost += is_neg(gold, st.ent_start, b0 + 1, open_label)
            costs[i] = cost if cost > 0 else 0
        return 0

    cdef int set_annotations_c(self, const StateC* st, Doc doc) except -1:
        """Entities into the Doc: tokens that had no entity annotation get O or the entity the
        state found; preset annotation is left as it was."""
        cdef int i, t, n = st.length
        cdef attr_t label
        free = [doc.c[i].ent_iob == FP_IOB_MISSING for i in range(n)]
        # preset entities that start after a free token must say B once that token may be I
        starts = [not free[i] and doc.c[i].ent_iob == FP_IOB_I
                  and preset_tag(doc.c, n, i, &label) in (FP_NER_BEGIN, FP_NER_UNIT)
                  for i in range(n)]
        for i in range(n):
            if free[i]:
                doc.c[i].ent_iob = FP_IOB_O
                doc.c[i].ent_type = 0
                doc.c[i].ent_kb_id = 0
        for i in range(<int>st.ents.size()):
            ent = st.ents[i]
            for t in range(ent.start, ent.end):
                if free[t]:
                    doc.c[t].ent_iob = FP_IOB_B if t == ent.start else FP_IOB_I
                    doc.c[t].ent_type = ent.label
        for i in range(n):
            if starts[i]:
                doc.c[i].ent_iob = FP_IOB_B
        return 0


def aligned_spans(example, key):
    """(start, end, label) on the predicted tokens of each span of
    ``example.reference.spans[key]`` whose boundaries are token boundaries there too (a span
    the two tokenizations cut differently is left out)."""
    group = example.reference.spans.get(key, ())
    if not group:
        return []
    align = example.alignment
    out = []
    for span in group:
        xs = [int(x) for j in range(span.start, span.end) for x in align.y2x[j]]
        if not xs:
            continue
        start, end = min(xs), max(xs) + 1
        inside = all(span.start <= int(y) < span.end
                     for x in range(start, end) for y in align.x2y[x])
        if inside:
            out.append((start, end, span.label_))
    return out
