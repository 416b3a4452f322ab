from ..attrs cimport *
from ..lexeme cimport LexemeAttrs, lex_get_attr
from ..structs cimport TokenC
from ..typedefs cimport attr_t
from .doc cimport Doc


cdef inline attr_t token_get_attr(const TokenC* token, attr_id_t attr_id) noexcept nogil:
    """Value of any token attribute as stored in to_array (HEAD relative, SENT_START as int8)."""
    if attr_id == NORM:
        return token.norm if token.norm != 0 else token.lex.norm
    elif attr_id == LEMMA:
        return token.lemma
    elif attr_id == TAG:
        return token.tag
    elif attr_id == POS:
        return token.pos
    elif attr_id == MORPH:
        return token.morph
    elif attr_id == DEP:
        return token.dep
    elif attr_id == ENT_TYPE:
        return token.ent_type
    elif attr_id == ENT_KB_ID:
        return token.ent_kb_id
    elif attr_id == ENT_IOB:
        return token.ent_iob
    elif attr_id == HEAD:
        return <attr_t><long long>token.head
    elif attr_id == SENT_START:
        return <attr_t><long long>token.sent_start
    elif attr_id == SPACY:
        return token.spacy
    elif attr_id == IDX:
        return <attr_t>token.idx
    return lex_get_attr(token.lex, attr_id)


cdef class Token(LexemeAttrs):
    cdef readonly Doc doc   # the Doc whose array holds this token
    cdef readonly int i     # position of the token in the Doc

    @staticmethod
    cdef Token cinit(Doc doc, int i)

    cdef TokenC* _c(self) except NULL
