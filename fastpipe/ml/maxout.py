"""Maxout followed by layer normalization and dropout: the block every tok2vec layer ends with.

The maths lives here as functions over a node's parameters, so the embedding mixer and each
window layer of the encoder (different nodes, different inputs) share one implementation:

    Z = X @ W                    (BLAS, through the node's FastpipeOps)
    M = max over the nP pieces of (Z + b)
    Y = dropout(G * layer_norm(M) + beta)        (one Cython pass, _kernels.maxout_norm_forward)

Parameter layout of a node that uses it: W (nI, nO*nP), b (nO*nP,), G (nO,), beta (nO,), with the
pieces of output o in columns o*nP..o*nP+nP-1. Dims nO, nI, nP; attr "dropout_rate".
"""
from typing import Callable, Tuple

import numpy
from thinc.api import Model

from ..errors import Errors
from . import _kernels
from .ops import grad_array, ops_of

MAXOUT_PARAMS = ("W", "b", "G", "beta")


def init_maxout_norm(model: Model, nI: int, nO: int, nP: int) -> None:
    """Allocate a node's maxout+norm parameters: Glorot-uniform W, zero biases, unit gain."""
    ops = ops_of(model)
    limit = numpy.sqrt(6.0 / (nI + nO * nP))
    model.set_param("W", ops.random_uniform(-limit, limit, (nI, nO * nP)))
    model.set_param("b", ops.alloc1f(nO * nP))
    G = ops.alloc1f(nO, zeros=False)
    G.fill(1.0)
    model.set_param("G", G)
    model.set_param("beta", ops.alloc1f(nO))


def dropout_mask_for(model: Model, shape: Tuple[int, int], dtype, is_train: bool):
    """A fresh dropout mask for this call, or None when not training or the rate is 0."""
    rate = model.attrs.get("dropout_rate", 0.0) if is_train else 0.0
    if not rate:
        return None
    return ops_of(model).dropout_mask(shape, rate, dtype)


def maxout_norm_forward(
    model: Model, X: numpy.ndarray, is_train: bool
) -> Tuple[numpy.ndarray, Callable[[numpy.ndarray], numpy.ndarray]]:
    """Y = dropout(layer_norm(maxout(X))) with the node's parameters; returns (Y, backprop)."""
    W = model.get_param("W")
    b = model.get_param("b")
    G = model.get_param("G")
    beta = model.get_param("beta")
    nO = G.shape[0]
    nP = b.shape[0] // nO
    n = X.shape[0]
    dtype = W.dtype
    if X.dtype != dtype or not X.flags["C_CONTIGUOUS"]:
        X = numpy.ascontiguousarray(X, dtype=dtype)
    if X.shape[1] != W.shape[0]:
        raise ValueError(Errors.E226.format(name=model.name, n_in=X.shape[1],
                                            expected=W.shape[0]))
    ops = ops_of(model)
    ws = ops.workspace
    Z = ops.matmul(X, W, out=ws.get((n, nO * nP), dtype))
    which = ws.get((n, nO), numpy.uint8)
    xhat = ws.get((n, nO), dtype)
    rstd = ws.get((n,), dtype)
    Y = ws.get((n, nO), dtype)
    mask = dropout_mask_for(model, (n, nO), dtype, is_train)
    _kernels.maxout_norm_forward(Z, b, nP, G, beta, mask, which, xhat, rstd, Y)
    del Z

    def backprop(dY: numpy.ndarray) -> numpy.ndarray:
        dY = numpy.ascontiguousarray(dY, dtype=dtype)
        dZ = ws.get((n, nO * nP), dtype)
        _kernels.maxout_norm_backward(
            dY, mask, which, xhat, rstd, G, nP,
            grad_array(model, "G"), grad_array(model, "beta"), grad_array(model, "b"), dZ,
        )
        ops.matmul_add(X.T, dZ, grad_array(model, "W"), tmp=ws.get(W.shape, dtype))
        return ops.matmul(dZ, W.T, out=ws.get((n, W.shape[0]), dtype))

    return Y, backprop
