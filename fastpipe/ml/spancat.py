"""Span categorizer: scores for labels of suggested spans, Floats2d (n_spans, nO).

The input is ``(docs, spans)``: ``spans`` a thinc ``Ragged`` of (start, end) token offsets, one
block of rows per Doc (what a suggester returns). The model runs the tok2vec once over the
batch, gathers each span's token vectors (one fancy index over the batch matrix), reduces them
to one vector per span and scores it:

* ``fastpipe.mean_max_reducer.v1``: Ragged -> Floats2d. A span's last, first, mean and max
  token vectors side by side (numpy segment reductions over the gathered rows), through a
  maxout + layer-norm layer of ``hidden_size``.
* ``fastpipe.LinearLogistic.v1``: a linear layer and one sigmoid per label.

Backprop conventions: LinearLogistic's backprop takes the gradient with respect to the
sigmoids' *input* (for binary cross-entropy: probabilities - truth), as thinc's Softmax takes
it with respect to the softmax's input; so both output layers train a cross-entropy from the
same (scores - truth). The gradient of the gathered rows is added back into the tokens' rows
by the hash embedding's scatter kernel (a token inside several spans gets their sum).
"""
from typing import List, Optional, Tuple

import numpy
from thinc.api import Model, Ragged
from thinc.types import Floats2d

from ..errors import Errors
from ..registry import registry
from . import _kernels
from .maxout import init_maxout_norm, maxout_norm_forward
from .ops import fastpipe_ops, grad_array, ops_of
from .tagger import infer_nO
from .tok2vec import concat_rows

#: Maxout pieces of the reducer's hidden layer (thinc's Maxout default, as spaCy's reducer).
REDUCER_PIECES = 3
#: How many vectors the reducer puts side by side per span: last, first, mean, max.
REDUCED_PARTS = 4


@registry.architectures("fastpipe.SpanCategorizer.v1")
def SpanCategorizer(tok2vec: Model, reducer: Model, scorer: Model
                    ) -> Model[Tuple[List, Ragged], Floats2d]:
    """``tok2vec`` vectors of each suggested span, ``reducer`` (Ragged -> Floats2d) to one
    vector per span, ``scorer`` (Floats2d -> Floats2d) to the label scores."""
    return Model(
        "spancat_model",
        forward,
        init=init,
        ops=fastpipe_ops(),
        layers=[tok2vec, reducer, scorer],
        dims={"nO": None},
        refs={"tok2vec": tok2vec, "reducer": reducer, "scorer": scorer},
    )


def init(model: Model, X=None, Y=None) -> Model:
    tok2vec, reducer, scorer = model.layers
    docs = X[0] if X is not None else None
    tok2vec.initialize(X=docs)
    width = tok2vec.get_dim("nO")
    if reducer.has_dim("nI") is not True:
        reducer.set_dim("nI", REDUCED_PARTS * width)
    reducer.initialize()
    if scorer.has_dim("nI") is not True:
        scorer.set_dim("nI", reducer.get_dim("nO"))
    nO = infer_nO(Y)
    if nO is not None:
        scorer.set_dim("nO", nO, force=True)
    elif model.has_dim("nO") is True and scorer.has_dim("nO") is not True:
        scorer.set_dim("nO", model.get_dim("nO"))
    if scorer.has_dim("nO") is not True:
        raise ValueError(Errors.E238.format(name="fastpipe.SpanCategorizer.v1", what="labels"))
    scorer.initialize()
    model.set_dim("nO", scorer.get_dim("nO"), force=True)
    return model


def span_rows(doc_lengths: numpy.ndarray, spans: Ragged) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """For spans given per doc, the rows of the batch matrix each span covers, concatenated
    (span after span), and each span's length."""
    offsets = numpy.zeros(len(doc_lengths), dtype=numpy.int64)
    numpy.cumsum(doc_lengths[:-1], out=offsets[1:])
    data = numpy.asarray(spans.dataXd, dtype=numpy.int64).reshape(-1, 2)
    starts = data[:, 0] + numpy.repeat(offsets, numpy.asarray(spans.lengths, dtype=numpy.int64))
    lengths = data[:, 1] - data[:, 0]
    if len(lengths) and int(lengths.min()) < 1:
        raise ValueError(Errors.E770.format(span=tuple(data[int(lengths.argmin())].tolist())))
    first = numpy.zeros(len(lengths), dtype=numpy.int64)
    numpy.cumsum(lengths[:-1], out=first[1:])
    rows = numpy.arange(int(lengths.sum()), dtype=numpy.int64) + numpy.repeat(starts - first, lengths)
    return rows, lengths.astype(numpy.int32)


def forward(model: Model, X: Tuple[List, Ragged], is_train: bool):
    docs, spans = X
    tok2vec, reducer, scorer = model.layers
    ops = ops_of(model)
    Xs, tok2vec_backprop = tok2vec(docs, is_train)
    doc_lengths = numpy.asarray([len(x) for x in Xs], dtype=numpy.int64)
    width = tok2vec.get_dim("nO")
    dtype = Xs[0].dtype if Xs else numpy.float32
    tokens = concat_rows(ops, Xs, width, dtype)
    del Xs
    rows, lengths = span_rows(doc_lengths, spans)
    gathered = tokens[rows]
    H, reducer_backprop = reducer(Ragged(gathered, lengths), is_train)
    scores, scorer_backprop = scorer(H, is_train)

    def backprop(d_scores: Floats2d) -> List:
        d_gathered = reducer_backprop(scorer_backprop(d_scores)).dataXd
        d_tokens = ops.alloc2f(tokens.shape[0], width, dtype=dtype)
        if len(rows):
            _kernels.embed_backward(d_tokens, rows.astype(numpy.uint32).reshape(-1, 1), 1,
                                    numpy.ascontiguousarray(d_gathered, dtype=dtype))
        bounds = numpy.concatenate([[0], numpy.cumsum(doc_lengths)]).tolist()
        return tok2vec_backprop([d_tokens[bounds[i]:bounds[i + 1]] for i in range(len(docs))])

    return scores, backprop


# -- the reducer --------------------------------------------------------------------------------

@registry.layers("fastpipe.mean_max_reducer.v1")
def mean_max_reducer(hidden_size: int) -> Model[Ragged, Floats2d]:
    """Each sequence's last, first, mean and max vectors side by side, through a maxout +
    layer-norm layer of ``hidden_size`` outputs."""
    return Model(
        "mean_max_reducer",
        reducer_forward,
        init=reducer_init,
        ops=fastpipe_ops(),
        dims={"nO": hidden_size, "nI": None, "nP": REDUCER_PIECES},
        params={"W": None, "b": None, "G": None, "beta": None},
    )


def reducer_init(model: Model, X=None, Y=None) -> Model:
    if X is not None and model.has_dim("nI") is not True:
        model.set_dim("nI", REDUCED_PARTS * X.dataXd.shape[1])
    init_maxout_norm(model, model.get_dim("nI"), model.get_dim("nO"), model.get_dim("nP"))
    return model


def reduce_last_first_mean_max(data: numpy.ndarray, lengths: numpy.ndarray):
    """(n_seqs, 4 * width): last, first, mean and max of each sequence's rows; and what the
    backward pass needs: the first row of each sequence and, per sequence and column, the row
    holding the max (the first of equal ones)."""
    n, width = len(lengths), data.shape[1]
    starts = numpy.zeros(n, dtype=numpy.int64)
    numpy.cumsum(lengths[:-1], out=starts[1:])
    out = numpy.empty((n, REDUCED_PARTS * width), dtype=data.dtype)
    if not n:
        return out, starts, numpy.zeros((0, width), dtype=numpy.int64)
    out[:, :width] = data[starts + lengths - 1]
    out[:, width:2 * width] = data[starts]
    out[:, 2 * width:3 * width] = numpy.add.reduceat(data, starts, axis=0) / lengths[:, None]
    peak = numpy.maximum.reduceat(data, starts, axis=0)
    out[:, 3 * width:] = peak
    at_peak = data == numpy.repeat(peak, lengths, axis=0)
    row_ids = numpy.where(at_peak, numpy.arange(len(data))[:, None], len(data))
    argmax = numpy.minimum.reduceat(row_ids, starts, axis=0)
    return out, starts, argmax


def reducer_forward(model: Model, X: Ragged, is_train: bool):
    data = numpy.ascontiguousarray(X.dataXd)
    lengths = numpy.asarray(X.lengths, dtype=numpy.int64)
    width = data.shape[1]
    pooled, starts, argmax = reduce_last_first_mean_max(data, lengths)
    Y, maxout_backprop = maxout_norm_forward(model, pooled, is_train)

    def backprop(dY: Floats2d) -> Ragged:
        d_pooled = maxout_backprop(dY)
        d_data = numpy.zeros_like(data)
        if len(lengths):
            d_data[starts + lengths - 1] += d_pooled[:, :width]
            d_data[starts] += d_pooled[:, width:2 * width]
            d_data += numpy.repeat(d_pooled[:, 2 * width:3 * width] / lengths[:, None], lengths, axis=0)
            d_data[argmax, numpy.arange(width)[None, :]] += d_pooled[:, 3 * width:]
        return Ragged(d_data, X.lengths)

    return Y, backprop


# -- the scorer ---------------------------------------------------------------------------------

@registry.layers("fastpipe.LinearLogistic.v1")
def LinearLogistic(nO: Optional[int] = None, nI: Optional[int] = None) -> Model[Floats2d, Floats2d]:
    """A linear layer and a sigmoid per output: independent label probabilities."""
    return Model(
        "linear_logistic",
        logistic_forward,
        init=logistic_init,
        ops=fastpipe_ops(),
        dims={"nO": nO, "nI": nI},
        params={"W": None, "b": None},
    )


def logistic_init(model: Model, X=None, Y=None) -> Model:
    if X is not None and model.has_dim("nI") is not True:
        model.set_dim("nI", X.shape[1])
    nO = infer_nO(Y)
    if nO is not None:
        model.set_dim("nO", nO, force=True)
    nI, nO = model.get_dim("nI"), model.get_dim("nO")
    ops = ops_of(model)
    limit = numpy.sqrt(6.0 / (nI + nO))
    model.set_param("W", ops.random_uniform(-limit, limit, (nI, nO)))
    model.set_param("b", ops.alloc1f(nO))
    return model


def logistic_forward(model: Model, X: Floats2d, is_train: bool):
    W = model.get_param("W")
    b = model.get_param("b")
    ops = ops_of(model)
    X = numpy.ascontiguousarray(X, dtype=W.dtype)
    probs = ops.matmul(X, W, out=ops.alloc2f(X.shape[0], W.shape[1], dtype=W.dtype, zeros=False))
    _kernels.logistic_rows(probs, b)

    def backprop(d_logits: Floats2d) -> Floats2d:
        d_logits = numpy.ascontiguousarray(d_logits, dtype=W.dtype)
        ops.matmul_add(X.T, d_logits, grad_array(model, "W"))
        grad_array(model, "b")[...] += d_logits.sum(axis=0)
        return ops.matmul(d_logits, W.T)

    return probs, backprop
