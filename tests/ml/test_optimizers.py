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
    assert ours.live_rows[("bow", 1)].sum() < rows / 10


def test_nonzero_rows():
    from fastpipe.ml._optim import nonzero_rows

    x = numpy.zeros((100, 5), dtype="f")
    x[[3, 50, 99], [0, 4, 2]] = 1.0
    x[60, 1] = -0.0  # negative zero is zero
    rows = nonzero_rows(x)
    assert rows.dtype == numpy.int32 and list(rows) == [3, 50, 99]
    assert len(nonzero_rows(numpy.zeros((0, 5), dtype="f"))) == 0
