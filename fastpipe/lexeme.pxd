from .attrs cimport attr_id_t, NULL_ATTR, ID, ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, LENGTH, LANG
from .structs cimport LexemeC
from .typedefs cimport attr_t, flags_t
from .vocab cimport Vocab
from .strings cimport StringStore


cdef inline bint lex_check_flag(const LexemeC* lex, attr_id_t flag_id) noexcept nogil:
    """Value of a lexical flag (ids 1-63)."""
    return (lex.flags >> (<int>flag_id)) & 1


cdef inline attr_t lex_get_attr(const LexemeC* lex, attr_id_t attr_id) noexcept nogil:
    """Value of any lexeme-level attribute; 0 for attributes a lexeme does not hold."""
    if 0 < <int>attr_id < 64:
        return lex_check_flag(lex, attr_id)
    if attr_id == ORTH:
        return lex.orth
    elif attr_id == LOWER:
        return lex.lower
    elif attr_id == NORM:
        return lex.norm
    elif attr_id == SHAPE:
        return lex.shape
    elif attr_id == PREFIX:
        return lex.prefix
    elif attr_id == SUFFIX:
        return lex.suffix
    elif attr_id == LENGTH:
        return <attr_t>lex.length
    elif attr_id == LANG:
        return lex.lang
    elif attr_id == ID:
        return <attr_t>lex.id
    return 0


cdef class LexemeAttrs:
    # Base of Lexeme and Token: the lexeme-level properties, written once for both.
    cdef const LexemeC* lex_c(self) except NULL
    cdef StringStore lex_strings(self)


cdef class Lexeme(LexemeAttrs):
    cdef readonly Vocab vocab      # keeps the vocab (and so the LexemeC) alive
    cdef const LexemeC* c          # borrowed from vocab.mem

    @staticmethod
    cdef Lexeme from_ptr(Vocab vocab, const LexemeC* lex)
