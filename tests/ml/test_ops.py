"""FastpipeOps and its matrix products: the same bits on one thread or two, whichever way the
timings pick; the buffer workspace; the Ops registration."""
import threading

import numpy
import pytest
from thinc.api import NumpyOps, fix_random_seed, get_ops
from thinc.api import registry as thinc_registry

from fastpipe.ml import blas
from fastpipe.ml.ops import FastpipeOps, Workspace, fastpipe_ops, ops_of

#: (m, k, n) of the products the tok2vec, tagger and parser run (width 96 and 128, window 1,
#: 3 maxout pieces, 50 tags, 8 and 13 parser slots of 64 units x 2 pieces), and shapes around
#: the multiples of 64 where a product is cut.
SHAPES = [
    (1000, 288, 288),   # window layer forward: windows @ W
    (288, 1000, 288),   # its weight gradient: windows.T @ dZ
    (1000, 384, 288),   # embed mixer: 4 tables of 96
    (384, 1000, 288),
    (2000, 96, 50),     # tagger output, a large batch
    (96, 2000, 50),     # its weight gradient
    (1000, 96, 1024),   # parser lower layer: X @ W (8 slots x 64 x 2)
    (96, 1000, 1664),   # its weight gradient with 13 slots
    (1000, 1664, 96),   # dX = dP @ W.T
    (600, 300, 80),     # n = 80
    (300, 600, 80),
    (4000, 80, 80),
    (255, 2000, 300), (256, 2000, 300), (257, 2000, 300), (319, 900, 300), (320, 900, 300),
    (383, 700, 288), (384, 700, 288), (385, 700, 288),
    (80, 2000, 255), (80, 2000, 256), (80, 2000, 257), (80, 2000, 320), (80, 2000, 383),
]

#: Narrow products: too small to be cut by default, but cut when MIN_SPLIT_WORK is lowered;
#: on OpenBLAS (SkylakeX kernels) their halves differ from the whole product in the last bits.
SMALL_SHAPES = [(1000, 288, 6), (288, 1000, 6), (320, 80, 50), (500, 96, 6), (384, 96, 50)]


def operands(m, k, n, transpose_a, transpose_b, seed=0):
    rng = numpy.random.RandomState(seed)
    A = rng.normal(size=(k, m) if transpose_a else (m, k)).astype("f")
    B = rng.normal(size=(n, k) if transpose_b else (k, n)).astype("f")
    return (A.T if transpose_a else A), (B.T if transpose_b else B)


def product(a, b, threads, parallel):
    """a @ b through fastpipe's products with the given thread setting and way."""
    saved = blas.get_threads()
    blas.set_threads(threads)
    try:
        with blas.forced(parallel):
            out = numpy.empty((a.shape[0], b.shape[1]), "f")
            return fastpipe_ops().matmul(a, b, out=out)
    finally:
        blas.set_threads(saved)


def pieces(a, b):
    """The product as plan_cut says it is computed: its two pieces, each by numpy."""
    cut = blas.plan_cut(a.shape[0], a.shape[1], b.shape[1])
    out = numpy.empty((a.shape[0], b.shape[1]), "f")
    if cut is None:
        numpy.matmul(a, b, out=out)
    elif cut[0] == blas.ROWS:
        h = cut[1]
        numpy.matmul(a[:h], b, out=out[:h])
        numpy.matmul(a[h:], b, out=out[h:])
    else:
        h = cut[1]
        numpy.matmul(a, b[:, :h], out=out[:, :h])
        numpy.matmul(a, b[:, h:], out=out[:, h:])
    return out, cut


def assert_same_bits_every_way(a, b):
    expected, cut = pieces(a, b)
    ways = {
        "threads 1": product(a, b, 1, None),
        "threads 2, pieces side by side": product(a, b, 2, True),
        "threads 2, pieces one after the other": product(a, b, 2, False),
        "threads 2, as timed": product(a, b, 2, None),
    }
    for way, out in ways.items():
        assert numpy.array_equal(out, expected), (
            f"{a.shape} @ {b.shape} cut {cut}, {way}: differs from the pieces by up to "
            f"{numpy.abs(out - expected).max()}"
        )
    numpy.testing.assert_allclose(expected, a.astype("f8") @ b.astype("f8"), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("transpose_b", [False, True])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_products_are_the_same_bits_every_way(shape, transpose_a, transpose_b):
    a, b = operands(*shape, transpose_a, transpose_b)
    assert_same_bits_every_way(a, b)


@pytest.mark.parametrize("transpose_b", [False, True])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("shape", SMALL_SHAPES)
def test_cut_narrow_products_are_the_same_bits_every_way(monkeypatch, shape, transpose_a,
                                                         transpose_b):
    """Products whose halves differ from the whole one (here): still the same bits whichever
    way the pieces run, because the cut never depends on threads or timings."""
    monkeypatch.setattr(blas, "MIN_SPLIT_WORK", 1)
    a, b = operands(*shape, transpose_a, transpose_b)
    assert blas.plan_cut(*shape) is not None
    assert_same_bits_every_way(a, b)


def test_timed_choice_does_not_change_bits():
    """Many calls, so the timing tries both ways and settles on one: always the same bits."""
    a, b = operands(1000, 288, 288, False, True, seed=3)
    first = product(a, b, 2, None).copy()
    for _ in range(2 * blas.EXPLORE_EVERY):
        assert numpy.array_equal(product(a, b, 2, None), first)


def test_plan_cut_depends_on_the_shape_only():
    assert blas.plan_cut(10, 10, 10) is None
    assert blas.plan_cut(1000, 288, 288) == (blas.ROWS, 448)
    assert blas.plan_cut(288, 1000, 288) == (blas.ROWS, 128)
    assert blas.plan_cut(96, 1000, 1664) == (blas.COLS, 832)
    assert blas.plan_cut(255, 2000, 300) == (blas.COLS, 128)
    assert blas.plan_cut(200, 2000, 200) is None   # neither side long enough
    for m, k, n in SHAPES:
        cut = blas.plan_cut(m, k, n)
        if cut is not None:
            side, h = cut
            assert h % blas.CUT_MULTIPLE == 0 and 0 < h < (m if side == blas.ROWS else n)


def test_products_limit_the_blas_to_one_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    product(*operands(1000, 288, 288, False, False), 2, True)
    for lib in threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers:
        assert lib.num_threads == 1, lib.info()


def test_matmul_add_accumulates():
    a = numpy.ones((3, 4), "f")
    b = numpy.ones((4, 2), "f")
    acc = numpy.full((3, 2), 1.0, "f")
    fastpipe_ops().matmul_add(a, b, acc)
    numpy.testing.assert_array_equal(acc, numpy.full((3, 2), 5.0, "f"))


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
def test_gemm_follows_thincs_signature(trans1, trans2):
    ops = fastpipe_ops()
    rng = numpy.random.RandomState(0)
    x = rng.normal(size=(5, 4) if trans1 else (4, 5)).astype("f")
    y = rng.normal(size=(3, 5) if trans2 else (5, 3)).astype("f")
    expected = NumpyOps(use_blis=False).gemm(x, y, trans1=trans1, trans2=trans2)
    numpy.testing.assert_allclose(ops.gemm(x, y, trans1=trans1, trans2=trans2), expected,
                                  rtol=1e-5, atol=1e-6)
    out = numpy.empty((4, 3), "f")
    assert ops.gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    with pytest.raises(ValueError, match="do not multiply"):
        ops.gemm(numpy.ones((2, 3), "f"), numpy.ones((2, 3), "f"))


def test_fastpipe_ops_is_registered_with_thinc():
    assert thinc_registry.ops.get("FastpipeOps") is FastpipeOps
    ops = get_ops("fastpipe")
    assert isinstance(ops, FastpipeOps) and isinstance(ops, NumpyOps)
    assert ops.device_type == "cpu"
    with pytest.raises(ValueError, match="CPU"):
        FastpipeOps(device_type="gpu")


def test_random_draws_follow_the_seed():
    ops = fastpipe_ops()
    fix_random_seed(3)
    a = (ops.random_uniform(-1, 1, (4, 5)), ops.random_normal(0.5, (3,)),
         ops.dropout_mask((4, 8), 0.5).copy())
    fix_random_seed(3)
    b = (ops.random_uniform(-1, 1, (4, 5)), ops.random_normal(0.5, (3,)),
         ops.dropout_mask((4, 8), 0.5).copy())
    for x, y in zip(a, b):
        assert x.dtype == numpy.float32
        numpy.testing.assert_array_equal(x, y)
    assert ops.dropout_mask((4, 8), 0.0) is None
    assert set(numpy.unique(a[2]).tolist()) <= {0.0, 2.0}


def test_ops_of_falls_back_to_the_shared_ops():
    from thinc.api import Model

    plain = Model("plain", lambda model, X, is_train: (X, lambda d: d), ops=NumpyOps())
    assert ops_of(plain) is fastpipe_ops()
    mine = Model("mine", lambda model, X, is_train: (X, lambda d: d), ops=FastpipeOps())
    assert ops_of(mine) is mine.ops


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


def test_workspace_keeps_recurring_buffers_for_recurring_requests():
    ws = Workspace(max_pooled_bytes=1000)
    big = ws.get((100, 100), recurring=True)         # over the cap, pooled all the same
    address = big.__array_interface__["data"][0]
    del big
    small = ws.get((10, 10))                         # an ordinary request never takes it
    assert small.__array_interface__["data"][0] != address
    again = ws.get((100, 100), recurring=True)       # the next batch rewrites the same memory
    assert again.__array_interface__["data"][0] == address


def test_workspace_is_per_thread():
    ws = Workspace()
    mine = ws.get((7, 3))
    seen = []
    thread = threading.Thread(target=lambda: seen.append(dict(ws._pool)))
    thread.start()
    thread.join()
    assert seen == [{}] and ws._pool and mine.shape == (7, 3)


def test_models_pickle_and_copy_with_their_ops(docs):
    import copy
    import pickle

    from fastpipe.ml import HashEmbedCNN

    model = HashEmbedCNN(width=16, depth=2, embed_size=100, window_size=1, maxout_pieces=3,
                         subword_features=True)
    model.initialize(X=docs)
    expected = model.predict(docs)
    for other in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert other.ops is fastpipe_ops()
        for x, y in zip(expected, other.predict(docs)):
            numpy.testing.assert_array_equal(x, y)
    own = pickle.loads(pickle.dumps(FastpipeOps()))
    assert isinstance(own, FastpipeOps) and own is not fastpipe_ops()
    assert own.workspace.get((2, 2)).shape == (2, 2)
