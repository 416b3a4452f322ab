# cython: language_level=3
"""One fused pass of Adam over a parameter array: clipping, moments, step, decay, zeroing.

The square root is the float one (``sqrtf``, as numpy's float32 arithmetic in thinc's Adam);
with ``-fno-math-errno`` (setup.py) the compiler makes it one instruction and vectorizes the
loop."""
from libc.math cimport sqrt, sqrtf

import numpy


cdef inline double _sum_squares(const float* x, Py_ssize_t n) noexcept nogil:
    """Sum of squares in double, four running sums (so the adds can overlap)."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef Py_ssize_t i = 0
    while i + 4 <= n:
        s0 += <double>x[i] * x[i]
        s1 += <double>x[i + 1] * x[i + 1]
        s2 += <double>x[i + 2] * x[i + 2]
        s3 += <double>x[i + 3] * x[i + 3]
        i += 4
    while i < n:
        s0 += <double>x[i] * x[i]
        i += 1
    return (s0 + s1) + (s2 + s3)


def clip_norm(float[::1] gradient, float grad_clip) -> float:
    """Scale ``gradient`` in place to norm ``grad_clip`` when its norm reaches it, as the
    optimizer's clipping does; returns the norm it had."""
    cdef Py_ssize_t i, n = gradient.shape[0]
    cdef double norm = 0.0
    cdef float scale
    with nogil:
        if n > 0:
            norm = sqrt(_sum_squares(&gradient[0], n))
        if grad_clip > 0 and norm >= grad_clip:
            scale = <float>(grad_clip / norm)
            for i in range(n):
                gradient[i] *= scale
    return norm


def adam_step(float[::1] weights, float[::1] gradient, float[::1] mom1, float[::1] mom2,
              float beta1, float beta2, float eps, float learn_rate, float grad_clip,
              float decay):
    """Update ``weights`` in place and zero ``gradient``.

    The gradient is first scaled to norm ``grad_clip`` when its norm reaches it (0 = no
    clipping); ``learn_rate`` is the bias-corrected step size; ``decay`` is subtracted as
    ``weights -= decay * weights`` after the step (decoupled weight decay)."""
    cdef Py_ssize_t i, n = weights.shape[0]
    if gradient.shape[0] != n or mom1.shape[0] != n or mom2.shape[0] != n:
        raise ValueError("adam_step: arrays of different sizes")
    cdef double norm = 0.0
    cdef float scale = 1.0, g
    cdef float one_minus_b1 = 1.0 - beta1, one_minus_b2 = 1.0 - beta2
    with nogil:
        if grad_clip > 0 and n > 0:
            norm = _sum_squares(&gradient[0], n)
            norm = sqrt(norm)
            if norm >= grad_clip:
                scale = <float>(grad_clip / norm)
        for i in range(n):
            g = gradient[i] * scale
            mom1[i] = mom1[i] * beta1 + g * one_minus_b1
            mom2[i] = mom2[i] * beta2 + g * g * one_minus_b2
            weights[i] -= learn_rate * (mom1[i] / (sqrtf(mom2[i]) + eps))
            weights[i] -= decay * weights[i]
            gradient[i] = 0.0


def nonzero_rows(const float[:, ::1] x):
    """The indices (int32) of the rows of ``x`` with a non-zero value."""
    cdef Py_ssize_t n_rows = x.shape[0], width = x.shape[1], r, j, k = 0
    out = numpy.empty(n_rows, dtype=numpy.int32)
    cdef int[::1] rows = out
    with nogil:
        for r in range(n_rows):
            for j in range(width):
                if x[r, j] != 0:
                    rows[k] = <int>r
                    k += 1
                    break
    return out[:k]


def adam_step_rows(float[:, ::1] weights, float[:, ::1] gradient, float[:, ::1] mom1,
                   float[:, ::1] mom2, unsigned char[::1] live, float beta1, float beta2,
                   float eps, float learn_rate, float grad_clip, float decay):
    """adam_step for a table whose rows are mostly untouched: a row whose weights, moments and
    gradient are all zero would not change, so only rows marked ``live`` are updated. A row
    becomes live (for good) the first time its gradient is non-zero; the caller marks rows
    with non-zero weights or moments live before the first call. Same result as adam_step."""
    cdef Py_ssize_t n_rows = weights.shape[0], width = weights.shape[1], r, j
    if (gradient.shape[0] != n_rows or mom1.shape[0] != n_rows or mom2.shape[0] != n_rows
            or live.shape[0] != n_rows or gradient.shape[1] != width
            or mom1.shape[1] != width or mom2.shape[1] != width):
        raise ValueError("adam_step_rows: arrays of different shapes")
    cdef double norm = 0.0
    cdef float scale = 1.0, g
    cdef float one_minus_b1 = 1.0 - beta1, one_minus_b2 = 1.0 - beta2
    with nogil:
        for r in range(n_rows):
            if not live[r]:
                for j in range(width):
                    if gradient[r, j] != 0:
                        live[r] = 1
                        break
            if live[r]:
                for j in range(width):
                    norm += <double>gradient[r, j] * gradient[r, j]
        norm = sqrt(norm)
        if grad_clip > 0 and norm >= grad_clip:
            scale = <float>(grad_clip / norm)
        for r in range(n_rows):
            if not live[r]:
                continue
            for j in range(width):
                g = gradient[r, j] * scale
                mom1[r, j] = mom1[r, j] * beta1 + g * one_minus_b1
                mom2[r, j] = mom2[r, j] * beta2 + g * g * one_minus_b2
                weights[r, j] -= learn_rate * (mom1[r, j] / (sqrtf(mom2[r, j]) + eps))
                weights[r, j] -= decay * weights[r, j]
                gradient[r, j] = 0.0


def extrapolate(float[::1] weights, float[::1] previous, float scale):
    """Move ``weights`` on along their last change: ``weights += scale * (weights -
    previous)``, and keep the weights as they were in ``previous`` (to be put back later). One
    pass over both arrays."""
    cdef Py_ssize_t i, n = weights.shape[0]
    if previous.shape[0] != n:
        raise ValueError("extrapolate: arrays of different sizes")
    cdef float w
    with nogil:
        for i in range(n):
            w = weights[i]
            weights[i] = w + scale * (w - previous[i])
            previous[i] = w
