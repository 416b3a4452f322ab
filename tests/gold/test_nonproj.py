"""Pseudo-projective transforms, checked on every non-projective tree of real treebank data."""
import pytest

from fastpipe.gold.nonproj import deprojectivize, is_nonproj_arc, is_nonproj_tree, projectivize
from tests.helpers.data import EWT_DEV_SAMPLE, EWT_DEV_SLICE, FULL_EWT_DEV, real_data


def read_trees(path):
    tree = []
    for line in path.read_text(encoding="utf8").splitlines() + [""]:
        if not line:
            if tree:
                heads = [h - 1 if h > 0 else i for i, (h, _) in enumerate(tree)]
                yield heads, [label for _, label in tree]
                tree = []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if cols[0].isdigit():
                tree.append((int(cols[6]), cols[7]))


def test_an_arc_crossing_another_root_is_left_and_lifting_ends():
    # "he said ' go home ' ." with "go" a second root and "." attached across it to "said":
    # that arc cannot be lifted (its head is a root); projectivize used to loop forever on it
    heads = [1, 1, 3, 3, 3, 3, 1]
    labels = ["nsubj", "ROOT", "punct", "ROOT", "obj", "punct", "punct"]
    assert is_nonproj_arc(6, heads)
    assert projectivize(heads, labels) == (heads, labels)
    # in a forest, an arc whose head is not a root is still lifted: 1 -> 3 spans 2 (under 0)
    heads = [0, 3, 0, 0, 4, 4]
    labels = ["ROOT", "x", "y", "z", "ROOT", "w"]
    assert projectivize(heads, labels) == ([0, 0, 0, 0, 4, 4],
                                           ["ROOT", "x||z", "y", "z", "ROOT", "w"])


def test_hand_written_trees():
    heads = [1, 3, 3, 3, 6, 6, 1, 3, 3]
    labels = ["det", "nsubj", "aux", "root", "case", "det", "nmod", "obl", "punct"]
    assert is_nonproj_arc(6, heads)
    assert not is_nonproj_arc(1, heads)
    proj_heads, proj_labels = projectivize(heads, labels)
    assert not is_nonproj_tree(proj_heads)
    assert proj_heads[6] == 3 and proj_labels[6] == "nmod||nsubj"
    assert deprojectivize(proj_heads, proj_labels) == (heads, labels)
    # projective trees are left alone
    assert projectivize([1, 1, 1], ["a", "root", "b"]) == ([1, 1, 1], ["a", "root", "b"])
    # missing heads: unchanged
    assert projectivize([1, None, 1], ["a", None, "b"]) == ([1, None, 1], ["a", None, "b"])


@pytest.mark.parametrize("path", real_data(("sample", EWT_DEV_SAMPLE), ("dev-slice", EWT_DEV_SLICE),
                                           full=[("full-dev", FULL_EWT_DEV)]))
def test_every_nonprojective_tree_survives_the_round_trip(path):
    n_nonproj = 0
    for heads, labels in read_trees(path):
        if not is_nonproj_tree(heads):
            continue
        n_nonproj += 1
        proj_heads, proj_labels = projectivize(heads, labels)
        assert not is_nonproj_tree(proj_heads)
        assert deprojectivize(proj_heads, proj_labels) == (heads, labels)
    assert n_nonproj >= 10  # the data does hold non-projective trees
