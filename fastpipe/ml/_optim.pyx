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
              float decay, float[::1] averages=None, float average_rate=0.0):
    """Update ``weights`` in place and zero ``gradient``.

    The gradient is first scaled to norm ``grad_clip`` when its norm reaches it (0 = no
    clipping); ``learn_rate`` is the bias-corrected step size; ``decay`` is subtracted as
    ``weights -= decay * weights`` after the step (decoupled weight decay). With
    ``averages``, the moving average of the new weights is updated in the same pass:
    ``averages -= average_rate * (averages - weights)`` (thinc's ``update_averages``, whose
    rate is 1 - min((1 + t) / (10 + t), 0.9999) at update t), so the weights are read from
    memory once, and no temporaries the size of the table are made."""
    cdef Py_ssize_t i, n = weights.shape[0]
    if gradient.shape[0] != n or mom1.shape[0] != n or mom2.shape[0] != n:
        raise ValueError("adam_step: arrays of different sizes")
    cdef bint average = averages is not None
    if average and averages.shape[0] != n:
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
            if average:   # loop-invariant: the compiler moves it out of the loop
                averages[i] -= average_rate * (averages[i] - weights[i])


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


def touched_rows(const float[:, ::1] gradient, int[::1] out):
    """Write the indices of the rows of ``gradient`` with any bit set (ascending) into the
    start of ``out`` (room for every row); return how many. A -0.0 counts as set: it changes
    nothing in an Adam step, so listing its row is merely cautious. Reads the gradient as
    words, 16 at a time, as almost all of a bag-of-words gradient is zero."""
    cdef Py_ssize_t n_rows = gradient.shape[0], width = gradient.shape[1]
    if out.shape[0] < n_rows:
        raise ValueError("touched_rows: out has room for fewer rows than the gradient has")
    cdef Py_ssize_t n = n_rows * width, i = 0, k, r, last = -1, found = 0
    cdef const unsigned int* words = <const unsigned int*>&gradient[0, 0] if n else NULL
    cdef unsigned int any_set
    with nogil:
        while i < n:
            any_set = 0
            for k in range(i, min(i + 16, n)):
                any_set |= words[k]
            if any_set:
                for k in range(i, min(i + 16, n)):
                    if words[k]:
                        r = k // width
                        if r != last:
                            out[found] = <int>r
                            found += 1
                            last = r
            i += 16
    return found


def adam_step_rows(float[:, ::1] weights, float[:, ::1] gradient, float[:, ::1] mom1,
                   float[:, ::1] mom2, unsigned char[::1] live, int[::1] rows, Py_ssize_t n_live,
                   int[::1] scratch, float beta1, float beta2, float eps, float learn_rate,
                   float grad_clip, float decay):
    """adam_step for a table whose rows are mostly untouched, with the same result bit for
    bit: a row whose weights, moments and gradient are all zero stays zero under the dense
    step, so only live rows are updated. ``live`` marks them, and the first ``n_live``
    entries of ``rows`` (room for every row) list them in ascending order; a row becomes live
    (for good) the first time its gradient is non-zero. The caller marks rows with non-zero
    weights or moments live before the first call; ``scratch`` is room for every row. The
    gradient's norm sums the squares in adam_step's order (four running sums by position),
    over the rows with a gradient only: the others add zeros. Returns the new ``n_live``."""
    cdef Py_ssize_t n_rows = weights.shape[0], width = weights.shape[1], r, j, t, f
    if (gradient.shape[0] != n_rows or mom1.shape[0] != n_rows or mom2.shape[0] != n_rows
            or live.shape[0] != n_rows or rows.shape[0] != n_rows or scratch.shape[0] != n_rows
            or gradient.shape[1] != width or mom1.shape[1] != width or mom2.shape[1] != width
            or not 0 <= n_live <= n_rows):
        raise ValueError("adam_step_rows: arrays of different shapes")
    cdef Py_ssize_t n_touched = touched_rows(gradient, scratch)
    cdef Py_ssize_t n = n_rows * width, n4 = n - n % 4, n_new = 0, a, b, out
    cdef double sums[4]
    cdef double norm
    cdef float scale = 1.0, g, x, m1, m2, w
    cdef float one_minus_b1 = 1.0 - beta1, one_minus_b2 = 1.0 - beta2
    with nogil:
        if grad_clip > 0 and n > 0:
            sums[0] = sums[1] = sums[2] = sums[3] = 0.0
            for t in range(n_touched):
                f = scratch[t] * width
                for j in range(width):
                    x = gradient[scratch[t], j]
                    sums[(f + j) & 3 if f + j < n4 else 0] += <double>x * x
            norm = sqrt((sums[0] + sums[1]) + (sums[2] + sums[3]))
            if norm >= grad_clip:
                scale = <float>(grad_clip / norm)
        # the newly live rows (ascending, at the front of scratch), merged into rows from the back
        for t in range(n_touched):
            if not live[scratch[t]]:
                live[scratch[t]] = 1
                scratch[n_new] = scratch[t]
                n_new += 1
        a, b, out = n_live - 1, n_new - 1, n_live + n_new - 1
        while b >= 0:
            if a >= 0 and rows[a] > scratch[b]:
                rows[out] = rows[a]
                a -= 1
            else:
                rows[out] = scratch[b]
                b -= 1
            out -= 1
        n_live += n_new
        for t in range(n_live):
            r = rows[t]
            for j in range(width):
                # adam_step's arithmetic, in locals: the arrays cannot overlap
                g = gradient[r, j] * scale
                m1 = mom1[r, j] * beta1 + g * one_minus_b1
                m2 = mom2[r, j] * beta2 + g * g * one_minus_b2
                w = weights[r, j] - learn_rate * (m1 / (sqrtf(m2) + eps))
                mom1[r, j] = m1
                mom2[r, j] = m2
                weights[r, j] = w - decay * w
                gradient[r, j] = 0.0
    return n_live


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
