# cython: language_level=3
"""One fused pass of Adam over a parameter array: clipping, moments, step, decay, zeroing."""
from libc.math cimport sqrt


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
        if grad_clip > 0:
            for i in range(n):
                norm += <double>gradient[i] * gradient[i]
            norm = sqrt(norm)
            if norm >= grad_clip:
                scale = <float>(grad_clip / norm)
        for i in range(n):
            g = gradient[i] * scale
            mom1[i] = mom1[i] * beta1 + g * one_minus_b1
            mom2[i] = mom2[i] * beta2 + g * g * one_minus_b2
            weights[i] -= learn_rate * (mom1[i] / (sqrt(mom2[i]) + eps))
            weights[i] -= decay * weights[i]
            gradient[i] = 0.0
