# cython: language_level=3
"""A Python view of a parser state, for tests, debugging and the components' Python code.

Hot loops use the C++ state (``StateC``, include/fastpipe/parser_state.h) directly; this class
only owns one and reads it."""
from ...tokens.doc cimport Doc
from ._state cimport StateC, FP_FEATS_PARSER, FP_FEATS_NER, FP_N_PARSER_FEATS, FP_N_NER_FEATS

from ...errors import Errors


cdef class StateClass:
    """``StateClass(doc, ner=False)``: a fresh state over the Doc's tokens."""

    def __cinit__(self, doc=None, ner=False):
        self.c = NULL
        self.doc = None
        cdef Doc d
        if doc is not None:
            d = doc
            self.doc = d
            self.c = new StateC(d.c, d.length, FP_FEATS_NER if ner else FP_FEATS_PARSER)

    def __dealloc__(self):
        if self.c is not NULL:
            del self.c
            self.c = NULL

    @staticmethod
    cdef StateClass take(StateC* state, Doc doc):
        cdef StateClass self = StateClass.__new__(StateClass)
        self.c = state
        self.doc = doc
        return self

    def copy(self):
        """An independent copy (a plain C++ copy of the state)."""
        return StateClass.take(new StateC(self.c[0]), self.doc)

    def __len__(self):
        return self.c.length

    @property
    def stack(self):
        """Stack tokens, bottom first."""
        return list(self.c.stack)

    @property
    def b0(self):
        """First buffer token; len(doc) when only the virtual root is left."""
        return self.c.b0

    @property
    def buffer(self):
        return list(range(self.c.b0, self.c.length))

    @property
    def heads(self):
        """Head per token: a position, None for a root (attached to the virtual root), -1 when
        it has no head yet."""
        cdef int i, h
        out = []
        for i in range(<int>self.c.heads.size()):
            h = self.c.heads[i]
            out.append(None if h == self.c.length else h)
        return out

    @property
    def labels(self):
        strings = self.doc.vocab.strings
        return [strings[key] if key else None for key in self.c.labels]

    @property
    def ents(self):
        """Entities closed so far: (start, end, label) tuples."""
        strings = self.doc.vocab.strings
        return [(e.start, e.end, strings[e.label]) for e in self.c.ents]

    @property
    def open_entity(self):
        """(start, label) of the open entity, or None."""
        if self.c.ent_start == -1:
            return None
        return (self.c.ent_start, self.doc.vocab.strings[self.c.ent_label])

    def context(self, n_feats=None):
        """The context tokens of the state's feature set (all its slots unless n_feats says
        fewer; see include/fastpipe/parser_state.h)."""
        if n_feats is None:
            n_feats = FP_N_NER_FEATS if self.c.feature_set == FP_FEATS_NER else FP_N_PARSER_FEATS
        cdef int n = n_feats
        cdef int[32] ids
        if not 0 <= n <= 32:
            raise ValueError(Errors.E211.format(n=n))
        self.c.set_context_tokens(ids, n)
        return [ids[i] for i in range(n)]

    def __repr__(self):
        kind = "ner" if self.c.feature_set == FP_FEATS_NER else "parser"
        return f"<StateClass {kind} stack={self.stack} b0={self.b0}/{self.c.length}>"
