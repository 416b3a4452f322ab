# cython: language_level=3
"""Doc: a sequence of tokens over a pool-allocated TokenC array, and its annotations."""
from libc.string cimport memset, memcpy
from libc.stdint cimport int64_t, uint64_t
cimport numpy as np
import operator

import numpy

from ..attrs cimport *
from ..lexeme cimport lex_get_attr
from ..structs cimport FP_IOB_MISSING, FP_IOB_I, FP_IOB_O, FP_IOB_B
from .token cimport Token, token_get_attr
from .span cimport Span

from ..attrs import intify_attr, NAMES
from ..errors import Errors
from . import _annotations
from ..vectors import cosine, mean_vector, norm

np.import_array()

# A zeroed lexeme for the padding tokens: every pointer in the array is valid to read.
cdef LexemeC EMPTY_LEXEME
memset(&EMPTY_LEXEME, 0, sizeof(LexemeC))


cdef class Doc:
    """A tokenized text with its annotations.

    Build one with a tokenizer (``nlp.tokenizer(text)``) or from words:
    ``Doc(vocab, words=["Hello", "!"], spaces=[False, False])``. Optional per-token annotations
    (``tags``, ``pos``, ``lemmas``, ``morphs``, ``deps``, ``heads`` as absolute indices,
    ``sent_starts`` as True/False/None, ``ents`` as IOB strings "B-PER"/"I-PER"/"O"/"" )
    may be given; None, or a None entry, means missing.
    """

    def __cinit__(self, vocab, *args, **kwargs):
        if not isinstance(vocab, Vocab):
            raise TypeError(Errors.E023.format(type=type(vocab).__name__))
        self.vocab = vocab
        self.mem = Pool()
        self.length = 0
        self.max_length = 0
        self.c = NULL
        self.cats = {}
        self.user_data = {}
        self.spans = {}
        self._text = None
        self.tensor = None

    def __init__(self, vocab, words=None, spaces=None, *, tags=None, pos=None,
                 lemmas=None, morphs=None, heads=None, deps=None, sent_starts=None, ents=None):
        if words is None:
            words = []
        if isinstance(words, str) or not isinstance(words, (list, tuple)):
            raise TypeError(Errors.E010.format(type=type(words).__name__))
        cdef int n = len(words)
        if spaces is None:
            spaces = [True] * n
            if n:
                spaces[n - 1] = False
        elif len(spaces) != n:
            raise ValueError(Errors.E011.format(n_spaces=len(spaces), n_words=n))
        self.reserve(n)
        cdef int i
        for i, word in enumerate(words):
            if not isinstance(word, str):
                raise TypeError(Errors.E010.format(type=f"a list holding {type(word).__name__}"))
            if not word:
                raise ValueError(Errors.E012.format(i=i))
            self.push_back(self.vocab.get(word), bool(spaces[i]))
        strings = self.vocab.strings
        for name, values, field in (("tags", tags, TAG), ("pos", pos, POS),
                                    ("lemmas", lemmas, LEMMA), ("morphs", morphs, MORPH),
                                    ("deps", deps, DEP)):
            if values is None:
                continue
            if len(values) != n:
                raise ValueError(Errors.E015.format(name=name, n_values=len(values), n_words=n))
            for i, value in enumerate(values):
                if value is not None and value != "":
                    _set_string_attr(&self.c[i], field, strings.add(value))
        if heads is not None:
            if len(heads) != n:
                raise ValueError(Errors.E015.format(name="heads", n_values=len(heads), n_words=n))
            for i, head in enumerate(heads):
                if head is None:
                    continue
                if not 0 <= head < n:
                    raise ValueError(Errors.E016.format(head=head, i=i, length=n - 1))
                self.c[i].head = head - i
            self.set_heads()
        if sent_starts is not None:
            if len(sent_starts) != n:
                raise ValueError(Errors.E015.format(name="sent_starts", n_values=len(sent_starts), n_words=n))
            for i, value in enumerate(sent_starts):
                self.c[i].sent_start = 0 if value is None else (1 if value else -1)
        if ents is not None:
            if len(ents) != n:
                raise ValueError(Errors.E015.format(name="ents", n_values=len(ents), n_words=n))
            _annotations.set_iob_strings(self, ents)

    @staticmethod
    def _from_keys(Vocab vocab, orths, spaces):
        """A Doc from ORTH keys (uint64, each a string of vocab.strings) and 0/1 spaces: the
        fast path DocBin uses. Raises ValueError for a key that is 0 or not in the strings."""
        cdef np.ndarray[np.uint64_t, ndim=1] keys = numpy.ascontiguousarray(orths, dtype=numpy.uint64)
        cdef np.ndarray[np.uint64_t, ndim=1] gaps = numpy.ascontiguousarray(spaces, dtype=numpy.uint64)
        cdef Py_ssize_t i, n = keys.shape[0]
        if gaps.shape[0] != n:
            raise ValueError(Errors.E011.format(n_spaces=gaps.shape[0], n_words=n))
        cdef const LexemeC* lex
        cdef Doc doc = Doc(vocab)
        doc.reserve(<int>n)
        for i in range(n):
            if keys[i] == 0:
                raise ValueError(Errors.E058.format(i=i))
            if gaps[i] > 1:
                raise ValueError(Errors.E022.format(value=gaps[i], attr="SPACY", reason=f"token {i}: expected 0 or 1"))
            try:
                lex = vocab.get_by_orth(keys[i])
            except KeyError:
                raise ValueError(Errors.E022.format(value=keys[i], attr="ORTH",
                                                    reason=f"token {i}: key not in the StringStore")) from None
            doc.push_back(lex, gaps[i] == 1)
        return doc

    # -- building ---------------------------------------------------------------------------

    cdef int reserve(self, int n) except -1:
        """Make room for at least n tokens, keeping the padding blank."""
        if n <= self.max_length:
            return 0
        cdef int new_max = max(n, self.max_length * 2, 16)
        cdef TokenC* data = <TokenC*>self.mem.alloc(new_max + 2 * PADDING, sizeof(TokenC))
        cdef int i
        for i in range(new_max + 2 * PADDING):
            data[i].lex = &EMPTY_LEXEME
        if self.c != NULL:
            memcpy(data + PADDING, self.c, self.length * sizeof(TokenC))
            self.mem.free(self.c - PADDING)
        self.c = data + PADDING
        self.max_length = new_max
        return 0

    cdef int push_back(self, const LexemeC* lex, bint has_space) except -1:
        if self.length == self.max_length:
            self.reserve(self.length + 1)
        cdef TokenC* t = &self.c[self.length]
        t.lex = lex
        t.spacy = has_space
        if self.length == 0:
            t.idx = 0
        else:
            t.idx = self.c[self.length - 1].idx + self.c[self.length - 1].lex.length + self.c[self.length - 1].spacy
        self.length += 1
        return 0

    cdef int set_heads(self) except -1:
        """Derive children counts, subtree edges and sentence starts from the heads.

        Raises ValueError (and changes nothing) if a head lies outside the Doc or the heads
        contain a cycle."""
        cdef int n = self.length
        cdef int i, h, a
        if n == 0:
            return 0
        for i in range(n):
            h = i + self.c[i].head
            if h < 0 or h >= n:
                raise ValueError(Errors.E016.format(head=h, i=i, length=n - 1))
        cdef int* l_edge = <int*>self.mem.alloc(3 * n, sizeof(int))
        cdef int* r_edge = l_edge + n
        cdef int* state = r_edge + n   # 0 = not seen, 1 = on the current path, 2 = reaches a root
        try:
            # Cycle check: follow each chain of heads until a root or a token already known to
            # reach one; meeting a token of the current chain again means a cycle.
            for i in range(n):
                a = i
                while state[a] == 0 and self.c[a].head != 0:
                    state[a] = 1
                    a += self.c[a].head
                if state[a] == 1:
                    raise ValueError(Errors.E050.format(i=i))
                state[a] = 2
                a = i
                while state[a] == 1:
                    state[a] = 2
                    a += self.c[a].head
            for i in range(n):
                self.c[i].l_kids = 0
                self.c[i].r_kids = 0
                l_edge[i] = i
                r_edge[i] = i
            for i in range(n):
                h = i + self.c[i].head
                if h > i:
                    self.c[h].l_kids += 1
                elif h < i:
                    self.c[h].r_kids += 1
            # Left edges: walk up from each token in order; an ancestor already reached by an
            # earlier token has a smaller edge, and so have all its ancestors.
            for i in range(n):
                a = i
                while self.c[a].head != 0:
                    a += self.c[a].head
                    if l_edge[a] <= i:
                        break
                    l_edge[a] = i
            for i in range(n - 1, -1, -1):
                a = i
                while self.c[a].head != 0:
                    a += self.c[a].head
                    if r_edge[a] >= i:
                        break
                    r_edge[a] = i
            for i in range(n):
                self.c[i].l_edge = l_edge[i] - i
                self.c[i].r_edge = r_edge[i] - i
                self.c[i].sent_start = -1
            for i in range(n):
                if self.c[i].head == 0:
                    self.c[l_edge[i]].sent_start = 1
            self.c[0].sent_start = 1
        finally:
            self.mem.free(l_edge)
        return 0

    # -- sequence protocol --------------------------------------------------------------------

    def __len__(self):
        return self.length

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(self.length)
            if step != 1:
                raise ValueError(Errors.E017.format(step=key.step))
            return Span(self, start, max(start, stop))
        if isinstance(key, bool) or not hasattr(key, "__index__"):
            raise TypeError(Errors.E055.format(cls="Doc", type=type(key).__name__))
        key = operator.index(key)
        if not -self.length <= key < self.length:
            raise IndexError(Errors.E013.format(i=key, length=self.length))
        cdef Py_ssize_t i = key
        if i < 0:
            i += self.length
        if i < 0 or i >= self.length:
            raise IndexError(Errors.E013.format(i=key, length=self.length))
        return Token.cinit(self, <int>i)

    def __iter__(self):
        cdef int i
        for i in range(self.length):
            yield Token.cinit(self, i)

    def __repr__(self):
        return self.text

    def __str__(self):
        return self.text

    def __reduce__(self):
        return (_doc_from_bytes, (self.vocab, self.to_bytes()))

    @property
    def text(self):
        if self._text is None:
            self._text = self._build_text()
        return self._text

    @property
    def text_with_ws(self):
        return self.text

    def _build_text(self):
        strings = self.vocab.strings
        parts = []
        cdef int i
        for i in range(self.length):
            parts.append(strings.decode(self.c[i].lex.orth))
            if self.c[i].spacy:
                parts.append(" ")
        return "".join(parts)

    def _set_text(self, text):
        """Tokenizer's hook: the text the tokens were cut from (they spell it exactly)."""
        self._text = text

    # -- arrays -------------------------------------------------------------------------------

    def to_array(self, attrs):
        """Token attributes as a uint64 array: (n_tokens, n_attrs), or (n_tokens,) for one attr.

        HEAD is the head's offset from the token and SENT_START is -1/0/1, both stored as
        two's-complement uint64, as from_array expects them back.
        """
        single = isinstance(attrs, (str, int))
        ids = [intify_attr(attrs)] if single else [intify_attr(a) for a in attrs]
        cdef int n_attrs = len(ids)
        cdef np.ndarray[np.uint64_t, ndim=2] out = numpy.zeros((self.length, n_attrs), dtype=numpy.uint64)
        cdef int i, j
        cdef attr_id_t attr_id
        for j in range(n_attrs):
            attr_id = <attr_id_t><int>ids[j]
            for i in range(self.length):
                out[i, j] = token_get_attr(&self.c[i], attr_id)
        return out[:, 0] if single else out

    def from_array(self, attrs, array):
        """Set token attributes from an array in the layout to_array gives."""
        single = isinstance(attrs, (str, int))
        ids = [intify_attr(attrs)] if single else [intify_attr(a) for a in attrs]
        array = numpy.asarray(array)
        if array.ndim == 1:
            array = array.reshape((-1, 1))
        if array.ndim != 2 or array.shape[1] != len(ids):
            raise ValueError(Errors.E020.format(n_cols=array.shape[array.ndim - 1] if array.ndim else 0, n_attrs=len(ids)))
        if array.shape[0] != self.length:
            raise ValueError(Errors.E021.format(n_rows=array.shape[0], length=self.length))
        if array.dtype.kind not in "iu":
            raise ValueError(Errors.E022.format(value=str(array.dtype), attr="array", reason="expected integers"))
        cdef np.ndarray[np.uint64_t, ndim=2] values = array.astype(numpy.uint64, copy=False)
        cdef int i, n = self.length
        # Check every column before writing any, so that a bad array leaves the Doc unchanged.
        _annotations.check_array(self, ids, values)
        cdef list old_heads = [self.c[i].head for i in range(n)] if HEAD in ids else None
        _set_columns(self, ids, values, 0)
        if HEAD in ids:
            sent_starts = [self.c[i].sent_start for i in range(n)] if SENT_START in ids else None
            try:
                self.set_heads()
            except ValueError:
                for i in range(n):
                    self.c[i].head = old_heads[i]
                raise
            if sent_starts is not None:
                for i in range(n):
                    self.c[i].sent_start = sent_starts[i]
        if SPACY in ids or ORTH in ids:
            self._recompute_offsets()
        return self

    @staticmethod
    def _from_checked_rows(Vocab vocab, const uint64_t[:, :] rows, tuple ids,
                           const int64_t[:] lengths):
        """DocBin's fast path: the Docs ``_from_keys`` then ``from_array`` would build from
        ``rows`` (tokens x ``ids``, attribute ids with ORTH and SPACY first; each document's
        rows one after the other, ``lengths`` rows each), without their per-Doc checks: the
        caller has checked all the rows at once as they do (``_docbin_codec.
        first_suspect_doc``). Only the heads are still checked here, for cycles (ValueError),
        as that needs each Doc's tree."""
        cdef Py_ssize_t d, i, n, start = 0
        cdef Py_ssize_t ssi = ids.index(SENT_START) if SENT_START in ids else -1
        cdef bint has_heads = HEAD in ids
        cdef Doc doc
        docs = []
        for d in range(lengths.shape[0]):
            n = lengths[d]
            doc = Doc.__new__(Doc, vocab)
            doc.reserve(<int>n)
            for i in range(start, start + n):
                doc.push_back(vocab.get_by_orth(rows[i, 0]), rows[i, 1] == 1)
            if n and len(ids) > 2:
                _set_columns(doc, ids, rows[start:start + n], 2)
                if has_heads:
                    doc.set_heads()
                    if ssi >= 0:  # the stored boundaries win over those the heads imply
                        for i in range(n):
                            doc.c[i].sent_start = <int><int64_t>rows[start + i, ssi]
            docs.append(doc)
            start += n
        return docs

    def _recompute_offsets(self):
        cdef int i
        for i in range(1, self.length):
            self.c[i].idx = self.c[i - 1].idx + self.c[i - 1].lex.length + self.c[i - 1].spacy
        self._text = None

    def has_annotation(self, attr):
        """Whether any token has a value for the attribute (for SENT_START: any boundary set)."""
        cdef attr_id_t attr_id = <attr_id_t><int>intify_attr(attr)
        cdef int i
        if attr_id == SENT_START:
            for i in range(1, self.length):
                if self.c[i].sent_start != 0:
                    return True
            return False
        if attr_id == HEAD:
            attr_id = DEP
        for i in range(self.length):
            if token_get_attr(&self.c[i], attr_id) != 0:
                return True
        return False

    # -- entities ------------------------------------------------------------------------------

    @property
    def ents(self):
        """The entity spans, read from each token's IOB code, type and kb_id."""
        cdef int i, start = -1
        cdef attr_t label = 0
        spans = []
        for i in range(self.length):
            iob = self.c[i].ent_iob
            if iob == FP_IOB_B or (iob == FP_IOB_I and (start == -1 or self.c[i].ent_type != label)):
                if start != -1:
                    spans.append(Span(self, start, i, label=label, kb_id=self.c[start].ent_kb_id))
                start = i
                label = self.c[i].ent_type
            elif iob != FP_IOB_I and start != -1:
                spans.append(Span(self, start, i, label=label, kb_id=self.c[start].ent_kb_id))
                start = -1
        if start != -1:
            spans.append(Span(self, start, self.length, label=label, kb_id=self.c[start].ent_kb_id))
        return tuple(spans)

    @ents.setter
    def ents(self, spans):
        self.set_ents(spans, default="outside")

    def set_ents(self, entities, *, missing=None, outside=None, default="outside"):
        """Set entities (Spans or (label, start, end) tuples); tokens named in ``missing`` get no
        annotation, those in ``outside`` are O, and all others get ``default``: "outside",
        "missing" or "unmodified". Nothing is written if any entity is invalid."""
        _annotations.set_ents(self, entities, missing=missing, outside=outside, default=default)

    # -- sentences ----------------------------------------------------------------------------

    @property
    def has_sents(self):
        return self.length > 0 and self.has_annotation(SENT_START)

    @property
    def sents(self):
        """Sentence spans; raises ValueError when no boundary is set at all."""
        if self.length == 0:
            return
        if not self.has_annotation(SENT_START):
            if self.length == 1 and self.c[0].sent_start == 1:
                yield Span(self, 0, 1)
                return
            raise ValueError(Errors.E019)
        cdef int i, start = 0
        for i in range(1, self.length):
            if self.c[i].sent_start == 1:
                yield Span(self, start, i)
                start = i
        yield Span(self, start, self.length)

    # -- spans by character offsets -----------------------------------------------------------

    def char_span(self, start_char, end_char, label=0, alignment_mode="strict", kb_id=0):
        """The Span covering characters [start_char, end_char), or None. With alignment_mode
        "strict" the offsets must fall on token boundaries; "contract" keeps only the tokens
        wholly inside the range, "expand" every token it touches."""
        return _annotations.char_span(self, start_char, end_char, label=label, kb_id=kb_id,
                                      alignment_mode=alignment_mode)

    # -- copies and serialization -------------------------------------------------------------

    # -- static word vectors (the vocab's table, keyed by ORTH) ----------------------------------

    def _orth_keys(self, int start, int end):
        """The ORTH keys of tokens [start, end) as a uint64 array, for vector lookups."""
        cdef np.ndarray[np.uint64_t, ndim=1] keys = numpy.empty(end - start, dtype=numpy.uint64)
        cdef int i
        for i in range(start, end):
            keys[i - start] = self.c[i].lex.orth
        return keys

    @property
    def vector(self):
        """The mean of the tokens' static vectors (zeros for a token without one)."""
        return mean_vector(self.vocab.vectors, self._orth_keys(0, self.length))

    @property
    def has_vector(self):
        """Whether any token has a static vector."""
        return bool(self.vocab.vectors.has_vectors(self._orth_keys(0, self.length)).any())

    @property
    def vector_norm(self):
        """The length of ``vector``."""
        return norm(self.vector)

    def similarity(self, other):
        """The cosine of this doc's vector and ``other``'s (a Token, Span or Doc; anything
        with a ``vector``): 0.0 when either has none."""
        return cosine(self.vector, other.vector)

    def copy(self):
        cdef Doc other = Doc(self.vocab)
        other.reserve(self.length)
        memcpy(other.c, self.c, self.length * sizeof(TokenC))
        other.length = self.length
        other._text = self._text
        other.cats = dict(self.cats)
        other.user_data = dict(self.user_data)
        other.spans = {name: [Span(other, s.start, s.end, label=s.label, kb_id=s.kb_id) for s in group]
                       for name, group in self.spans.items()}
        return other

    def to_json(self, underscore=None):
        """This Doc as a JSON-ready dict in the shape spaCy documents: text, ents, sents,
        cats, tokens (id, start, end and the annotations the Doc has) and spans."""
        from ._json import doc_to_json
        return doc_to_json(self, underscore)

    def to_bytes(self):
        """This Doc with every annotation and its user_data (a one-document DocBin)."""
        from ._docbin_codec import doc_to_bytes
        return doc_to_bytes(self)

    def from_bytes(self, bytes_data):
        """Replace this Doc by the one ``to_bytes`` wrote; its strings go into this vocab."""
        from ._docbin_codec import doc_from_bytes
        if not isinstance(bytes_data, (bytes, bytearray, memoryview)):
            raise TypeError(Errors.E045.format(method="from_bytes", expected="bytes",
                                               type=type(bytes_data).__name__))
        cdef Doc doc = doc_from_bytes(self.vocab, bytes_data, Doc)
        self.mem = doc.mem
        self.c = doc.c
        self.length = doc.length
        self.max_length = doc.max_length
        self._text = doc._text
        self.cats = doc.cats
        self.user_data = doc.user_data
        self.spans = {name: [Span(self, s.start, s.end, label=s.label, kb_id=s.kb_id) for s in group]
                      for name, group in doc.spans.items()}
        return self


def _doc_from_bytes(vocab, data):
    return Doc(vocab).from_bytes(data)


cdef int _set_columns(Doc doc, ids, const uint64_t[:, :] values, Py_ssize_t first) except -1:
    """Write the columns ``first``... of ``values`` (tokens x ``ids``) into the Doc's tokens,
    unchecked: the heads' derived fields (``set_heads``) and the offsets are the caller's."""
    cdef Py_ssize_t i, j, n = doc.length
    cdef attr_t value
    cdef int64_t signed
    cdef attr_id_t attr_id
    for j in range(first, len(ids)):
        attr_id = <attr_id_t><int>ids[j]
        for i in range(n):
            value = values[i, j]
            signed = <int64_t>value
            if attr_id == HEAD:
                doc.c[i].head = <int>signed
            elif attr_id == SENT_START:
                doc.c[i].sent_start = <int>signed
            elif attr_id == ENT_IOB:
                doc.c[i].ent_iob = <int>value
            elif attr_id == SPACY:
                doc.c[i].spacy = <int>value
            elif attr_id == ORTH:
                doc.c[i].lex = doc.vocab.get_by_orth(value)
            else:
                _set_string_attr(&doc.c[i], attr_id, value)
    return 0


cdef inline void _set_string_attr(TokenC* token, attr_id_t attr_id, attr_t value) noexcept nogil:
    if attr_id == NORM:
        token.norm = value
    elif attr_id == LEMMA:
        token.lemma = value
    elif attr_id == TAG:
        token.tag = value
    elif attr_id == POS:
        token.pos = value
    elif attr_id == MORPH:
        token.morph = value
    elif attr_id == DEP:
        token.dep = value
    elif attr_id == ENT_TYPE:
        token.ent_type = value
    elif attr_id == ENT_KB_ID:
        token.ent_kb_id = value
