"""FastpipeOps: the one place where fastpipe's layers get their arrays and their products.

A thinc ``Ops`` (a NumpyOps: CPU, numpy arrays), registered in thinc's ops registry as
"FastpipeOps" (``thinc.api.get_ops("fastpipe")`` builds one). Every model that fastpipe's
architectures build carries the shared instance (``fastpipe_ops()``) as ``model.ops``, and
the layers reach it through ``ops_of(model)``. It holds the array choices:

* matrix products: numpy's matmul (OpenBLAS here), which ran the tok2vec's shapes about 3x
  faster than thinc's blis gemm on these machines, with large products cut into two pieces by
  shape and run on one or two threads (fastpipe.ml.blas: the result is the same bits whichever
  way they run). ``gemm`` (thinc's signature), ``matmul``, ``matmul_add``;
* the workspace: buffers reused from batch to batch (``workspace.get``, ``workspace.zeros``);
* allocation: thinc's ``alloc``/``alloc1f``/``alloc2f``/... (numpy arrays);
* random numbers: ``random_uniform``, ``random_normal`` (float32, from numpy's global
  generator, which thinc's ``fix_random_seed`` seeds) and ``dropout_mask``.
"""
import sys
import threading
from typing import Dict, List, Optional, Tuple

import numpy
from thinc.api import Model, NumpyOps
from thinc.api import registry as thinc_registry

from ..errors import Errors
from . import _kernels, blas

_getrefcount = sys.getrefcount


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
        self._pool: Dict[Tuple[str, bool], List[numpy.ndarray]] = {}   # (dtype, recurring)

    def get(self, shape: Tuple[int, ...], dtype="float32", *,
            recurring: bool = False) -> numpy.ndarray:
        """``recurring``: the caller asks for an array this large every batch (the parser's
        precomputed table, 300 MB for a 1000-doc batch of 25k words), so it is pooled whatever
        its size, in a pool of its own that other requests never draw from (else a smaller
        request takes it and the next batch faults in fresh pages again). Rewriting warm memory
        is much faster than faulting in fresh pages: measured for that table, 0.05-0.7 s of
        system time per batch (huge-page compaction on a busy machine) against none, at the
        price of keeping the largest one."""
        dtype = numpy.dtype(dtype)
        size = 1
        for dim in shape:
            size *= dim
        if size * dtype.itemsize > self.max_pooled_bytes and not recurring:
            return numpy.empty(shape, dtype=dtype)  # a one-off huge batch: do not retain it
        buffers = self._pool.setdefault((dtype.str, recurring), [])
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

    def __reduce__(self):
        # a copy (pickle, deepcopy) gets an empty pool of the same limits: buffers are scratch
        return (Workspace, (self.max_buffers, self.max_pooled_bytes))


@thinc_registry.ops("FastpipeOps")
class FastpipeOps(NumpyOps):
    """thinc's NumpyOps with fastpipe's products, workspace and random draws (module doc)."""

    name = "fastpipe"

    def __init__(self, device_type: str = "cpu", device_id: int = -1, *,
                 use_blis: bool = False) -> None:
        # Products never go to blis here (``gemm`` below): thinc's use_blis is ignored.
        if device_type != "cpu":
            raise ValueError(Errors.E242.format(device=device_type))
        super().__init__(device_type, device_id, use_blis=False)
        self.workspace = Workspace()   # buffers reused from batch to batch, one pool per thread

    def __reduce__(self):
        # Models are pickled and deep-copied with their ops: the shared instance comes back as
        # the shared instance (of the process that unpickles), any other as a fresh one.
        if self is _shared:
            return (fastpipe_ops, ())
        return (FastpipeOps, (self.device_type, self.device_id))

    # -- products ------------------------------------------------------------------------------

    def matmul(self, a: numpy.ndarray, b: numpy.ndarray, out=None) -> numpy.ndarray:
        """a @ b (2-d; a and b may be transposed views), written into out when given."""
        if out is None:
            out = numpy.empty((a.shape[0], b.shape[1]), dtype=numpy.result_type(a, b))
        return blas.matmul(a, b, out)

    def matmul_add(self, a: numpy.ndarray, b: numpy.ndarray, acc: numpy.ndarray,
                   tmp=None) -> None:
        """acc += a @ b, through tmp (an array of acc's shape to overwrite) when given."""
        acc += self.matmul(a, b, out=tmp)

    def gemm(self, x, y, *, out=None, trans1: bool = False, trans2: bool = False):
        """thinc's gemm: x @ y (x.T and/or y.T with trans1/trans2), into out when given."""
        if x.ndim != 2 or y.ndim != 2:
            raise ValueError(f"gemm: x and y must be 2-dimensional, got {x.ndim} and {y.ndim}")
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"gemm: shapes {a.shape} and {b.shape} do not multiply")
        return self.matmul(a, b, out=out)

    # -- random numbers ------------------------------------------------------------------------

    def random_uniform(self, low: float, high: float, shape: Tuple[int, ...],
                       dtype="float32") -> numpy.ndarray:
        """A fresh array of draws from U(low, high) (numpy's global generator)."""
        return numpy.random.uniform(low, high, shape).astype(dtype)

    def random_normal(self, scale: float, shape: Tuple[int, ...],
                      dtype="float32") -> numpy.ndarray:
        """A fresh array of draws from N(0, scale^2) (numpy's global generator)."""
        return numpy.random.normal(0, scale, shape).astype(dtype)

    def dropout_mask(self, shape: Tuple[int, int], rate: float,
                     dtype="float32") -> Optional[numpy.ndarray]:
        """A workspace array of 0 (probability ``rate``) and 1/(1 - rate), or None for rate 0.
        Seeded from numpy's global generator, so ``fix_random_seed`` fixes it."""
        if not rate:
            return None
        mask = self.workspace.get(shape, dtype)
        _kernels.dropout_mask(mask, float(rate), int(numpy.random.randint(0, 2**62)))
        return mask


_shared: Optional[FastpipeOps] = None
_shared_lock = threading.Lock()


def fastpipe_ops() -> FastpipeOps:
    """The FastpipeOps that the models of fastpipe's architectures share (one workspace)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = FastpipeOps()
    return _shared


def ops_of(model: Model) -> FastpipeOps:
    """``model.ops``, which fastpipe's architectures set to a FastpipeOps; the shared one if
    thinc replaced it since (``Model.copy`` and ``Model.to_cpu`` give plain NumpyOps)."""
    ops = model.ops
    return ops if isinstance(ops, FastpipeOps) else fastpipe_ops()


def grad_array(model: Model, name: str) -> numpy.ndarray:
    """The gradient array of a parameter, created as zeros on first use, so that kernels can add
    into it in place. (thinc's optimizer zeroes gradients after each update.)"""
    param = model.get_param(name)
    if model.has_grad(name):
        grad = model.get_grad(name)
        if (grad.dtype == param.dtype and grad.shape == param.shape
                and grad.flags["C_CONTIGUOUS"] and grad.flags["WRITEABLE"]):
            return grad
    grad = ops_of(model).alloc(param.shape, dtype=param.dtype)
    if model.has_grad(name):
        grad += model.get_grad(name)
    model.set_grad(name, grad)
    return grad
