# cython: language_level=3
"""Span: a view of a slice [start, end) of a Doc's tokens, with an optional label."""
from ..structs cimport TokenC
from .token cimport Token

import operator

from ..errors import Errors
from ..vectors import cosine, mean_vector, norm


cdef class Span:
    """Tokens ``doc[start:end]``; ``label`` is a string or a StringStore key."""

    def __cinit__(self, doc=None, *args, **kwargs):
        # Also guards Span.__new__(Span): a Span without a Doc would read through None.
        if not isinstance(doc, Doc):
            raise TypeError(Errors.E056.format(cls="Span", type=type(doc).__name__))

    def __init__(self, doc, int start, int end, label=0, kb_id=0):
        if not isinstance(doc, Doc):
            raise TypeError(Errors.E056.format(cls="Span", type=type(doc).__name__))
        if start < 0 or end > (<Doc>doc).length or start > end:
            raise IndexError(Errors.E014.format(start=start, end=end, length=(<Doc>doc).length))
        self.doc = doc
        self.c.start = start
        self.c.end = end
        self.c.label = _as_key(doc, label)
        self.c.kb_id = _as_key(doc, kb_id)
        self._set_chars()

    cdef void _set_chars(self) noexcept:
        cdef const TokenC* last
        if self.c.start < self.c.end:
            self.c.start_char = self.doc.c[self.c.start].idx
            last = &self.doc.c[self.c.end - 1]
            self.c.end_char = last.idx + last.lex.length
        elif self.c.start < self.doc.length:
            self.c.start_char = self.c.end_char = self.doc.c[self.c.start].idx
        elif self.doc.length:
            last = &self.doc.c[self.doc.length - 1]
            self.c.start_char = self.c.end_char = last.idx + last.lex.length + last.spacy
        else:
            self.c.start_char = self.c.end_char = 0

    def __len__(self):
        return self.c.end - self.c.start

    def __getitem__(self, key):
        cdef int n = self.c.end - self.c.start
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step != 1:
                raise ValueError(Errors.E017.format(step=key.step))
            return Span(self.doc, self.c.start + start, self.c.start + max(start, stop))
        if isinstance(key, bool) or not hasattr(key, "__index__"):
            raise TypeError(Errors.E055.format(cls="Span", type=type(key).__name__))
        key = operator.index(key)
        if not -n <= key < n:
            raise IndexError(Errors.E013.format(i=key, length=n))
        self._check_bounds()
        cdef Py_ssize_t i = key
        if i < 0:
            i += n
        if i < 0 or i >= n:
            raise IndexError(Errors.E013.format(i=key, length=n))
        return Token.cinit(self.doc, self.c.start + <int>i)

    def _check_bounds(self):
        if self.c.end > self.doc.length:
            raise IndexError(Errors.E059.format(what="This Span", start=self.c.start, end=self.c.end,
                                                length=self.doc.length))

    def __iter__(self):
        cdef int i
        self._check_bounds()
        for i in range(self.c.start, self.c.end):
            yield Token.cinit(self.doc, i)

    def __repr__(self):
        return self.text

    def __eq__(self, other):
        if not isinstance(other, Span):
            return False
        cdef Span o = other
        return (o.doc is self.doc and o.c.start == self.c.start and o.c.end == self.c.end
                and o.c.label == self.c.label and o.c.kb_id == self.c.kb_id)

    def __hash__(self):
        return hash((id(self.doc), self.c.start, self.c.end, self.c.label, self.c.kb_id))

    def __reduce__(self):
        return (Span, (self.doc, self.c.start, self.c.end, self.c.label, self.c.kb_id))

    @property
    def start(self):
        return self.c.start

    @property
    def end(self):
        return self.c.end

    @property
    def start_char(self):
        return self.c.start_char

    @property
    def end_char(self):
        return self.c.end_char

    @property
    def label(self):
        return self.c.label

    @property
    def label_(self):
        return self.doc.vocab.strings.decode(self.c.label)

    @property
    def kb_id(self):
        return self.c.kb_id

    @property
    def kb_id_(self):
        return self.doc.vocab.strings.decode(self.c.kb_id)

    @property
    def vocab(self):
        return self.doc.vocab

    @property
    def text(self):
        return self.doc.text[self.c.start_char:self.c.end_char]

    @property
    def text_with_ws(self):
        if self.c.end > self.c.start and self.c.end <= self.doc.length and self.doc.c[self.c.end - 1].spacy:
            return self.text + " "
        return self.text

    @property
    def root(self):
        """The token of the span whose head lies outside it (the first such, for a forest)."""
        cdef int i, h
        self._check_bounds()
        for i in range(self.c.start, self.c.end):
            h = i + self.doc.c[i].head
            if h == i or h < self.c.start or h >= self.c.end:
                return Token.cinit(self.doc, i)
        raise ValueError(Errors.E054)

    def to_array(self, attrs):
        return self.doc.to_array(attrs)[self.c.start:self.c.end]

    # -- static word vectors (the vocab's table, keyed by ORTH) ----------------------------------

    @property
    def vector(self):
        """The mean of the span's tokens' static vectors (zeros for a token without one)."""
        self._check_bounds()
        return mean_vector(self.doc.vocab.vectors, self.doc._orth_keys(self.c.start, self.c.end))

    @property
    def has_vector(self):
        """Whether any token of the span has a static vector."""
        self._check_bounds()
        keys = self.doc._orth_keys(self.c.start, self.c.end)
        return bool(self.doc.vocab.vectors.has_vectors(keys).any())

    @property
    def vector_norm(self):
        """The length of ``vector``."""
        return norm(self.vector)

    def similarity(self, other):
        """The cosine of this span's vector and ``other``'s (a Token, Span or Doc; anything
        with a ``vector``): 0.0 when either has none."""
        return cosine(self.vector, other.vector)


cdef attr_t _as_key(Doc doc, value) except? 0:
    if isinstance(value, str):
        return doc.vocab.strings.add(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFFFFFFFFFFFF:
        if value != 0 and value not in doc.vocab.strings:
            raise KeyError(Errors.E001.format(key=value))
        return value
    raise TypeError(Errors.E057.format(type=type(value).__name__))
