cimport numpy as np


cdef class AlignmentArray:
    cdef readonly np.ndarray lengths   # int32 (n,): how many targets each source token has
    cdef readonly np.ndarray data      # int32: the targets of every source token, concatenated
    cdef readonly np.ndarray starts    # int32 (n,): offset of each token's targets in data


cdef class Alignment:
    cdef readonly AlignmentArray x2y   # predicted token -> reference tokens
    cdef readonly AlignmentArray y2x   # reference token -> predicted tokens
