# cython: language_level=3
"""Alignment of two tokenizations of the same text.

Both tokenizations are reduced to the stream of their non-whitespace characters, each character
tagged with the token it belongs to in either tokenization. Walking the two tag streams together
gives every (x token, y token) pair that shares a character; the pairs come out ordered in both
coordinates, so grouping them by x gives x2y and grouping by y gives y2x. Linear in the text.
"""
from cpython.unicode cimport PyUnicode_READ, PyUnicode_KIND, PyUnicode_DATA
from libc.stdint cimport int32_t
cimport numpy as np
import numpy

from ..tokens.doc cimport Doc

from ..errors import Errors

np.import_array()

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)


cdef class AlignmentArray:
    """A ragged array: for each source token, the indices of the target tokens it overlaps."""

    def __init__(self, lengths, data, starts=None):
        self.lengths = numpy.ascontiguousarray(lengths, dtype=numpy.int32)
        self.data = numpy.ascontiguousarray(data, dtype=numpy.int32)
        if starts is None:
            starts = numpy.zeros(len(self.lengths), dtype=numpy.int32)
            if len(self.lengths) > 1:
                numpy.cumsum(self.lengths[:len(self.lengths) - 1], out=starts[1:])
        self.starts = starts

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, int index):
        cdef int n = len(self.lengths)
        cdef int i = index + n if index < 0 else index
        if i < 0 or i >= n:
            raise IndexError(Errors.E075.format(i=index, n=n))
        start = self.starts[i]
        return self.data[start: start + self.lengths[i]]

    def to_list(self):
        return [[int(v) for v in self[i]] for i in range(len(self))]


cdef np.ndarray _char_owners(Doc doc, str text):
    """For each non-whitespace character of the doc's text, the index of its token."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef np.ndarray[np.int32_t, ndim=1] owners = numpy.empty(len(text), dtype=numpy.int32)
    cdef int i, k, n = 0, start, end
    for i in range(doc.length):
        start = doc.c[i].idx
        end = start + doc.c[i].lex.length
        for k in range(start, end):
            if not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
                owners[n] = i
                n += 1
    return owners[:n]


cdef bint _same_nonspace_chars(str a, str b) noexcept:
    """Whether two texts spell the same characters once whitespace is dropped."""
    cdef int kind_a = PyUnicode_KIND(a), kind_b = PyUnicode_KIND(b)
    cdef void* data_a = PyUnicode_DATA(a)
    cdef void* data_b = PyUnicode_DATA(b)
    cdef Py_ssize_t i = 0, j = 0, n_a = len(a), n_b = len(b)
    while True:
        while i < n_a and Py_UNICODE_ISSPACE(PyUnicode_READ(kind_a, data_a, i)):
            i += 1
        while j < n_b and Py_UNICODE_ISSPACE(PyUnicode_READ(kind_b, data_b, j)):
            j += 1
        if i == n_a or j == n_b:
            return i == n_a and j == n_b
        if PyUnicode_READ(kind_a, data_a, i) != PyUnicode_READ(kind_b, data_b, j):
            return False
        i += 1
        j += 1


def _strip_ws(str text):
    return "".join(text.split())


cdef bint _same_tokens(Doc x, Doc y) noexcept:
    """Whether both Docs hold the same token forms in the same order."""
    cdef int i
    if x.length != y.length:
        return False
    for i in range(x.length):
        if x.c[i].lex.orth != y.c[i].lex.orth:
            return False
    return True


cdef np.ndarray _empty_int32(Py_ssize_t n):
    """A new uninitialized int32 array of n items (numpy's C API: no Python call)."""
    cdef np.npy_intp dims = n
    return np.PyArray_EMPTY(1, &dims, np.NPY_INT32, 0)


cdef AlignmentArray _wrap(np.ndarray lengths, np.ndarray data, np.ndarray starts):
    """An AlignmentArray holding the given C-contiguous int32 arrays as they are: the fast path
    for arrays made here, skipping __init__'s conversions."""
    cdef AlignmentArray arr = AlignmentArray.__new__(AlignmentArray)
    arr.lengths = lengths
    arr.data = data
    arr.starts = starts
    return arr


cdef Alignment _make(AlignmentArray x2y, AlignmentArray y2x):
    """An Alignment of the two arrays, without the Python-level __init__ call."""
    cdef Alignment align = Alignment.__new__(Alignment)
    align.x2y = x2y
    align.y2x = y2x
    return align


cdef Alignment _identity(int n):
    """The alignment of two tokenizations with the same n tokens: token i to token i."""
    cdef np.ndarray ones = _empty_int32(n)
    cdef np.ndarray index = _empty_int32(n)
    cdef int32_t* ones_p = <int32_t*>np.PyArray_DATA(ones)
    cdef int32_t* index_p = <int32_t*>np.PyArray_DATA(index)
    cdef int i
    for i in range(n):
        ones_p[i] = 1
        index_p[i] = i
    return _make(_wrap(ones, index, index), _wrap(ones, index, index))


cdef class Alignment:
    """Which tokens of x (predicted) and y (reference) share characters."""

    def __init__(self, AlignmentArray x2y, AlignmentArray y2x):
        self.x2y = x2y
        self.y2x = y2x

    @classmethod
    def from_docs(cls, Doc x, Doc y, example_id=None):
        """Align two Docs whose texts have the same non-whitespace characters."""
        if _same_tokens(x, y):
            return _identity(x.length)
        x_text = x.text
        y_text = y.text
        if not _same_nonspace_chars(x_text, y_text):
            raise ValueError(_mismatch_message(x_text, y_text, example_id))
        return _from_owners(_char_owners(x, x_text), _char_owners(y, y_text), x.length, y.length)

    @classmethod
    def from_strings(cls, x_words, y_words):
        """Align two lists of words that spell the same characters (whitespace ignored)."""
        x_words = [w for w in x_words]
        y_words = [w for w in y_words]
        x_owner = numpy.asarray([i for i, w in enumerate(x_words) for c in w if not c.isspace()], dtype=numpy.int32)
        y_owner = numpy.asarray([i for i, w in enumerate(y_words) for c in w if not c.isspace()], dtype=numpy.int32)
        if _strip_ws("".join(x_words)) != _strip_ws("".join(y_words)):
            raise ValueError(_mismatch_message("".join(x_words), "".join(y_words), None))
        return _from_owners(x_owner, y_owner, len(x_words), len(y_words))

    def __repr__(self):
        return f"Alignment(x2y={self.x2y.to_list()}, y2x={self.y2x.to_list()})"


cdef Alignment _from_owners(np.ndarray x_owner_arr, np.ndarray y_owner_arr, int n_x, int n_y):
    cdef const int32_t[:] x_owner = x_owner_arr
    cdef const int32_t[:] y_owner = y_owner_arr
    cdef int n = x_owner.shape[0], p, n_pairs = 0
    cdef np.ndarray[np.int32_t, ndim=1] px = numpy.empty(n, dtype=numpy.int32)
    cdef np.ndarray[np.int32_t, ndim=1] py = numpy.empty(n, dtype=numpy.int32)
    cdef np.ndarray[np.int32_t, ndim=1] x_lengths = numpy.zeros(n_x, dtype=numpy.int32)
    cdef np.ndarray[np.int32_t, ndim=1] y_lengths = numpy.zeros(n_y, dtype=numpy.int32)
    for p in range(n):
        if n_pairs == 0 or px[n_pairs - 1] != x_owner[p] or py[n_pairs - 1] != y_owner[p]:
            px[n_pairs] = x_owner[p]
            py[n_pairs] = y_owner[p]
            x_lengths[x_owner[p]] += 1
            y_lengths[y_owner[p]] += 1
            n_pairs += 1
    # Pairs are ordered by x and by y at once: px groups x2y targets, py groups y2x targets.
    return Alignment(AlignmentArray(x_lengths, py[:n_pairs].copy()),
                     AlignmentArray(y_lengths, px[:n_pairs].copy()))


def _mismatch_message(x_text, y_text, example_id):
    a = _strip_ws(x_text)
    b = _strip_ws(y_text)
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    where = f" in example {example_id!r}" if example_id is not None else ""
    return Errors.E060.format(where=where, i=i, a=a[max(0, i - 15):i + 15], b=b[max(0, i - 15):i + 15])
