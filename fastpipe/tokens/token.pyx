# cython: language_level=3
"""Token: a view of one TokenC of a Doc."""
from ..structs cimport LexemeC, FP_IOB_MISSING, FP_IOB_I, FP_IOB_O, FP_IOB_B
from ..strings cimport StringStore
from .doc cimport Doc

from ..attrs import intify_attr
from ..errors import Errors
from .morphanalysis import MorphAnalysis, features_to_string, to_parsed
from ..vectors import cosine, norm

_IOB_STRINGS = ("", "I", "O", "B")


cdef class Token(LexemeAttrs):
    """One token of a Doc; get it with ``doc[i]``. Setting attributes writes into the Doc."""

    def __init__(self, doc, int i):
        if not isinstance(doc, Doc):
            raise TypeError(Errors.E056.format(cls="Token", type=type(doc).__name__))
        if i < 0 or i >= (<Doc>doc).length:
            raise IndexError(Errors.E013.format(i=i, length=doc.length))
        self.doc = doc
        self.i = i

    @staticmethod
    cdef Token cinit(Doc doc, int i):
        cdef Token self = Token.__new__(Token, doc, i)
        self.doc = doc
        self.i = i
        return self

    def __cinit__(self, doc=None, *args, **kwargs):
        # Also guards Token.__new__(Token): a Token without a Doc would read through None.
        if not isinstance(doc, Doc):
            raise TypeError(Errors.E056.format(cls="Token", type=type(doc).__name__))

    cdef const LexemeC* lex_c(self) except NULL:
        # A token past the end of a Doc that shrank (Doc.from_bytes) reads the blank padding
        # token before the array rather than freed memory.
        if self.i >= self.doc.length:
            return (self.doc.c - 1).lex
        return self.doc.c[self.i].lex

    cdef StringStore lex_strings(self):
        return self.doc.vocab.strings

    cdef TokenC* _c(self) except NULL:
        if self.i >= self.doc.length:
            raise IndexError(Errors.E013.format(i=self.i, length=self.doc.length))
        return &self.doc.c[self.i]

    def __len__(self):
        return self._c().lex.length

    def __repr__(self):
        return self.text

    def __str__(self):
        return self.text

    def __eq__(self, other):
        return isinstance(other, Token) and (<Token>other).doc is self.doc and (<Token>other).i == self.i

    def __hash__(self):
        return hash((id(self.doc), self.i))

    def get_attr(self, attr):
        return token_get_attr(self._c(), <attr_id_t><int>intify_attr(attr))

    def _str(self, attr_t key):
        return self.doc.vocab.strings.decode(key)

    @property
    def vocab(self):
        return self.doc.vocab

    @property
    def idx(self):
        return self._c().idx

    @property
    def whitespace_(self):
        return " " if self._c().spacy else ""

    @property
    def text_with_ws(self):
        return self.text + self.whitespace_

    def nbor(self, int offset=1):
        return self.doc[self.i + offset] if 0 <= self.i + offset < self.doc.length else _raise_nbor(self.i + offset, self.doc.length)

    # -- token-level values: a token-specific norm overrides the lexeme's ----------------------

    @property
    def norm(self):
        cdef TokenC* t = self._c()
        return t.norm if t.norm != 0 else t.lex.norm

    @norm.setter
    def norm(self, attr_t value):
        self._c().norm = value

    @property
    def norm_(self):
        return self._str(self.norm)

    @norm_.setter
    def norm_(self, str value):
        self._c().norm = self.doc.vocab.strings.add(value)

    @property
    def lemma(self): return self._c().lemma
    @lemma.setter
    def lemma(self, attr_t value): self._c().lemma = value
    @property
    def lemma_(self): return self._str(self._c().lemma)
    @lemma_.setter
    def lemma_(self, str value): self._c().lemma = self.doc.vocab.strings.add(value)

    @property
    def tag(self): return self._c().tag
    @tag.setter
    def tag(self, attr_t value): self._c().tag = value
    @property
    def tag_(self): return self._str(self._c().tag)
    @tag_.setter
    def tag_(self, str value): self._c().tag = self.doc.vocab.strings.add(value)

    @property
    def pos(self): return self._c().pos
    @pos.setter
    def pos(self, attr_t value): self._c().pos = value
    @property
    def pos_(self): return self._str(self._c().pos)
    @pos_.setter
    def pos_(self, str value): self._c().pos = self.doc.vocab.strings.add(value)

    @property
    def morph(self):
        """The token's features as a MorphAnalysis (empty when it has none)."""
        return MorphAnalysis(self.doc.vocab, self._str(self._c().morph))

    @morph.setter
    def morph(self, value): self.set_morph(value)

    def set_morph(self, features):
        """Set the features from a feature string, a dict ({"Case": "Nom"}), a MorphAnalysis
        or None (none); they are stored in canonical order. An int is taken as the key of a
        feature string already in the StringStore, as it is."""
        if isinstance(features, int) and not isinstance(features, bool):
            self._c().morph = features
            return
        text = features_to_string(to_parsed(features))
        self._c().morph = self.doc.vocab.strings.add(text)
    @property
    def morph_(self): return self._str(self._c().morph)
    @morph_.setter
    def morph_(self, str value): self._c().morph = self.doc.vocab.strings.add(value)

    @property
    def dep(self): return self._c().dep
    @dep.setter
    def dep(self, attr_t value): self._c().dep = value
    @property
    def dep_(self): return self._str(self._c().dep)
    @dep_.setter
    def dep_(self, str value): self._c().dep = self.doc.vocab.strings.add(value)

    # -- entities ------------------------------------------------------------------------------

    @property
    def ent_iob(self):
        return self._c().ent_iob

    @property
    def ent_iob_(self):
        return _IOB_STRINGS[self._c().ent_iob]

    @property
    def ent_type(self):
        return self._c().ent_type

    @property
    def ent_type_(self):
        return self._str(self._c().ent_type)

    @property
    def ent_kb_id(self):
        return self._c().ent_kb_id

    @property
    def ent_kb_id_(self):
        return self._str(self._c().ent_kb_id)

    # -- syntax ---------------------------------------------------------------------------------

    @property
    def head(self):
        """The syntactic head (the token itself for a root or an unparsed token)."""
        cdef TokenC* t = self._c()
        return Token.cinit(self.doc, self.i + t.head)

    @head.setter
    def head(self, Token new_head):
        if new_head.doc is not self.doc:
            raise ValueError(Errors.E051.format(what=f"The new head {new_head!r}"))
        cdef TokenC* t = self._c()
        cdef int old = t.head
        t.head = new_head.i - self.i
        try:
            self.doc.set_heads()
        except ValueError:
            t.head = old
            raise

    @property
    def children(self):
        cdef int j
        self._c()
        for j in range(self.doc.length):
            if j != self.i and j + self.doc.c[j].head == self.i:
                yield Token.cinit(self.doc, j)

    @property
    def lefts(self):
        for child in self.children:
            if child.i < self.i:
                yield child

    @property
    def rights(self):
        for child in self.children:
            if child.i > self.i:
                yield child

    @property
    def n_lefts(self):
        return self._c().l_kids

    @property
    def n_rights(self):
        return self._c().r_kids

    @property
    def left_edge(self):
        return Token.cinit(self.doc, self.i + self._c().l_edge)

    @property
    def right_edge(self):
        return Token.cinit(self.doc, self.i + self._c().r_edge)

    @property
    def is_sent_start(self):
        """True, False, or None when unknown."""
        cdef int value = self._c().sent_start
        if self.i == 0:
            return True
        return None if value == 0 else value == 1

    @is_sent_start.setter
    def is_sent_start(self, value):
        if value is None:
            self._c().sent_start = 0
        else:
            self._c().sent_start = 1 if value else -1

    @property
    def sent(self):
        for sent in self.doc.sents:
            if sent.start <= self.i < sent.end:
                return sent

    # -- static word vectors (the vocab's table, keyed by ORTH) --------------------------------

    @property
    def vector(self):
        """The word's static vector (a copy), zeros when the vocab has none for it."""
        return self.doc.vocab.vectors.vector_of(self._c().lex.orth)

    @property
    def has_vector(self):
        return self._c().lex.orth in self.doc.vocab.vectors

    @property
    def vector_norm(self):
        """The length of ``vector``."""
        return norm(self.vector)

    def similarity(self, other):
        """The cosine of this token's vector and ``other``'s (a Token, Span or Doc; anything
        with a ``vector``): 0.0 when either has none."""
        return cosine(self.vector, other.vector)


def _raise_nbor(int i, int length):
    raise IndexError(Errors.E013.format(i=i, length=length))
