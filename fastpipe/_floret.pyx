# cython: language_level=3
"""floret's subword vectors, computed from a word's characters: the compiled inner loop of
``Vectors`` in floret mode.

A floret table has no row per word. A word is wrapped in its begin and end markers (``bow``,
``eow``, by default ``<`` and ``>``); the wrapped word itself and each of its substrings of
``minn`` to ``maxn`` characters are hashed (MurmurHash3 x64 128 of the UTF-8 bytes, with the
table's seed), and each of the first ``hash_count`` 32-bit words of the hash, modulo the number
of rows, names a row. The word's vector is the mean of all those rows, so every word, seen in
training or not, has one.
"""
from libc.stdint cimport uint32_t, int64_t
from murmurhash.mrmr cimport hash128_x64
cimport numpy as np

import numpy

np.import_array()

#: The most rows one n-gram may name: the four 32-bit words of one 128-bit hash.
MAX_HASH_COUNT = 4


cdef inline int64_t _code_point_offsets(bytes data, int64_t* offsets) except -1:
    """Write the byte offset of each code point of UTF-8 ``data`` (and the end) to
    ``offsets``; returns the number of code points."""
    cdef const unsigned char* s = data
    cdef int64_t i, n_bytes = len(data), n = 0
    for i in range(n_bytes):
        if (s[i] & 0xC0) != 0x80:  # not a continuation byte: a code point starts here
            offsets[n] = i
            n += 1
    offsets[n] = n_bytes
    return n


cdef int64_t _n_rows_of(int64_t n_chars, int minn, int maxn, int hash_count) nogil:
    """How many rows a wrapped word of ``n_chars`` characters names."""
    cdef int64_t size, n = 1
    for size in range(minn, maxn + 1):
        if n_chars >= size:
            n += n_chars - size + 1
    return n * hash_count


cdef void _word_rows(const char* s, const int64_t* offsets, int64_t n_chars, int minn,
                     int maxn, int hash_count, uint32_t seed, int64_t n_rows,
                     int64_t* out) noexcept nogil:
    """Write the rows of the wrapped word ``s`` (UTF-8, its code points starting at
    ``offsets``) to ``out``, which has room for _n_rows_of(n_chars, ...) of them."""
    cdef uint32_t hashed[4]
    cdef int64_t size, start, k, at = 0
    hash128_x64(s, <int>offsets[n_chars], seed, hashed)
    for k in range(hash_count):
        out[at] = hashed[k] % n_rows
        at += 1
    for size in range(minn, maxn + 1):
        for start in range(0, n_chars - size + 1):
            hash128_x64(s + offsets[start], <int>(offsets[start + size] - offsets[start]),
                        seed, hashed)
            for k in range(hash_count):
                out[at] = hashed[k] % n_rows
                at += 1


def ngram_rows(str word, int minn, int maxn, int hash_count, uint32_t seed, int64_t n_rows,
               str bow="<", str eow=">"):
    """The rows of the table whose mean is ``word``'s vector (a row appears once per n-gram
    and hash that names it)."""
    cdef bytes data = (bow + word + eow).encode("utf8", "surrogatepass")
    cdef int64_t[::1] offsets = numpy.empty(len(data) + 1, dtype=numpy.int64)
    cdef int64_t n_chars = _code_point_offsets(data, &offsets[0])
    out = numpy.empty(_n_rows_of(n_chars, minn, maxn, hash_count), dtype=numpy.int64)
    cdef int64_t[::1] rows = out
    _word_rows(data, &offsets[0], n_chars, minn, maxn, hash_count, seed, n_rows, &rows[0])
    return out


def word_vectors(list words, const float[:, ::1] table, int minn, int maxn, int hash_count,
                 uint32_t seed, str bow="<", str eow=">"):
    """The floret vector of each of ``words`` (strings) from ``table`` (rows, width), as a
    (len(words), width) float32 array; zeros for the empty string."""
    cdef int64_t n_rows = table.shape[0], width = table.shape[1]
    out = numpy.zeros((len(words), width), dtype=numpy.float32)
    cdef float[:, ::1] Y = out
    cdef int64_t i, j, c, n, row, n_chars
    cdef float scale
    cdef bytes data
    cdef int64_t[::1] offsets = numpy.empty(64, dtype=numpy.int64)
    cdef int64_t[::1] rows = numpy.empty(256, dtype=numpy.int64)
    if n_rows == 0:
        return out
    for i in range(len(words)):
        if not words[i]:  # the empty string (key 0) has no vector, as in spaCy
            continue
        data = (bow + <str>words[i] + eow).encode("utf8", "surrogatepass")
        if <int64_t>len(data) + 1 > offsets.shape[0]:
            offsets = numpy.empty(2 * len(data) + 1, dtype=numpy.int64)
        n_chars = _code_point_offsets(data, &offsets[0])
        n = _n_rows_of(n_chars, minn, maxn, hash_count)
        if n > rows.shape[0]:
            rows = numpy.empty(2 * n, dtype=numpy.int64)
        _word_rows(data, &offsets[0], n_chars, minn, maxn, hash_count, seed, n_rows, &rows[0])
        for j in range(n):
            row = rows[j]
            for c in range(width):
                Y[i, c] += table[row, c]
        scale = 1.0 / n
        for c in range(width):
            Y[i, c] *= scale
    return out
