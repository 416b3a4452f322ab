from ..tokens.doc cimport Doc
from .alignment cimport Alignment


cdef class Example:
    cdef readonly Doc predicted      # the Doc the pipeline annotates (x)
    cdef readonly Doc reference      # the gold annotations (y)
    cdef Alignment _alignment        # computed on first use
    cdef public object id            # where the example came from, for error messages
    cdef public list misaligned      # entity offsets that did not fall on reference tokens
