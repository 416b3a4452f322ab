"""Matrix products on the machine's cores: the same bits whichever way they run.

Measured on the 2-core build machines, for the tok2vec's shapes (1000x288 by 288x288):

* one OpenBLAS thread: 1.6 ms (about 100 GFLOP/s), whatever else runs;
* two OpenBLAS threads: 0.85 ms when the machine is idle, but 8-30 ms when another process is
  busy (its threads wait on a partner that is descheduled);
* one OpenBLAS thread per half of the product, the halves run by this process's main thread
  and one worker thread: 0.9 ms idle, about 2 ms when busy.

So the BLAS runs single-threaded, and large products are cut in two pieces that may run on two
threads.

Determinism. A product cut in two is NOT bit-identical to the whole product in general: the
BLAS picks its kernels (and so the order of the additions) from the shapes it is given, and a
half has other shapes. (Seen: on OpenBLAS 0.3.31's SkylakeX kernels, narrow products such as
2400x96 by 96x6, whose halves fall under its small-matrix size; on other CPUs, transposed
operands with 80 columns, differences of 3-6e-5.) So whether and where a product is cut
depends on its shape alone (``plan_cut``): every large product is always computed as the same
two pieces. What the settings and the timings decide is only *how* the pieces run, one after
the other on this thread or side by side on two, and that does not change a bit of the
result. The same seed gives the same weights with any ``FASTPIPE_THREADS``, whatever the timing
picks. The price: two pieces one after the other take 0.5-3% longer than the whole product
(measured for the tok2vec's shapes; about 2% of a tagger's training step with
FASTPIPE_THREADS=1); with two threads that is paid only when running them side by side is the
slower way.

Whether running the pieces side by side pays is measured as we go: the seconds per multiply-add
of each way is tracked (moving average), the cheaper way is used, and the other is re-tried now
and then.

Settings: ``FASTPIPE_THREADS`` (environment) or ``set_threads(n)``: 1 runs the pieces one after
the other, 2 (the default on machines with 2+ cores) side by side when that measures faster.

BLAS threads: the first product limits the BLAS libraries of the process to one thread each,
once, through threadpoolctl (any platform; OpenBLAS, MKL, BLIS), instead of per product, so it
costs nothing per product. numpy's other products in the same process then run on one BLAS
thread too; ``threadpoolctl.threadpool_limits`` can raise it again for code that wants more.
"""
import os
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator, Optional, Tuple

import numpy

#: Products with fewer multiply-adds than this run whole.
MIN_SPLIT_WORK = 8_000_000
#: A product is cut across its rows (or else its columns) when it has at least this many.
MIN_SPLIT_SIDE = 256
#: The cut falls at a multiple of this many rows (or columns).
CUT_MULTIPLE = 64
#: Every EXPLORE_EVERY-th large product runs the currently slower way, to re-measure it.
EXPLORE_EVERY = 40
_EMA = 0.2

ROWS = "rows"
COLS = "cols"


def plan_cut(m: int, k: int, n: int) -> Optional[Tuple[str, int]]:
    """Where the product of an (m, k) and a (k, n) matrix is cut: (ROWS, h) (rows :h and h:),
    (COLS, h) (columns :h and h:) or None (whole). A function of the shape only, never of the
    thread settings or timings; never across the inner dimension k."""
    if m * k * n < MIN_SPLIT_WORK:
        return None
    if m >= MIN_SPLIT_SIDE:
        return ROWS, (m // 2) // CUT_MULTIPLE * CUT_MULTIPLE
    if n >= MIN_SPLIT_SIDE:
        return COLS, (n // 2) // CUT_MULTIPLE * CUT_MULTIPLE
    return None


class _BlasThreads:
    """Limits the process's BLAS libraries to one thread, once (threadpoolctl finds them)."""

    def __init__(self):
        self.controller = None   # threadpoolctl's controller of the BLAS libraries (False:
        # threadpoolctl is missing; None: not looked up yet)
        self._lock = threading.Lock()

    def limit_once(self) -> None:
        with self._lock:
            if self.controller is not None:
                return
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # a dependency, but an old environment may lack it
                warnings.warn("fastpipe: threadpoolctl is not installed, so the BLAS keeps its "
                              "threads (slow on a busy machine): pip install threadpoolctl")
                self.controller = False
                return
            self.controller = ThreadpoolController().select(user_api="blas")
            self.limit_this_thread()

    def limit_this_thread(self) -> None:
        """Set one thread. Where the BLAS keeps a limit per thread (OpenMP builds), each thread
        that multiplies calls this; elsewhere the limit is the process's and a second call from
        another thread changes nothing."""
        for lib in self.controller.lib_controllers if self.controller else ():
            lib.set_num_threads(1)


class _Splitter:
    """Runs the two pieces of a large product one after the other or side by side, whichever
    has measured faster lately. The pieces are the same either way (``plan_cut``)."""

    def __init__(self, threads: int):
        self.threads = threads                  # 1: pieces one after the other; 2: may overlap
        self.pool: Optional[ThreadPoolExecutor] = None
        self.cost = {False: None, True: None}   # seconds per multiply-add, moving average
        self.calls = 0
        self.forced: Optional[bool] = None      # tests and benchmarks: always this way
        self.blas = _BlasThreads()
        self.blas.limit_once()

    def choose(self) -> bool:
        """True: run the two pieces side by side."""
        if self.forced is not None:
            return self.forced and self.threads >= 2
        if self.threads < 2:
            return False
        self.calls += 1
        sequential, parallel = self.cost[False], self.cost[True]
        if sequential is None:
            return False
        if parallel is None:
            return True
        faster = parallel < sequential
        return (not faster) if self.calls % EXPLORE_EVERY == 0 else faster

    def record(self, parallel: bool, seconds: float, work: int) -> None:
        per = seconds / work
        old = self.cost[parallel]
        self.cost[parallel] = per if old is None else (1 - _EMA) * old + _EMA * per

    def run(self, a, b, out):
        """out = a @ b; a and b may be transposed views. Returns out."""
        m, k = a.shape
        n = b.shape[1]
        if m * k * n < MIN_SPLIT_WORK:   # plan_cut's first test, inlined for small products
            numpy.matmul(a, b, out=out)
            return out
        cut = plan_cut(m, k, n)
        if cut is None:
            numpy.matmul(a, b, out=out)
            return out
        side, h = cut
        if side == ROWS:
            first, second = (a[:h], b, out[:h]), (a[h:], b, out[h:])
        else:
            first, second = (a, b[:, :h], out[:, :h]), (a, b[:, h:], out[:, h:])
        parallel = self.choose()
        start = time.perf_counter()
        if parallel:
            job = self._worker().submit(_matmul_into, *second)
            _matmul_into(*first)
            job.result()
        else:
            _matmul_into(*first)
            _matmul_into(*second)
        if self.threads >= 2 and self.forced is None:
            self.record(parallel, time.perf_counter() - start, m * k * n)
        return out

    def _worker(self) -> ThreadPoolExecutor:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="fastpipe-matmul",
                                           initializer=self.blas.limit_this_thread)
        return self.pool


def _matmul_into(a, b, out) -> None:
    numpy.matmul(a, b, out=out)


_splitter: Optional[_Splitter] = None
_splitter_lock = threading.Lock()


def _default_threads() -> int:
    value = os.environ.get("FASTPIPE_THREADS", "")
    if value.strip():
        return max(1, int(value))
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def set_threads(n: int) -> None:
    """1: the pieces of large products run one after the other; 2: side by side when that
    measures faster. The results are the same bits either way."""
    _get().threads = max(1, int(n))


def get_threads() -> int:
    return _get().threads


@contextmanager
def forced(parallel: Optional[bool]) -> Iterator[None]:
    """Within the block, run the pieces of large products side by side (True; with threads
    >= 2) or one after the other (False), whatever the timings say; None: as measured. For
    tests and benchmarks."""
    splitter = _get()
    saved = splitter.forced
    splitter.forced = parallel
    try:
        yield
    finally:
        splitter.forced = saved


def _get() -> _Splitter:
    global _splitter
    if _splitter is None:
        with _splitter_lock:
            if _splitter is None:
                _splitter = _Splitter(_default_threads())
    return _splitter


def matmul(a: numpy.ndarray, b: numpy.ndarray, out: numpy.ndarray) -> numpy.ndarray:
    """out = a @ b (2-d float arrays; a and b may be transposed views)."""
    return _get().run(a, b, out)
