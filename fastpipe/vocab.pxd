from cymem.cymem cimport Pool
from libcpp.vector cimport vector
from preshed.maps cimport PreshMap

from .strings cimport StringStore
from .structs cimport LexemeC
from .typedefs cimport attr_t


cdef class Vocab:
    cdef Pool mem                       # owns every LexemeC
    cdef readonly StringStore strings   # the pipeline's strings (shared with Docs)
    cdef PreshMap _by_orth              # orth key -> LexemeC* (borrowed from mem)
    cdef vector[const LexemeC*] _lexemes  # every lexeme by id, borrowed from mem
    cdef readonly str lang              # language code ("en", "xx", ...)
    cdef attr_t _lang_key               # strings key of lang
    cdef public dict lex_attr_getters   # attr id -> callable(str) used to fill new lexemes

    cdef const LexemeC* get(self, str string) except NULL
    cdef const LexemeC* get_by_orth(self, attr_t orth) except NULL
    cdef const LexemeC* _new_lexeme(self, str string, attr_t orth) except NULL
    # added for memory zones (kept last: the fields and methods above are the C API)
    cdef Py_ssize_t _zone_start         # id of the first lexeme of the open memory zone (-1: none)
    cdef public object vectors          # the static word vectors (fastpipe.vectors.Vectors)
