"""The exchange's bookkeeping without Ray: row blocks, sparse gradients, pieces, stale
gradients, weight prediction and clipping, on a ParamExchange built with its own constructor."""
import numpy
import pytest
from thinc.api import Linear, chain

from fastpipe.ml._optim import extrapolate
from fastpipe.ml.optimizers import Adam
from fastpipe.parallel.exchange import (PIECE_BYTES, ParamExchange, pack_gradient, to_pieces,
                                        unpack_gradient)
from fastpipe.parallel.params import ParamTable, copy_rows


class _Proc:
    def __init__(self, model):
        self.model = model


class _NLP:
    def __init__(self, model):
        self.components = [("comp", _Proc(model))]


def _model(seed=0):
    model = chain(Linear(nO=5, nI=4), Linear(nO=2, nI=5))
    model.initialize()
    rng = numpy.random.RandomState(seed)
    for node in model.walk():
        for name in node.param_names:
            if node.has_param(name):
                node.set_param(name, rng.uniform(-1, 1, node.get_param(name).shape)
                               .astype("f"))
    return model


class _Worker:
    """One rank of two: a model and its exchange, as ``parallel.worker.Worker`` builds them."""

    def __init__(self, rank, optimizer=None, weight_prediction=1.0):
        self.model = _model()
        # W of the first layer (20 floats) is cut into 2 row blocks; everything else is whole
        table = ParamTable(_NLP(self.model), n_blocks=2, split_floats=16)
        self.ex = ParamExchange(table, optimizer or Adam(0.01, use_averages=False), rank, 2,
                                weight_prediction=weight_prediction)

    def train_step(self, seed):
        """A batch: random gradients on every parameter, stepped through the router."""
        rng = numpy.random.RandomState(seed)
        for node in self.model.walk():
            for name in node.param_names:
                if node.has_param(name):
                    node.set_grad(name, rng.normal(size=node.get_param(name).shape)
                                  .astype("f"))
        self.model.finish_update(self.ex.router)
        self.ex.router.step_schedules()
        self.ex.steps += 1


def test_large_arrays_are_cut_into_row_blocks_that_view_the_model():
    w = _Worker(0)
    first = w.model.layers[0]
    keys = [k for k in w.ex.table.keys if "/W" in k and k.startswith("comp/1:")]
    assert keys == ["comp/1:linear/W#0", "comp/1:linear/W#1"]
    assert [w.ex.table.rows[k] for k in keys] == [slice(0, 2), slice(2, 5)]
    assert w.ex.table.local_key(keys[1]) == (first.id, "W#1")
    assert {w.ex.owners[k] for k in keys} == {0, 1}  # the two halves go to different workers
    w.ex.table.set(keys[1], numpy.full((3, 4), 7.0, dtype="f"))
    assert (first.get_param("W")[2:] == 7).all() and (first.get_param("W")[:2] != 7).all()
    with pytest.raises(ValueError):
        w.ex.table.set(keys[1], numpy.zeros((2, 4), dtype="f"))
    # without blocks, the same model has one key per array
    assert len(ParamTable(_NLP(w.model)).keys) == len(w.ex.table.keys) - 1


def test_sparse_gradients_round_trip():
    grad = numpy.zeros((1000, 3), dtype="f")
    grad[[5, 17, 999]] = 1.5
    packed = pack_gradient(grad)
    assert isinstance(packed, tuple) and list(packed[0]) == [5, 17, 999]
    assert (unpack_gradient(packed, grad.shape) == grad).all()
    dense = numpy.ones((1000, 3), dtype="f")
    assert isinstance(pack_gradient(dense), numpy.ndarray)
    small = numpy.zeros((10, 3), dtype="f")
    out = unpack_gradient(pack_gradient(small), small.shape)
    assert out is not small and (out == small).all()


def test_large_arrays_travel_in_pieces_that_put_them_back_whole():
    rng = numpy.random.RandomState(0)
    table = rng.normal(size=(5000, 64)).astype("f")  # 1.28 MB
    pieces = to_pieces(table)
    assert isinstance(pieces, list) and len(pieces) == 3
    assert all(p.nbytes <= PIECE_BYTES and p.base is table for p in pieces)
    assert (copy_rows(pieces, numpy.zeros_like(table)) == table).all()
    with pytest.raises(ValueError):
        copy_rows(pieces[:-1], numpy.zeros_like(table))
    vector = rng.normal(size=300_000).astype("f")
    assert (copy_rows(to_pieces(vector), numpy.empty_like(vector)) == vector).all()
    small = table[:10]
    assert to_pieces(small) is small
    # gradients: dense and sparse ones whose values are large go in pieces too
    dense = table.copy()
    packed = pack_gradient(dense)
    assert isinstance(packed, list) and (unpack_gradient(packed, dense.shape) == table).all()
    sparse = numpy.zeros((40_000, 64), dtype="f")
    sparse[::3] = 1.0  # a third of the rows: 3.4 MB of values
    rows, values = pack_gradient(sparse)
    assert isinstance(values, list) and len(rows) == 13_334
    assert (unpack_gradient((rows, values), sparse.shape) == sparse).all()
    # a parameter block takes its new value from pieces
    w = _Worker(0)
    key = "comp/1:linear/W#1"
    w.ex.table.set(key, [numpy.full((1, 4), 3.0, dtype="f"), numpy.full((2, 4), 4.0, dtype="f")])
    assert (w.ex.table.get(key) == [[3] * 4, [4] * 4, [4] * 4]).all()
    with pytest.raises(ValueError):
        w.ex.table.set(key, [numpy.zeros((1, 4), dtype="f")])


def test_gradients_go_to_the_owner_which_steps_with_them_and_sends_its_copy_back():
    a, b = _Worker(0), _Worker(1)
    owned_by_a = [k for k in a.ex.table.keys if a.ex.owners[k] == 0]
    owned_by_b = [k for k in b.ex.table.keys if b.ex.owners[k] == 1]
    assert owned_by_a and owned_by_b
    before = {k: b.ex.table.get(k).copy() for k in owned_by_a}
    b.train_step(seed=1)
    # B leaves A's blocks alone and queues their gradients for A, tagged with their version
    assert set(b.ex._grads_out[0]) == set(owned_by_a)
    for key in owned_by_a:
        assert (b.ex.table.get(key) == before[key]).all()
        version, grad = b.ex._grads_out[0][key]
        assert version == 0 and (unpack_gradient(grad, before[key].shape) != 0).any()
    assert set(b.ex._updated) == set(owned_by_b)  # B stepped its own blocks
    a.ex.receive(1, b.ex.steps, 7, {"params": None, "grads": b.ex._grads_out.pop(0)})
    assert a.ex.peer_progress[1] == (1, 7)
    a.train_step(seed=2)  # A steps its blocks with its own gradient, then with B's
    assert a.ex.stats["grads_applied"] == len(owned_by_a)
    assert all(a.ex.version[k] == 1 for k in owned_by_a)
    # A's new copies reach B, which takes them as they are
    b.ex.receive(0, a.ex.steps, 0, {"params": a.ex.param_payload(owned_by_a), "grads": {}})
    b.ex.take_params()
    for key in owned_by_a:
        assert (b.ex.table.get(key) == a.ex.table.get(key)).all()
        assert b.ex.version[key] == 1
    # an older copy arriving late does not win over the newer one
    old = {k: (0, numpy.zeros_like(a.ex.table.get(k))) for k in owned_by_a}
    b.ex.receive(0, 0, 0, {"params": old, "grads": {}})
    b.ex.take_params()
    assert all((b.ex.table.get(k) == a.ex.table.get(k)).all() for k in owned_by_a)


def test_one_optimizer_step_per_received_gradient_matches_stepping_them_in_turn():
    a, b = _Worker(0), _Worker(1)
    owned_by_a = [k for k in a.ex.table.keys if a.ex.owners[k] == 0]
    b.train_step(seed=1)
    grads = b.ex._grads_out.pop(0)
    start = {k: a.ex.table.get(k).copy() for k in owned_by_a}
    a.ex.receive(1, 1, 0, {"params": None, "grads": grads})
    a.ex.step_received()  # no local gradient: only B's
    reference = Adam(0.01, use_averages=False)
    for key in owned_by_a:
        shape = start[key].shape
        expected, _ = reference(a.ex.table.local_key(key), start[key].copy(),
                                unpack_gradient(grads[key][1], shape))
        assert numpy.array_equal(a.ex.table.get(key), expected)
    assert set(a.ex._updated) == set(owned_by_a)


def test_stale_gradients_are_dropped():
    a, b = _Worker(0), _Worker(1)
    owned_by_a = [k for k in a.ex.table.keys if a.ex.owners[k] == 0]
    b.train_step(seed=1)
    for key in owned_by_a:
        a.ex.version[key] = 100  # far beyond max_staleness
    before = {k: a.ex.table.get(k).copy() for k in owned_by_a}
    a.ex.receive(1, b.ex.steps, 0, {"params": None, "grads": b.ex._grads_out.pop(0)})
    a.ex.step_received()
    assert a.ex.stats["stale_grads"] == len(owned_by_a) and a.ex.stats["grads_applied"] == 0
    assert all((a.ex.table.get(k) == before[k]).all() for k in owned_by_a)
    assert not a.ex._updated and not a.ex.in_grads


def test_a_dead_peers_blocks_go_to_the_survivor_with_a_version_that_wins():
    a = _Worker(0)
    owned_by_b = [k for k in a.ex.table.keys if a.ex.owners[k] == 1]
    a.ex.peers_died([1])
    assert a.ex.owners[owned_by_b[0]] == 1  # handled on the training thread, not at once
    a.ex.handle_deaths()
    assert a.ex.alive == {0}
    assert all(a.ex.owners[k] == 0 for k in a.ex.table.keys)
    assert all(a.ex.version[k] > 1000 for k in owned_by_b)
    assert set(a.ex._updated) == set(owned_by_b)


def test_extrapolate_moves_weights_along_their_last_change_and_keeps_them():
    weights = numpy.array([1.0, 2.0, -3.0], dtype="f")
    previous = numpy.array([0.5, 2.0, -1.0], dtype="f")
    extrapolate(weights, previous, 0.5)
    assert weights.tolist() == [1.25, 2.0, -4.0]
    assert previous.tolist() == [1.0, 2.0, -3.0]
    with pytest.raises(ValueError):
        extrapolate(weights, previous[:2], 1.0)


def _weights(worker):
    return {k: worker.ex.table.get(k).copy() for k in worker.ex.table.keys}


def test_prediction_runs_the_batch_on_weights_moved_on_and_puts_them_back():
    w = _Worker(0, weight_prediction=0.5)
    w.ex.owners = {k: 0 for k in w.ex.table.keys}  # it steps every block (its peer is alive)
    w.ex.predict()  # the first batch: nothing to go by yet
    assert not w.ex._predicted
    w.ex.unpredict()
    start = _weights(w)
    w.train_step(seed=1)  # a step: every array (and block) changes
    stepped = _weights(w)
    assert all(not numpy.array_equal(start[k], stepped[k]) for k in start)
    w.ex.predict()
    assert sorted(w.ex._predicted) == sorted(w.ex.table.keys)
    for key, value in _weights(w).items():
        expected = stepped[key] + numpy.float32(0.5) * (stepped[key] - start[key])
        numpy.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-7)
    w.ex.unpredict()
    for key, value in _weights(w).items():
        assert numpy.array_equal(value, stepped[key])
    # the next prediction goes by the change since this batch, not since the first
    w.train_step(seed=2)
    again = _weights(w)
    w.ex.predict()
    for key, value in _weights(w).items():
        expected = again[key] + numpy.float32(0.5) * (again[key] - stepped[key])
        numpy.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-7)
    w.ex.unpredict()


def test_the_optimizer_steps_the_weights_as_they_were_not_the_predicted_ones():
    predicting, plain = _Worker(0), _Worker(0, weight_prediction=0.0)
    for w in (predicting, plain):
        w.ex.owners = {k: 0 for k in w.ex.table.keys}
        w.ex.predict()
        w.train_step(seed=1)
        w.ex.predict()
    assert predicting.ex._predicted and not plain.ex._predicted
    assert any(not numpy.array_equal(v, plain.ex.table.get(k))
               for k, v in _weights(predicting).items())
    for w in (predicting, plain):
        w.train_step(seed=2)  # the router puts the weights back before its first step
    assert not predicting.ex._predicted
    for key, value in _weights(predicting).items():
        assert numpy.array_equal(value, plain.ex.table.get(key))


def test_a_worker_alone_or_told_not_to_does_not_predict():
    alone, off = _Worker(0), _Worker(0, weight_prediction=0.0)
    alone.ex.alive = {0}
    for w in (alone, off):
        w.ex.predict()
        w.train_step(seed=1)
        stepped = _weights(w)
        w.ex.predict()
        assert not w.ex._predicted
        assert all(numpy.array_equal(v, stepped[k]) for k, v in _weights(w).items())


def test_adam_with_beta1_zero_still_steps():
    optimizer = Adam(0.1, beta1=0.0, use_averages=False)
    weights = numpy.ones(4, dtype="f")
    gradient = numpy.ones(4, dtype="f")
    weights, _ = optimizer(("k", "W"), weights, gradient)
    assert (weights < 1).all() and (gradient == 0).all()


def test_a_cut_array_is_clipped_by_its_whole_norm_as_in_one_process():
    w = _Worker(0)
    w.ex.owners = {k: 0 for k in w.ex.table.keys}  # one worker owns every block
    w.ex.optimizer = Adam(0.01, grad_clip=1.0, use_averages=False)
    first = w.model.layers[0]
    before = first.get_param("W").copy()
    rng = numpy.random.RandomState(3)
    # the two blocks' shares of the norm change from step to step (rows 0-1, rows 2-4)
    grads = [rng.normal(size=(5, 4)).astype("f") * numpy.array([[s]] * 2 + [[t]] * 3, "f")
             for s, t in ((10.0, 0.1), (0.1, 10.0), (3.0, 3.0))]
    whole, expected = Adam(0.01, grad_clip=1.0, use_averages=False), before.copy()
    blocks, apart = Adam(0.01, grad_clip=1.0, use_averages=False), before.copy()
    for grad in grads:
        w.ex.router((first.id, "W"), first.get_param("W"), grad.copy())
        expected, _ = whole(("x", "W"), expected, grad.copy())
        for i, rows in enumerate((slice(0, 2), slice(2, 5))):
            apart[rows] = blocks(("x", f"W#{i}"), apart[rows].copy(), grad[rows].copy())[0]
    assert numpy.allclose(first.get_param("W"), expected, atol=1e-6)
    # clipping each block by its own norm gives another result
    assert not numpy.allclose(apart, expected, atol=1e-4)


def test_averages_of_a_cut_array_are_put_back_together_for_evaluation():
    w = _Worker(0)
    w.ex.owners = {k: 0 for k in w.ex.table.keys}
    w.ex.optimizer = Adam(0.01, use_averages=True)
    for seed in range(3):
        w.train_step(seed)
    first = w.model.layers[0]
    averages = w.ex.optimizer.averages
    assert (first.id, "W") not in averages  # the optimizer only knows the blocks
    merged = w.ex.table.whole_averages(averages)
    whole = numpy.concatenate([averages[(first.id, "W#0")], averages[(first.id, "W#1")]])
    assert (merged[(first.id, "W")] == whole).all()
    current = first.get_param("W").copy()
    assert not numpy.allclose(whole, current)
    with w.model.use_params(merged):
        assert (first.get_param("W") == whole).all()
    assert (first.get_param("W") == current).all()
    assert w.ex.table.whole_averages(None) is None
