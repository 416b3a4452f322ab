"""Batchers: sizes with numbers and schedules, tolerance, oversize items, streaming, registry."""
import itertools

import pytest
from thinc.api import Config, compounding

from fastpipe.gold.example import Example
from fastpipe.registry import registry
from fastpipe.tokens.doc import Doc
from fastpipe.training.batchers import (iter_sizes, minibatch_by_padded, minibatch_by_sequence,
                                        minibatch_by_words)


class Item:
    """A stand-in for a Doc: len() is its number of tokens, and it knows its position."""

    def __init__(self, n, i=0):
        self.n = n
        self.i = i

    def __len__(self):
        return self.n

    def __repr__(self):
        return f"Item({self.n}, {self.i})"


def items(lengths):
    return [Item(n, i) for i, n in enumerate(lengths)]


def endless(length=1):
    """An infinite input: a batcher that materialises its input never returns."""
    return (Item(length, i) for i in itertools.count())


def lengths(batches):
    return [[len(x) for x in batch] for batch in batches]


def flat(batches):
    return [x.i for batch in batches for x in batch]


# -- sizes ------------------------------------------------------------------------------------

def test_iter_sizes_accepts_numbers_and_schedules():
    take = lambda size, n=5: list(itertools.islice(iter_sizes(size), n))  # noqa: E731
    assert take(8) == [8] * 5
    assert take(2.5, 2) == [2.5, 2.5]
    assert take(compounding(1.0, 8.0, 2.0)) == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert take([3, 1]) == [3, 1, 1, 1, 1]
    assert take(lambda step: 10 + step) == [10, 11, 12, 13, 14]
    with pytest.raises(ValueError, match="positive"):
        take([1, 0])
    with pytest.raises(TypeError):
        take("10")
    with pytest.raises(TypeError):
        take(True)


# -- batch_by_words -----------------------------------------------------------------------------

def test_words_fills_to_size_and_sets_aside_what_fits_the_tolerance():
    # spaCy's batch_by_words: 3+3+3 = 9; the fourth 3 would pass 10 but fits 10 * 1.2 = 12, so
    # it is set aside; the fifth fits neither way, so [3, 3, 3] goes and the set-aside item
    # opens the next batch. Every batch stays within size; the last takes what is left.
    batches = list(minibatch_by_words(items([3] * 20), size=10, tolerance=0.2))
    assert lengths(batches) == [[3, 3, 3]] * 6 + [[3, 3]]
    assert flat(batches) == list(range(20))
    # items set aside (3, then 1: 8 + 3 + 1 = 12) open the next batch, before the item (5)
    # that closed this one
    batches = list(minibatch_by_words(items([4, 4, 3, 1, 5]), size=10, tolerance=0.2))
    assert lengths(batches) == [[4, 4], [3, 1, 5]]


def test_words_zero_tolerance_never_exceeds_size():
    batches = list(minibatch_by_words(items([3] * 10), size=10, tolerance=0.0))
    assert lengths(batches) == [[3, 3, 3]] * 3 + [[3]]
    assert all(sum(b) <= 10 for b in lengths(batches))


def test_words_batch_closes_early_when_next_item_would_overflow():
    batches = list(minibatch_by_words(items([4, 4, 6, 2, 9]), size=10, tolerance=0.2))
    # 4+4 = 8; +6 = 14 > 12, so [4, 4] goes; 6+2 = 8; +9 > 12, so [6, 2] goes; [9] is left
    assert lengths(batches) == [[4, 4], [6, 2], [9]]
    for b in lengths(batches):
        assert sum(b) <= 12


def test_words_oversize_alone_or_discarded():
    data = items([2, 2, 50, 2, 2, 2, 13, 2])  # 13 > 10 * 1.2, 50 too
    kept = list(minibatch_by_words(data, size=10, tolerance=0.2))
    assert [[50], [13]] == [b for b in lengths(kept) if sum(b) > 12]
    assert sorted(flat(kept)) == list(range(8))
    dropped = list(minibatch_by_words(data, size=10, tolerance=0.2, discard_oversize=True))
    assert flat(dropped) == [0, 1, 3, 4, 5, 7]
    assert all(sum(b) <= 12 for b in lengths(dropped))


def test_words_schedule_gives_each_batch_the_next_size():
    batches = list(minibatch_by_words(items([1] * 31), size=compounding(1.0, 8.0, 2.0), tolerance=0))
    assert [len(b) for b in batches] == [1, 2, 4, 8, 8, 8]
    batches = list(minibatch_by_words(items([1] * 10), size=[2, 3, 4], tolerance=0))
    assert [len(b) for b in batches] == [2, 3, 4, 1]


def test_words_oversize_item_does_not_move_the_schedule():
    # as spaCy's: an item too long for any batch goes out alone at once and takes no size
    # from the schedule: the batch after it is still the second size, 3 (then 4)
    data = items([1, 1, 1, 9, 1, 1, 1, 1, 1, 1])
    batches = list(minibatch_by_words(data, size=[2, 3, 4], tolerance=0))
    assert lengths(batches) == [[1, 1], [9], [1, 1, 1], [1, 1, 1, 1]]
    assert flat(batches) == [0, 1, 3, 2, 4, 5, 6, 7, 8, 9]


def test_words_streams():
    first = next(minibatch_by_words(endless(), size=5, tolerance=0))
    assert [x.i for x in first] == [0, 1, 2, 3, 4]


def test_words_get_length():
    data = ["a", "bb", "ccc", "dddd"]
    batches = list(minibatch_by_words(data, size=3, tolerance=0, get_length=lambda s: 1))
    assert batches == [["a", "bb", "ccc"], ["dddd"]]


def test_words_with_docs_and_examples(en):
    docs = [Doc(en.vocab, words=["w"] * n) for n in (3, 3, 3, 3)]
    assert [len(b) for b in minibatch_by_words(docs, size=6, tolerance=0)] == [2, 2]
    examples = [Example(doc, doc.copy()) for doc in docs]
    assert [len(b) for b in minibatch_by_words(examples, size=9, tolerance=0)] == [3, 1]


# -- batch_by_sequence --------------------------------------------------------------------------

def test_sequence_sizes():
    assert lengths(minibatch_by_sequence(items([5] * 7), size=3)) == [[5] * 3, [5] * 3, [5]]
    sched = [len(b) for b in minibatch_by_sequence(items([1] * 20), size=compounding(1.0, 6.0, 2.0))]
    assert sched == [1, 2, 4, 6, 6, 1]
    assert next(minibatch_by_sequence(endless(), size=4))[-1].i == 3


# -- batch_by_padded ----------------------------------------------------------------------------

def test_padded_groups_by_length_within_each_buffer():
    # spaCy's batch_by_padded, buffers of 6: lengths 5 1 9 2 8 3 group shortest first while
    # longest x count <= 12 ([1, 2, 3]; then 5, 8 and 9 alone), and the groups go out longest
    # first; the second buffer (7 4 6 2 2 2) gives [2, 2, 2], [4, 6], [7], likewise
    data = items([5, 1, 9, 2, 8, 3, 7, 4, 6, 2, 2, 2])
    batches = list(minibatch_by_padded(data, size=12, buffer=6))
    assert lengths(batches) == [[9], [8], [5], [1, 2, 3], [7], [4, 6], [2, 2, 2]]
    assert flat(batches) == [2, 4, 0, 1, 3, 5, 6, 7, 8, 9, 10, 11]  # input order within a group


def test_padded_oversize_alone_or_discarded():
    data = items([2, 30, 2, 2, 15])
    assert lengths(minibatch_by_padded(data, size=10)) == [[30], [15], [2, 2, 2]]
    dropped = list(minibatch_by_padded(data, size=10, discard_oversize=True))
    assert flat(dropped) == [0, 2, 3]
    # as spaCy's: discarding drops every group whose padded size reaches the size
    assert list(minibatch_by_padded(items([5, 5]), size=10, discard_oversize=True)) == []


def test_padded_schedule_and_streaming():
    # each buffer (of 4 here) takes the next size: 2 (four items alone), 4 (two pairs), 8
    batches = list(minibatch_by_padded(items([2] * 14), size=[2, 4, 8], buffer=4))
    assert [len(b) for b in batches] == [1, 1, 1, 1, 2, 2, 4, 2]
    # an endless input: the first buffer (50 items of 3, in groups of 3) is enough; its last
    # group, the two items left over, goes out first
    first = next(minibatch_by_padded(endless(3), size=9, buffer=50))
    assert [x.i for x in first] == [48, 49]


# -- registry and config ------------------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs,expected", [
    ("fastpipe.batch_by_words.v1", {"size": 4, "tolerance": 0}, [4, 4, 2]),
    ("fastpipe.batch_by_sequence.v1", {"size": 3}, [3, 3, 3, 1]),
    ("fastpipe.batch_by_padded.v1", {"size": 5, "buffer": 4}, [4, 4, 2]),
])
def test_registered_batchers(name, kwargs, expected):
    batcher = registry.batchers.get(name)(**kwargs)
    assert [len(b) for b in batcher(items([1] * 10))] == expected
    assert [len(b) for b in batcher(items([1] * 10))] == expected  # reusable


def test_resolve_batcher_from_config():
    cfg = Config().from_str('[batcher]\n@batchers = "fastpipe.batch_by_words.v1"\nsize = 100\n')
    batcher = registry.resolve(cfg)["batcher"]
    batches = list(batcher(items([10] * 25)))
    assert [sum(b) for b in lengths(batches)] == [100, 100, 50]


def test_resolve_batcher_with_schedule_from_config():
    cfg = Config().from_str("""
[batcher]
@batchers = "fastpipe.batch_by_words.v1"
tolerance = 0.0
discard_oversize = true

[batcher.size]
@schedules = "compounding.v1"
start = 2
stop = 8
compound = 2.0
""")
    batcher = registry.resolve(cfg)["batcher"]
    assert [len(b) for b in batcher(items([1] * 30))] == [2, 4, 8, 8, 8]
