from cymem.cymem cimport Pool
from libc.stdint cimport int32_t, uint32_t
from preshed.maps cimport PreshMap

from .structs cimport LexemeC
from .tokens.doc cimport Doc
from .typedefs cimport attr_t, hash_t
from .vocab cimport Vocab


cdef struct TokenSpec:
    const LexemeC* lex   # borrowed from the vocab's pool
    attr_t norm          # token-level norm from a special case; 0 = the lexeme's own


cdef struct CachedChunk:
    int32_t n            # number of tokens the chunk splits into
    TokenSpec* tokens    # n entries, allocated from the Tokenizer's pool with this struct


cdef class Tokenizer:
    cdef Pool mem                 # owns every CachedChunk
    cdef readonly Vocab vocab     # lexemes for the tokens
    cdef PreshMap _cache          # hash of a chunk's code points -> CachedChunk* (borrowed from mem)
    cdef Py_ssize_t _n_cached     # entries in _cache; new chunks stop being cached at the cap
    cdef uint32_t* _buf           # scratch: the current chunk's code points, for hashing
    cdef Py_ssize_t _buf_len      # capacity of _buf
    cdef dict _specials           # chunk -> list of (orth, norm or None)
    cdef Py_ssize_t _max_special  # length of the longest special-case key
    cdef dict _rules              # the serializable rule tables (pattern pieces, specials)
    cdef object _prefix_re        # compiled alternations, or None
    cdef object _suffix_re
    cdef object _infix_re
    cdef object _token_match
    cdef object _url_match

    cdef bint _closes_inside_url(self, str text, Py_ssize_t start, Py_ssize_t m_start,
                                 Py_ssize_t end) except -1
    cdef hash_t _hash_chunk(self, str text, Py_ssize_t start, Py_ssize_t end) except? 0
    cdef int _emit_chunk(self, Doc doc, str text, Py_ssize_t start, Py_ssize_t end, bint whole=*) except -1
    cdef int _emit_cached(self, Doc doc, const CachedChunk* cached) except -1
    # added for memory zones (kept last: the fields and methods above are the C API)
    cdef dict _zone_keys          # cache keys added inside the open memory zone (None: no zone)
