"""Matrix products on the machine's cores, robust to a machine shared with other work.

Measured on the 2-core build machines, for the tok2vec's shapes (1000x288 by 288x288):

* one OpenBLAS thread: 1.6 ms (about 100 GFLOP/s), whatever else runs;
* two OpenBLAS threads: 0.85 ms when the machine is idle, but 8-30 ms when another process is
  busy (its threads wait on a partner that is descheduled);
* one OpenBLAS thread per half of the product, the halves run by this process's main thread
  and one worker thread: 0.9 ms idle, about 2 ms when busy.

So products run single-threaded inside OpenBLAS, and large ones may be cut in two halves run
in parallel. Whether halving pays is measured as we go: the seconds per flop of each way is
tracked (moving average), the cheaper is used, and the other is re-tried now and then.

Settings: ``FASTPIPE_THREADS`` (environment) or ``set_threads(n)``: 1 never halves, 2 (the
default on machines with 2+ cores) halves when it measures faster.
"""
import ctypes
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import numpy

#: Products smaller than this many multiply-adds always run whole.
MIN_SPLIT_WORK = 8_000_000
#: Every EXPLORE_EVERY-th large product runs the currently slower way, to re-measure it.
EXPLORE_EVERY = 40
_EMA = 0.2


class _OpenBLASThreads:
    """Get/set the thread count of the OpenBLAS that numpy loaded (no-op if not found)."""

    SYMBOLS = (
        ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
        ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
        ("openblas_get_num_threads", "openblas_set_num_threads"),
    )

    def __init__(self):
        self.get = self.set = None
        try:
            with open("/proc/self/maps") as f:
                paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
        except OSError:
            paths = set()
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for get_name, set_name in self.SYMBOLS:
                if hasattr(lib, get_name) and hasattr(lib, set_name):
                    self.get = getattr(lib, get_name)
                    self.set = getattr(lib, set_name)
                    self.get.restype = ctypes.c_int
                    self.set.argtypes = [ctypes.c_int]
                    return


class _Splitter:
    """Runs products whole or halved, whichever has measured faster lately."""

    def __init__(self, threads: int):
        self.threads = threads
        self.pool: Optional[ThreadPoolExecutor] = None
        self.cost = {False: None, True: None}   # seconds per multiply-add, moving average
        self.calls = 0
        self.blas = _OpenBLASThreads()

    def choose(self, work: int) -> bool:
        if self.threads < 2 or work < MIN_SPLIT_WORK:
            return False
        self.calls += 1
        whole, halved = self.cost[False], self.cost[True]
        if whole is None:
            return False
        if halved is None:
            return True
        faster = halved < whole
        return (not faster) if self.calls % EXPLORE_EVERY == 0 else faster

    def record(self, split: bool, seconds: float, work: int) -> None:
        per = seconds / work
        old = self.cost[split]
        self.cost[split] = per if old is None else (1 - _EMA) * old + _EMA * per

    def run(self, a, b, out, acc_tmp=None):
        """out = a @ b; a may be a transposed view. Returns out."""
        m, k = a.shape
        n = b.shape[1]
        work = m * k * n
        split = self.choose(work)
        previous = self._single_thread()
        try:
            start = time.perf_counter()
            # Halves are cut at multiples of 64 rows or columns, never across the inner
            # dimension, so a halved product equals the whole one bit for bit: results do not
            # depend on which way the timing picked.
            if split and m >= 256:
                self._split_rows(a, b, out, m)
            elif split and n >= 256:
                self._split_cols(a, b, out, n)
            else:
                numpy.matmul(a, b, out=out)
            if work >= MIN_SPLIT_WORK and self.threads >= 2:
                self.record(split, time.perf_counter() - start, work)
        finally:
            if previous is not None:
                self.blas.set(previous)
        return out

    def _single_thread(self) -> Optional[int]:
        if self.blas.set is None:
            return None
        previous = self.blas.get()
        if previous == 1:
            return None
        self.blas.set(1)
        return previous

    def _worker(self) -> ThreadPoolExecutor:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="fastpipe-matmul")
        return self.pool

    def _split_rows(self, a, b, out, m):
        h = (m // 2) // 64 * 64
        job = self._worker().submit(numpy.matmul, a[h:], b, out=out[h:])
        numpy.matmul(a[:h], b, out=out[:h])
        job.result()

    def _split_cols(self, a, b, out, n):
        h = (n // 2) // 64 * 64
        job = self._worker().submit(numpy.matmul, a, b[:, h:], out=out[:, h:])
        numpy.matmul(a, b[:, :h], out=out[:, :h])
        job.result()


_splitter: Optional[_Splitter] = None


def _default_threads() -> int:
    value = os.environ.get("FASTPIPE_THREADS", "")
    if value.strip():
        return max(1, int(value))
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def set_threads(n: int) -> None:
    """1: every product runs whole on one core; 2: large ones may be halved over two."""
    _get().threads = max(1, int(n))


def _get() -> _Splitter:
    global _splitter
    if _splitter is None:
        _splitter = _Splitter(_default_threads())
    return _splitter


def matmul(a: numpy.ndarray, b: numpy.ndarray, out: numpy.ndarray) -> numpy.ndarray:
    """out = a @ b (2-d float arrays; a and b may be transposed views)."""
    return _get().run(a, b, out)
