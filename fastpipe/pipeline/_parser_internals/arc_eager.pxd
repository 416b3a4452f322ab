from libcpp.vector cimport vector
from libc.stdint cimport uint8_t

from ...typedefs cimport attr_t
from .transition_system cimport TransitionSystem


cdef class ArcEager(TransitionSystem):
    cdef vector[uint8_t] root_ok    # per move: 1 = a LEFT move that may attach to the virtual root
    cdef int n_root_labels          # labels seen on roots; 0 = any label may attach to the root
    cdef vector[uint8_t] decorated  # per label index: 1 for pseudo-projective "label||head" labels
    cdef bint breaks                # root labels have BREAK moves (False: a system saved before them)
    cdef attr_t merge_label         # the label joining a headless fragment to the one before it
    cdef bint join_fragments_       # see the join_fragments property
