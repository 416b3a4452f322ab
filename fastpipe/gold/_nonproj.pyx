# cython: language_level=3
"""The typed loops of the pseudo-projective transforms (see nonproj.py, which re-exports
them): which arcs of a tree are non-projective, and projectivize, which lifts them until none
is left.

Heads are absolute token indices and a root is its own head.
"""
from libc.stdlib cimport abs as c_abs
from libcpp.vector cimport vector

#: Separates a lifted token's own label from its original head's: "nmod||nsubj".
DELIMITER = "||"


cdef bint _dominates(const vector[int]& heads, int ancestor, int token) noexcept:
    """Whether ``ancestor`` is on the head chain of ``token`` (a token dominates itself)."""
    cdef int steps = 0, n = heads.size()
    while token != ancestor:
        if heads[token] == token or steps > n:
            return False
        token = heads[token]
        steps += 1
    return True


cdef bint _is_nonproj_arc(const vector[int]& heads, int child) noexcept:
    """Whether some token between ``child`` and its head is not dominated by that head."""
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
    """Whether the arc from ``heads[child]`` to ``child`` is non-projective: it spans a token
    that its head does not dominate."""
    cdef vector[int] h = heads
    return _is_nonproj_arc(h, child)


def is_nonproj_tree(heads):
    """Whether any arc of the tree ``heads`` is non-projective."""
    cdef vector[int] h = heads
    cdef int i, n = h.size()
    for i in range(n):
        if _is_nonproj_arc(h, i):
            return True
    return False


def projectivize(heads, labels):
    """(heads, labels) of the projective tree, as new lists: while a non-projective arc is left,
    the shortest (the leftmost among equals) is lifted to its head's head, and a lifted token's
    label becomes "label||headlabel", with the label of its original head. An arc from a root
    that crosses another root's subtree cannot be lifted and is left. A tree with a
    missing (None) head or label comes back unchanged."""
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
            # an arc whose head is a root cannot be lifted (a root has no head to lift it to):
            # it crosses another sentence's tree, and it stays as it is
            if h[h[i]] != h[i] and _is_nonproj_arc(h, i):
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
