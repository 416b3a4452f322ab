# cython: language_level=3
"""Pseudo-projective transforms of dependency trees (Nivre and Nilsson, 2005; "head" encoding).

projectivize lifts each non-projective arc to its grandparent, shortest arcs first, until the
tree is projective, and marks each lifted token's label as "label||headlabel" with the label
of the head it was taken from. deprojectivize undoes it: a token whose label carries "||X" is
reattached to the first token labelled X found breadth-first below its current head.

Heads are absolute token indices; a root is its own head; None marks a missing head (a tree
with missing heads is returned unchanged by projectivize).
"""
from libc.stdlib cimport abs as c_abs
from libcpp.vector cimport vector

DELIMITER = "||"


cdef bint _dominates(const vector[int]& heads, int ancestor, int token) noexcept:
    cdef int steps = 0, n = heads.size()
    while token != ancestor:
        if heads[token] == token or steps > n:
            return False
        token = heads[token]
        steps += 1
    return True


cdef bint _is_nonproj_arc(const vector[int]& heads, int child) noexcept:
    cdef int head = heads[child], k, lo, hi
    if head == child:
        return False
    lo = min(head, child)
    hi = max(head, child)
    for k in range(lo + 1, hi):
        if not _dominates(heads, head, k):
            return True
    return False


def is_nonproj_arc(int child, heads):
    cdef vector[int] h = heads
    return _is_nonproj_arc(h, child)


def is_nonproj_tree(heads):
    cdef vector[int] h = heads
    cdef int i
    for i in range(h.size()):
        if _is_nonproj_arc(h, i):
            return True
    return False


def projectivize(heads, labels):
    """(heads, labels) of the projective tree, lifted labels decorated with "||headlabel"."""
    if any(h is None for h in heads) or any(l is None for l in labels):
        return list(heads), list(labels)
    cdef vector[int] h = heads
    cdef int n = h.size(), i, best, best_len, length
    labels = list(labels)
    original = list(labels)
    decorated = [False] * n
    while True:
        best = -1
        best_len = n + 1
        for i in range(n):
            if _is_nonproj_arc(h, i):
                length = c_abs(h[i] - i)
                if length < best_len:
                    best = i
                    best_len = length
        if best == -1:
            break
        if not decorated[best]:
            labels[best] = f"{original[best]}{DELIMITER}{original[h[best]]}"
            decorated[best] = True
        h[best] = h[h[best]]
    return list(h), labels


def deprojectivize(heads, labels):
    """Undo projectivize: reattach decorated tokens and strip the decoration."""
    heads = list(heads)
    labels = list(labels)
    cdef int n = len(heads), i
    for i in range(n):
        label = labels[i]
        if label is None or DELIMITER not in label:
            continue
        base, _, head_label = label.partition(DELIMITER)
        new_head = _find_head(heads, labels, i, head_label)
        if new_head != -1:
            heads[i] = new_head
        labels[i] = base
    return heads, labels


def _find_head(heads, labels, int token, head_label):
    """Breadth-first below the token's current head, the token labelled head_label to reattach
    to (never the token or its own subtree). Among matches at the same depth, one whose arc to
    the token would be non-projective wins (the lifted arc was), then the nearest."""
    n = len(heads)
    children = [[] for _ in range(n)]
    for i, h in enumerate(heads):
        if h is not None and h != i:
            children[h].append(i)
    level = [c for c in children[heads[token]] if c != token]
    while level:
        matches = [c for c in level
                   if labels[c] is not None and labels[c].partition(DELIMITER)[0] == head_label]
        if len(matches) == 1:
            return matches[0]
        if matches:
            def rank(cand):
                trial_heads = list(heads)
                trial_heads[token] = cand
                return (not is_nonproj_arc(token, trial_heads), abs(cand - token))
            return min(matches, key=rank)
        level = [c for cand in level for c in children[cand] if c != token]
    return -1
