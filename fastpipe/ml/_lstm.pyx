# cython: language_level=3
"""The recurrence of fastpipe's LSTM (``lstm.py``): the time steps of one direction over a batch,
for float32 (training) and float64 (gradient checks) alike.

The batch is laid out time-major: the rows of step t are the contiguous block
``[o[t], o[t] + k[t])``, one row per doc still running at step t, longest docs first, so that
row ``o[t] + j`` continues row ``o[t - 1] + j`` (``k`` never grows). A step is one matrix
product (numpy's matmul: the BLAS), numpy's vectorized tanh over its block of gates and over its
cells, and a few plain loops over the block between them. A training batch is a few docs of
hundreds of tokens: hundreds of steps of a few rows each, so the dozen numpy calls and
temporary arrays per step that these loops replace cost more than the arithmetic.

Gate columns (of ``4 * nH``): input, forget, output (sigmoids), candidate (tanh).
"""
import numpy

from libc.stdint cimport int64_t

ctypedef fused real:
    float
    double


cdef void _gates_in(real* g, const real* z, Py_ssize_t rows, Py_ssize_t nH) noexcept nogil:
    """Adds the recurrent part ``z`` (unless NULL) to the gates ``g`` (rows, 4nH) and halves
    the three sigmoid gates, so that one tanh over the block serves all four:
    sigmoid(x) = (tanh(x / 2) + 1) / 2."""
    cdef Py_ssize_t j, col, n4 = 4 * nH
    cdef real* gj
    for j in range(rows):
        gj = g + j * n4
        if z != NULL:
            for col in range(n4):
                gj[col] += z[j * n4 + col]
        for col in range(3 * nH):
            gj[col] *= 0.5


cdef void _cells(real* g, const real* c_prev, real* c, Py_ssize_t rows,
                 Py_ssize_t nH) noexcept nogil:
    """After the tanh: the sigmoid gates from their tanh, then the cells
    c = f * c_prev + i * candidate (c_prev NULL at the first step: zeros)."""
    cdef Py_ssize_t j, col, n4 = 4 * nH
    cdef real* gj
    cdef real cell
    for j in range(rows):
        gj = g + j * n4
        for col in range(3 * nH):
            gj[col] = 0.5 * gj[col] + 0.5
        for col in range(nH):
            cell = gj[col] * gj[3 * nH + col]
            if c_prev != NULL:
                cell = cell + gj[nH + col] * c_prev[j * nH + col]
            c[j * nH + col] = cell


cdef void _hidden(const real* g, const real* tc, real* h, Py_ssize_t rows,
                  Py_ssize_t nH) noexcept nogil:
    """h = o * tanh(c)."""
    cdef Py_ssize_t j, col
    for j in range(rows):
        for col in range(nH):
            h[j * nH + col] = g[j * 4 * nH + 2 * nH + col] * tc[j * nH + col]


cdef void _step_backward(const real* dh, const real* dc_in, const real* g, const real* c_prev,
                         const real* tc, real* dz, real* dc_prev, Py_ssize_t rows,
                         Py_ssize_t nH) noexcept nogil:
    """The gradient of one step's gates. ``dh`` (rows, nH): d(h), the recurrent part included;
    ``dc_in``: d(c) from the next step; ``g``, ``tc``: the step's activations and tanh(c);
    ``c_prev``: the previous cells (NULL at the first step). Writes ``dz`` (rows, 4nH), the
    gradient of the gates' pre-activations, and ``dc_prev`` (d of the previous cells, unless
    NULL)."""
    cdef Py_ssize_t j, col, n4 = 4 * nH
    cdef const real* gj
    cdef real* dzj
    cdef real i, f, o, cand, t, d_h, d_c, prev
    for j in range(rows):
        gj = g + j * n4
        dzj = dz + j * n4
        for col in range(nH):
            i = gj[col]
            f = gj[nH + col]
            o = gj[2 * nH + col]
            cand = gj[3 * nH + col]
            t = tc[j * nH + col]
            d_h = dh[j * nH + col]
            d_c = dc_in[j * nH + col] + d_h * o * (1 - t * t)
            prev = c_prev[j * nH + col] if c_prev != NULL else 0
            dzj[col] = d_c * cand * i * (1 - i)
            dzj[nH + col] = d_c * prev * f * (1 - f)
            dzj[2 * nH + col] = d_h * t * o * (1 - o)
            dzj[3 * nH + col] = d_c * i * (1 - cand * cand)
            if dc_prev != NULL:
                dc_prev[j * nH + col] = d_c * f


cdef _check_steps(const int64_t[::1] k, const int64_t[::1] o, Py_ssize_t n, Py_ssize_t spare):
    cdef Py_ssize_t t
    for t in range(k.shape[0]):
        if k[t] < 0 or o[t] < 0 or o[t] + k[t] > n or (t > 0 and k[t] > k[t - 1]):
            raise ValueError(f"LSTM steps: step {t} (o={o[t]}, k={k[t]}) outside {n} rows "
                             "or longer than the step before")
    if k.shape[0] and k[0] > spare:
        raise ValueError(f"LSTM steps: {k[0]} rows at the first step, work buffer {spare}")


def forward(real[:, ::1] G, real[:, ::1] H, real[:, ::1] C, real[:, ::1] TC,
            const real[:, ::1] U, const int64_t[::1] k, const int64_t[::1] o, real[:, ::1] work):
    """Runs one direction over all steps. ``G`` (n, 4nH): the input's part of the gates, time
    major, bias included; overwritten with the activations. Writes ``H``, ``C``, ``TC`` (n, nH):
    hidden states, cells and tanh of the cells. ``U`` (nH, 4nH): the recurrent weights;
    ``work``: at least (k[0], 4nH). The tanh is numpy's (vectorized), one call per step for the
    gates and one for the cells."""
    cdef Py_ssize_t n = G.shape[0], nH = H.shape[1], T = k.shape[0], t, r0, p0, rows
    if G.shape[1] != 4 * nH or H.shape[0] != n or C.shape[0] != n or TC.shape[0] != n \
            or C.shape[1] != nH or TC.shape[1] != nH or work.shape[1] != 4 * nH \
            or o.shape[0] != T or U.shape[0] != nH or U.shape[1] != 4 * nH:
        raise ValueError("LSTM forward: shapes do not agree")
    _check_steps(k, o, n, work.shape[0])
    G_a, H_a, C_a = numpy.asarray(G), numpy.asarray(H), numpy.asarray(C)
    TC_a, U_a, work_a = numpy.asarray(TC), numpy.asarray(U), numpy.asarray(work)
    matmul, tanh = numpy.matmul, numpy.tanh
    for t in range(T):
        r0 = o[t]
        rows = k[t]
        if rows == 0:
            continue
        gates = G_a[r0:r0 + rows]
        if t == 0:
            _gates_in(&G[r0, 0], <real*>NULL, rows, nH)
            tanh(gates, out=gates)
            _cells(&G[r0, 0], <real*>NULL, &C[r0, 0], rows, nH)
        else:
            p0 = o[t - 1]
            matmul(H_a[p0:p0 + rows], U_a, out=work_a[:rows])
            _gates_in(&G[r0, 0], &work[0, 0], rows, nH)
            tanh(gates, out=gates)
            _cells(&G[r0, 0], &C[p0, 0], &C[r0, 0], rows, nH)
        tanh(C_a[r0:r0 + rows], out=TC_a[r0:r0 + rows])
        _hidden(&G[r0, 0], &TC[r0, 0], &H[r0, 0], rows, nH)


def backward(real[:, ::1] dH, real[:, ::1] dZ, real[:, ::1] dC, const real[:, ::1] G,
             const real[:, ::1] C, const real[:, ::1] TC, const real[:, ::1] UT,
             const int64_t[::1] k, const int64_t[::1] o, real[:, ::1] work):
    """The backward pass of ``forward``. ``dH`` (n, nH): d(outputs), time major; the recurrent
    gradient is ADDED to it in place. ``dC`` (n, nH): zeros on entry (used as the cells'
    gradient). Writes ``dZ`` (n, 4nH): the gradient of the gates' pre-activations. ``UT``:
    the recurrent weights transposed (4nH, nH); ``work`` at least (k[0], nH)."""
    cdef Py_ssize_t n = G.shape[0], nH = dH.shape[1], T = k.shape[0], t, r0, p0, rows, j, col
    if G.shape[1] != 4 * nH or dH.shape[0] != n or dZ.shape[0] != n or dZ.shape[1] != 4 * nH \
            or dC.shape[0] != n or dC.shape[1] != nH or C.shape[0] != n or C.shape[1] != nH \
            or TC.shape[0] != n or TC.shape[1] != nH or work.shape[1] != nH \
            or o.shape[0] != T or UT.shape[0] != 4 * nH or UT.shape[1] != nH:
        raise ValueError("LSTM backward: shapes do not agree")
    _check_steps(k, o, n, work.shape[0])
    dZ_array, UT_array, work_array = numpy.asarray(dZ), numpy.asarray(UT), numpy.asarray(work)
    matmul = numpy.matmul
    for t in range(T - 1, -1, -1):
        r0 = o[t]
        rows = k[t]
        if rows == 0:
            continue
        if t == 0:
            _step_backward(&dH[r0, 0], &dC[r0, 0], &G[r0, 0], <real*>NULL, &TC[r0, 0],
                           &dZ[r0, 0], <real*>NULL, rows, nH)
            continue
        p0 = o[t - 1]
        _step_backward(&dH[r0, 0], &dC[r0, 0], &G[r0, 0], &C[p0, 0], &TC[r0, 0],
                       &dZ[r0, 0], &dC[p0, 0], rows, nH)
        matmul(dZ_array[r0:r0 + rows], UT_array, out=work_array[:rows])
        for j in range(rows):
            for col in range(nH):
                dH[p0 + j, col] += work[j, col]
