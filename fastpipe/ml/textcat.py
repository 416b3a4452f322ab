"""Text classifiers: output one row of class scores per Doc, Floats2d (n_docs, nO).

* TextCatBOW: hashed bag of 1..n-grams of the tokens' exact text (ORTH) -> sparse linear layer,
  each n-gram weighted by two rows of the table -> softmax (exclusive classes) or logistic
  (independent labels), or raw scores without an output layer.
* TextCatEnsemble: tok2vec vectors pooled per doc by learned attention, refined by a residual
  maxout + layer-norm block (with dropout), concatenated with the linear model's scores -> a
  final layer: softmax for exclusive classes, logistic for independent labels.

What each backprop expects is what spaCy's textcat architectures of the same settings expect, so
the textcat loss (scores - truth) trains the same objective in both:

* TextCatBOW's backprop takes the gradient with respect to its *output* (the probabilities when
  it has an output layer) and carries it through the softmax/logistic Jacobian.
* TextCatEnsemble's backprop takes, for exclusive classes, the gradient with respect to the
  softmax's input (the cross-entropy convention of a softmax output layer); for independent
  labels, the gradient with respect to its output, carried through the logistic.
"""
from typing import List, Optional

import numpy
from thinc.api import Model
from thinc.types import Floats2d

from ..attrs import IDS
from ..errors import Errors
from ..registry import registry
from . import _features, _kernels
from .maxout import init_maxout_norm, maxout_norm_forward
from .ops import fastpipe_ops, grad_array, ops_of
from .tagger import infer_nO
from .tok2vec import concat_rows

#: The token attribute whose n-grams TextCatBOW hashes: the exact text, as spaCy's bag of words.
BOW_ATTR = "ORTH"
#: Rows of the weight table each n-gram adds up; two make a collision in one row harmless.
BOW_ROWS_PER_FEATURE = 2
#: The residual block after the ensemble's attention pooling: maxout pieces.
ENSEMBLE_PIECES = 3
#: Half-width of the uniform draw the attention query starts from.
ATTENTION_INIT = 0.1


@registry.architectures("fastpipe.TextCatBOW.v1")
def TextCatBOW(
    exclusive_classes: bool,
    ngram_size: int,
    no_output_layer: bool,
    length: int = 262144,
    nO: Optional[int] = None,
) -> Model[List, Floats2d]:
    """A bag of hashed 1..ngram_size-grams into a sparse linear layer; ``length`` (rounded up to
    a power of two) is its number of rows."""
    if ngram_size < 1 or ngram_size > _features.MAX_NGRAM:
        raise ValueError(Errors.E239.format(max=_features.MAX_NGRAM, value=ngram_size))
    if length < 1:
        raise ValueError(Errors.E240.format(value=length))
    return Model(
        "textcat_bow",
        bow_forward,
        init=bow_init,
        ops=fastpipe_ops(),
        dims={"nO": nO, "length": 1 << (int(length) - 1).bit_length()},
        params={"W": None, "b": None},
        attrs={
            "exclusive_classes": bool(exclusive_classes),
            "has_output_layer": not no_output_layer,
            "ngram_size": int(ngram_size),
            "attr": BOW_ATTR,
        },
    )


def bow_init(model: Model, X=None, Y=None) -> Model:
    _set_nO(model, Y, "fastpipe.TextCatBOW.v1")
    nO = model.get_dim("nO")
    ops = ops_of(model)
    model.set_param("W", ops.alloc2f(model.get_dim("length"), nO))
    model.set_param("b", ops.alloc1f(nO))
    return model


def bow_forward(model: Model, docs: List, is_train: bool):
    W = model.get_param("W")
    b = model.get_param("b")
    ids, starts = _features.ngram_ids(
        docs, IDS[model.attrs["attr"]], model.attrs["ngram_size"], W.shape[0], BOW_ROWS_PER_FEATURE
    )
    scores = ops_of(model).alloc2f(len(docs), W.shape[1], dtype=W.dtype, zeros=False)
    _kernels.sparse_forward(W, ids, starts, scores)
    _activate(model, scores, b)

    def backprop(dY: Floats2d) -> List:
        d_logits = _through_activation(model, scores, numpy.asarray(dY, dtype=W.dtype))
        d_logits = numpy.ascontiguousarray(d_logits, dtype=W.dtype)
        _kernels.sparse_backward(grad_array(model, "W"), ids, starts, d_logits)
        grad_array(model, "b")[...] += d_logits.sum(axis=0)
        return []

    return scores, backprop


@registry.architectures("fastpipe.TextCatEnsemble.v1")
def TextCatEnsemble(tok2vec: Model, linear_model: Model, nO: Optional[int] = None) -> Model[List, Floats2d]:
    """Attention-pooled ``tok2vec`` vectors (through a residual maxout block) and
    ``linear_model`` scores, combined by a final layer whose activation follows the linear
    model's ``exclusive_classes``."""
    residual = PooledResidual(ENSEMBLE_PIECES)
    return Model(
        "textcat_ensemble",
        ensemble_forward,
        init=ensemble_init,
        ops=fastpipe_ops(),
        layers=[tok2vec, linear_model, residual],
        dims={"nO": nO, "nI": None},
        params={"q": None, "W_out": None, "b_out": None},
        attrs={
            "exclusive_classes": bool(linear_model.attrs.get("exclusive_classes", True)),
            "has_output_layer": True,
        },
        refs={"tok2vec": tok2vec, "linear_model": linear_model, "residual": residual},
    )


def PooledResidual(pieces: int) -> Model:
    """X + dropout(layer_norm(maxout(X))) over pooled doc vectors; its width comes at
    initialization from the ensemble's tok2vec."""
    return Model(
        "textcat_residual",
        residual_forward,
        init=residual_init,
        ops=fastpipe_ops(),
        dims={"nO": None, "nI": None, "nP": pieces},
        params={"W": None, "b": None, "G": None, "beta": None},
        attrs={"dropout_rate": 0.0},
    )


def residual_init(model: Model, X=None, Y=None) -> Model:
    width = model.get_dim("nO")
    init_maxout_norm(model, width, width, model.get_dim("nP"))
    return model


def residual_forward(model: Model, X: numpy.ndarray, is_train: bool):
    Y, block_backprop = maxout_norm_forward(model, X, is_train)
    out = X + Y

    def backprop(d_out: numpy.ndarray) -> numpy.ndarray:
        return d_out + block_backprop(d_out)

    return out, backprop


def ensemble_init(model: Model, X=None, Y=None) -> Model:
    tok2vec, linear, residual = model.layers
    _set_nO(model, Y, "fastpipe.TextCatEnsemble.v1")
    nO = model.get_dim("nO")
    if not linear.has_dim("nO"):
        linear.set_dim("nO", nO)
    tok2vec.initialize(X=X)
    linear.initialize(X=X, Y=Y)
    if linear.get_dim("nO") != nO:
        raise ValueError(Errors.E241.format(n_linear=linear.get_dim("nO"), expected=nO))
    width = tok2vec.get_dim("nO")
    model.set_dim("nI", width, force=True)
    residual.set_dim("nI", width, force=True)
    residual.set_dim("nO", width, force=True)
    residual.initialize()
    ops = ops_of(model)
    model.set_param("q", ops.random_uniform(-ATTENTION_INIT, ATTENTION_INIT, (width,)))
    if model.attrs["exclusive_classes"]:
        # a softmax output layer starts at zero: every class equally likely
        model.set_param("W_out", ops.alloc2f(nO + width, nO))
    else:
        limit = numpy.sqrt(6.0 / (nO + width + nO))
        model.set_param("W_out", ops.random_uniform(-limit, limit, (nO + width, nO)))
    model.set_param("b_out", ops.alloc1f(nO))
    return model


def attention_pool(X: numpy.ndarray, q: numpy.ndarray, lengths: numpy.ndarray):
    """Per doc, a softmax over its tokens of X @ q weighs the rows of X into one vector.
    Returns (pooled (n_docs, width), weights (n_tokens,), doc_of (n_tokens,): each token's doc)."""
    n_docs = len(lengths)
    starts = numpy.zeros(n_docs + 1, dtype=numpy.int64)
    numpy.cumsum(lengths, out=starts[1:])
    pooled = numpy.zeros((n_docs, X.shape[1]), dtype=X.dtype)
    weights = numpy.zeros((X.shape[0],), dtype=X.dtype)
    doc_of = numpy.repeat(numpy.arange(n_docs), lengths)
    nonempty = lengths > 0
    if not nonempty.any():
        return pooled, weights, doc_of
    logits = X @ q
    seg = starts[:-1][nonempty]
    peak = numpy.maximum.reduceat(logits, seg)
    shifted = numpy.exp(logits - numpy.repeat(peak, lengths[nonempty]))
    total = numpy.add.reduceat(shifted, seg)
    weights[:] = shifted / numpy.repeat(total, lengths[nonempty])
    pooled[nonempty] = numpy.add.reduceat(X * weights[:, None], seg, axis=0)
    return pooled, weights, doc_of


def attention_pool_backward(d_pooled, X, q, weights, doc_of):
    """Gradients of attention_pool: (dX, dq)."""
    g = d_pooled[doc_of]                               # (n_tokens, width): each token's doc grad
    e = (g * X).sum(axis=1)                            # d loss / d weight
    mean_e = numpy.bincount(doc_of, weights=weights * e, minlength=len(d_pooled))[doc_of]
    d_logits = (weights * (e - mean_e)).astype(X.dtype)
    dX = g * weights[:, None] + d_logits[:, None] * q[None, :]
    dq = d_logits @ X
    return dX.astype(X.dtype, copy=False), dq


def ensemble_forward(model: Model, docs: List, is_train: bool):
    tok2vec, linear, residual = model.layers
    q = model.get_param("q")
    W_out = model.get_param("W_out")
    b_out = model.get_param("b_out")
    dtype = W_out.dtype
    nO = W_out.shape[1]
    width = q.shape[0]
    n_docs = len(docs)
    Xs, tok2vec_backprop = tok2vec(docs, is_train)
    lengths = numpy.asarray([len(x) for x in Xs], dtype=numpy.int32)
    ops = ops_of(model)
    X = concat_rows(ops, Xs, width, dtype)
    del Xs
    pooled, att_weights, doc_of = attention_pool(X, q, lengths)
    refined, residual_backprop = residual(pooled, is_train)
    lin_scores, linear_backprop = linear(docs, is_train)
    hidden = ops.alloc2f(n_docs, nO + width, dtype=dtype, zeros=False)
    hidden[:, :nO] = lin_scores
    hidden[:, nO:] = refined
    del refined
    scores = ops.matmul(hidden, W_out)
    _activate(model, scores, b_out)

    def backprop(dY: Floats2d) -> List:
        dY = numpy.asarray(dY, dtype=dtype)
        if not model.attrs["exclusive_classes"]:
            dY = _through_activation(model, scores, dY)
        dY = numpy.ascontiguousarray(dY, dtype=dtype)
        ops.matmul_add(hidden.T, dY, grad_array(model, "W_out"))
        grad_array(model, "b_out")[...] += dY.sum(axis=0)
        d_hidden = ops.matmul(dY, W_out.T)
        d_pooled = residual_backprop(numpy.ascontiguousarray(d_hidden[:, nO:]))
        if int(lengths.sum()):
            dX, dq = attention_pool_backward(d_pooled, X, q, att_weights, doc_of)
            grad_array(model, "q")[...] += dq
        else:
            dX = ops.alloc2f(0, width, dtype=dtype)
        linear_backprop(numpy.ascontiguousarray(d_hidden[:, :nO]))
        starts = numpy.zeros(n_docs + 1, dtype=numpy.int64)
        numpy.cumsum(lengths, out=starts[1:])
        return tok2vec_backprop([dX[starts[i]:starts[i + 1]] for i in range(n_docs)])

    return scores, backprop


def _set_nO(model: Model, Y, architecture: str) -> None:
    nO = infer_nO(Y)
    if nO is not None:
        model.set_dim("nO", nO, force=True)
    if not model.has_dim("nO"):
        raise ValueError(Errors.E238.format(name=architecture, what="classes"))


def _activate(model: Model, scores: numpy.ndarray, b: numpy.ndarray) -> None:
    """In place: scores + b, through softmax or logistic if the model has an output layer."""
    if not model.attrs["has_output_layer"]:
        scores += b
    elif model.attrs["exclusive_classes"]:
        _kernels.softmax_rows(scores, b)
    else:
        _kernels.logistic_rows(scores, b)


def _through_activation(model: Model, out: numpy.ndarray, d_out: numpy.ndarray) -> numpy.ndarray:
    """Turn a gradient w.r.t. a model's activated output into one w.r.t. its output layer's
    input, using the activation's Jacobian."""
    if not model.attrs["has_output_layer"]:
        return d_out
    if model.attrs["exclusive_classes"]:
        return out * (d_out - (d_out * out).sum(axis=1, keepdims=True))
    return d_out * out * (1.0 - out)
