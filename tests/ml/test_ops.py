"""Matrix products (whole or halved over two threads) and the buffer workspace."""
import numpy
import pytest

from fastpipe.ml import blas
from fastpipe.ml.ops import Workspace, matmul, matmul_add


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("split", [False, True])
def test_matmul_whole_and_halved_agree(transpose_a, split):
    rng = numpy.random.RandomState(0)
    a = rng.normal(size=(600, 300)).astype("f")
    b = rng.normal(size=(600 if transpose_a else 300, 80)).astype("f")
    left = a.T if transpose_a else a
    expected = left.astype("f8") @ b.astype("f8")
    splitter = blas._get()
    saved = dict(splitter.cost), splitter.threads
    try:
        splitter.threads = 2
        # force the way: make the other one look slow
        splitter.cost = {split: 1e-12, (not split): 1.0}
        splitter.calls = 1
        out = matmul(left, b, out=numpy.empty((left.shape[0], 80), "f"))
    finally:
        splitter.cost, splitter.threads = saved
    numpy.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-3)


def test_matmul_add_accumulates():
    a = numpy.ones((3, 4), "f")
    b = numpy.ones((4, 2), "f")
    acc = numpy.full((3, 2), 1.0, "f")
    matmul_add(a, b, acc)
    numpy.testing.assert_array_equal(acc, numpy.full((3, 2), 5.0, "f"))


def test_workspace_reuses_only_free_buffers():
    ws = Workspace()
    a = ws.get((10, 4))
    a[...] = 1
    b = ws.get((10, 4))
    assert not numpy.shares_memory(a, b)
    address = a.__array_interface__["data"][0]
    del a
    c = ws.get((5, 4))
    assert c.__array_interface__["data"][0] == address
    assert c.shape == (5, 4) and c.flags["C_CONTIGUOUS"]
    assert ws.get((3,), "uint8").dtype == numpy.uint8


def test_workspace_does_not_retain_huge_buffers():
    ws = Workspace(max_pooled_bytes=1000)
    big = ws.get((100, 100))
    assert big.shape == (100, 100)
    assert sum(len(v) for v in ws._pool.values()) == 0
