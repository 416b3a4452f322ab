# cython: language_level=3
"""Hashed feature ids read straight from the TokenC arrays of a batch of Docs.

Two extractors, both writing one flat array for the whole batch (all docs concatenated):

* ``hash_row_ids``: for each token and each attribute table, N_SEEDS row ids into that table
  (the hash embedding's "several buckets per key"), already offset into one stacked table.
* ``ngram_ids``: for each doc, the hashed unigram..n-gram features of one attribute, reduced to
  rows of a sparse weight table, with per-doc offsets.
"""
from libc.stdint cimport uint32_t, uint64_t, int32_t
from murmurhash.mrmr cimport hash128_x86, hash128_x64
cimport numpy as np

import numpy

from ..attrs cimport attr_id_t
from ..structs cimport TokenC
from ..typedefs cimport attr_t
from ..tokens.doc cimport Doc
from ..tokens.token cimport token_get_attr

np.import_array()

#: Row ids per key and table: the four 32-bit words of one 128-bit murmurhash.
N_SEEDS = 4
#: The longest n-gram ngram_ids hashes.
cdef enum:
    MAX_NGRAM_C = 16
MAX_NGRAM = MAX_NGRAM_C


def doc_lengths(docs):
    """Token counts of the docs, as int32."""
    cdef Py_ssize_t i, n = len(docs)
    cdef np.ndarray[int32_t, ndim=1] out = numpy.empty(n, dtype=numpy.int32)
    cdef Doc doc
    for i in range(n):
        doc = docs[i]
        out[i] = doc.length
    return out


def hash_row_ids(docs, attr_ids, seeds, rows):
    """Row ids of every token of ``docs`` in a stack of hash tables.

    attr_ids, seeds, rows: one entry per table (attribute id, hash seed, number of rows).
    Returns (ids, lengths): ids is uint32 (n_tokens, n_tables * N_SEEDS), where the ids of
    table t start at sum(rows[:t]) so they index one stacked table; lengths is int32 per doc.
    """
    cdef int n_tables = len(attr_ids)
    if not (len(seeds) == len(rows) == n_tables):
        raise ValueError("hash_row_ids: attr_ids, seeds and rows need one entry per table")
    cdef np.ndarray[int32_t, ndim=1] lengths = doc_lengths(docs)
    cdef Py_ssize_t n_tokens = lengths.sum()
    cdef np.ndarray[uint32_t, ndim=2] ids = numpy.empty((n_tokens, n_tables * N_SEEDS), dtype=numpy.uint32)
    cdef np.ndarray[int32_t, ndim=1] c_attrs = numpy.asarray(attr_ids, dtype=numpy.int32)
    cdef np.ndarray[uint32_t, ndim=1] c_seeds = numpy.asarray(seeds, dtype=numpy.uint32)
    cdef np.ndarray[uint32_t, ndim=1] c_rows = numpy.asarray(rows, dtype=numpy.uint32)
    cdef np.ndarray[uint32_t, ndim=1] c_offsets = numpy.zeros(n_tables, dtype=numpy.uint32)
    cdef int t
    for t in range(1, n_tables):
        c_offsets[t] = c_offsets[t - 1] + c_rows[t - 1]
    cdef Py_ssize_t d, row = 0
    cdef Doc doc
    for d in range(len(docs)):
        doc = docs[d]
        _doc_row_ids(doc.c, doc.length, n_tables, &c_attrs[0], &c_seeds[0], &c_rows[0],
                     &c_offsets[0], &ids[row, 0] if doc.length else NULL)
        row += doc.length
    return ids, lengths


cdef void _doc_row_ids(const TokenC* tokens, int n, int n_tables, const int32_t* attrs,
                       const uint32_t* seeds, const uint32_t* rows, const uint32_t* offsets,
                       uint32_t* out) noexcept nogil:
    cdef int i, t, s
    cdef attr_t key
    cdef uint32_t words[4]
    for i in range(n):
        for t in range(n_tables):
            key = token_get_attr(&tokens[i], <attr_id_t>attrs[t])
            hash128_x86(&key, sizeof(key), seeds[t], words)
            for s in range(4):
                out[s] = offsets[t] + words[s] % rows[t]
            out += 4


def ngram_ids(docs, int attr_id, int ngram_size, uint64_t length, int n_rows=1, uint64_t seed=0):
    """Hashed 1..ngram_size-gram features of each doc, as rows of a table of ``length`` rows.

    Every n-gram occurrence yields ``n_rows`` (1 or 2) row ids, taken from independent words of
    one 128-bit hash, so a feature's weight is the sum of that many rows: two features that
    collide in one row rarely collide in the other.

    Returns (ids, starts): ids is uint64 over all features of all docs; the ids of doc d are
    ids[starts[d]:starts[d + 1]] (starts has n_docs + 1 entries). A doc of n tokens yields
    n_rows * (n + (n - 1) + ...) ids (repeated n-grams count again, as a count would).
    """
    if not 1 <= ngram_size <= MAX_NGRAM:
        raise ValueError(f"ngram_size must be between 1 and {MAX_NGRAM}, got {ngram_size}")
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    if not 1 <= n_rows <= 2:
        raise ValueError(f"n_rows must be 1 or 2, got {n_rows}")
    cdef Py_ssize_t n_docs = len(docs)
    cdef np.ndarray[int32_t, ndim=1] lengths = doc_lengths(docs)
    cdef np.ndarray[np.int64_t, ndim=1] starts = numpy.zeros(n_docs + 1, dtype=numpy.int64)
    cdef Py_ssize_t d
    cdef int k, n
    for d in range(n_docs):
        n = lengths[d]
        starts[d + 1] = starts[d]
        for k in range(1, ngram_size + 1):
            if n >= k:
                starts[d + 1] += n_rows * (n - k + 1)
    cdef np.ndarray[uint64_t, ndim=1] ids = numpy.empty(starts[n_docs], dtype=numpy.uint64)
    cdef Doc doc
    for d in range(n_docs):
        doc = docs[d]
        if doc.length:
            _doc_ngrams(doc.c, doc.length, <attr_id_t>attr_id, ngram_size, length, n_rows,
                        <uint32_t>seed, &ids[starts[d]])
    return ids, starts


cdef void _doc_ngrams(const TokenC* tokens, int n, attr_id_t attr_id, int ngram_size,
                      uint64_t length, int n_rows, uint32_t seed, uint64_t* out) noexcept nogil:
    cdef int i, j, k, r
    cdef attr_t keys[MAX_NGRAM_C]
    cdef uint64_t words[2]
    for k in range(1, ngram_size + 1):
        for i in range(n - k + 1):
            for j in range(k):
                keys[j] = token_get_attr(&tokens[i + j], attr_id)
            # The n-gram order goes into the seed, so n-grams of different orders never share a key.
            hash128_x64(keys, k * sizeof(attr_t), seed + <uint32_t>k, words)
            for r in range(n_rows):
                out[0] = words[r] % length
                out += 1
