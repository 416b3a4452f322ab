# cython: language_level=3
"""Arc-eager dependency parsing with labels and a dynamic oracle.

Moves: SHIFT ("S"), REDUCE ("D"), LEFT-label ("L-x": S0 <- B0, pop S0) and RIGHT-label ("R-x":
S0 -> B0, push B0). Move 0 is SHIFT, 1 REDUCE, then LEFT and RIGHT of each label in the order
the labels were added.

Sentence boundaries: the buffer ends with a virtual root (position len(doc)). Once the real
tokens are used up, every headless token left on the stack is attached to the virtual root with
a LEFT move; so every token of a final state has a head and the result is a projective forest
whose trees are the sentences (Doc.set_heads turns the roots' subtrees into ``doc.sents``).
A sentence boundary is predicted by SHIFTing a token over a headless S0 that later goes to the
root. LEFT to the virtual root is allowed only with labels seen on roots in training (any label
when none was seen). Sentence starts already on the Doc (``is_sent_start`` True, set by an
earlier component such as a sentencizer) are kept: no arc joins tokens on two sides of one, so
each preset sentence gets its own trees (the parser may still cut one further). Heads and labels
already on the Doc are not read; set_annotations replaces them.

Validity: SHIFT needs a buffer token; REDUCE a stack token with a head; LEFT a stack token
without one (to a real B0, in the same preset sentence); RIGHT a stack token and a buffer token
in the same preset sentence. Every state that is not final has a valid move (SHIFT, REDUCE, or
LEFT to the virtual root) and every sequence of valid moves ends with every token attached,
without cycles.

Oracle (Goldberg and Nivre 2012, with the virtual root as the last buffer token): the cost of a
move is the number of gold arcs reachable before it and unreachable after it, a label error
counting as a lost arc. Arc-eager is arc-decomposable, so on projective gold this is exact: the
best tree reachable from a state after a move has exactly ``cost`` more errors than the best one
reachable before it. Missing gold heads cost nothing; a missing gold label accepts any label.
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
                      FP_AE_SHIFT, FP_AE_REDUCE, FP_AE_LEFT, FP_AE_RIGHT)
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


cdef class ArcEager(TransitionSystem):
    """``ArcEager(vocab_or_strings, labels=None)``: arc-eager moves over labelled arcs."""

    action_names = {FP_AE_SHIFT: "S", FP_AE_REDUCE: "D", FP_AE_LEFT: "L", FP_AE_RIGHT: "R"}

    def __init__(self, strings, labels=None):
        self.feature_set = FP_FEATS_PARSER
        self.n_feats = FP_N_PARSER_FEATS
        self.n_root_labels = 0
        TransitionSystem.__init__(self, strings, labels)
        self.cfg.setdefault("root_labels", [])

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
        the virtual root."""
        added = TransitionSystem.add_label(self, label)
        if root and label not in self.cfg.setdefault("root_labels", []):
            k = self.cfg["labels"].index(label)
            self.root_ok[2 + 2 * k] = 1
            self.n_root_labels += 1
            self.cfg["root_labels"].append(label)
        return added

    @property
    def root_labels(self):
        return tuple(self.cfg.get("root_labels", ()))

    def from_dict(self, cfg):
        roots = set(cfg.get("root_labels", ()))
        for label in cfg.get("labels", ()):
            self.add_label(label, root=label in roots)
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
        cdef int n = len(heads), i, h, steps
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
        for i in range(n):
            h = i
            steps = 0
            while 0 <= h < n and steps <= n:
                h = gold.c.heads[h]
                steps += 1
            if steps > n:
                raise ValueError(Errors.E209.format(id=example.id, i=i))
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
        is_valid[FP_AE_SHIFT] = has_buffer
        is_valid[FP_AE_REDUCE] = has_stack and not s0_headless
        for i in range(2, n_moves):
            action = self.c[i].action
            if action == FP_AE_LEFT:
                is_valid[i] = s0_headless and (
                    (has_buffer and not apart)
                    or (not has_buffer and (any_root or self.root_ok[i] != 0)))
            else:
                is_valid[i] = has_stack and has_buffer and not apart
        return 0

    cdef void apply(self, StateC* st, int move) noexcept nogil:
        cdef int action = self.c[move].action
        if action == FP_AE_SHIFT:
            st.push()
        elif action == FP_AE_REDUCE:
            st.pop()
        elif action == FP_AE_LEFT:
            st.add_arc(st.b0, st.stack.back(), self.c[move].label)
            st.pop()
        else:
            st.add_arc(st.stack.back(), st.b0, self.c[move].label)
            st.push()

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
        costs[FP_AE_SHIFT] = shift_cost
        costs[FP_AE_REDUCE] = reduce_cost
        for i in range(2, n_moves):
            if not is_valid[i]:
                costs[i] = 0
            elif self.c[i].action == FP_AE_LEFT:
                costs[i] = left_cost
                if gh_s0 == b0 and gl_s0 != 0 and gl_s0 != self.c[i].label:
                    costs[i] += 1
            else:
                costs[i] = right_cost
                if gh_b0 == s0 and gl_b0 != 0 and gl_b0 != self.c[i].label:
                    costs[i] += 1
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
