"""One bidirectional LSTM layer over a Ragged batch of docs, in NumPy (BLAS for the products).

Each doc is read forwards by one LSTM and backwards by another, each of ``nH`` units; a token's
output is the two hidden states side by side (``2 * nH`` columns). State never crosses from one
doc to the next. The batch is first laid out time major (``_plan``: the rows of one time step
of every doc together, docs sorted longest first, so that the docs still running at step t are
the first ones); the input-to-gate products of every token are then one matrix product per
direction, and the recurrence over the time steps runs in ``_lstm`` (one product and one fused
pass per step).

Gates (in this order in the ``4 * nH`` columns): input, forget, output (sigmoids) and the
candidate cell (tanh); c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t), h_0 = c_0 = 0. The forget
gate's bias starts at 1.

Parameters per direction d (0 forwards, 1 backwards): ``W`` (2, nI, 4nH), ``U`` (2, nH, 4nH),
``b`` (2, 4nH). Works in the parameters' dtype (float32 in training, float64 in gradient
checks).
"""
from typing import Tuple

import numpy
from thinc.api import Model
from thinc.types import Ragged

from . import _lstm
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


def _plan(lengths) -> Tuple[numpy.ndarray, ...]:
    """The time-major layout of a batch (see ``_lstm``): ``k[t]`` docs still run at step t,
    their rows are ``[o[t], o[t] + k[t])``, longest docs first; ``forwards[p]`` /
    ``backwards[p]`` is the batch row read at time-major row p by the forwards / backwards LSTM
    (the doc's t-th token from its start / its end); ``prev[p - k[0]]`` is the time-major row
    of the step before, for every row after the first step."""
    lengths = numpy.asarray(lengths, dtype="int64")
    starts = numpy.zeros_like(lengths)
    if len(lengths):
        starts[1:] = numpy.cumsum(lengths)[:-1]
    order = numpy.argsort(-lengths, kind="stable")
    lengths, starts = lengths[order], starts[order]
    n_steps = int(lengths[0]) if len(lengths) else 0
    ascending = lengths[::-1]
    k = len(lengths) - numpy.searchsorted(ascending, numpy.arange(n_steps), side="right")
    k = k.astype("int64")
    o = numpy.zeros_like(k)
    if n_steps:
        o[1:] = numpy.cumsum(k)[:-1]
    t = numpy.repeat(numpy.arange(n_steps, dtype="int64"), k)
    j = numpy.arange(len(t), dtype="int64") - numpy.repeat(o, k)
    forwards = starts[j] + t
    backwards = starts[j] + lengths[j] - 1 - t
    prev = numpy.arange(k[0] if n_steps else 0, len(t), dtype="int64") - numpy.repeat(k[:-1], k[1:])
    return k, o, forwards, backwards, prev


def _direction_forward(X, W, U, b, k, o, nH):
    """Hidden states (n, nH) of one direction, time major (X is), and what its backward pass
    needs."""
    n = X.shape[0]
    G = X @ W
    G += b
    H = numpy.empty((n, nH), dtype=X.dtype)
    C = numpy.empty_like(H)
    TC = numpy.empty_like(H)
    work = numpy.empty((int(k[0]) if len(k) else 0, 4 * nH), dtype=X.dtype)
    _lstm.forward(G, H, C, TC, U, k, o, work)
    return H, (G, C, TC)


def _direction_backward(dH, X, W, U, H, state, k, o, prev, nH, dW, dU, db):
    """d(input) of one direction (time major, as ``dH`` and ``X``), its parameter gradients
    added to dW, dU, db. ``dH`` is changed."""
    G, C, TC = state
    dZ = numpy.empty_like(G)
    dC = numpy.zeros_like(C)
    work = numpy.empty((int(k[0]) if len(k) else 0, nH), dtype=X.dtype)
    _lstm.backward(dH, dZ, dC, G, C, TC, numpy.ascontiguousarray(U.T), k, o, work)
    if len(prev):
        dU += H[prev].T @ dZ[int(k[0]):]
    dW += X.T @ dZ
    db += dZ.sum(axis=0)
    return dZ @ W.T


def forward(model: Model, Xr: Ragged, is_train: bool) -> Tuple[Ragged, callable]:
    W, U, b = (model.get_param(name) for name in ("W", "U", "b"))
    nH = model.get_dim("nH")
    X = numpy.ascontiguousarray(Xr.dataXd, dtype=W.dtype)
    lengths = Xr.lengths
    k, o, forwards, backwards, prev = _plan(lengths)
    Y = numpy.empty((X.shape[0], 2 * nH), dtype=W.dtype)   # every row is written below
    inputs, outputs, states = [], [], []
    for d, rows in enumerate((forwards, backwards)):
        Xd = X[rows]
        H, state = _direction_forward(Xd, W[d], U[d], b[d], k, o, nH)
        Y[rows, d * nH:(d + 1) * nH] = H
        inputs.append(Xd)
        outputs.append(H)
        states.append(state)

    def backprop(dYr: Ragged) -> Ragged:
        dY = numpy.asarray(dYr.dataXd, dtype=W.dtype)
        dW, dU, db = (grad_array(model, name) for name in ("W", "U", "b"))
        dX = numpy.zeros_like(X)
        for d, rows in enumerate((forwards, backwards)):
            dH = numpy.ascontiguousarray(dY[rows, d * nH:(d + 1) * nH])
            dX[rows] += _direction_backward(dH, inputs[d], W[d], U[d], outputs[d], states[d],
                                            k, o, prev, nH, dW[d], dU[d], db[d])
        return Ragged(dX, lengths)

    return Ragged(Y, lengths), backprop
