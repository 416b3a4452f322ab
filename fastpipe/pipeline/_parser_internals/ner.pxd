from .transition_system cimport TransitionSystem


cdef class BiluoPushDown(TransitionSystem):
    # the number of the move (action, index of its label)
    cdef int move_of(self, int action, int k) noexcept nogil
