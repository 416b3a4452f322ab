"""fastpipe.Adam.v1 computes what thinc's Adam computes, with the same settings."""
import numpy
import pytest
from thinc.api import Adam as ThincAdam

from fastpipe.ml.optimizers import Adam as FusedAdam
from fastpipe.registry import registry


@pytest.mark.parametrize("settings", [
    dict(learn_rate=0.001, L2=0.01, grad_clip=1.0, use_averages=False),
    dict(learn_rate=0.01, L2=0.0, grad_clip=0.0, use_averages=True),
    dict(learn_rate=0.005, L2=0.1, grad_clip=0.05, use_averages=True, beta1=0.8, beta2=0.99),
])
def test_same_updates_as_thinc(settings):
    rng = numpy.random.default_rng(0)
    w_ref = rng.normal(size=(50, 7)).astype("f")
    w_ours = w_ref.copy()
    ours, ref = FusedAdam(**settings), ThincAdam(**settings)
    for step in range(20):
        grad = rng.normal(size=w_ref.shape).astype("f") * (0.01 if step % 2 else 3.0)
        g_ref, g_ours = grad.copy(), grad.copy()
        w_ref, g_ref = ref(("p", 1), w_ref, g_ref)
        w_ours, g_ours = ours(("p", 1), w_ours, g_ours)
        numpy.testing.assert_allclose(w_ours, w_ref, rtol=1e-5, atol=1e-6)
        assert not g_ours.any()
    if settings["use_averages"]:
        numpy.testing.assert_allclose(ours.averages[("p", 1)], ref.averages[("p", 1)], rtol=1e-5, atol=1e-6)


def test_registered_under_its_versioned_name():
    adam = registry.resolve({"o": {"@optimizers": "fastpipe.Adam.v1", "learn_rate": 0.01, "L2": 0.1}})["o"]
    assert adam.learn_rate == 0.01 and adam.L2 == 0.1
    w, g = numpy.ones((3, 2), dtype="f"), numpy.ones((3, 2), dtype="f")
    w, g = adam(("q", 1), w, g)
    assert (w < 1).all() and not g.any()


def test_sparse_rows_of_a_big_table_give_the_same_updates():
    """A zero-initialised table with gradients on a few rows a step (a bag-of-words layer):
    the row-skipping pass must match thinc's dense Adam exactly."""
    from fastpipe.ml.optimizers import SPARSE_MIN_ROWS

    rng = numpy.random.default_rng(1)
    rows = SPARSE_MIN_ROWS + 100
    w_ref = numpy.zeros((rows, 3), dtype="f")
    w_ref[5] = 0.5  # a row with weights but no gradient yet still moves with weight decay
    w_ours = w_ref.copy()
    settings = dict(learn_rate=0.01, L2=0.01, grad_clip=1.0, use_averages=False)
    ours, ref = FusedAdam(**settings), ThincAdam(**settings)
    for step in range(15):
        grad = numpy.zeros_like(w_ref)
        touched = rng.choice(rows, size=20, replace=False)
        grad[touched] = rng.normal(size=(20, 3)).astype("f")
        w_ref, _ = ref(("bow", 1), w_ref, grad.copy())
        w_ours, g = ours(("bow", 1), w_ours, grad.copy())
        numpy.testing.assert_allclose(w_ours, w_ref, rtol=1e-5, atol=1e-7)
        assert not g.any()
    assert ours.live_rows[("bow", 1)].mask.sum() < rows / 10


def test_nonzero_rows():
    from fastpipe.ml._optim import nonzero_rows

    x = numpy.zeros((100, 5), dtype="f")
    x[[3, 50, 99], [0, 4, 2]] = 1.0
    x[60, 1] = -0.0  # negative zero is zero
    rows = nonzero_rows(x)
    assert rows.dtype == numpy.int32 and list(rows) == [3, 50, 99]
    assert len(nonzero_rows(numpy.zeros((0, 5), dtype="f"))) == 0


def dense_step(weights, gradient, mom1, mom2, opt, nr_upd, lr_scale=1.0):
    """The fused dense pass (``adam_step``) with the optimizer's settings, on copies' arrays."""
    from fastpipe.ml._optim import adam_step

    step = opt.learn_rate * (1.0 - opt.b2 ** nr_upd) ** 0.5 / (1.0 - opt.b1 ** nr_upd) * lr_scale
    decay = lr_scale * opt.learn_rate * opt.L2 if opt.L2 != 0 else 0.0
    adam_step(weights.reshape(-1), gradient.reshape(-1), mom1.reshape(-1), mom2.reshape(-1),
              opt.b1, opt.b2, opt.eps, step, opt.grad_clip or 0.0, decay)


def bits(array):
    return array.view(numpy.uint32)


@pytest.mark.parametrize("grad_clip,scale", [(1.0, 1.0), (1.0, 100.0), (0.0, 10.0)])
def test_rows_step_equals_the_dense_step_bit_for_bit(grad_clip, scale):
    """The row-by-row step of a big table leaves weights, moments and gradient exactly as the
    dense pass does, bit for bit, with clipping (the gradient's norm summed in the dense
    order) and weight decay; a row with weights or moments but no gradient still moves, and
    -0.0 in the weights or gradient changes nothing."""
    from fastpipe.ml.optimizers import SPARSE_MIN_ROWS

    rng = numpy.random.default_rng(7)
    n_rows, width = SPARSE_MIN_ROWS + 3, 3  # rows x width not a multiple of 4: the norm's tail
    weights = numpy.zeros((n_rows, width), dtype="f")
    weights[5] = 0.5
    weights[9, 1] = -0.0
    weights[n_rows - 1] = rng.normal(size=width)
    opt = FusedAdam(learn_rate=0.01, L2=0.01, grad_clip=grad_clip, use_averages=False)
    key = ("bow", 1)
    ref_w = weights.copy()
    ref_m1 = numpy.zeros_like(weights)
    ref_m2 = numpy.zeros_like(weights)
    for step in range(1, 40):
        grad = numpy.zeros_like(weights)
        touched = rng.choice(n_rows, size=1 + step % 30, replace=False)
        grad[touched] = rng.normal(size=(len(touched), width)).astype("f") * scale
        grad[n_rows - 2 if step % 2 else 11, 0] = -0.0  # a row with only -0.0 in it
        grad[n_rows - 1] = rng.normal(size=width) if step % 3 == 0 else 0.0  # the tail rows
        ref_g = grad.copy()
        dense_step(ref_w, ref_g, ref_m1, ref_m2, opt, step)
        weights, grad = opt(key, weights, grad)
        assert opt.live_rows[key].n_live < n_rows / 4  # the rows path was taken
        assert (bits(weights) == bits(ref_w)).all()
        assert (bits(opt.mom1[key]) == bits(ref_m1.reshape(-1))).all()
        assert (bits(opt.mom2[key]) == bits(ref_m2.reshape(-1))).all()
        assert not bits(grad).any()
    live = opt.live_rows[key]
    assert (numpy.diff(live.rows[:live.n_live]) > 0).all()  # ascending, no row twice
    assert set(live.rows[:live.n_live].tolist()) == set(numpy.flatnonzero(live.mask).tolist())


def test_rows_step_starts_from_the_rows_that_hold_anything():
    """Rows with weights or moments already set (an optimizer handed a trained table) are
    updated from the first step; a new weights array starts a new list."""
    from fastpipe.ml.optimizers import SPARSE_MIN_ROWS

    n_rows = SPARSE_MIN_ROWS
    weights = numpy.zeros((n_rows, 2), dtype="f")
    weights[100] = 1.0
    opt = FusedAdam(learn_rate=0.01, L2=0.1, use_averages=False)
    ref_w, ref_m1, ref_m2 = weights.copy(), numpy.zeros_like(weights), numpy.zeros_like(weights)
    grad = numpy.zeros_like(weights)
    grad[3] = 1.0
    dense_step(ref_w, grad.copy(), ref_m1, ref_m2, opt, 1)
    weights, _ = opt(("t", 1), weights, grad)
    assert (bits(weights) == bits(ref_w)).all() and weights[100, 0] < 1.0
    assert opt.live_rows[("t", 1)].rows[:2].tolist() == [3, 100]
    other = numpy.zeros_like(weights)
    other[7] = 2.0
    opt(("t", 1), other, numpy.zeros_like(weights))
    live = opt.live_rows[("t", 1)]  # row 3 has moments, row 7 weights, row 100 nothing now
    assert live.n_live == 2 and live.rows[:2].tolist() == [3, 7]


def test_touched_rows():
    from fastpipe.ml._optim import touched_rows

    x = numpy.zeros((100, 3), dtype="f")
    x[[2, 40, 99], [0, 2, 1]] = [1.0, -0.0, 1e-30]
    out = numpy.zeros(100, dtype=numpy.int32)
    assert touched_rows(x, out) == 3 and out[:3].tolist() == [2, 40, 99]
    assert touched_rows(numpy.zeros((0, 3), dtype="f"), numpy.zeros(0, dtype=numpy.int32)) == 0
    with pytest.raises(ValueError):
        touched_rows(x, numpy.zeros(10, dtype=numpy.int32))


@pytest.mark.parametrize("shape", [(40, 6), (8192 + 10, 4)])  # a dense table, a row-by-row one
def test_decay_embeddings_off_spares_only_embedding_tables(shape):
    """With ``decay_embeddings=False`` an embedding table ("E", also a Ray block "E#2") gets
    Adam without L2, bit for bit what L2 0 gives, while any other parameter still decays."""
    rng = numpy.random.default_rng(3)
    w0 = rng.normal(size=shape).astype("f")
    settings = dict(learn_rate=0.01, L2=0.5, grad_clip=1.0, use_averages=False)
    spared = FusedAdam(**settings, decay_embeddings=False)
    decayed, no_l2 = FusedAdam(**settings), FusedAdam(**dict(settings, L2=0.0))
    arrays = {k: w0.copy() for k in ("E", "E#2", "W", "ref_decayed", "ref_plain")}
    for step in range(6):
        grad = numpy.zeros(shape, dtype="f")
        grad[step % 3] = rng.normal(size=shape[1]).astype("f")  # sparse, as a lookup's gradient
        for name in ("E", "E#2", "W"):
            arrays[name], _ = spared((7, name), arrays[name], grad.copy())
        arrays["ref_decayed"], _ = decayed((7, "E"), arrays["ref_decayed"], grad.copy())
        arrays["ref_plain"], _ = no_l2((7, "E"), arrays["ref_plain"], grad.copy())
    numpy.testing.assert_array_equal(arrays["E"], arrays["ref_plain"])
    numpy.testing.assert_array_equal(arrays["E#2"], arrays["ref_plain"])
    numpy.testing.assert_array_equal(arrays["W"], arrays["ref_decayed"])
    assert not numpy.array_equal(arrays["ref_decayed"], arrays["ref_plain"])
    # rows that never had a gradient keep their weights only when spared
    numpy.testing.assert_array_equal(arrays["E"][5:], w0[5:])
    assert (numpy.abs(arrays["W"][5:]) < numpy.abs(w0[5:])).all()


def test_decay_embeddings_off_also_on_thincs_path():
    """L2 added to the gradient (``L2_is_weight_decay = false``) is thinc's step, not the fused
    pass: the setting holds there too, and the optimizer's L2 is back afterwards."""
    rng = numpy.random.default_rng(4)
    w0 = rng.normal(size=(5, 3)).astype("f")
    settings = dict(learn_rate=0.1, L2=0.5, L2_is_weight_decay=False, use_averages=False)
    adam = registry.resolve({"o": {"@optimizers": "fastpipe.Adam.v1", **settings,
                                   "decay_embeddings": False}})["o"]
    ref_l2, ref_plain = ThincAdam(**settings), ThincAdam(**dict(settings, L2=0.0))
    grad = rng.normal(size=w0.shape).astype("f")
    w_e, _ = adam((1, "E"), w0.copy(), grad.copy())
    w_w, _ = adam((1, "W"), w0.copy(), grad.copy())
    numpy.testing.assert_allclose(w_e, ref_plain((1, "E"), w0.copy(), grad.copy())[0], rtol=1e-6)
    numpy.testing.assert_allclose(w_w, ref_l2((1, "W"), w0.copy(), grad.copy())[0], rtol=1e-6)
    assert not numpy.allclose(w_e, w_w)
    assert adam.L2 == 0.5 and adam.decay_embeddings is False


def test_the_moving_average_is_thincs_updated_in_the_same_pass():
    """adam_step with ``averages`` gives the weights of the plain step and the average thinc's
    update_averages makes of them, over steps where the rate still changes (t < 9990) and
    where it is capped."""
    from thinc.api import NumpyOps

    from fastpipe.ml._optim import adam_step

    rng = numpy.random.default_rng(3)
    n = 1000
    w_fused = rng.normal(size=n).astype("f")
    w_plain = w_fused.copy()
    avg_fused, avg_thinc = numpy.zeros(n, dtype="f"), numpy.zeros(n, dtype="f")
    moments = [numpy.zeros(n, dtype="f") for _ in range(4)]
    for t in [1, 2, 3, 50, 9990, 20000]:
        grad = rng.normal(size=n).astype("f")
        rate = 1.0 - min((1.0 + t) / (10.0 + t), 0.9999)
        adam_step(w_fused, grad.copy(), moments[0], moments[1], 0.9, 0.999, 1e-8, 0.01, 1.0,
                  0.001, avg_fused, rate)
        adam_step(w_plain, grad.copy(), moments[2], moments[3], 0.9, 0.999, 1e-8, 0.01, 1.0,
                  0.001)
        NumpyOps().update_averages(avg_thinc, w_plain, t)
        numpy.testing.assert_array_equal(w_fused, w_plain)
        numpy.testing.assert_allclose(avg_fused, avg_thinc, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="different sizes"):
        adam_step(w_fused, grad, moments[0], moments[1], 0.9, 0.999, 1e-8, 0.01, 1.0, 0.0,
                  avg_fused[:10], 0.1)


def test_averages_kept_in_another_dtype_are_still_updated():
    """Averages the fused pass cannot write (float64, e.g. restored from elsewhere) take
    thinc's own update."""
    settings = dict(learn_rate=0.01, L2=0.01, grad_clip=1.0, use_averages=True)
    ours, ref = FusedAdam(**settings), ThincAdam(**settings)
    rng = numpy.random.default_rng(4)
    w_ours = rng.normal(size=(20, 3)).astype("f")
    w_ref = w_ours.copy()
    ours.averages[("p", 1)] = numpy.zeros((20, 3), dtype="float64")
    ref.averages[("p", 1)] = numpy.zeros((20, 3), dtype="float64")
    for _ in range(5):
        grad = rng.normal(size=(20, 3)).astype("f")
        w_ours, _ = ours(("p", 1), w_ours, grad.copy())
        w_ref, _ = ref(("p", 1), w_ref, grad.copy())
    assert ours.averages[("p", 1)].dtype == numpy.float64
    numpy.testing.assert_allclose(ours.averages[("p", 1)], ref.averages[("p", 1)], rtol=1e-5,
                                  atol=1e-6)
    assert numpy.abs(ours.averages[("p", 1)]).sum() > 0
