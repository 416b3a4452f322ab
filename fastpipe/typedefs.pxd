# Scalar types shared by every compiled room. They mirror include/fastpipe/structs.h.
from libc.stdint cimport uint64_t, int32_t, int8_t, uint8_t


cdef extern from "fastpipe/structs.h":
    ctypedef uint64_t hash_t "fp_hash_t"    # a murmurhash 64-bit key
    ctypedef uint64_t attr_t "fp_attr_t"    # the value of any token or lexeme attribute
    ctypedef uint64_t flags_t "fp_flags_t"  # lexical flags, bit i = attribute id i
