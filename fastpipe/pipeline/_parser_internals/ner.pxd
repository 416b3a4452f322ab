from .transition_system cimport TransitionSystem


cdef class BiluoPushDown(TransitionSystem):
    cdef int move_of(self, int action, int k) noexcept nogil  # the move number of (action, label index)
