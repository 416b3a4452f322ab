# The public struct layouts of fastpipe, wrapped from include/fastpipe/structs.h.
# Field comments live in the header; this file only names them for Cython.
from libc.stdint cimport int32_t, int8_t, uint8_t

from .typedefs cimport attr_t, flags_t


cdef extern from "fastpipe/structs.h":
    enum:
        FP_IOB_MISSING
        FP_IOB_I
        FP_IOB_O
        FP_IOB_B

    ctypedef struct LexemeC "fp_LexemeC":
        flags_t flags
        attr_t orth
        attr_t lower
        attr_t norm
        attr_t shape
        attr_t prefix
        attr_t suffix
        attr_t lang
        int32_t length
        int32_t id

    ctypedef struct TokenC "fp_TokenC":
        const LexemeC* lex
        attr_t norm
        attr_t lemma
        attr_t tag
        attr_t pos
        attr_t morph
        attr_t dep
        attr_t ent_type
        attr_t ent_kb_id
        int32_t idx
        int32_t head
        int32_t l_kids
        int32_t r_kids
        int32_t l_edge
        int32_t r_edge
        int8_t sent_start
        uint8_t ent_iob
        uint8_t spacy

    ctypedef struct SpanC "fp_SpanC":
        int32_t start
        int32_t end
        int32_t start_char
        int32_t end_char
        attr_t label
        attr_t kb_id
