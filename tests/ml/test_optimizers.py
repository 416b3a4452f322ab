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
