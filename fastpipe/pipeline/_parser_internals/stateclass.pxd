from ...tokens.doc cimport Doc
from ._state cimport StateC


cdef class StateClass:
    cdef StateC* c              # owned: created with new, deleted in __dealloc__
    cdef readonly Doc doc       # the Doc whose token array the state borrows; kept alive here

    @staticmethod
    cdef StateClass take(StateC* state, Doc doc)
