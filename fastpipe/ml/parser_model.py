"""The transition-based parser's model: a tok2vec, a precomputed maxout hidden layer over the
tokens of a state's context slots, and an optional output layer over the moves.

Architecture ``fastpipe.TransitionBasedParser.v1`` (for the parser and the entity recognizer).

The maths, for a batch of docs whose tok2vec rows are stacked into X (n_rows, nI):

    P = X @ W                    one product per batch; W is (nI, nF*nH*nP), so P[t] holds,
                                 for each slot f, token t's contribution when it fills slot f
    Z[s] = b + sum_f P[ids[s, f], slot f]     (the slot's learned pad row when ids[s, f] = -1)
    H[s] = dropout(max over the nP pieces of Z[s])                (Cython, one pass per step)
    scores[s] = H[s] @ U + c     with use_upper; without it H (width nO) are the scores

Backward: every step scatters its gradient into dP (a table shaped like P) with a nogil kernel
(only the winning piece of each unit gets gradient, so nH values per state and slot); once per
batch dX = dP @ W.T and dW += X.T @ dP (two products) and the tok2vec's backprop runs once.

Protocol for the component
--------------------------
Before ``initialize``: the number of moves: ``resize_output(model, n_moves)`` (works before and
after initialize; after, it keeps the trained weights of existing moves), or nO in the config.
``model.attrs["n_feats"]`` is the number of context slots the model reads: the component asks
each state for that many (``set_context_tokens(ids, n_feats)``; the parser's slots are a
prefix-friendly list, so a smaller count reads the first slots). It may set it before
initialize, never after.

A batch of docs, training::

    step, finish = model.begin_update(docs)       # runs the tok2vec once, computes P
    offsets = step.doc_offsets                    # int32 (n_docs + 1,): doc i's token j is
                                                  # global row offsets[i] + j
    loop while states are not final:
        ids = int32 (n_states, n_feats): global rows of the batch (-1 = empty slot): a
              doc-local position plus its doc's offset
        scores, backprop_step = step.begin_update(ids)   # (n_states, nO) float32
        ... choose moves, d_scores = gradient of the loss w.r.t. scores (same shape)
        backprop_step(d_scores)                   # accumulates; returns None
    finish()                                      # once per batch: lower-layer weight gradient,
                                                  # d(tokvecs), and the tok2vec's backprop
    model.finish_update(optimizer)                # after finish(), never between steps

``finish()`` (also ``step.finish()``; calling it twice does nothing) is what calls the tok2vec's
backprop — exactly once per batch, also when no step was backpropagated (zero gradient then), so
a listener tok2vec always gets its gradient. Steps whose backprop is never called contribute
nothing.

Prediction: ``step = model.predict(docs)`` then ``scores = step.predict(ids)`` per step. Scores
(and everything a step returns) are the caller's to keep or modify: a later call never
overwrites them. ``step.predict_reusing(ids)`` gives the same scores in buffers that its next
call overwrites, for a loop that is done with a step's scores before the next step.

Dropout (``set_dropout_rate``) applies to H when there is an output layer. Parameters (all
registered on thinc nodes, updated by ``finish_update``): lower W (nI, nF*nH*nP), pad (nF, nH*nP),
b (nH*nP,); upper W (nH, nO), b (nO,).
"""
from typing import Callable, List, Literal, Optional, Tuple

import numpy
from thinc.api import Model

from ..errors import Errors
from ..registry import registry
from . import _parser_kernels
from .maxout import dropout_mask_for
from .ops import fastpipe_ops, grad_array, ops_of
from .tok2vec import concat_rows, split_rows

#: Context slots per state type: (default, with extra_state_tokens).
N_FEATS = {"parser": (8, 13), "ner": (3, 4)}


@registry.architectures("fastpipe.TransitionBasedParser.v1")
def TransitionBasedParser(
    tok2vec: Model,
    state_type: Literal["parser", "ner"],
    extra_state_tokens: bool = False,
    hidden_width: int = 64,
    maxout_pieces: int = 2,
    use_upper: bool = True,
    nO: Optional[int] = None,
    n_feats: Optional[int] = None,
) -> Model:
    """A parser model: ``tok2vec`` (List[Doc] -> per-doc (n_tokens, width)), a precomputed
    maxout hidden layer (``hidden_width`` units of ``maxout_pieces`` pieces) over the context
    slots of ``state_type`` ("parser": 8 slots, 13 with ``extra_state_tokens``; "ner": 3, 4 with
    it; ``n_feats`` overrides), then with ``use_upper`` a linear layer to nO moves. Without
    ``use_upper`` the hidden layer's nO units are the scores (``hidden_width`` is ignored).
    nO (the number of moves) may come later: ``resize_output``."""
    if state_type not in N_FEATS:
        raise ValueError(
            f"fastpipe.TransitionBasedParser.v1: state_type must be 'parser' or 'ner', got "
            f"{state_type!r}"
        )
    if n_feats is None:
        n_feats = N_FEATS[state_type][1 if extra_state_tokens else 0]
    if n_feats < 1:
        raise ValueError(
            f"fastpipe.TransitionBasedParser.v1: n_feats must be positive, got {n_feats}"
        )
    if hidden_width < 1 or not 1 <= maxout_pieces <= 255:
        raise ValueError(
            "fastpipe.TransitionBasedParser.v1: hidden_width must be positive and maxout_pieces "
            f"in 1..255 (got {hidden_width}, {maxout_pieces})"
        )
    nH = hidden_width if use_upper else nO
    lower = Model(
        "parser_lower",
        _node_forward,
        init=_init_lower,
        ops=fastpipe_ops(),
        dims={"nI": None, "nF": n_feats, "nH": nH, "nP": maxout_pieces},
        params={"W": None, "pad": None, "b": None},
        attrs={"dropout_rate": 0.0},
    )
    layers = [tok2vec, lower]
    refs = {"tok2vec": tok2vec, "lower": lower}
    if use_upper:
        upper = Model(
            "parser_upper",
            _node_forward,
            init=_init_upper,
            ops=fastpipe_ops(),
            dims={"nI": hidden_width, "nO": nO},
            params={"W": None, "b": None},
        )
        layers.append(upper)
        refs["upper"] = upper
    return Model(
        "transition_based_parser",
        forward,
        init=init,
        ops=fastpipe_ops(),
        layers=layers,
        refs=refs,
        dims={"nO": nO},
        attrs={
            "state_type": state_type,
            "n_feats": int(n_feats),
            "hidden_width": int(hidden_width),
            "maxout_pieces": int(maxout_pieces),
            "use_upper": bool(use_upper),
        },
    )


def _node_forward(model: Model, X, is_train: bool):
    raise NotImplementedError(
        f"{model.name} is a part of fastpipe.TransitionBasedParser.v1; call the parser model"
    )


def _output_node(model: Model) -> Model:
    return model.get_ref("upper") if model.attrs["use_upper"] else model.get_ref("lower")


def _output_dim(model: Model) -> str:
    return "nO" if model.attrs["use_upper"] else "nH"


def init(model: Model, X=None, Y=None) -> Model:
    tok2vec = model.get_ref("tok2vec")
    lower = model.get_ref("lower")
    tok2vec.initialize(X=X)
    if not model.has_dim("nO"):
        raise ValueError(
            "fastpipe.TransitionBasedParser.v1: the number of moves (nO) is unknown. The "
            "component calls resize_output(model, n_moves) before initialize (or set nO)."
        )
    nO = model.get_dim("nO")
    out = _output_node(model)
    if out.get_dim(_output_dim(model)) != nO:
        _force_dim(out, _output_dim(model), nO)
    n_feats = int(model.attrs["n_feats"])
    if lower.get_dim("nF") != n_feats:
        _force_dim(lower, "nF", n_feats)
    _force_dim(lower, "nI", tok2vec.get_dim("nO"))
    lower.initialize()
    if model.attrs["use_upper"]:
        model.get_ref("upper").initialize()
    return model


def _init_lower(model: Model, X=None, Y=None) -> Model:
    nI, nF, nH, nP = (model.get_dim(d) for d in ("nI", "nF", "nH", "nP"))
    # Each hidden pre-activation sums nF*nI products: scale W so it keeps the input's variance.
    ops = ops_of(model)
    scale = numpy.sqrt(1.0 / (nF * nI))
    model.set_param("W", ops.random_normal(scale, (nI, nF * nH * nP)))
    model.set_param("pad", ops.random_normal(scale, (nF, nH * nP)))
    model.set_param("b", ops.alloc1f(nH * nP))
    return model


def _init_upper(model: Model, X=None, Y=None) -> Model:
    # Zero output weights: the first steps score every move alike and learn from there.
    ops = ops_of(model)
    model.set_param("W", ops.alloc2f(model.get_dim("nI"), model.get_dim("nO")))
    model.set_param("b", ops.alloc1f(model.get_dim("nO")))
    return model


def _force_dim(node: Model, name: str, value: int) -> None:
    """Set a dim of a node, also one set before. (thinc's ``set_dim(..., force=True)`` refuses
    while the node holds parameters: they are taken off for the change and put back as they
    were, for the caller to resize.)"""
    _reshape_node(node, {name: int(value)}, {})


def _reshape_node(node: Model, dims: dict, params: dict) -> None:
    """Change dims of a node (even set ones) and put in new arrays for some of its parameters:
    ``params`` maps a name to (value, gradient or None). Parameters not named keep theirs."""
    if all(node.has_dim(d) and node.get_dim(d) == v for d, v in dims.items()) and not params:
        return
    held = {name: node.get_param(name) for name in node.param_names if node.has_param(name)}
    for name in held:
        node.set_param(name, None)  # an unset parameter lets thinc change the dims
    try:
        for d, v in dims.items():
            node.set_dim(d, v, force=True)
    finally:
        for name, value in held.items():
            node.set_param(name, params[name][0] if name in params else value)
    for name, (_, grad) in params.items():
        if grad is not None:
            node.set_grad(name, grad)


def resize_output(model: Model, nO: int) -> Model:
    """Set the number of moves to nO. Before initialize this only sets the dims; after, the
    output parameters are resized keeping the weights of the first min(old, new) moves (new
    moves start at zero in the output layer, at random in a hidden layer used as output)."""
    nO = int(nO)
    if nO < 1:
        raise ValueError(Errors.E232.format(value=nO))
    out = _output_node(model)
    dim = _output_dim(model)
    old = out.get_dim(dim) if out.has_dim(dim) else None
    model.set_dim("nO", nO, force=True)  # the top node holds no parameters
    if old is None or old == nO or not out.has_param("W"):
        _force_dim(out, dim, nO)
        return model
    keep = min(old, nO)
    if model.attrs["use_upper"]:
        grow = {name: (lambda a: _grow_last(a, nO, keep)) for name in ("W", "b")}
    else:
        nF, nP = out.get_dim("nF"), out.get_dim("nP")
        fresh = _init_lower(_clone_lower(out, nO), None).get_param  # random rows for new units
        grow = {
            "W": lambda a: _grow_units(a, fresh("W"), nF, nP, keep),
            "pad": lambda a: _grow_units(
                a.reshape(1, -1), fresh("pad").reshape(1, -1), nF, nP, keep).reshape(nF, -1),
            "b": lambda a: _grow_units(a[None], fresh("b")[None], 1, nP, keep)[0],
        }
    params = {}
    for name, fn in grow.items():
        grad = fn(out.get_grad(name)) if out.has_grad(name) else None
        params[name] = (numpy.ascontiguousarray(fn(out.get_param(name))),
                        None if grad is None else numpy.ascontiguousarray(grad))
    _reshape_node(out, {dim: nO}, params)
    return model


def _clone_lower(lower: Model, nH: int) -> Model:
    dims = {d: lower.get_dim(d) for d in ("nI", "nF", "nP")}
    return Model("parser_lower_tmp", _node_forward, dims={**dims, "nH": nH},
                 params={"W": None, "pad": None, "b": None}, ops=ops_of(lower))


def _grow_last(a: numpy.ndarray, n: int, keep: int) -> numpy.ndarray:
    out = numpy.zeros(a.shape[:-1] + (n,), dtype=a.dtype)
    out[..., :keep] = a[..., :keep]
    return out


def _grow_units(a, fresh, nF: int, nP: int, keep: int) -> numpy.ndarray:
    """Resize the unit axis of a lower-layer array laid out (rows, nF*nH*nP); fresh has the
    new shape and gives the values of new units."""
    rows = a.shape[0]
    old = a.reshape(rows, nF, -1, nP)
    new = fresh.astype(a.dtype).reshape(rows, nF, -1, nP).copy()
    new[:, :, :keep] = old[:, :, :keep]
    return new.reshape(rows, -1)


def forward(model: Model, docs: List, is_train: bool):
    """docs -> (ParserStep, finish). See the module docstring for the protocol."""
    step = ParserStep(model, docs, is_train)
    return step, step.finish


class ParserStep:
    """The parser model bound to one batch of docs: scores states step by step."""

    def __init__(self, model: Model, docs: List, is_train: bool):
        self.model = model
        self.is_train = is_train
        ops = self.ops = ops_of(model)
        lower = self.lower = model.get_ref("lower")
        self.upper = model.get_ref("upper") if model.attrs["use_upper"] else None
        W = lower.get_param("W")
        self.dtype = W.dtype
        self.nI = W.shape[0]
        self.nF = lower.get_dim("nF")
        self.nH = lower.get_dim("nH")
        self.nP = lower.get_dim("nP")
        self.n_moves = model.get_dim("nO")
        tokvecs, self._bp_tok2vec = model.get_ref("tok2vec")(docs, is_train)
        lengths = numpy.asarray([len(x) for x in tokvecs], dtype=numpy.int32)
        self.lengths = lengths
        self.doc_offsets = numpy.zeros((len(lengths) + 1,), dtype=numpy.int32)
        numpy.cumsum(lengths, out=self.doc_offsets[1:])
        self.n_rows = int(self.doc_offsets[-1])
        X = concat_rows(ops, tokvecs, self.nI, self.dtype)
        del tokvecs
        self.P = ops.matmul(X, W, out=ops.workspace.get((self.n_rows, W.shape[1]), self.dtype,
                                                        recurring=True))
        self.X = X if is_train else None
        self._dP = None           # gradient table (like P), created by the first backprop_step
        self._step_grads = None   # the parameter gradients steps add into (see _grads)
        self._finished = False
        self._reused = None       # predict_reusing's buffers and parameters

    def get_doc_offsets(self) -> numpy.ndarray:
        """int32 (n_docs + 1,): doc i's token j is global row doc_offsets[i] + j."""
        return self.doc_offsets

    def _check_ids(self, ids) -> numpy.ndarray:
        if (not isinstance(ids, numpy.ndarray) or ids.dtype != numpy.int32
                or not ids.flags["C_CONTIGUOUS"]):
            ids = numpy.ascontiguousarray(ids, dtype=numpy.int32)
        if ids.ndim != 2 or ids.shape[1] != self.nF:
            raise ValueError(
                f"parser model: feature ids must be (n_states, {self.nF}) "
                f"(model.attrs['n_feats']), "
                f"got shape {ids.shape}"
            )
        return ids

    def _hidden(self, ids):
        lower = self.lower
        S = ids.shape[0]
        which = self.ops.alloc((S, self.nH), dtype=numpy.uint8, zeros=False)
        H = self.ops.alloc((S, self.nH), dtype=self.dtype, zeros=False)
        _parser_kernels.hidden_forward(self.P, lower.get_param("pad"), lower.get_param("b"),
                                       ids, self.nP, which, H)
        return H, which

    def predict(self, ids) -> numpy.ndarray:
        """Scores (n_states, n_moves) of the states whose slot rows are ids (n_states, nF)."""
        ids = self._check_ids(ids)
        H, _ = self._hidden(ids)
        if self.upper is None:
            return H
        return self._upper_forward(H)

    def predict_reusing(self, ids) -> numpy.ndarray:
        """``predict`` for a loop that consumes each step's scores before asking for the next:
        the same numbers, written into buffers that the next call overwrites, so a step
        allocates nothing (a component's prediction loop makes hundreds of steps a batch)."""
        ids = self._check_ids(ids)
        S = ids.shape[0]
        bufs = self._reused
        if bufs is None or bufs[0].shape[0] < S:
            lower, upper = self.lower, self.upper
            bufs = self._reused = (
                numpy.empty((S, self.nH), dtype=numpy.uint8),
                numpy.empty((S, self.nH), dtype=self.dtype),
                numpy.empty((S, self.n_moves), dtype=self.dtype) if upper is not None else None,
                lower.get_param("pad"), lower.get_param("b"),
                upper.get_param("W") if upper is not None else None,
                upper.get_param("b") if upper is not None else None,
            )
        which, H, scores, pad, b, U, c = bufs
        H = H[:S]
        _parser_kernels.hidden_forward(self.P, pad, b, ids, self.nP, which[:S], H)
        if scores is None:
            return H
        scores = self.ops.matmul(H, U, out=scores[:S])
        scores += c
        return scores

    def _upper_forward(self, H):
        U = self.upper.get_param("W")
        ops = self.ops
        scores = ops.matmul(H, U, out=ops.alloc((H.shape[0], U.shape[1]), dtype=self.dtype,
                                                zeros=False))
        scores += self.upper.get_param("b")
        return scores

    def begin_update(self, ids) -> Tuple[numpy.ndarray, Callable[[numpy.ndarray], None]]:
        """(scores, backprop_step); backprop_step(d_scores) accumulates the step's gradient."""
        if not self.is_train:
            raise ValueError(Errors.E234)
        if self._finished:
            raise ValueError(Errors.E235)
        ids = self._check_ids(ids)
        H, which = self._hidden(ids)
        upper = self.upper
        mask = None
        if upper is not None:
            mask = dropout_mask_for(self.lower, H.shape, self.dtype, True)
            if mask is not None:
                H *= mask
            scores = self._upper_forward(H)
        else:
            scores = H.copy()

        def backprop_step(d_scores: numpy.ndarray) -> None:
            if self._finished:
                raise ValueError(Errors.E236)
            d_scores = numpy.ascontiguousarray(d_scores, dtype=self.dtype)
            if d_scores.shape != scores.shape:
                raise ValueError(Errors.E237.format(expected=scores.shape,
                                                    shape=d_scores.shape))
            dP, d_pad, d_b, d_U, d_c = self._grads()
            if upper is not None:
                self.ops.matmul_add(H.T, d_scores, d_U)
                d_c += d_scores.sum(axis=0)
                dH = self.ops.matmul(d_scores, upper.get_param("W").T,
                                     out=self.ops.alloc(H.shape, dtype=self.dtype,
                                                        zeros=False))
                if mask is not None:
                    dH *= mask
            else:
                dH = d_scores
            _parser_kernels.hidden_backward(dH, which, ids, self.nP, dP, d_pad, d_b)

        return scores, backprop_step

    def _grads(self) -> tuple:
        """(dP, d pad, d b, d upper W, d upper b): the batch's gradient table and the arrays
        the steps add into, looked up once per batch (finish_update must wait for finish())."""
        if self._dP is None:
            self._dP = self.ops.workspace.zeros(self.P.shape, self.dtype)
            lower, upper = self.lower, self.upper
            self._step_grads = (grad_array(lower, "pad"), grad_array(lower, "b"),
                                grad_array(upper, "W") if upper is not None else None,
                                grad_array(upper, "b") if upper is not None else None)
        return (self._dP,) + self._step_grads

    def finish(self, _unused=None):
        """Once per batch, after the steps' backprops: lower-layer weight gradient and the
        tok2vec's backprop (returns what it returns). Later calls do nothing."""
        if self._finished or not self.is_train:
            return None
        self._finished = True
        lower = self.lower
        W = lower.get_param("W")
        dP = self._grads()[0]
        X = self.X
        self._dP = self.P = self.X = self._step_grads = None
        ops, ws = self.ops, self.ops.workspace
        ops.matmul_add(X.T, dP, grad_array(lower, "W"), tmp=ws.get(W.shape, self.dtype))
        dX = ops.matmul(dP, W.T, out=ws.get((dP.shape[0], self.nI), self.dtype))
        del dP, X
        return self._bp_tok2vec(split_rows(dX, self.lengths))
