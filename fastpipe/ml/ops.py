"""The few array operations fastpipe's layers share: the one choice of matrix multiply, reusable
work buffers, and direct access to a parameter's gradient.

Matrix products go through numpy's matmul (OpenBLAS here), which ran the tok2vec's shapes about
3x faster than thinc's blis gemm on these machines. Change ``matmul`` to change it everywhere.
How products use the cores (single-threaded OpenBLAS, optionally halved over two threads) is
decided in fastpipe.ml.blas.
"""
import sys
import threading
from typing import Dict, List, Tuple

import numpy
from thinc.api import Model

from . import blas

_getrefcount = sys.getrefcount


def matmul(a: numpy.ndarray, b: numpy.ndarray, out=None) -> numpy.ndarray:
    """a @ b, written into out when given (a, b may be transposed views)."""
    if out is None:
        out = numpy.empty((a.shape[0], b.shape[1]), dtype=numpy.result_type(a, b))
    return blas.matmul(a, b, out)


def matmul_add(a: numpy.ndarray, b: numpy.ndarray, acc: numpy.ndarray, tmp=None) -> None:
    """acc += a @ b, through a reusable temporary of acc's shape."""
    acc += matmul(a, b, out=tmp)


def grad_array(model: Model, name: str) -> numpy.ndarray:
    """The gradient array of a parameter, created as zeros on first use, so that kernels can add
    into it in place. (thinc's optimizer zeroes gradients after each update.)"""
    param = model.get_param(name)
    if model.has_grad(name):
        grad = model.get_grad(name)
        if (grad.dtype == param.dtype and grad.shape == param.shape
                and grad.flags["C_CONTIGUOUS"] and grad.flags["WRITEABLE"]):
            return grad
    grad = numpy.zeros(param.shape, dtype=param.dtype)
    if model.has_grad(name):
        grad += model.get_grad(name)
    model.set_grad(name, grad)
    return grad


class Workspace(threading.local):
    """Work buffers reused from batch to batch, so hot loops rewrite warm memory instead of
    touching fresh pages (slow on these machines).

    ``get(shape, dtype)`` returns an uninitialized C-contiguous array viewing a pooled flat
    buffer. A buffer is handed out again only once nothing outside the pool references it (no
    array, view or backprop closure still holds it), so reuse is always safe. Each thread has
    its own pool.
    """

    def __init__(self, max_buffers: int = 64, max_pooled_bytes: int = 64 * 2**20):
        self.max_buffers = max_buffers              # free buffers beyond this are dropped
        self.max_pooled_bytes = max_pooled_bytes    # larger requests are not kept for reuse
        self._pool: Dict[str, List[numpy.ndarray]] = {}

    def get(self, shape: Tuple[int, ...], dtype="float32") -> numpy.ndarray:
        dtype = numpy.dtype(dtype)
        size = 1
        for dim in shape:
            size *= dim
        if size * dtype.itemsize > self.max_pooled_bytes:
            return numpy.empty(shape, dtype=dtype)  # a one-off huge batch: do not retain it
        buffers = self._pool.setdefault(dtype.str, [])
        best = None
        for buf in buffers:
            # 3 references = the pool's list, the loop variable and getrefcount's argument.
            if buf.size >= size and _getrefcount(buf) <= 3:
                if best is None or buf.size < best.size:
                    best = buf
        if best is None:
            best = numpy.empty(max(size + size // 4, 64), dtype=dtype)
            buffers.append(best)
            if len(buffers) > self.max_buffers:
                self._evict(buffers, keep=best)
        return best[:size].reshape(shape)

    def zeros(self, shape: Tuple[int, ...], dtype="float32") -> numpy.ndarray:
        out = self.get(shape, dtype)
        out.fill(0)
        return out

    @staticmethod
    def _evict(buffers: List[numpy.ndarray], keep: numpy.ndarray) -> None:
        smallest = None
        for i, buf in enumerate(buffers):
            # 3 references = the pool's list, the loop variable and getrefcount's argument.
            if buf is not keep and _getrefcount(buf) <= 3:
                if smallest is None or buf.size < buffers[smallest].size:
                    smallest = i
        if smallest is not None:
            del buffers[smallest]

    def clear(self) -> None:
        self._pool.clear()


#: The workspace that fastpipe's layers draw buffers from (one pool per thread).
WORKSPACE = Workspace()
