# cython: language_level=3
"""Arc-eager dependency parsing with labels and a dynamic oracle.

Moves: SHIFT ("S"), REDUCE ("D"), LEFT-label ("L-x": S0 <- B0, pop S0), RIGHT-label ("R-x":
S0 -> B0, push B0) and, for each label seen on roots, BREAK-label ("B-x": the sentence ends
before B0). Move 0 is SHIFT, 1 REDUCE, then LEFT and RIGHT of each label in the order the
labels were added, a root label's BREAK right after the moves of the labels known when it
became a root label.

Sentence boundaries are decided by BREAK, at the token that starts a sentence: it empties the
stack, so no later arc can join the sentences, and the next sentence is parsed on an empty stack
(its features do not see the previous one). The lowest headless token on the stack becomes the
sentence's root, with the move's label. The buffer also ends with a virtual root (position
len(doc)): once the real tokens are used up, the headless tokens left on the stack are attached
with LEFT moves, so every token of a final state has a head and the result is a projective
forest whose trees are the sentences (Doc.set_heads turns the roots' subtrees into
``doc.sents``). Only BREAK starts a sentence: a headless token above another one on the stack
(a fragment the model failed to attach) is joined to the nearest headless token below it with
the label "dep", by BREAK and by the final LEFT moves alike, instead of becoming a root that
would start a sentence of its own. This repair is not in the oracle's costs (they are exact for
the system without it, ``join_fragments = False``); it changes no move or training step, only
the trees decoded: spaCy's efficiency config on EWT, 2000 steps, seeds 0/1/2, spaCy's scorer:
sents_f 70.81/68.96/66.13 -> 74.90/74.50/74.11, UAS -0.18 and LAS -0.31 on average (a fragment
that truly was a sentence of its own is now joined, and "dep" is rarely the right label). LEFT to the
virtual root is allowed only with labels seen on roots in training (any label when none was
seen; such a system has no BREAK moves). Sentence starts already on the Doc (``is_sent_start``
True, set by an earlier component such as a sentencizer) are kept: no arc joins tokens on two
sides of one, so each preset sentence gets its own trees (the parser may still cut one
further); a token preset as no sentence start (False) cannot be broken at. Heads and labels
already on the Doc are not read; set_annotations replaces them.

Validity: SHIFT needs a buffer token; REDUCE a stack token with a head; LEFT a stack token
without one (to a real B0, in the same preset sentence); RIGHT a stack token and a buffer token
in the same preset sentence; BREAK a stack token and a real B0 without left children. Every
state that is not final has a valid move (SHIFT, REDUCE, or LEFT to the virtual root) and every
sequence of valid moves ends with every token attached, without cycles.

Oracle (Goldberg and Nivre 2012, with the virtual root as the last buffer token): the cost of a
move is the number of gold arcs reachable before it and unreachable after it, a label error
counting as a lost arc. Arc-eager is arc-decomposable, so on projective gold this is exact: the
best tree reachable from a state after a move has exactly ``cost`` more errors than the best one
reachable before it. Missing gold heads cost nothing; a missing gold label accepts any label.
BREAK loses the stack tokens' gold arcs into the buffer and a wrong label on a gold root. One
cost is not about arcs: SHIFT at a gold sentence start while a BREAK is possible costs 1, so the
model learns to decide each boundary where it sees both sides of it (the tree could still come
out right through the virtual root, but the decision would then be spread over every later move
that could join the sentences; with spaCy's efficiency config on EWT, 2000 steps, sentence F
was 1.8 points lower on average over three seeds).
Labels seen fewer than ``min_freq`` times at initialize are folded into the back-off label
"dep" (as spaCy's ``min_action_freq`` does): an arc with an unknown label is trained as "dep"
when that label exists, and accepts any label otherwise. Gold trees are projectivized first (Example.get_aligned_parse), decorated labels
"x||y" being ordinary labels, and predictions are deprojectivized in set_annotations.
"""
from libc.stdint cimport uint8_t
from libcpp.vector cimport vector

from ...structs cimport TokenC
from ...tokens.doc cimport Doc
from ...typedefs cimport attr_t
from ._state cimport (StateC, GoldC, TransitionC, FP_FEATS_PARSER, FP_N_PARSER_FEATS,
                      FP_AE_SHIFT, FP_AE_REDUCE, FP_AE_LEFT, FP_AE_RIGHT, FP_AE_BREAK)
from .transition_system cimport TransitionSystem, Gold

from collections import Counter

from ...errors import Errors
from ...gold.nonproj import deprojectivize, DELIMITER

#: The label that rare and unknown gold labels are trained as.
BACKOFF_LABEL = "dep"


cdef inline int kids_in_buffer(const GoldC* gold, int head, int b0) noexcept nogil:
    """Gold dependents of head still in the buffer (buffer tokens never have heads)."""
    cdef int i, n = 0
    for i in range(gold.kids_start[head], gold.kids_start[head + 1]):
        if gold.kids[i] >= b0:
            n += 1
    return n


cdef inline int headless_kids_in_stack(const GoldC* gold, const StateC* st,
                                       int head) noexcept nogil:
    """Gold dependents of head that sit on the stack without a head."""
    cdef int i, d, n = 0
    for i in range(gold.kids_start[head], gold.kids_start[head + 1]):
        d = gold.kids[i]
        if d < st.b0 and st.on_stack[d] and st.heads[d] == -1:
            n += 1
    return n


cdef inline int headless_below_top(const StateC* st) noexcept nogil:
    """The nearest headless token under the stack top, -1 if none."""
    cdef int k
    for k in range(<int>st.stack.size() - 2, -1, -1):
        if st.heads[st.stack[k]] == -1:
            return st.stack[k]
    return -1


cdef inline bint breakable(const StateC* st) noexcept nogil:
    """BREAK is possible: tokens on the stack, B0 a real token without left children (the
    sentence would start at it) and not preset as no sentence start."""
    return (st.stack.size() != 0 and st.b0 < st.length and st.lkids[2 * st.b0] == -1
            and st.sent[st.b0].sent_start != -1)


cdef int break_cost(const StateC* st, const GoldC* gold, attr_t label) noexcept nogil:
    """Reachable gold arcs a BREAK with this root label loses: every gold dependent of a stack
    token still in the buffer, the gold heads in the buffer of the headless stack tokens, and
    the label of a headless gold root when the gold label differs."""
    cdef int k, s, gh, n = st.length, cost = 0
    for k in range(<int>st.stack.size()):
        s = st.stack[k]
        cost += kids_in_buffer(gold, s, st.b0)
        if st.heads[s] == -1:
            gh = gold.heads[s]
            if st.b0 <= gh < n:
                cost += 1
            elif gh == n and gold.labels[s] != 0 and gold.labels[s] != label:
                cost += 1
    return cost


cdef class ArcEager(TransitionSystem):
    """``ArcEager(vocab_or_strings, labels=None)``: arc-eager moves over labelled arcs."""

    action_names = {FP_AE_SHIFT: "S", FP_AE_REDUCE: "D", FP_AE_LEFT: "L", FP_AE_RIGHT: "R",
                    FP_AE_BREAK: "B"}

    def __init__(self, strings, labels=None):
        self.feature_set = FP_FEATS_PARSER
        self.n_feats = FP_N_PARSER_FEATS
        self.n_root_labels = 0
        self.breaks = True
        TransitionSystem.__init__(self, strings, labels)
        self.merge_label = self.strings.add(BACKOFF_LABEL)
        self.join_fragments_ = True
        self.cfg.setdefault("root_labels", [])
        self.cfg.setdefault("break_after", [])
        self.cfg["breaks"] = True

    @property
    def join_fragments(self):
        """Whether BREAK and the final moves join extra headless tokens of a sentence to the
        fragment before them (True) or make each a root (False: the system the oracle's costs
        are exact for)."""
        return self.join_fragments_

    @join_fragments.setter
    def join_fragments(self, value):
        self.join_fragments_ = bool(value)

    def _init_moves(self):
        self._append_move(FP_AE_SHIFT, 0)
        self.root_ok.push_back(0)
        self._append_move(FP_AE_REDUCE, 0)
        self.root_ok.push_back(0)

    def _add_label_moves(self, attr_t key):
        self._append_move(FP_AE_LEFT, key)
        self.root_ok.push_back(0)
        self._append_move(FP_AE_RIGHT, key)
        self.root_ok.push_back(0)
        self.decorated.push_back(DELIMITER in self.strings[key])

    def add_label(self, label, root=False):
        """Add LEFT and RIGHT moves for a label; ``root=True`` also lets it attach tokens to
        the virtual root and adds its BREAK move (after the moves of the labels known then)."""
        added = TransitionSystem.add_label(self, label)
        if root and label not in self.cfg.setdefault("root_labels", []):
            self._make_root(label)
        return added

    def _make_root(self, label):
        cdef attr_t key = self.strings.add(label)
        cdef int i
        for i in range(<int>self.c.size()):
            if self.c[i].action == FP_AE_LEFT and self.c[i].label == key:
                self.root_ok[i] = 1
        self.n_root_labels += 1
        self.cfg["root_labels"].append(label)
        self.cfg.setdefault("break_after", []).append(len(self.cfg["labels"]))
        if self.breaks:
            self._append_move(FP_AE_BREAK, key)
            self.root_ok.push_back(0)

    @property
    def root_labels(self):
        return tuple(self.cfg.get("root_labels", ()))

    def from_dict(self, cfg):
        """Rebuild the moves in their saved order: each root label's BREAK move comes after
        the labels that were known when it became a root (systems saved before BREAK moves
        existed have none)."""
        self.breaks = bool(cfg.get("breaks", False))
        self.cfg["breaks"] = self.breaks
        roots = list(cfg.get("root_labels", ()))
        after = list(cfg.get("break_after", ()))
        if len(after) != len(roots):    # saved before the order was kept: at their label
            labels = list(cfg.get("labels", ()))
            after = [labels.index(r) + 1 if r in labels else len(labels) for r in roots]
        for k, label in enumerate(cfg.get("labels", ())):
            self.add_label(label)
            for r, n in zip(roots, after):
                if n == k + 1 and r not in self.cfg["root_labels"]:
                    self._make_root(r)
        for r in roots:
            if r not in self.cfg["root_labels"]:
                self._make_root(r)
        return self

    def count_labels(self, examples):
        """Counts of the (projectivized) gold labels of the examples' parses."""
        counts = Counter()
        for eg in examples:
            heads, deps = eg.get_aligned_parse(projectivize=True)
            for i, (head, dep) in enumerate(zip(heads, deps)):
                if head is not None and dep is not None:
                    counts[dep] += 1
        return counts

    def initialize(self, examples, min_freq=1):
        """Add the labels seen at least ``min_freq`` times; labels seen on roots may attach
        tokens to the virtual root. If any label is rarer, the back-off label "dep" is added
        too: the rare labels are trained as it."""
        examples = list(examples)
        counts = self.count_labels(examples)
        root_labels = set()
        for eg in examples:
            heads, deps = eg.get_aligned_parse(projectivize=True)
            root_labels.update(dep for i, (head, dep) in enumerate(zip(heads, deps))
                               if head == i and dep is not None)
        added = []
        for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if n >= min_freq:
                if self.add_label(label, root=label in root_labels):
                    added.append(label)
        if any(n < min_freq for n in counts.values()) and self.add_label(BACKOFF_LABEL):
            added.append(BACKOFF_LABEL)
        return added

    # -- gold -----------------------------------------------------------------------------------

    def init_gold(self, example):
        """The gold tree of an example on its predicted tokens, projectivized."""
        heads, deps = example.get_aligned_parse(projectivize=True)
        cdef Gold gold = Gold(example.id)
        cdef int n = len(heads), i, h, steps, last
        known = set(self.cfg["labels"])
        cdef attr_t backoff = self.strings.add(BACKOFF_LABEL) if BACKOFF_LABEL in known else 0
        gold.c.length = n
        gold.c.heads.assign(n, -1)
        gold.c.labels.assign(n, 0)
        gold.c.kids_start.assign(n + 1, 0)
        for i in range(n):
            if heads[i] is None:
                continue
            h = heads[i]
            if not 0 <= h < n:
                raise ValueError(Errors.E208.format(id=example.id, i=i, head=h, n=n))
            gold.c.heads[i] = n if h == i else h
            if deps[i] is not None and deps[i] in known:
                gold.c.labels[i] = self.strings.add(deps[i])
            elif deps[i] is not None and h != i:
                gold.c.labels[i] = backoff
            if h != i:
                gold.c.kids_start[h + 1] += 1
        for i in range(n):
            gold.c.kids_start[i + 1] += gold.c.kids_start[i]
        gold.c.kids.assign(gold.c.kids_start[n], 0)
        fill = [gold.c.kids_start[i] for i in range(n)]
        for i in range(n):
            h = gold.c.heads[i]
            if 0 <= h < n:
                gold.c.kids[fill[h]] = i
                fill[h] += 1
        # a cycle would make the costs meaningless: refuse it, naming the example
        root_of = [-1] * n
        for i in range(n):
            h = last = i
            steps = 0
            while 0 <= h < n and steps <= n:
                h, steps, last = gold.c.heads[h], steps + 1, h
            if steps > n:
                raise ValueError(Errors.E209.format(id=example.id, i=i))
            root_of[i] = last if h == n else -1
        # a gold sentence starts where the trees change (heads known on both sides)
        gold.c.sent_starts.assign(n, 0)
        for i in range(1, n):
            if root_of[i - 1] != -1 and root_of[i] != -1 and root_of[i - 1] != root_of[i]:
                gold.c.sent_starts[i] = 1
        return gold

    # -- moves ----------------------------------------------------------------------------------

    def init_state(self, Doc doc):
        if self.label_keys.size() == 0 and doc.length:
            raise ValueError(Errors.E210)
        return TransitionSystem.init_state(self, doc)

    cdef bint is_final(self, const StateC* st) noexcept nogil:
        return st.b0 >= st.length and st.stack.size() == 0

    cdef int set_valid(self, int* is_valid, const StateC* st) noexcept nogil:
        cdef int i, action, n_moves = <int>self.c.size()
        cdef bint has_buffer = st.b0 < st.length
        cdef bint has_stack = st.stack.size() != 0
        cdef bint s0_headless = has_stack and st.heads[st.stack.back()] == -1
        cdef bint any_root = self.n_root_labels == 0
        # an arc between S0 and B0 would join two preset sentences
        cdef bint apart = has_stack and has_buffer \
            and st.sent_of[st.stack.back()] != st.sent_of[st.b0]
        cdef bint can_break = breakable(st)
        is_valid[FP_AE_SHIFT] = has_buffer
        is_valid[FP_AE_REDUCE] = has_stack and not s0_headless
        for i in range(2, n_moves):
            action = self.c[i].action
            if action == FP_AE_LEFT:
                is_valid[i] = s0_headless and (
                    (has_buffer and not apart)
                    or (not has_buffer and (any_root or self.root_ok[i] != 0)))
            elif action == FP_AE_RIGHT:
                is_valid[i] = has_stack and has_buffer and not apart
            else:
                is_valid[i] = can_break
        return 0

    cdef void apply(self, StateC* st, int move) noexcept nogil:
        cdef int action = self.c[move].action
        cdef int k, s, below = -1
        if action == FP_AE_SHIFT:
            st.push()
        elif action == FP_AE_REDUCE:
            st.pop()
        elif action == FP_AE_LEFT:
            s = st.stack.back()
            if st.b0 < st.length:
                st.add_arc(st.b0, s, self.c[move].label)
            else:
                below = headless_below_top(st)
                if self.join_fragments_ and below != -1 and st.sent_of[below] == st.sent_of[s]:
                    st.add_arc(below, s, self.merge_label)   # one root per sentence
                else:
                    st.add_arc(st.length, s, self.c[move].label)
            st.pop()
        elif action == FP_AE_RIGHT:
            st.add_arc(st.stack.back(), st.b0, self.c[move].label)
            st.push()
        else:
            # the lowest headless stack token becomes the sentence's root; each headless token
            # above it is joined to the nearest headless token below it (in its preset sentence)
            for k in range(<int>st.stack.size()):
                s = st.stack[k]
                if st.heads[s] == -1:
                    if (not self.join_fragments_ or below == -1
                            or st.sent_of[below] != st.sent_of[s]):
                        st.add_arc(st.length, s, self.c[move].label)
                    else:
                        st.add_arc(below, s, self.merge_label)
                    below = s
            while st.stack.size():
                st.pop()

    cdef int set_costs(self, int* is_valid, float* costs, const StateC* st,
                       const GoldC* gold) noexcept nogil:
        self.set_valid(is_valid, st)
        cdef int i, n_moves = <int>self.c.size()
        cdef int n = st.length, b0 = st.b0
        cdef int s0 = st.stack.back() if st.stack.size() else -1
        cdef int gh_s0 = gold.heads[s0] if s0 >= 0 else -1
        cdef int gh_b0 = gold.heads[b0] if b0 < n else -1
        cdef attr_t gl_s0 = gold.labels[s0] if s0 >= 0 else 0
        cdef attr_t gl_b0 = gold.labels[b0] if b0 < n else 0
        cdef int shift_cost = 0, reduce_cost = 0, left_cost = 0, right_cost = 0
        cdef int b0_kids_on_stack = 0
        if b0 < n:
            b0_kids_on_stack = headless_kids_in_stack(gold, st, b0)
            # B0's gold head on the stack, and its headless gold dependents there, are lost
            shift_cost = b0_kids_on_stack
            if 0 <= gh_b0 < n and st.on_stack[gh_b0] != 0:
                shift_cost += 1
        if s0 >= 0:
            reduce_cost = kids_in_buffer(gold, s0, b0)
            # S0's gold head further in the buffer (or the root, not yet B0) and its dependents
            # in the buffer are lost
            left_cost = reduce_cost
            if gh_s0 > b0:
                left_cost += 1
            if b0 < n:
                right_cost = b0_kids_on_stack
                if gh_b0 != -1 and gh_b0 != s0 and (gh_b0 > b0 or st.on_stack[gh_b0] != 0):
                    right_cost += 1
        cdef bint can_break = self.breaks and self.n_root_labels != 0 and breakable(st)
        # a gold sentence starts at B0 and could be closed now: moving on without closing it
        # is a boundary error (the tree could still come out right, but the model is taught
        # to decide the boundary here, where it sees both sides, as spaCy's break move does)
        if can_break and <size_t>b0 < gold.sent_starts.size() and gold.sent_starts[b0]:
            shift_cost += 1
        costs[FP_AE_SHIFT] = shift_cost
        costs[FP_AE_REDUCE] = reduce_cost
        for i in range(2, n_moves):
            if not is_valid[i]:
                costs[i] = 0
            elif self.c[i].action == FP_AE_LEFT:
                costs[i] = left_cost
                if gh_s0 == b0 and gl_s0 != 0 and gl_s0 != self.c[i].label:
                    costs[i] += 1
            elif self.c[i].action == FP_AE_RIGHT:
                costs[i] = right_cost
                if gh_b0 == s0 and gl_b0 != 0 and gl_b0 != self.c[i].label:
                    costs[i] += 1
            else:
                costs[i] = break_cost(st, gold, self.c[i].label)
        return 0

    # -- output ---------------------------------------------------------------------------------

    cdef int set_annotations_c(self, const StateC* st, Doc doc) except -1:
        """Heads and labels into the Doc (tokens left without a head become roots), undoing the
        pseudo-projective decorations sentence by sentence; Doc.set_heads derives the sentence
        starts from the roots' subtrees."""
        cdef int i, h, k, start, n = st.length
        cdef vector[int] root_of
        cdef bint any_decorated = False
        for i in range(n):
            h = st.heads[i]
            doc.c[i].head = h - i if 0 <= h < n else 0
            doc.c[i].dep = st.labels[i]
            k = self.label_index(st.labels[i]) if st.labels[i] else -1
            if k >= 0 and self.decorated[k]:
                any_decorated = True
        if any_decorated:
            # the state's forest is projective, so each tree spans consecutive tokens
            root_of.assign(n, -1)
            for i in range(n):
                h = i
                while doc.c[h].head != 0 and root_of[h] == -1:
                    h += doc.c[h].head
                root_of[i] = root_of[h] if root_of[h] != -1 else h
            start = 0
            for i in range(1, n + 1):
                if i == n or root_of[i] != root_of[start]:
                    self._deprojectivize_span(doc, start, i)
                    start = i
        doc.set_heads()
        return 0

    def _deprojectivize_span(self, Doc doc, int start, int end):
        cdef int i
        labels = [self.strings[doc.c[i].dep] if doc.c[i].dep else None for i in range(start, end)]
        if not any(label is not None and DELIMITER in label for label in labels):
            return
        heads = [i + doc.c[i].head - start for i in range(start, end)]
        heads, labels = deprojectivize(heads, labels)
        for i in range(start, end):
            doc.c[i].head = heads[i - start] + start - i
            doc.c[i].dep = self.strings.add(labels[i - start]) if labels[i - start] else 0
