"""One bidirectional LSTM layer over a Ragged batch of docs, in NumPy (BLAS for the products).

Each doc is read forwards by one LSTM and backwards by another, each of ``nH`` units; a token's
output is the two hidden states side by side (``2 * nH`` columns). State never crosses from one
doc to the next. The input-to-gate products of every token are one matrix product per
direction; the recurrence then walks the time steps of all docs at once, docs sorted longest
first so that the docs still running at step t are the first ones.

Gates (in this order in the ``4 * nH`` columns): input, forget, output (sigmoids) and the
candidate cell (tanh); c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t), h_0 = c_0 = 0. The forget
gate's bias starts at 1.

Parameters per direction d (0 forwards, 1 backwards): ``W`` (2, nI, 4nH), ``U`` (2, nH, 4nH),
``b`` (2, 4nH). Works in the parameters' dtype (float32 in training, float64 in gradient
checks).
"""
from typing import List, Tuple

import numpy
from thinc.api import Model
from thinc.types import Ragged

from .ops import fastpipe_ops, grad_array


def BiLSTMLayer(nI: int, nH: int) -> Model[Ragged, Ragged]:
    return Model("bilstm", forward, init=init, ops=fastpipe_ops(),
                 dims={"nI": nI, "nH": nH, "nO": 2 * nH},
                 params={"W": None, "U": None, "b": None})


def init(model: Model, X=None, Y=None) -> Model:
    nI, nH = model.get_dim("nI"), model.get_dim("nH")
    rng = numpy.random
    limit_w = numpy.sqrt(6.0 / (nI + 4 * nH))
    limit_u = numpy.sqrt(6.0 / (nH + 4 * nH))
    model.set_param("W", rng.uniform(-limit_w, limit_w, (2, nI, 4 * nH)).astype("float32"))
    model.set_param("U", rng.uniform(-limit_u, limit_u, (2, nH, 4 * nH)).astype("float32"))
    b = numpy.zeros((2, 4 * nH), dtype="float32")
    b[:, nH:2 * nH] = 1.0
    model.set_param("b", b)
    return model


def _steps(lengths: numpy.ndarray) -> Tuple[List[numpy.ndarray], List[numpy.ndarray]]:
    """Row indices per time step, forwards and backwards: at step t, the row of each
    still-running doc's t-th token (from its end, backwards), longest docs first."""
    lengths = numpy.asarray(lengths, dtype="int64")
    starts = numpy.zeros_like(lengths)
    if len(lengths):
        starts[1:] = numpy.cumsum(lengths)[:-1]
    order = numpy.argsort(-lengths, kind="stable")
    lengths, starts = lengths[order], starts[order]
    ends = starts + lengths - 1
    forwards, backwards = [], []
    for t in range(int(lengths[0]) if len(lengths) else 0):
        live = int((lengths > t).sum())  # the first ``live`` docs are longer than t
        forwards.append(starts[:live] + t)
        backwards.append(ends[:live] - t)
    return forwards, backwards


def _sigmoid(x: numpy.ndarray) -> numpy.ndarray:
    return 0.5 * (numpy.tanh(0.5 * x) + 1.0)


def _direction_forward(X, W, U, b, steps, nH):
    """Hidden states (n, nH) of one direction, and what its backward pass needs."""
    n = X.shape[0]
    gates = X @ W
    gates += b
    H = numpy.zeros((n, nH), dtype=X.dtype)
    tanh_C = numpy.zeros((n, nH), dtype=X.dtype)
    H_prev = numpy.zeros((n, nH), dtype=X.dtype)   # h_{t-1} of each token's step
    C_prev = numpy.zeros((n, nH), dtype=X.dtype)
    h = numpy.zeros((0, nH), dtype=X.dtype)
    c = h
    for rows in steps:
        k = len(rows)
        z = gates[rows]
        if h.shape[0] == 0:  # the first step
            h_in = c_in = numpy.zeros((k, nH), dtype=X.dtype)
        else:
            h_in, c_in = h[:k], c[:k]
            z += h_in @ U
        z[:, :3 * nH] = _sigmoid(z[:, :3 * nH])
        z[:, 3 * nH:] = numpy.tanh(z[:, 3 * nH:])
        c = z[:, nH:2 * nH] * c_in + z[:, :nH] * z[:, 3 * nH:]
        tc = numpy.tanh(c)
        h = z[:, 2 * nH:3 * nH] * tc
        gates[rows] = z
        H[rows], tanh_C[rows] = h, tc
        H_prev[rows], C_prev[rows] = h_in, c_in
    return H, (gates, tanh_C, H_prev, C_prev)


def _direction_backward(dH, X, W, U, state, steps, nH, dW, dU, db):
    """d(input) of one direction, its parameter gradients added to dW, dU, db."""
    gates, tanh_C, H_prev, C_prev = state
    dZ = numpy.zeros_like(gates)
    dh_next = numpy.zeros((0, nH), dtype=X.dtype)
    dc_next = dh_next
    for rows in reversed(steps):
        k = len(rows)
        dh = dH[rows]
        dc = numpy.zeros((k, nH), dtype=X.dtype)
        m = dh_next.shape[0]
        if m:
            dh[:m] += dh_next
            dc[:m] += dc_next
        z = gates[rows]
        i, f, o, g = z[:, :nH], z[:, nH:2 * nH], z[:, 2 * nH:3 * nH], z[:, 3 * nH:]
        tc = tanh_C[rows]
        dc += dh * o * (1.0 - tc * tc)
        dz = numpy.empty_like(z)
        dz[:, :nH] = dc * g * i * (1.0 - i)
        dz[:, nH:2 * nH] = dc * C_prev[rows] * f * (1.0 - f)
        dz[:, 2 * nH:3 * nH] = dh * tc * o * (1.0 - o)
        dz[:, 3 * nH:] = dc * i * (1.0 - g * g)
        dZ[rows] = dz
        dh_next = dz @ U.T
        dc_next = dc * f
    dU += H_prev.T @ dZ
    dW += X.T @ dZ
    db += dZ.sum(axis=0)
    return dZ @ W.T


def forward(model: Model, Xr: Ragged, is_train: bool) -> Tuple[Ragged, callable]:
    W, U, b = (model.get_param(name) for name in ("W", "U", "b"))
    nH = model.get_dim("nH")
    X = numpy.ascontiguousarray(Xr.dataXd, dtype=W.dtype)
    lengths = Xr.lengths
    steps = _steps(lengths)
    outs, states = [], []
    for d in range(2):
        H, state = _direction_forward(X, W[d], U[d], b[d], steps[d], nH)
        outs.append(H)
        states.append(state)
    Y = numpy.concatenate(outs, axis=1)

    def backprop(dYr: Ragged) -> Ragged:
        dY = numpy.asarray(dYr.dataXd, dtype=W.dtype)
        dW, dU, db = (grad_array(model, name) for name in ("W", "U", "b"))
        dX = numpy.zeros_like(X)
        for d in range(2):
            dH = numpy.ascontiguousarray(dY[:, d * nH:(d + 1) * nH])
            dX += _direction_backward(dH, X, W[d], U[d], states[d], steps[d], nH,
                                      dW[d], dU[d], db[d])
        return Ragged(dX, lengths)

    return Ragged(Y, lengths), backprop
