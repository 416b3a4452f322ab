# cython: language_level=3
"""Write predicted labels straight into a Doc's TokenC array."""
from libc.stdint cimport uint64_t

from ..attrs cimport attr_id_t, TAG, POS, LEMMA, MORPH, DEP, ENT_TYPE
from ..structs cimport TokenC
from ..tokens.doc cimport Doc


def set_token_keys(Doc doc, int attr_id, const uint64_t[:] keys, bint overwrite=True):
    """Set a string-valued token attribute (TAG, POS, LEMMA, MORPH) from StringStore keys.

    With overwrite False, tokens that already have a value keep it. The keys must be in the
    Doc's StringStore (the component adds its labels there)."""
    if keys.shape[0] != doc.length:
        raise ValueError(f"{keys.shape[0]} labels for a Doc of {doc.length} tokens")
    cdef int i
    cdef TokenC* token
    with nogil:
        for i in range(doc.length):
            token = &doc.c[i]
            if attr_id == TAG:
                if overwrite or token.tag == 0:
                    token.tag = keys[i]
            elif attr_id == POS:
                if overwrite or token.pos == 0:
                    token.pos = keys[i]
            elif attr_id == LEMMA:
                if overwrite or token.lemma == 0:
                    token.lemma = keys[i]
            elif attr_id == MORPH:
                if overwrite or token.morph == 0:
                    token.morph = keys[i]
    return doc


def set_sent_starts(Doc doc, const signed char[:] starts):
    """Set sentence starts (1 = starts, -1 = does not, 0 = unknown) for every token."""
    if starts.shape[0] != doc.length:
        raise ValueError(f"{starts.shape[0]} sentence flags for a Doc of {doc.length} tokens")
    cdef int i
    for i in range(doc.length):
        doc.c[i].sent_start = starts[i]
    return doc
