# cython: language_level=3
"""The parser model's per-step kernels, without the GIL, for float32 and float64 alike.

The parser's hidden layer reads a precomputed table ``P`` (n_rows, nF * nH * nP): for token row
t and feature slot f, ``P[t, f*nH*nP:(f+1)*nH*nP]`` is that token's contribution to the hidden
layer when it fills slot f (computed once per batch by one matrix product, in parser_model.py).
Within a slot's block, the nP pieces of hidden unit h sit at columns h*nP .. h*nP+nP-1.

A step of the parser gives ``ids`` (n_states, nF) int32: for every state the global token row
filling each slot, or -1 where the slot is empty (then the slot's learned ``pad`` row is used).

* ``hidden_forward``: Z = b + sum over slots of the chosen rows, then maxout over the pieces.
* ``hidden_backward``: adds the gradient of the maxout outputs to the rows of dP (and dpad, db)
  that produced the winning pieces: a scatter of nH values per (state, slot), the backward pass
  that a dense numpy scatter-add makes the parser's largest training cost.
"""
from libc.stdint cimport uint8_t, int32_t
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy

ctypedef fused real:
    float
    double


def hidden_forward(const real[:, ::1] P, const real[:, ::1] pad, const real[::1] b,
                   const int32_t[:, ::1] ids, int nP, uint8_t[:, ::1] which, real[:, ::1] H):
    """H[s, h] = max over pieces p of Z[s, h*nP + p], with
    Z[s] = b + sum_f (P[ids[s, f], f-block] if ids[s, f] >= 0 else pad[f]).
    Writes H and the winning piece of every unit (which), both (n_states, nH)."""
    cdef Py_ssize_t S = ids.shape[0], F = ids.shape[1], nH = H.shape[1]
    cdef Py_ssize_t HP = nH * nP, n_rows = P.shape[0]
    if nP < 1 or nP > 255:
        raise ValueError(f"hidden_forward: nP must be in 1..255, got {nP}")
    if P.shape[1] != F * HP or pad.shape[0] != F or pad.shape[1] != HP or b.shape[0] != HP:
        raise ValueError(
            f"hidden_forward: shapes do not agree (P {P.shape[0]}x{P.shape[1]}, pad "
            f"{pad.shape[0]}x{pad.shape[1]}, b {b.shape[0]}, ids {S}x{F}, nH {nH}, nP {nP})")
    if H.shape[0] != S or which.shape[0] != S or which.shape[1] != nH:
        raise ValueError("hidden_forward: H and which must be (n_states, nH)")
    if S == 0:
        return
    cdef real* z = <real*>malloc(HP * sizeof(real))
    if z == NULL:
        raise MemoryError()
    cdef Py_ssize_t s, f, j, h, p, best
    cdef int32_t row
    cdef int32_t bad = 0
    cdef const real* src
    cdef real top, v
    with nogil:
        for s in range(S):
            memcpy(z, &b[0], HP * sizeof(real))
            for f in range(F):
                row = ids[s, f]
                if row >= 0:
                    if row >= n_rows:
                        bad = row
                        break
                    src = &P[row, f * HP]
                elif row == -1:
                    src = &pad[f, 0]
                else:
                    bad = row
                    break
                for j in range(HP):
                    z[j] += src[j]
            if bad != 0:
                break
            for h in range(nH):
                best = 0
                top = z[h * nP]
                for p in range(1, nP):
                    v = z[h * nP + p]
                    if v > top:
                        top = v
                        best = p
                H[s, h] = top
                which[s, h] = <uint8_t>best
    free(z)
    if bad != 0:
        raise IndexError(f"hidden_forward: feature id {bad} is outside the batch's {n_rows} "
                         f"token rows (ids must be global rows, or -1 for an empty slot)")


def hidden_backward(const real[:, ::1] dH, const uint8_t[:, ::1] which,
                    const int32_t[:, ::1] ids, int nP, real[:, ::1] dP, real[:, ::1] dpad,
                    real[::1] db):
    """Gradient of hidden_forward: ADDS dH[s, h] to column h*nP + which[s, h] of the block of
    every slot's row in dP (or of dpad[f] for an empty slot) and of db. ids must have passed
    hidden_forward (they are not checked again)."""
    cdef Py_ssize_t S = ids.shape[0], F = ids.shape[1], nH = dH.shape[1]
    cdef Py_ssize_t HP = nH * nP
    if dH.shape[0] != S or which.shape[0] != S or which.shape[1] != nH:
        raise ValueError("hidden_backward: dH and which must be (n_states, nH)")
    if dP.shape[1] != F * HP or dpad.shape[0] != F or dpad.shape[1] != HP or db.shape[0] != HP:
        raise ValueError("hidden_backward: dP, dpad, db do not match the forward shapes")
    if S == 0:
        return
    cdef Py_ssize_t* cols = <Py_ssize_t*>malloc(nH * sizeof(Py_ssize_t))
    if cols == NULL:
        raise MemoryError()
    cdef Py_ssize_t s, f, h
    cdef int32_t row
    cdef real* dst
    cdef const real* g
    with nogil:
        for s in range(S):
            g = &dH[s, 0]
            for h in range(nH):
                cols[h] = h * nP + which[s, h]
                db[cols[h]] += g[h]
            for f in range(F):
                row = ids[s, f]
                if row >= 0:
                    dst = &dP[row, f * HP]
                else:
                    dst = &dpad[f, 0]
                for h in range(nH):
                    dst[cols[h]] += g[h]
    free(cols)
