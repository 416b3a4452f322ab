from cymem.cymem cimport Pool

from ..structs cimport LexemeC, TokenC
from ..typedefs cimport attr_t
from ..vocab cimport Vocab


cdef class Doc:
    cdef Pool mem               # owns the token array
    cdef readonly Vocab vocab   # the strings and lexemes every token points into
    cdef TokenC* c              # tokens [0, length); PADDING blank tokens sit on each side
    cdef readonly int length    # number of tokens
    cdef int max_length         # capacity of the token array, padding excluded
    cdef object _text           # the text the tokenizer was given, or None: computed on demand
    cdef public dict cats       # text-classification labels -> score
    cdef public dict user_data  # free-form data users attach; serialized by DocBin
    cdef public object spans    # SpanGroups: name -> list of Span (user spans)
    cdef public object tensor   # per-token vectors a tok2vec component left for listeners, or None

    cdef int reserve(self, int n) except -1
    cdef int push_back(self, const LexemeC* lex, bint has_space) except -1
    cdef int set_heads(self) except -1


cdef enum:
    PADDING = 5   # blank tokens before and after the array, so feature windows need no checks
