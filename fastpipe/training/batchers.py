"""Batchers: group a stream of Examples (or Docs) into training batches.

The registered builders (registry ``batchers``) return a batcher: a callable that takes an
iterable of items and yields lists of them, lazily, never holding more than one batch (or, for
``batch_by_padded``, one buffer) of the input. An item's length is its number of tokens,
``len(item)``, unless a ``get_length`` function is given.

``size`` is a number or a schedule, and each new batch takes the schedule's next value. A
schedule is an iterator of numbers (thinc 8's ``compounding(1.0, 32.0, 1.001)`` generators), a
finite sequence (its last value repeats), or a callable ``schedule(step)`` (thinc 9's Schedule
objects), called with steps 0, 1, 2, ...
"""
import itertools
from functools import partial
from typing import Any, Callable, Iterable, Iterator, List, Optional, Union

from ..errors import Errors
from ..registry import registry

__all__ = ["iter_sizes", "minibatch_by_words", "minibatch_by_sequence", "minibatch_by_padded",
           "configure_batch_by_words", "configure_batch_by_sequence", "configure_batch_by_padded"]

# A size setting: a number, or a schedule of numbers (see the module docstring).
Sizing = Union[int, float, Iterable[float], Callable[[int], float]]
Batcher = Callable[[Iterable[Any]], Iterator[List[Any]]]


def iter_sizes(size: Sizing) -> Iterator[float]:
    """An endless iterator of the batch sizes a size setting stands for."""
    if isinstance(size, bool):
        raise TypeError(Errors.E130.format(value=size))
    if isinstance(size, (int, float)):
        values = itertools.repeat(size)
    elif hasattr(size, "__next__"):
        values = size
    elif isinstance(size, (list, tuple)):
        if not size:
            raise ValueError(Errors.E131)
        values = itertools.chain(size, itertools.repeat(size[-1]))
    elif callable(size):
        values = (size(step) for step in itertools.count())
    else:
        raise TypeError(Errors.E132.format(type=type(size).__name__))
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(Errors.E133.format(value=value))
        yield value


def _length_getter(get_length: Optional[Callable[[Any], int]]) -> Callable[[Any], int]:
    return len if get_length is None else get_length


def minibatch_by_words(items: Iterable[Any], size: Sizing, tolerance: float = 0.2,
                       discard_oversize: bool = False,
                       get_length: Optional[Callable[[Any], int]] = None) -> Iterator[List[Any]]:
    """Batches of about ``size`` words each, made as spaCy's ``batch_by_words`` makes them (the
    same batches for the same input, so a spaCy config trains on the same steps).

    Items join the batch while it stays within ``size`` words. Once one would not, items that
    still fit within ``size * (1 + tolerance)``, counting the batch and the items already set
    aside, are set aside to open the next batch. The first item that fits neither way closes
    the batch: it is yielded (without the set-aside items), the schedule gives the next size,
    and the set-aside items, then that item, start the next batch. An item longer than
    ``size * (1 + tolerance)`` on its own is yielded alone (the schedule does not move on for
    it) or, with ``discard_oversize``, dropped. At the end, the batch and the set-aside items
    go out together.
    """
    if tolerance < 0:
        raise ValueError(Errors.E134.format(value=tolerance))
    length = _length_getter(get_length)
    sizes = iter_sizes(size)
    target = next(sizes)
    batch: List[Any] = []
    aside: List[Any] = []
    n_batch = n_aside = 0
    for item in items:
        n = length(item)
        if n > target + target * tolerance:
            if not discard_oversize:
                yield [item]
            continue
        if not aside and n_batch + n <= target:
            batch.append(item)
            n_batch += n
            continue
        if n_batch + n_aside + n <= target + target * tolerance:
            aside.append(item)
            n_aside += n
            continue
        if batch:
            yield batch
        target = next(sizes)
        batch, n_batch, aside, n_aside = aside, n_aside, [], 0
        if n_batch + n <= target:
            batch.append(item)
            n_batch += n
        elif n_batch + n <= target + target * tolerance:
            aside, n_aside = [item], n
        else:  # it does not fit beside the items set aside: they go out, it opens the next
            if batch:
                yield batch
            target = next(sizes)
            batch, n_batch = [item], n
    batch.extend(aside)
    if batch:
        yield batch


def minibatch_by_sequence(items: Iterable[Any], size: Sizing,
                          get_length: Optional[Callable[[Any], int]] = None
                          ) -> Iterator[List[Any]]:
    """Batches of ``size`` items each (the last may be smaller). ``get_length`` is accepted so
    that every batcher takes the same arguments; it is not needed here."""
    sizes = iter_sizes(size)
    iterator = iter(items)
    while True:
        batch = list(itertools.islice(iterator, max(1, int(next(sizes)))))
        if not batch:
            return
        yield batch


def minibatch_by_padded(items: Iterable[Any], size: Sizing, buffer: int = 256,
                        discard_oversize: bool = False,
                        get_length: Optional[Callable[[Any], int]] = None
                        ) -> Iterator[List[Any]]:
    """Batches whose padded size (longest item x number of items) stays within ``size``, made
    as spaCy's ``batch_by_padded`` makes them.

    Items are read ``buffer`` at a time, and each buffer takes the schedule's next size. Within
    a buffer, items are taken shortest first (ties in input order) into groups, a group growing
    while its padded size stays within the size; each group keeps its items in input order,
    and the groups go out longest items first. A group of one item may exceed the size; with
    ``discard_oversize``, every group whose padded size reaches the size is dropped.
    """
    if buffer < 1:
        raise ValueError(Errors.E135.format(value=buffer))
    length = _length_getter(get_length)
    sizes = iter_sizes(size)
    iterator = iter(items)
    while True:
        chunk = list(itertools.islice(iterator, buffer))
        if not chunk:
            return
        target = next(sizes)
        lengths = [length(item) for item in chunk]
        groups: List[List[int]] = []
        for i in sorted(range(len(chunk)), key=lambda i: (lengths[i], i)):
            # sorted by length, so item i is the longest of the group it joins
            if groups and lengths[i] * (len(groups[-1]) + 1) <= target:
                groups[-1].append(i)
            else:
                groups.append([i])
        for group in reversed(groups):
            if discard_oversize and lengths[group[-1]] * len(group) >= target:
                continue
            yield [chunk[i] for i in sorted(group)]


@registry.batchers("fastpipe.batch_by_words.v1")
def configure_batch_by_words(size: Sizing, tolerance: float = 0.2,
                             discard_oversize: bool = False,
                             get_length: Optional[Callable[[Any], int]] = None) -> Batcher:
    """Batcher of about ``size`` words per batch; see ``minibatch_by_words``."""
    return partial(minibatch_by_words, size=size, tolerance=tolerance,
                   discard_oversize=discard_oversize, get_length=get_length)


@registry.batchers("fastpipe.batch_by_sequence.v1")
def configure_batch_by_sequence(size: Sizing,
                                get_length: Optional[Callable[[Any], int]] = None) -> Batcher:
    """Batcher of ``size`` items per batch; see ``minibatch_by_sequence``."""
    return partial(minibatch_by_sequence, size=size, get_length=get_length)


@registry.batchers("fastpipe.batch_by_padded.v1")
def configure_batch_by_padded(size: Sizing, buffer: int = 256, discard_oversize: bool = False,
                              get_length: Optional[Callable[[Any], int]] = None) -> Batcher:
    """Batcher keeping ``longest item x count`` within ``size``; see ``minibatch_by_padded``."""
    return partial(minibatch_by_padded, size=size, buffer=buffer,
                   discard_oversize=discard_oversize, get_length=get_length)
