"""Span categorizer: scores for labels of suggested spans, Floats2d (n_spans, nO).

The input is ``(docs, spans)``: ``spans`` a thinc ``Ragged`` of (start, end) token offsets, one
block of rows per Doc (what a suggester returns). The model runs the tok2vec once over the
batch, reduces each span's token vectors to one vector and scores it:

* ``fastpipe.mean_max_reducer.v1``: a span's last, first, mean and max token vectors side by
  side, through a maxout + layer-norm layer of ``hidden_size``. It takes the batch's token
  matrix and the spans' rows (TokenSpans) without copying the rows of each span, and
  multiplies only the max per span: the other three parts are linear in the tokens, so their
  share of the hidden layer is one product per *token* (see reducer_forward). Given a Ragged
  (another model's input), it reads it as consecutive spans.
* ``fastpipe.LinearLogistic.v1``: a linear layer and one sigmoid per label.

A reducer other than fastpipe's gets a Ragged of each span's rows, copied by one fancy index,
and its gradient is added back into the tokens' rows by the hash embedding's scatter kernel.

Backprop conventions: LinearLogistic's backprop takes the gradient with respect to the
sigmoids' *input* (for binary cross-entropy: probabilities - truth), as thinc's Softmax takes
it with respect to the softmax's input; so both output layers train a cross-entropy from the
same (scores - truth).
"""
from typing import List, NamedTuple, Optional, Tuple

import numpy
from thinc.api import Model, Ragged
from thinc.types import Floats2d

from ..errors import Errors
from ..registry import registry
from . import _kernels
from .maxout import dropout_mask_for, init_maxout_norm
from .ops import fastpipe_ops, grad_array, ops_of
from .tagger import infer_nO

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
    if reducer.has_dim("nI") is None:  # a dim it has, not yet set
        reducer.set_dim("nI", REDUCED_PARTS * width)
    # a two-span sample sizes any reducer and tells its output width
    sample = numpy.zeros((2, width), dtype="f")
    sample = (TokenSpans(sample, numpy.arange(2), numpy.ones(2, dtype=numpy.int64))
              if reducer.attrs.get("takes_token_spans") else Ragged(sample, numpy.ones(2, dtype="i")))
    reducer.initialize(X=sample)
    if scorer.has_dim("nI") is None:
        scorer.set_dim("nI", reducer.predict(sample).shape[1])
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


def batch_spans(doc_lengths: numpy.ndarray, spans: Ragged) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """The spans given per doc as rows of the batch matrix: (first row, length) of each."""
    offsets = numpy.zeros(len(doc_lengths), dtype=numpy.int64)
    numpy.cumsum(doc_lengths[:-1], out=offsets[1:])
    data = numpy.asarray(spans.dataXd, dtype=numpy.int64).reshape(-1, 2)
    starts = data[:, 0] + numpy.repeat(offsets, numpy.asarray(spans.lengths, dtype=numpy.int64))
    lengths = data[:, 1] - data[:, 0]
    if len(lengths) and int(lengths.min()) < 1:
        raise ValueError(Errors.E770.format(span=tuple(data[int(lengths.argmin())].tolist())))
    return starts, lengths


def forward(model: Model, X: Tuple[List, Ragged], is_train: bool):
    """fastpipe's reducer takes the token matrix and the spans as they are (TokenSpans); any
    other reducer gets a Ragged of each span's rows, copied. Predicting, the spans go through
    the reducer and scorer a group of whole docs at a time (PREDICT_TOKENS), so a large batch
    never holds a (n_spans, hidden) array for all its spans at once."""
    docs, spans = X
    tok2vec, reducer, scorer = model.layers
    ops = ops_of(model)
    Xs, tok2vec_backprop = tok2vec(docs, is_train)
    doc_lengths = numpy.asarray([len(x) for x in Xs], dtype=numpy.int64)
    width = tok2vec.get_dim("nO")
    dtype = Xs[0].dtype if Xs else numpy.float32
    tokens = numpy.concatenate(Xs, axis=0) if Xs else ops.alloc2f(0, width, dtype=dtype)
    del Xs
    starts, lengths = batch_spans(doc_lengths, spans)
    if not is_train:
        parts = [scorer.predict(_reduce(reducer, tokens[t0:t1], starts[s0:s1] - t0,
                                        lengths[s0:s1], False)[0])
                 for t0, t1, s0, s1 in _doc_groups(doc_lengths, spans.lengths)]
        return numpy.concatenate(parts) if len(parts) != 1 else parts[0], None
    H, reducer_backprop = _reduce(reducer, tokens, starts, lengths, is_train)
    scores, scorer_backprop = scorer(H, is_train)

    def backprop(d_scores: Floats2d) -> List:
        d_tokens = reducer_backprop(scorer_backprop(d_scores))
        bounds = numpy.concatenate([[0], numpy.cumsum(doc_lengths)]).tolist()
        return tok2vec_backprop([d_tokens[bounds[i]:bounds[i + 1]] for i in range(len(docs))])

    return scores, backprop


#: Predicting, how many tokens' spans go through the reducer together (whole docs).
PREDICT_TOKENS = 4096


def _doc_groups(doc_lengths: numpy.ndarray, span_counts):
    """(first token, end token, first span, end span) of runs of whole docs of about
    PREDICT_TOKENS tokens; at least one group."""
    span_counts = numpy.asarray(span_counts, dtype=numpy.int64)
    t0 = s0 = t = s = 0
    groups = []
    for n_tokens, n_spans in zip(doc_lengths.tolist(), span_counts.tolist()):
        if t > t0 and t - t0 + n_tokens > PREDICT_TOKENS:
            groups.append((t0, t, s0, s))
            t0, s0 = t, s
        t, s = t + n_tokens, s + n_spans
    groups.append((t0, t, s0, s))
    return groups


def _reduce(reducer: Model, tokens, starts, lengths, is_train: bool):
    """The reducer over the spans (rows ``starts`` .. + ``lengths`` of ``tokens``): (H, a
    backprop that returns the tokens' gradient)."""
    if reducer.attrs.get("takes_token_spans"):
        return reducer(TokenSpans(tokens, starts, lengths), is_train)
    seg = numpy.zeros(len(lengths), dtype=numpy.int64)
    numpy.cumsum(lengths[:-1], out=seg[1:])
    rows = numpy.arange(int(lengths.sum()), dtype=numpy.int64) + numpy.repeat(starts - seg, lengths)
    H, ragged_backprop = reducer(Ragged(tokens[rows], lengths.astype(numpy.int32)), is_train)

    def backprop(dH):
        d_tokens = numpy.zeros_like(tokens)
        _scatter_add(d_tokens, rows,
                     numpy.ascontiguousarray(ragged_backprop(dH).dataXd, dtype=tokens.dtype))
        return d_tokens

    return H, backprop


# -- the reducer --------------------------------------------------------------------------------

class TokenSpans(NamedTuple):
    """Spans over the rows of a token matrix, possibly overlapping: what the SpanCategorizer
    hands fastpipe's reducer instead of a copy of each span's rows."""
    tokens: numpy.ndarray   # (n_tokens, width)
    starts: numpy.ndarray   # (n_spans,) int64: the row of each span's first token
    lengths: numpy.ndarray  # (n_spans,) int64, each >= 1


@registry.layers("fastpipe.mean_max_reducer.v1")
def mean_max_reducer(hidden_size: int) -> Model[Ragged, Floats2d]:
    """Each sequence's last, first, mean and max vectors side by side, through a maxout +
    layer-norm layer of ``hidden_size`` outputs. Takes a Ragged (one sequence per row block)
    or TokenSpans."""
    return Model(
        "mean_max_reducer",
        reducer_forward,
        init=reducer_init,
        ops=fastpipe_ops(),
        dims={"nO": hidden_size, "nI": None, "nP": REDUCER_PIECES},
        params={"W": None, "b": None, "G": None, "beta": None},
        attrs={"takes_token_spans": True},
    )


def reducer_init(model: Model, X=None, Y=None) -> Model:
    if X is not None and model.has_dim("nI") is not True:
        width = X.dataXd.shape[1] if isinstance(X, Ragged) else X.tokens.shape[1]
        model.set_dim("nI", REDUCED_PARTS * width)
    init_maxout_norm(model, model.get_dim("nI"), model.get_dim("nO"), model.get_dim("nP"))
    return model


def span_max(spans: TokenSpans, where: bool = True):
    """Per span and column, the largest value of its rows, and (``where``: else None) the token
    row holding it, the first of equal ones; offset by offset, as span_means."""
    tokens, starts, lengths = spans
    peak = tokens[starts]
    rows = numpy.repeat(starts[:, None], tokens.shape[1], axis=1) if where else None
    for offset, which in _offsets(lengths):
        if not offset:
            continue
        candidate = tokens[starts[which] + offset]
        if not where:
            peak[which] = numpy.maximum(peak[which], candidate)
            continue
        better = candidate > peak[which]
        peak[which] = numpy.where(better, candidate, peak[which])
        rows[which] = numpy.where(better, (starts[which] + offset)[:, None], rows[which])
    return peak, rows


def reducer_forward(model: Model, X, is_train: bool):
    """The hidden layer's input is [last, first, mean, max] of each span, and its product with
    W is computed in parts: last @ W_last, first @ W_first and mean @ W_mean are rows (and
    means of rows) of products of the *tokens* with those blocks, so only
    the max is multiplied per span. With n-gram suggestions (about three spans
    per token) that halves the work of the layer that dominates the model."""
    is_ragged = isinstance(X, Ragged)
    if is_ragged:
        lengths = numpy.asarray(X.lengths, dtype=numpy.int64)
        starts = numpy.zeros(len(lengths), dtype=numpy.int64)
        numpy.cumsum(lengths[:-1], out=starts[1:])
        spans = TokenSpans(X.dataXd, starts, lengths)
    else:
        spans = X
    W = model.get_param("W")
    dtype = W.dtype
    tokens = numpy.ascontiguousarray(spans.tokens, dtype=dtype)
    starts, lengths = spans.starts, spans.lengths
    n, (n_tokens, width), H = len(starts), tokens.shape, W.shape[1]
    if width * REDUCED_PARTS != W.shape[0]:
        raise ValueError(Errors.E226.format(name=model.name, n_in=width * REDUCED_PARTS,
                                            expected=W.shape[0]))
    G, b, beta = model.get_param("G"), model.get_param("b"), model.get_param("beta")
    nO = G.shape[0]
    nP = H // nO
    ops = ops_of(model)
    if n == 0:
        def backprop_nothing(dY):
            d_tokens = numpy.zeros_like(tokens)
            return Ragged(d_tokens, X.lengths) if is_ragged else d_tokens
        return ops.alloc2f(0, nO, dtype=dtype), backprop_nothing
    ends = starts + lengths
    W_last, W_first, W_mean, W_max = (W[i * width:(i + 1) * width] for i in range(REDUCED_PARTS))
    peak, peak_rows = span_max(TokenSpans(tokens, starts, lengths), where=is_train)
    Z = ops.matmul(peak, W_max)                               # (n, H)
    Z += ops.matmul(tokens, W_last)[ends - 1]                 # one (n_tokens, H) product each
    Z += ops.matmul(tokens, W_first)[starts]
    Z += span_means(ops.matmul(tokens, W_mean), starts, lengths)
    which = numpy.empty((n, nO), dtype=numpy.uint8)
    xhat = numpy.empty((n, nO), dtype=dtype)
    rstd = numpy.empty((n,), dtype=dtype)
    Y = numpy.empty((n, nO), dtype=dtype)
    mask = dropout_mask_for(model, (n, nO), dtype, is_train)
    _kernels.maxout_norm_forward(Z, b, nP, G, beta, mask, which, xhat, rstd, Y)
    del Z

    def backprop(dY: Floats2d):
        dY = numpy.ascontiguousarray(dY, dtype=dtype)
        dZ = numpy.empty((n, H), dtype=dtype)
        _kernels.maxout_norm_backward(dY, mask, which, xhat, rstd, G, nP, grad_array(model, "G"),
                                      grad_array(model, "beta"), grad_array(model, "b"), dZ)
        dW = grad_array(model, "W")
        dW[3 * width:] += ops.matmul(peak.T, dZ)
        d_peak = ops.matmul(dZ, W_max.T)
        flat = (peak_rows * width + numpy.arange(width)).ravel()
        d_tokens = numpy.bincount(flat, weights=d_peak.ravel(),
                                  minlength=n_tokens * width).reshape(n_tokens, width).astype(dtype)
        # gradients of the three per-token products: rows of dZ scattered back (dZ / length
        # to every row of a span for the means)
        d_last = numpy.zeros((n_tokens, H), dtype=dtype)
        d_first = numpy.zeros((n_tokens, H), dtype=dtype)
        d_mean = numpy.zeros((n_tokens, H), dtype=dtype)
        _scatter_add(d_last, ends - 1, dZ)
        _scatter_add(d_first, starts, dZ)
        share = dZ / lengths[:, None].astype(dtype)
        for offset, which_spans in _offsets(lengths):
            _scatter_add(d_mean, starts[which_spans] + offset, share[which_spans])
        for part, (d_part, W_part) in enumerate(((d_last, W_last), (d_first, W_first),
                                                 (d_mean, W_mean))):
            dW[part * width:(part + 1) * width] += ops.matmul(tokens.T, d_part)
            d_tokens += ops.matmul(d_part, W_part.T)
        return Ragged(d_tokens, X.lengths) if is_ragged else d_tokens

    return Y, backprop


def _offsets(lengths: numpy.ndarray):
    """(k, the spans longer than k) for k = 0 .. the longest length - 1."""
    which = numpy.arange(len(lengths))
    for offset in range(int(lengths.max(initial=0))):
        if offset:
            which = which[lengths[which] > offset]
        yield offset, which


def span_means(rows: numpy.ndarray, starts: numpy.ndarray, lengths: numpy.ndarray) -> numpy.ndarray:
    """(n_spans, width): the mean of each span's rows, summed offset by offset (n-gram spans
    are short: a few vectorized passes)."""
    total = rows[starts]
    for offset, which in _offsets(lengths):
        if offset:
            total[which] += rows[starts[which] + offset]
    total /= lengths[:, None].astype(rows.dtype)
    return total


def _scatter_add(out: numpy.ndarray, rows: numpy.ndarray, values: numpy.ndarray) -> None:
    """out[rows[i]] += values[i], rows may repeat (the hash embedding's scatter kernel)."""
    _kernels.embed_backward(out, rows.astype(numpy.uint32).reshape(-1, 1), 1, values)


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
