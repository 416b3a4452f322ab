"""Pseudo-projective transforms of dependency trees (Nivre and Nilsson, 2005; "head" encoding).

projectivize lifts each non-projective arc to its grandparent, shortest arcs first, until the
tree is projective, and marks each lifted token's label as "label||headlabel" with the label
of the head it was taken from. deprojectivize undoes it: a token whose label carries "||X" is
reattached to the first token labelled X found breadth-first below its current head.

Heads are absolute token indices; a root is its own head; None marks a missing head (a tree
with missing heads is returned unchanged by projectivize). The arc tests and projectivize
(typed loops over the heads) are compiled, in _nonproj.pyx; deprojectivize is plain Python.
"""
from ._nonproj import DELIMITER, is_nonproj_arc, is_nonproj_tree, projectivize

__all__ = ["DELIMITER", "deprojectivize", "is_nonproj_arc", "is_nonproj_tree", "projectivize"]


def deprojectivize(heads, labels):
    """Undo projectivize: reattach decorated tokens and strip the decoration. Returns new
    (heads, labels) lists."""
    heads = list(heads)
    labels = list(labels)
    for i in range(len(heads)):
        label = labels[i]
        if label is None or DELIMITER not in label:
            continue
        base, _, head_label = label.partition(DELIMITER)
        new_head = _find_head(heads, labels, i, head_label)
        if new_head != -1:
            heads[i] = new_head
        labels[i] = base
    return heads, labels


def _find_head(heads, labels, token, head_label):
    """Breadth-first below the token's current head, the token labelled head_label to reattach
    to (never the token or its own subtree), or -1. Among matches at the same depth, one whose
    arc to the token would be non-projective wins (the lifted arc was), then the nearest."""
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
