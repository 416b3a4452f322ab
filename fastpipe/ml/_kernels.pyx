# cython: language_level=3
"""The hot loops of fastpipe's layers, without the GIL, for float32 (training) and float64
(gradient checks) alike.

Every kernel works on one batch held as a single C-contiguous matrix (all tokens of all docs
stacked); per-doc ``lengths`` say where one doc ends and the next begins. Kernels write their
outputs completely (no caller-side zeroing needed) unless their docstring says they add.
Matrix products are not here: they go through fastpipe.ml.ops (BLAS).
"""
from libc.math cimport exp, log1p, sqrt, tanh
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t, int64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memset, memcpy

ctypedef fused real:
    float
    double

#: Added to the variance before the square root in layer normalization.
LN_EPS = 1e-5
cdef double _LN_EPS = 1e-5


cdef inline void _norm_row(real* x, double mean, Py_ssize_t nO, const real* G,
                           const real* beta, real* y, const real* m,
                           real* rstd) noexcept nogil:
    """The layer norm shared by the maxout and Mish kernels, for one row whose activations x
    have the given mean: x becomes x-hat, rstd[0] 1/std, y = m * (G * x-hat + beta) (no m:
    NULL)."""
    cdef Py_ssize_t o
    cdef double var = 0.0, r
    for o in range(nO):
        var += (x[o] - mean) * (x[o] - mean)
    var /= nO
    r = 1.0 / sqrt(var + _LN_EPS)
    rstd[0] = <real>r
    for o in range(nO):
        x[o] = <real>((x[o] - mean) * r)
        y[o] = x[o] * G[o] + beta[o]
        if m != NULL:
            y[o] *= m[o]


# -- hash embedding ---------------------------------------------------------------------------

def embed_forward(const real[:, ::1] E, const uint32_t[:, ::1] ids, int n_tables,
                  real[:, ::1] out):
    """out[i, t*w:(t+1)*w] = sum of the rows of E named by ids[i, t*S:(t+1)*S]."""
    cdef Py_ssize_t n = ids.shape[0], n_ids = ids.shape[1], w = E.shape[1]
    cdef Py_ssize_t S = n_ids // n_tables
    if out.shape[0] != n or out.shape[1] != n_tables * w or n_ids != S * n_tables:
        raise ValueError("embed_forward: shapes do not match")
    cdef Py_ssize_t i, t, s, j
    cdef real* o
    cdef const real* e
    with nogil:
        for i in range(n):
            for t in range(n_tables):
                o = &out[i, t * w]
                e = &E[ids[i, t * S], 0]
                for j in range(w):
                    o[j] = e[j]
                for s in range(1, S):
                    e = &E[ids[i, t * S + s], 0]
                    for j in range(w):
                        o[j] += e[j]


def embed_backward(real[:, ::1] dE, const uint32_t[:, ::1] ids, int n_tables,
                   const real[:, ::1] d_out):
    """Adds the gradient of embed_forward's output to the rows of dE it was summed from."""
    cdef Py_ssize_t n = ids.shape[0], n_ids = ids.shape[1], w = dE.shape[1]
    cdef Py_ssize_t S = n_ids // n_tables
    if d_out.shape[0] != n or d_out.shape[1] != n_tables * w:
        raise ValueError("embed_backward: shapes do not match")
    cdef Py_ssize_t i, t, s, j
    cdef const real* g
    cdef real* e
    with nogil:
        for i in range(n):
            for t in range(n_tables):
                g = &d_out[i, t * w]
                for s in range(S):
                    e = &dE[ids[i, t * S + s], 0]
                    for j in range(w):
                        e[j] += g[j]


# -- window over neighbours within each doc ---------------------------------------------------

def window_forward(const real[:, ::1] X, const int32_t[::1] lengths, int nW, real[:, ::1] out):
    """out[i] = concat(X[i-nW], ..., X[i], ..., X[i+nW]); neighbours outside i's doc are 0."""
    cdef Py_ssize_t n = X.shape[0], w = X.shape[1], K = 2 * nW + 1
    if out.shape[0] != n or out.shape[1] != K * w:
        raise ValueError("window_forward: out must be (n, (2*nW+1)*width)")
    cdef Py_ssize_t d, start = 0, end, i, k, src
    with nogil:
        for d in range(lengths.shape[0]):
            end = start + lengths[d]
            for i in range(start, end):
                for k in range(K):
                    src = i + k - nW
                    if start <= src < end:
                        memcpy(&out[i, k * w], &X[src, 0], w * sizeof(real))
                    else:
                        memset(&out[i, k * w], 0, w * sizeof(real))
            start = end
    if start != n:
        raise ValueError(f"window_forward: lengths sum to {start}, X has {n} rows")


def window_backward(const real[:, ::1] d_out, const int32_t[::1] lengths, int nW,
                    real[:, ::1] dX):
    """dX[j] = sum over the windows that hold X[j] of their gradient block (overwrites dX)."""
    cdef Py_ssize_t n = dX.shape[0], w = dX.shape[1], K = 2 * nW + 1
    if d_out.shape[0] != n or d_out.shape[1] != K * w:
        raise ValueError("window_backward: d_out must be (n, (2*nW+1)*width)")
    cdef Py_ssize_t d, start = 0, end, i, k, j, src
    cdef real* dx
    cdef const real* g
    with nogil:
        for d in range(lengths.shape[0]):
            end = start + lengths[d]
            for i in range(start, end):
                # block nW of row i is X[i] itself
                memcpy(&dX[i, 0], &d_out[i, nW * w], w * sizeof(real))
            for i in range(start, end):
                for k in range(K):
                    if k == nW:
                        continue
                    src = i + k - nW
                    if start <= src < end:
                        dx = &dX[src, 0]
                        g = &d_out[i, k * w]
                        for j in range(w):
                            dx[j] += g[j]
            start = end


# -- maxout + layer norm + dropout ------------------------------------------------------------

def maxout_norm_forward(const real[:, ::1] Z, const real[::1] b, int nP,
                        const real[::1] G, const real[::1] beta, mask,
                        uint8_t[:, ::1] which, real[:, ::1] xhat, real[::1] rstd,
                        real[:, ::1] Y):
    """Y = mask * (G * normalize(max_p(Z + b)) + beta), row by row.

    Z is (n, nO*nP) with the pieces of output o at columns o*nP..o*nP+nP-1. Writes the winning
    piece (which), the normalized maxima (xhat) and 1/std per row (rstd) for the backward pass.
    mask: None, or (n, nO) multipliers (0 or 1/(1-rate)).
    """
    cdef Py_ssize_t n = Z.shape[0], nO = G.shape[0]
    if Z.shape[1] != nO * nP or b.shape[0] != nO * nP:
        raise ValueError("maxout_norm_forward: Z and b must have nO*nP columns")
    cdef const real[:, ::1] M
    cdef bint has_mask = mask is not None
    if has_mask:
        M = mask
    cdef Py_ssize_t i, o, p, best
    cdef real v, top
    cdef double mean
    cdef real* x
    with nogil:
        for i in range(n):
            x = &xhat[i, 0]
            mean = 0.0
            for o in range(nO):
                best = 0
                top = Z[i, o * nP] + b[o * nP]
                for p in range(1, nP):
                    v = Z[i, o * nP + p] + b[o * nP + p]
                    if v > top:
                        top = v
                        best = p
                which[i, o] = <uint8_t>best
                x[o] = top
                mean += top
            mean /= nO
            _norm_row(x, mean, nO, &G[0], &beta[0], &Y[i, 0],
                      (&M[i, 0]) if has_mask else NULL, &rstd[i])


def maxout_norm_backward(const real[:, ::1] dY, mask, const uint8_t[:, ::1] which,
                         const real[:, ::1] xhat, const real[::1] rstd, const real[::1] G,
                         int nP, real[::1] dG, real[::1] dbeta, real[::1] db,
                         real[:, ::1] dZ):
    """Gradient of maxout_norm_forward: writes dZ (n, nO*nP); adds to dG, dbeta and db."""
    cdef Py_ssize_t n = dY.shape[0], nO = G.shape[0]
    if dZ.shape[0] != n or dZ.shape[1] != nO * nP:
        raise ValueError("maxout_norm_backward: dZ must be (n, nO*nP)")
    cdef const real[:, ::1] M
    cdef bint has_mask = mask is not None
    if has_mask:
        M = mask
    cdef double* acc = <double*>calloc(2 * nO + nO * nP, sizeof(double))
    cdef double* acc_G = acc
    cdef double* acc_beta = acc + nO
    cdef double* acc_b = acc + 2 * nO
    cdef double* dxh = <double*>calloc(nO, sizeof(double))
    if acc == NULL or dxh == NULL:
        free(acc)
        free(dxh)
        raise MemoryError()
    cdef Py_ssize_t i, o, col
    cdef double g, m1, m2, dm
    with nogil:
        for i in range(n):
            m1 = 0.0
            m2 = 0.0
            for o in range(nO):
                g = dY[i, o]
                if has_mask:
                    g *= M[i, o]
                acc_G[o] += g * xhat[i, o]
                acc_beta[o] += g
                dxh[o] = g * G[o]
                m1 += dxh[o]
                m2 += dxh[o] * xhat[i, o]
            m1 /= nO
            m2 /= nO
            memset(&dZ[i, 0], 0, nO * nP * sizeof(real))
            for o in range(nO):
                dm = rstd[i] * (dxh[o] - m1 - xhat[i, o] * m2)
                col = o * nP + which[i, o]
                dZ[i, col] = <real>dm
                acc_b[col] += dm
        for o in range(nO):
            dG[o] += <real>acc_G[o]
            dbeta[o] += <real>acc_beta[o]
        for col in range(nO * nP):
            db[col] += <real>acc_b[col]
    free(acc)
    free(dxh)


# -- dropout ----------------------------------------------------------------------------------

def dropout_mask(real[:, ::1] out, double rate, uint64_t seed):
    """Fill out with 0 (probability rate, to 1/65536) or 1/(1-rate), from a xorshift stream
    seeded by seed; each 64-bit draw decides four entries."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    cdef Py_ssize_t i, j, n = out.shape[0] * out.shape[1]
    cdef uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL
    cdef uint64_t threshold = <uint64_t>(rate * 65536.0 + 0.5)
    cdef real keep = <real>(1.0 / (1.0 - rate))
    cdef real* o = &out[0, 0] if n else NULL
    if s == 0:
        s = 1
    with nogil:
        i = 0
        while i < n:
            s ^= s << 13
            s ^= s >> 7
            s ^= s << 17
            for j in range(4):
                if i + j < n:
                    o[i + j] = keep if ((s >> (16 * j)) & 0xFFFF) >= threshold else 0
            i += 4


# -- per-doc mean pooling ---------------------------------------------------------------------

def mean_pool_forward(const real[:, ::1] X, const int32_t[::1] lengths, real[:, ::1] out):
    """out[d] = mean of the rows of doc d (zeros for an empty doc)."""
    cdef Py_ssize_t n_docs = lengths.shape[0], w = X.shape[1]
    cdef Py_ssize_t d, i, j, start = 0
    cdef real scale
    with nogil:
        for d in range(n_docs):
            memset(&out[d, 0], 0, w * sizeof(real))
            for i in range(start, start + lengths[d]):
                for j in range(w):
                    out[d, j] += X[i, j]
            if lengths[d] > 0:
                scale = <real>(1.0 / lengths[d])
                for j in range(w):
                    out[d, j] *= scale
            start += lengths[d]


def mean_pool_backward(const real[:, ::1] d_out, const int32_t[::1] lengths, real[:, ::1] dX):
    """dX[i] = d_out[doc of i] / length of that doc (overwrites dX)."""
    cdef Py_ssize_t n_docs = lengths.shape[0], w = d_out.shape[1]
    cdef Py_ssize_t d, i, j, start = 0
    cdef real scale
    with nogil:
        for d in range(n_docs):
            if lengths[d] > 0:
                scale = <real>(1.0 / lengths[d])
                for i in range(start, start + lengths[d]):
                    for j in range(w):
                        dX[i, j] = d_out[d, j] * scale
            start += lengths[d]


# -- sparse linear (hashed bag of n-grams) ----------------------------------------------------

def sparse_forward(const real[:, ::1] W, const uint64_t[::1] ids, const int64_t[::1] starts,
                   real[:, ::1] out):
    """out[d] = sum of the rows W[ids[k]] for k in starts[d]..starts[d+1] (overwrites out)."""
    cdef Py_ssize_t n_docs = starts.shape[0] - 1, nO = W.shape[1]
    if out.shape[0] != n_docs or out.shape[1] != nO:
        raise ValueError("sparse_forward: out must be (n_docs, nO)")
    cdef Py_ssize_t d, k, j
    cdef const real* w
    with nogil:
        for d in range(n_docs):
            for j in range(nO):
                out[d, j] = 0
            for k in range(starts[d], starts[d + 1]):
                w = &W[ids[k], 0]
                for j in range(nO):
                    out[d, j] += w[j]


def sparse_backward(real[:, ::1] dW, const uint64_t[::1] ids, const int64_t[::1] starts,
                    const real[:, ::1] d_out):
    """Adds the gradient of sparse_forward's output to the rows of dW it summed."""
    cdef Py_ssize_t n_docs = starts.shape[0] - 1, nO = dW.shape[1]
    if d_out.shape[0] != n_docs or d_out.shape[1] != nO:
        raise ValueError("sparse_backward: d_out must be (n_docs, nO)")
    cdef Py_ssize_t d, k, j
    cdef real* w
    with nogil:
        for d in range(n_docs):
            for k in range(starts[d], starts[d + 1]):
                w = &dW[ids[k], 0]
                for j in range(nO):
                    w[j] += d_out[d, j]


# -- output activations -----------------------------------------------------------------------

def softmax_rows(real[:, ::1] Z, const real[::1] b):
    """In place: Z[i] = softmax(Z[i] + b)."""
    cdef Py_ssize_t n = Z.shape[0], nO = Z.shape[1], i, j
    cdef double top, total
    cdef real* z
    with nogil:
        for i in range(n):
            z = &Z[i, 0]
            top = z[0] + b[0]
            for j in range(nO):
                z[j] += b[j]
                if z[j] > top:
                    top = z[j]
            total = 0.0
            for j in range(nO):
                z[j] = <real>exp(z[j] - top)
                total += z[j]
            for j in range(nO):
                z[j] = <real>(z[j] / total)


def logistic_rows(real[:, ::1] Z, const real[::1] b):
    """In place: Z[i] = sigmoid(Z[i] + b)."""
    cdef Py_ssize_t n = Z.shape[0], nO = Z.shape[1], i, j
    cdef double v
    with nogil:
        for i in range(n):
            for j in range(nO):
                v = Z[i, j] + b[j]
                if v >= 0:
                    Z[i, j] = <real>(1.0 / (1.0 + exp(-v)))
                else:
                    Z[i, j] = <real>(exp(v) / (1.0 + exp(v)))


# -- embeddings written into a column block of a wider matrix ---------------------------------

def embed_forward_at(const real[:, ::1] E, const uint32_t[:, ::1] ids, int n_tables,
                     real[:, ::1] out, Py_ssize_t col):
    """embed_forward into the columns col..col+n_tables*w of out (the others untouched), so
    several tables of different widths fill one matrix without a copy."""
    cdef Py_ssize_t n = ids.shape[0], n_ids = ids.shape[1], w = E.shape[1]
    cdef Py_ssize_t S = n_ids // n_tables if n_tables > 0 else 0
    if (n_tables < 1 or out.shape[0] != n or n_ids != S * n_tables or S < 1 or col < 0
            or col + n_tables * w > out.shape[1]):
        raise ValueError("embed_forward_at: shapes do not match")
    cdef Py_ssize_t i, t, s, j
    cdef real* o
    cdef const real* e
    with nogil:
        for i in range(n):
            for t in range(n_tables):
                o = &out[i, col + t * w]
                e = &E[ids[i, t * S], 0]
                for j in range(w):
                    o[j] = e[j]
                for s in range(1, S):
                    e = &E[ids[i, t * S + s], 0]
                    for j in range(w):
                        o[j] += e[j]


def embed_backward_at(real[:, ::1] dE, const uint32_t[:, ::1] ids, int n_tables,
                      const real[:, ::1] d_out, Py_ssize_t col):
    """Adds the gradient of embed_forward_at's columns of d_out to the rows of dE."""
    cdef Py_ssize_t n = ids.shape[0], n_ids = ids.shape[1], w = dE.shape[1]
    cdef Py_ssize_t S = n_ids // n_tables if n_tables > 0 else 0
    if (n_tables < 1 or d_out.shape[0] != n or n_ids != S * n_tables or S < 1 or col < 0
            or col + n_tables * w > d_out.shape[1]):
        raise ValueError("embed_backward_at: shapes do not match")
    cdef Py_ssize_t i, t, s, j
    cdef const real* g
    cdef real* e
    with nogil:
        for i in range(n):
            for t in range(n_tables):
                g = &d_out[i, col + t * w]
                for s in range(S):
                    e = &dE[ids[i, t * S + s], 0]
                    for j in range(w):
                        e[j] += g[j]


# -- Mish + layer norm + dropout --------------------------------------------------------------

cdef inline double _softplus(double x) noexcept nogil:
    return x if x > 20.0 else log1p(exp(x))


def mish_norm_forward(real[:, ::1] Z, const real[::1] b, const real[::1] G,
                      const real[::1] beta, mask, real[:, ::1] xhat, real[::1] rstd,
                      real[:, ::1] Y):
    """Y = mask * (G * normalize(mish(Z + b)) + beta), row by row, mish(x) = x *
    tanh(softplus(x)). Z is overwritten with Z + b (the backward pass needs it); xhat and rstd
    as in maxout_norm_forward."""
    cdef Py_ssize_t n = Z.shape[0], nO = G.shape[0]
    if Z.shape[1] != nO or b.shape[0] != nO:
        raise ValueError("mish_norm_forward: Z and b must have nO columns")
    cdef const real[:, ::1] M
    cdef bint has_mask = mask is not None
    if has_mask:
        M = mask
    cdef Py_ssize_t i, o
    cdef double v, mean
    cdef real* x
    with nogil:
        for i in range(n):
            x = &xhat[i, 0]
            mean = 0.0
            for o in range(nO):
                v = Z[i, o] + b[o]
                Z[i, o] = <real>v
                v = Z[i, o]
                x[o] = <real>(v * tanh(_softplus(v)))
                mean += x[o]
            mean /= nO
            _norm_row(x, mean, nO, &G[0], &beta[0], &Y[i, 0],
                      (&M[i, 0]) if has_mask else NULL, &rstd[i])


def mish_norm_backward(const real[:, ::1] dY, mask, const real[:, ::1] Z,
                       const real[:, ::1] xhat, const real[::1] rstd, const real[::1] G,
                       real[::1] dG, real[::1] dbeta, real[::1] db, real[:, ::1] dZ):
    """Gradient of mish_norm_forward (Z: its pre-activations Z + b): writes dZ (n, nO); adds
    to dG, dbeta and db."""
    cdef Py_ssize_t n = dY.shape[0], nO = G.shape[0]
    if dZ.shape[0] != n or dZ.shape[1] != nO or Z.shape[0] != n or Z.shape[1] != nO:
        raise ValueError("mish_norm_backward: dZ and Z must be (n, nO)")
    cdef const real[:, ::1] M
    cdef bint has_mask = mask is not None
    if has_mask:
        M = mask
    cdef double* acc = <double*>calloc(3 * nO, sizeof(double))
    cdef double* dxh = <double*>calloc(nO, sizeof(double))
    if acc == NULL or dxh == NULL:
        free(acc)
        free(dxh)
        raise MemoryError()
    cdef double* acc_G = acc
    cdef double* acc_beta = acc + nO
    cdef double* acc_b = acc + 2 * nO
    cdef Py_ssize_t i, o
    cdef double g, m1, m2, dm, v, t
    with nogil:
        for i in range(n):
            m1 = 0.0
            m2 = 0.0
            for o in range(nO):
                g = dY[i, o]
                if has_mask:
                    g *= M[i, o]
                acc_G[o] += g * xhat[i, o]
                acc_beta[o] += g
                dxh[o] = g * G[o]
                m1 += dxh[o]
                m2 += dxh[o] * xhat[i, o]
            m1 /= nO
            m2 /= nO
            for o in range(nO):
                dm = rstd[i] * (dxh[o] - m1 - xhat[i, o] * m2)
                v = Z[i, o]
                t = tanh(_softplus(v))
                dm *= t + v * (1.0 - t * t) / (1.0 + exp(-v))
                dZ[i, o] = <real>dm
                acc_b[o] += dm
        for o in range(nO):
            dG[o] += <real>acc_G[o]
            dbeta[o] += <real>acc_beta[o]
            db[o] += <real>acc_b[o]
    free(acc)
    free(dxh)
