from libcpp.vector cimport vector

from ...strings cimport StringStore
from ...tokens.doc cimport Doc
from ...typedefs cimport attr_t
from ._state cimport StateC, GoldC, TransitionC


cdef class Gold:
    cdef GoldC c                    # the gold on the predicted tokens, read without the GIL
    cdef readonly object example_id # where it came from, for error messages


cdef class TransitionSystem:
    cdef readonly StringStore strings   # label keys live here (borrowed from the Vocab)
    cdef vector[TransitionC] c          # the moves, in the order of the model's outputs
    cdef vector[attr_t] label_keys      # the labels, in the order they were added
    cdef readonly int feature_set       # FP_FEATS_PARSER or FP_FEATS_NER
    cdef readonly int n_feats           # context slots a model reads by default
    cdef public dict cfg                # serializable settings (labels and their extra flags)

    cdef StateC* new_state(self, Doc doc) except NULL
    cdef int set_valid(self, int* is_valid, const StateC* st) noexcept nogil
    cdef int set_costs(self, int* is_valid, float* costs, const StateC* st,
                       const GoldC* gold) noexcept nogil
    cdef void apply(self, StateC* st, int move) noexcept nogil
    cdef bint is_final(self, const StateC* st) noexcept nogil
    cdef int oracle_move(self, int* is_valid, float* costs, const StateC* st,
                         const GoldC* gold) noexcept nogil
    cdef int set_annotations_c(self, const StateC* st, Doc doc) except -1
    cdef int label_index(self, attr_t label) noexcept nogil
