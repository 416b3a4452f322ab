"""Data augmentation for training: functions ``augment(nlp, example) -> Iterator[Example]``.

A corpus reader calls its augmenter on every Example it reads and yields what comes back, so an
augmenter can drop, keep or multiply examples. The registered builders (registry
``augmenters``) take the augmenter's settings and return the augmenter.

``rebuild_doc`` is the shared tool: a new Doc over a range of another Doc's tokens, with new word
forms if wanted, that keeps every annotation of those tokens.
"""
import random
from functools import partial
from typing import Callable, Iterator, Optional, Sequence

import numpy

from ..errors import Errors
from ..registry import registry
from ..tokens.doc import Doc
from ..tokens.span import Span
from .example import Example

__all__ = ["rebuild_doc", "lower_case_example", "lower_casing_augmenter", "dont_augment",
           "create_lower_casing_augmenter", "create_null_augmenter"]

# Token annotations carried over to a rebuilt Doc. ORTH and SPACY come from the new words; NORM
# is handled apart (a token norm that only repeats its lexeme's norm is not copied).
ANNOTATION_ATTRS = ("LEMMA", "TAG", "POS", "MORPH", "DEP", "HEAD", "SENT_START", "ENT_IOB",
                    "ENT_TYPE", "ENT_KB_ID")
_IOB_I, _IOB_B = 1, 3


def rebuild_doc(doc, start: int = 0, end: Optional[int] = None, *,
                words: Optional[Sequence[str]] = None, strip_trailing_space: bool = False):
    """A new Doc holding tokens ``[start, end)`` of ``doc`` with all their annotations.

    ``words`` replaces the word forms (one per token; the spaces stay). Annotations are copied
    through ``to_array``/``from_array``: lemmas, tags, POS, morphs, the parse (a head outside
    the range makes its token a root), sentence starts, entities (an entity cut by ``start``
    begins there), token norms that differ from their lexeme's; plus ``cats``, ``user_data``
    and the ``spans`` that lie wholly inside the range. With ``strip_trailing_space`` the last
    token loses its trailing whitespace.
    """
    n_doc = len(doc)
    end = n_doc if end is None else end
    if not 0 <= start <= end <= n_doc:
        raise ValueError(Errors.E076.format(start=start, end=end, length=n_doc))
    n = end - start
    lexical = doc.to_array(["ORTH", "SPACY", "NORM"]).reshape((n_doc, 3))[start:end]
    if words is None:
        strings = doc.vocab.strings
        words = [strings[int(key)] for key in lexical[:, 0]]
    elif len(words) != n:
        raise ValueError(Errors.E077.format(n_words=len(words), n_tokens=n))
    spaces = [bool(s) for s in lexical[:, 1]]
    if strip_trailing_space and n:
        spaces[-1] = False
    new = Doc(doc.vocab, words=list(words), spaces=spaces)
    if n:
        array = doc.to_array(list(ANNOTATION_ATTRS)).reshape((n_doc, len(ANNOTATION_ATTRS)))
        array = numpy.array(array[start:end], dtype=numpy.uint64)
        _fix_cut_edges(array, start, n)
        new.from_array(list(ANNOTATION_ATTRS), array)
        # A token norm is an annotation only where it differs from its own lexeme's norm.
        vocab = doc.vocab
        own = [vocab[int(key)].norm for key in lexical[:, 0]]
        overrides = [(i, int(norm)) for i, (norm, lex_norm) in enumerate(zip(lexical[:, 2], own))
                     if int(norm) != lex_norm]
        if overrides:
            norms = new.to_array("NORM")
            for i, norm in overrides:
                norms[i] = norm
            new.from_array("NORM", norms)
    new.cats = dict(doc.cats)
    new.user_data = dict(doc.user_data)
    new.spans = {name: [Span(new, s.start - start, s.end - start, label=s.label, kb_id=s.kb_id)
                        for s in group if s.start >= start and s.end <= end]
                 for name, group in dict(doc.spans).items()}
    return new


def _fix_cut_edges(array, start, n):
    """Make a slice of an annotation array (ANNOTATION_ATTRS columns) valid on its own."""
    import numpy

    head = ANNOTATION_ATTRS.index("HEAD")
    offsets = array[:, head].astype(numpy.int64)  # two's complement back to signed
    targets = numpy.arange(n) + offsets
    outside = (targets < 0) | (targets >= n)
    array[outside, head] = 0
    iob = ANNOTATION_ATTRS.index("ENT_IOB")
    if array[0, iob] == _IOB_I:
        array[0, iob] = _IOB_B
    sent = ANNOTATION_ATTRS.index("SENT_START")
    if start > 0 and n and array[:, sent].any():
        array[0, sent] = 1


def lower_case_example(nlp, example):
    """A copy of ``example`` whose reference is lower-cased and keeps every annotation, and
    whose predicted Doc is ``nlp.make_doc`` of the lower-cased text."""
    reference = example.reference
    lowered = rebuild_doc(reference, words=[token.text.lower() for token in reference])
    predicted = nlp.make_doc(lowered.text)
    example_id = None if example.id is None else f"{example.id}+lower"
    return Example(predicted, lowered, id=example_id)


def lower_casing_augmenter(nlp, example, *, level: float) -> Iterator:
    """Yield ``example``, then, with probability ``level``, its lower-cased copy."""
    yield example
    if level > 0 and random.random() < level:
        yield lower_case_example(nlp, example)


def dont_augment(nlp, example) -> Iterator:
    """The identity augmenter: yield the example unchanged."""
    yield example


@registry.augmenters("fastpipe.lower_case.v1")
def create_lower_casing_augmenter(level: float) -> Callable[..., Iterator]:
    """Augmenter adding a lower-cased copy of an example with probability ``level`` (0 to 1)."""
    if not 0.0 <= level <= 1.0:
        raise ValueError(Errors.E307.format(value=level))
    return partial(lower_casing_augmenter, level=float(level))


@registry.augmenters("fastpipe.dont_augment.v1")
def create_null_augmenter() -> Callable[..., Iterator]:
    """Augmenter that yields every example unchanged."""
    return dont_augment
