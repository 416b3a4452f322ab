from ..structs cimport SpanC
from ..typedefs cimport attr_t
from .doc cimport Doc


cdef class Span:
    cdef readonly Doc doc   # the Doc the span points into
    cdef SpanC c            # start, end, label, kb_id (a copy, not a pointer)

    cdef void _set_chars(self) noexcept
