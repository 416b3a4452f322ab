# The parser state and the gold it is scored against, wrapped from
# include/fastpipe/parser_state.h (field comments and the feature sets are documented there).
from libc.stdint cimport uint8_t
from libcpp.vector cimport vector

from ...structs cimport TokenC
from ...typedefs cimport attr_t


cdef extern from "fastpipe/parser_state.h" nogil:
    enum:
        FP_FEATS_PARSER
        FP_FEATS_NER
        FP_N_PARSER_FEATS
        FP_N_NER_FEATS
        FP_NER_MISSING
        FP_NER_BEGIN
        FP_NER_IN
        FP_NER_LAST
        FP_NER_UNIT
        FP_NER_OUT
        FP_AE_SHIFT
        FP_AE_REDUCE
        FP_AE_LEFT
        FP_AE_RIGHT
        FP_AE_BREAK

    ctypedef struct EntC "fp_EntC":
        int start           # first token
        int end             # one past the last token
        attr_t label        # label key

    ctypedef struct TransitionC "fp_TransitionC":
        int action          # FP_AE_* or FP_NER_*
        attr_t label        # label key; 0 for unlabelled moves

    cdef cppclass GoldC "fp_GoldC":
        int length                  # number of predicted tokens
        vector[int] heads           # gold head: position, length = root, -1 = missing
        vector[attr_t] labels       # gold label key; 0 = any label is right
        vector[int] kids_start      # CSR offsets of the gold dependents, length + 1
        vector[int] kids            # gold dependents grouped by head
        vector[uint8_t] sent_starts # 1 where a gold sentence starts (known heads only)
        vector[uint8_t] ner_tags    # gold BILUO action per token; FP_NER_MISSING = unknown
        vector[attr_t] ner_labels   # gold entity label key per token
        vector[EntC] negs           # spans known not to be entities; label 0 = of any label
        GoldC()

    cdef cppclass StateC "fp_StateC":
        const TokenC* sent          # borrowed: the Doc's tokens
        int length                  # number of tokens
        int feature_set             # FP_FEATS_PARSER or FP_FEATS_NER
        int b0                      # first buffer token; length = only the virtual root left
        vector[int] stack           # token positions, top at the back
        vector[int] heads           # head per token: position, length = root, -1 = none yet
        vector[attr_t] labels       # arc label per token; 0 = none yet
        vector[int] lkids           # two leftmost children per token
        vector[int] rkids           # two rightmost children per token
        vector[uint8_t] on_stack    # 1 while the token is on the stack
        vector[int] sent_of         # preset sentence of each token (sent_start == 1 cuts)
        int ent_start               # first token of the open entity; -1 = none
        attr_t ent_label            # label of the open entity
        vector[EntC] ents           # entities closed so far

        StateC()
        StateC(const TokenC* tokens, int n, int features)
        StateC(const StateC& other)
        int S(int i)
        int B(int i)
        int stack_depth()
        bint buffer_empty()
        bint has_head(int i)
        int L(int i, int idx)
        int R(int i, int idx)
        void set_context_tokens(int* ids, int n_feats)
        void push()
        void pop()
        void add_arc(int head, int child, attr_t label)
        void open_entity(attr_t label)
        void close_entity()
