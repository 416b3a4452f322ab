"""The exchange's bookkeeping without Ray: row blocks, sparse gradients, the echo of a worker's
own updates and how it is reconciled with the owner's copy, weight prediction, and beta1 for
asynchrony."""
import threading
from collections import defaultdict, deque

import numpy
import pytest
from thinc.api import Linear, chain

from fastpipe.ml._optim import extrapolate
from fastpipe.ml.optimizers import Adam
from fastpipe.parallel.exchange import (PIECE_BYTES, ParamExchange, _Router, async_beta1,
                                        pack_gradient, to_pieces, unpack_gradient)
from fastpipe.parallel.params import ParamTable, assign_owners, copy_rows
from fastpipe.parallel.worker import _set_beta1


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


class _Worker(ParamExchange):
    """The attributes ``Worker`` gives the exchange, for one rank of two."""

    def __init__(self, rank, echo=True):
        self.rank = rank
        self.model = _model()
        # W of the first layer (20 floats) is cut into 2 row blocks; everything else is whole
        self.table = ParamTable(_NLP(self.model), n_blocks=2, split_floats=16)
        self.sizes = self.table.sizes()
        self.owners = assign_owners(self.sizes, [0, 1])
        self.version = {k: 0 for k in self.table.keys}
        self.optimizer = Adam(0.01, use_averages=False)
        self.lock = threading.Lock()
        self.in_grads = defaultdict(list)
        self.in_params = {}
        self.applied = defaultdict(dict)
        self._deltas = defaultdict(deque)
        self._spare = {}
        self._grads_out = defaultdict(dict)
        self._updated = set()
        self.peer_progress = {}
        self.stats = defaultdict(int)
        self.steps = 0
        self.max_staleness = 8
        self.echo = echo
        self.router = _Router(self)
        self.alive = {0, 1}
        self.weight_prediction = 1.0
        self._before = {}
        self._predicted = {}

    def train_step(self, seed):
        rng = numpy.random.RandomState(seed)
        for node in self.model.walk():
            for name in node.param_names:
                if node.has_param(name):
                    node.set_grad(name, rng.normal(size=node.get_param(name).shape)
                                  .astype("f"))
        self.model.finish_update(self.router)
        self.steps += 1


def test_large_arrays_are_cut_into_row_blocks_that_view_the_model():
    w = _Worker(0)
    first = w.model.layers[0]
    keys = [k for k in w.table.keys if "/W" in k and k.startswith("comp/1:")]
    assert keys == ["comp/1:linear/W#0", "comp/1:linear/W#1"]
    assert [w.table.rows[k] for k in keys] == [slice(0, 2), slice(2, 5)]
    assert w.table.local_key(keys[1]) == (first.id, "W#1")
    assert {w.owners[k] for k in keys} == {0, 1}  # the two halves go to different workers
    w.table.set(keys[1], numpy.full((3, 4), 7.0, dtype="f"))
    assert (first.get_param("W")[2:] == 7).all() and (first.get_param("W")[:2] != 7).all()
    with pytest.raises(ValueError):
        w.table.set(keys[1], numpy.zeros((2, 4), dtype="f"))
    # without blocks, the same model has one key per array
    assert len(ParamTable(_NLP(w.model)).keys) == len(w.table.keys) - 1


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
    w.table.set(key, [numpy.full((1, 4), 3.0, dtype="f"), numpy.full((2, 4), 4.0, dtype="f")])
    assert (w.table.get(key) == [[3] * 4, [4] * 4, [4] * 4]).all()
    with pytest.raises(ValueError):
        w.table.set(key, [numpy.zeros((1, 4), dtype="f")])


def test_echo_and_reconciliation_give_the_owner_copy_plus_unaccounted_own_steps():
    a, b = _Worker(0), _Worker(1)
    owned_by_a = [k for k in a.table.keys if a.owners[k] == 0]
    before = {k: b.table.get(k).copy() for k in owned_by_a}
    b.train_step(seed=1)  # B's step 0: gradients for A's blocks go out, and are echoed
    assert set(b._grads_out[0]) == set(owned_by_a)
    for key in owned_by_a:
        assert not numpy.allclose(b.table.get(key), before[key])  # the echo moved B's copy
        assert len(b._deltas[key]) == 1 and b._deltas[key][0][0] == 0
    a.receive_grads(1, b.steps, 0, b._grads_out.pop(0))
    a.train_step(seed=2)  # A steps its blocks with its own gradient, then with B's
    assert a.stats["grads_applied"] == len(owned_by_a)
    assert all(a.applied[k] == {1: 0} for k in owned_by_a)
    b.receive_params(0, a.steps, 0, a._param_payload(owned_by_a))
    b._take_params()
    for key in owned_by_a:  # B's step 0 is in A's copy: B takes it as it is
        assert (b.table.get(key) == a.table.get(key)).all()
        assert not b._deltas[key]
    # B's step 1 is not in A's next copy yet: B adds its change on top of it
    b.train_step(seed=3)
    deltas = {k: b._deltas[k][0][1].copy() for k in owned_by_a}
    for key in owned_by_a:
        a.version[key] += 1
    b.receive_params(0, a.steps, 0, a._param_payload(owned_by_a))
    b._take_params()
    for key in owned_by_a:
        numpy.testing.assert_allclose(b.table.get(key), a.table.get(key) + deltas[key],
                                      rtol=1e-6)


def test_without_echo_a_worker_leaves_blocks_owned_elsewhere_alone():
    b = _Worker(1, echo=False)
    owned_by_a = [k for k in b.table.keys if b.owners[k] == 0]
    before = {k: b.table.get(k).copy() for k in owned_by_a}
    b.train_step(seed=1)
    for key in owned_by_a:
        assert (b.table.get(key) == before[key]).all()
        assert (unpack_gradient(b._grads_out[0][key][2], before[key].shape) != 0).any()


def test_stale_gradients_are_dropped_but_accounted_for():
    a, b = _Worker(0), _Worker(1)
    owned_by_a = [k for k in a.table.keys if a.owners[k] == 0]
    b.train_step(seed=1)
    for key in owned_by_a:
        a.version[key] = 100  # far beyond max_staleness
    a.receive_grads(1, b.steps, 0, b._grads_out.pop(0))
    a._step_received()
    assert a.stats["stale_grads"] == len(owned_by_a) and a.stats["grads_applied"] == 0
    assert all(a.applied[k] == {1: 0} for k in owned_by_a)


def test_extrapolate_moves_weights_along_their_last_change_and_keeps_them():
    weights = numpy.array([1.0, 2.0, -3.0], dtype="f")
    previous = numpy.array([0.5, 2.0, -1.0], dtype="f")
    extrapolate(weights, previous, 0.5)
    assert weights.tolist() == [1.25, 2.0, -4.0]
    assert previous.tolist() == [1.0, 2.0, -3.0]
    with pytest.raises(ValueError):
        extrapolate(weights, previous[:2], 1.0)


def _weights(worker):
    return {k: worker.table.get(k).copy() for k in worker.table.keys}


def test_prediction_runs_the_batch_on_weights_moved_on_and_puts_them_back():
    w = _Worker(0)
    w.weight_prediction = 0.5
    w._predict()  # the first batch: nothing to go by yet
    assert not w._predicted
    w._unpredict()
    start = _weights(w)
    w.train_step(seed=1)  # a step: every array (and block) changes
    stepped = _weights(w)
    assert all(not numpy.array_equal(start[k], stepped[k]) for k in start)
    w._predict()
    assert sorted(w._predicted) == sorted(w.table.keys)
    for key, value in _weights(w).items():
        expected = stepped[key] + numpy.float32(0.5) * (stepped[key] - start[key])
        numpy.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-7)
    w._unpredict()
    for key, value in _weights(w).items():
        assert numpy.array_equal(value, stepped[key])
    # the next prediction goes by the change since this batch, not since the first
    w.train_step(seed=2)
    again = _weights(w)
    w._predict()
    for key, value in _weights(w).items():
        expected = again[key] + numpy.float32(0.5) * (again[key] - stepped[key])
        numpy.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-7)
    w._unpredict()


def test_the_optimizer_steps_the_weights_as_they_were_not_the_predicted_ones():
    predicting, plain = _Worker(0), _Worker(0)
    plain.weight_prediction = 0.0
    for w in (predicting, plain):
        w._predict()
        w.train_step(seed=1)
        w._predict()
    assert predicting._predicted and not plain._predicted
    assert any(not numpy.array_equal(v, plain.table.get(k))
               for k, v in _weights(predicting).items())
    for w in (predicting, plain):
        w.train_step(seed=2)  # the router puts the weights back before its first step
    assert not predicting._predicted
    for key, value in _weights(predicting).items():
        assert numpy.array_equal(value, plain.table.get(key))


def test_a_worker_alone_or_told_not_to_does_not_predict():
    alone, off = _Worker(0), _Worker(0)
    alone.alive = {0}
    off.weight_prediction = 0.0
    for w in (alone, off):
        w._predict()
        w.train_step(seed=1)
        stepped = _weights(w)
        w._predict()
        assert not w._predicted
        assert all(numpy.array_equal(v, stepped[k]) for k, v in _weights(w).items())


def test_async_beta1_takes_off_the_momentum_of_asynchrony():
    assert async_beta1(0.9, 1) == pytest.approx(0.9)
    assert async_beta1(0.9, 2) == pytest.approx(0.4)
    assert async_beta1(0.9, 32) == 0.0
    optimizer = Adam(0.001, beta1=0.9)
    assert _set_beta1(optimizer, 2, None) == pytest.approx(0.4)
    # workers that predict their weights keep the config's beta1, unless told otherwise
    assert _set_beta1(Adam(0.001, beta1=0.9), 2, None, lower=False) == pytest.approx(0.9)
    assert _set_beta1(Adam(0.001), 2, 0.3, lower=False) == pytest.approx(0.3)
    assert _set_beta1(Adam(0.001), 4, 0.3) == pytest.approx(0.3)
    scheduled = Adam(0.001, beta1=[0.9, 0.8, 0.7])
    _set_beta1(scheduled, 2, None)
    scheduled.step_schedules()
    assert scheduled.b1 == pytest.approx(0.3)


def test_adam_with_beta1_zero_still_steps():
    optimizer = Adam(0.1, beta1=0.0, use_averages=False)
    weights = numpy.ones(4, dtype="f")
    gradient = numpy.ones(4, dtype="f")
    weights, _ = optimizer(("k", "W"), weights, gradient)
    assert (weights < 1).all() and (gradient == 0).all()


def test_a_cut_array_is_clipped_by_its_whole_norm_as_in_one_process():
    w = _Worker(0)
    w.owners = {k: 0 for k in w.table.keys}  # one worker owns every block
    w.optimizer = Adam(0.01, grad_clip=1.0, use_averages=False)
    first = w.model.layers[0]
    before = first.get_param("W").copy()
    rng = numpy.random.RandomState(3)
    # the two blocks' shares of the norm change from step to step (rows 0-1, rows 2-4)
    grads = [rng.normal(size=(5, 4)).astype("f") * numpy.array([[s]] * 2 + [[t]] * 3, "f")
             for s, t in ((10.0, 0.1), (0.1, 10.0), (3.0, 3.0))]
    whole, expected = Adam(0.01, grad_clip=1.0, use_averages=False), before.copy()
    blocks, apart = Adam(0.01, grad_clip=1.0, use_averages=False), before.copy()
    for grad in grads:
        w.router((first.id, "W"), first.get_param("W"), grad.copy())
        expected, _ = whole(("x", "W"), expected, grad.copy())
        for i, rows in enumerate((slice(0, 2), slice(2, 5))):
            apart[rows] = blocks(("x", f"W#{i}"), apart[rows].copy(), grad[rows].copy())[0]
    assert numpy.allclose(first.get_param("W"), expected, atol=1e-6)
    # clipping each block by its own norm gives another result
    assert not numpy.allclose(apart, expected, atol=1e-4)


def test_averages_of_a_cut_array_are_put_back_together_for_evaluation():
    w = _Worker(0)
    w.owners = {k: 0 for k in w.table.keys}
    w.optimizer = Adam(0.01, use_averages=True)
    for seed in range(3):
        w.train_step(seed)
    first = w.model.layers[0]
    averages = w.optimizer.averages
    assert (first.id, "W") not in averages  # the optimizer only knows the blocks
    merged = w.table.whole_averages(averages)
    whole = numpy.concatenate([averages[(first.id, "W#0")], averages[(first.id, "W#1")]])
    assert (merged[(first.id, "W")] == whole).all()
    current = first.get_param("W").copy()
    assert not numpy.allclose(whole, current)
    with w.model.use_params(merged):
        assert (first.get_param("W") == whole).all()
    assert (first.get_param("W") == current).all()
    assert w.table.whole_averages(None) is None
