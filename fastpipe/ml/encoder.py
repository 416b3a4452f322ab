"""MaxoutWindowEncoder and MishWindowEncoder: ``depth`` residual layers of window -> maxout
(or Mish) -> layer norm; BiLSTMEncoder: ``depth`` bidirectional LSTM layers.

Each layer sees, for every token, its own vector and those of its ``window_size`` neighbours on
each side within the same doc (zeros past the doc's edges, never a token of the next doc in the
batch), concatenated; a maxout+layer-norm block (or an affine map, Mish and layer norm: one
weight matrix where maxout has ``maxout_pieces``, and a smooth activation) maps that back to
``width`` and the result is added to the layer's input.

The BiLSTM encoder sees the whole doc: each layer runs an LSTM of ``width / 2`` units forwards
and one backwards over every doc and concatenates their outputs (``lstm.py``: NumPy and BLAS, no
PyTorch), so it also builds spaCy's ``TorchBiLSTMEncoder.v1`` configs.

Input and output: a thinc Ragged over the whole batch (data (n_tokens, width), lengths per doc).
"""
import numpy
from thinc.api import Dropout, Model, chain
from thinc.types import Ragged

from ..errors import Errors
from ..registry import registry
from . import _kernels
from .lstm import BiLSTMLayer
from .maxout import dropout_mask_for, init_maxout_norm, maxout_norm_forward
from .ops import fastpipe_ops, grad_array, ops_of


@registry.architectures("fastpipe.MaxoutWindowEncoder.v1")
def MaxoutWindowEncoder(width: int, window_size: int, maxout_pieces: int, depth: int) -> Model[Ragged, Ragged]:
    """``depth`` residual maxout layers over windows of ``window_size`` tokens each side."""
    if width < 1 or window_size < 0 or maxout_pieces < 1 or depth < 1:
        raise ValueError(
            "fastpipe.MaxoutWindowEncoder.v1: width, maxout_pieces and depth must be positive and "
            f"window_size non-negative (got {width}, {maxout_pieces}, {depth}, {window_size})"
        )
    if maxout_pieces > 255:
        raise ValueError(Errors.E225.format(maxout_pieces=maxout_pieces))
    layers = [window_maxout_layer(width, window_size, maxout_pieces) for _ in range(depth)]
    model = chain(*layers) if depth > 1 else layers[0]
    model.ops = fastpipe_ops()  # thinc's chain takes thinc's current ops
    model.attrs["window_size"] = window_size
    return model


@registry.architectures("fastpipe.MishWindowEncoder.v1")
def MishWindowEncoder(width: int, window_size: int, depth: int) -> Model[Ragged, Ragged]:
    """``depth`` residual Mish layers over windows of ``window_size`` tokens each side."""
    if width < 1 or window_size < 0 or depth < 1:
        raise ValueError(Errors.E871.format(width=width, depth=depth, window_size=window_size))
    layers = [window_maxout_layer(width, window_size, 1, name="window_mish")
              for _ in range(depth)]
    model = chain(*layers) if depth > 1 else layers[0]
    model.ops = fastpipe_ops()
    model.attrs["window_size"] = window_size
    return model


@registry.architectures("fastpipe.BiLSTMEncoder.v1")
def BiLSTMEncoder(width: int, depth: int, dropout: float) -> Model[Ragged, Ragged]:
    """``depth`` bidirectional LSTM layers of ``width / 2`` units each way, with ``dropout``
    on the outputs of all but the last, in training; depth 0 passes the embeddings on."""
    if width < 2 or width % 2 or depth < 0 or not 0.0 <= dropout < 1.0:
        raise ValueError(Errors.E872.format(width=width, depth=depth, dropout=dropout))
    layers = []
    for i in range(depth):
        if i:
            layers.append(Dropout(dropout))
        layers.append(BiLSTMLayer(width, width // 2))
    return Model("bilstm_encoder", _layers_forward, layers=layers, ops=fastpipe_ops(),
                 dims={"nO": width, "nI": width}, init=_init_layers)


def _init_layers(model: Model, X=None, Y=None) -> Model:
    for layer in model.layers:
        layer.initialize()
    return model


def _layers_forward(model: Model, X, is_train: bool):
    """The layers one after the other (none: X unchanged)."""
    backprops = []
    for layer in model.layers:
        X, backprop = layer(X, is_train)
        backprops.append(backprop)

    def backprop_all(dY):
        for backprop in reversed(backprops):
            dY = backprop(dY)
        return dY

    return X, backprop_all


def window_maxout_layer(width: int, window_size: int, pieces: int,
                        name: str = "window_maxout") -> Model[Ragged, Ragged]:
    """One residual layer: X + dropout(layer_norm(maxout(window(X)))), or with ``name``
    "window_mish" X + dropout(layer_norm(mish(window(X) @ W + b)))."""
    return Model(
        name,
        forward,
        init=init,
        ops=fastpipe_ops(),
        dims={"nO": width, "nI": width, "nP": pieces, "nW": window_size},
        params={"W": None, "b": None, "G": None, "beta": None},
        attrs={"dropout_rate": 0.0},
    )


def init(model: Model, X=None, Y=None) -> Model:
    width = model.get_dim("nO")
    n_windows = 2 * model.get_dim("nW") + 1
    init_maxout_norm(model, width * n_windows, width, model.get_dim("nP"))
    return model


def forward(model: Model, Xr: Ragged, is_train: bool):
    X = Xr.dataXd
    lengths = Xr.lengths
    nW = model.get_dim("nW")
    n, width = X.shape
    dtype = model.get_param("W").dtype
    if X.dtype != dtype or not X.flags["C_CONTIGUOUS"]:
        X = numpy.ascontiguousarray(X, dtype=dtype)
    ws = ops_of(model).workspace
    windows = ws.get((n, (2 * nW + 1) * width), dtype)
    _kernels.window_forward(X, lengths, nW, windows)
    block_forward = mish_norm_forward if model.name == "window_mish" else maxout_norm_forward
    Y, block_backprop = block_forward(model, windows, is_train)
    del windows
    out = ws.get((n, width), dtype)
    numpy.add(X, Y, out=out)
    del Y

    def backprop(dOut: Ragged) -> Ragged:
        d_out = numpy.ascontiguousarray(dOut.dataXd, dtype=dtype)
        d_windows = block_backprop(d_out)
        dX = ws.get((n, width), dtype)
        _kernels.window_backward(d_windows, lengths, nW, dX)
        dX += d_out
        return Ragged(dX, lengths)

    return Ragged(out, lengths), backprop


def mish_norm_forward(model: Model, X: numpy.ndarray, is_train: bool):
    """Y = dropout(layer_norm(mish(X @ W + b))) with the node's parameters (``W`` (nI, nO),
    laid out as a maxout node's with one piece); returns (Y, backprop to X)."""
    W, G = model.get_param("W"), model.get_param("G")
    n, nO, dtype = X.shape[0], G.shape[0], W.dtype
    ops = ops_of(model)
    ws = ops.workspace
    Z = ops.matmul(X, W, out=ws.get((n, nO), dtype))
    xhat = ws.get((n, nO), dtype)
    rstd = ws.get((n,), dtype)
    Y = ws.get((n, nO), dtype)
    mask = dropout_mask_for(model, (n, nO), dtype, is_train)
    _kernels.mish_norm_forward(Z, model.get_param("b"), G, model.get_param("beta"), mask,
                               xhat, rstd, Y)

    def backprop(dY: numpy.ndarray) -> numpy.ndarray:
        dY = numpy.ascontiguousarray(dY, dtype=dtype)
        dZ = ws.get((n, nO), dtype)
        _kernels.mish_norm_backward(dY, mask, Z, xhat, rstd, G, grad_array(model, "G"),
                                    grad_array(model, "beta"), grad_array(model, "b"), dZ)
        ops.matmul_add(X.T, dZ, grad_array(model, "W"), tmp=ws.get(W.shape, dtype))
        return ops.matmul(dZ, W.T, out=ws.get((n, W.shape[0]), dtype))

    return Y, backprop
