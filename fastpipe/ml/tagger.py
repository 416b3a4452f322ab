"""Tagger: a tok2vec, then one softmax over the tag classes for every token.

The softmax runs as one matrix product over all tokens of the batch. Output: one array of
probabilities (n_tokens, nO) per Doc. Backprop takes, per Doc, the gradient of the loss with
respect to the softmax's *input* (for cross-entropy: probabilities - truth), as thinc's Softmax.

A model built with ``normalize=False`` (spaCy's ``spacy.Tagger.v2`` default) skips the softmax
when it predicts: the scores are the layer's logits, whose argmax is the same tag. Training
always normalizes.
"""
from typing import List, Optional

import numpy
from thinc.api import Model
from thinc.types import Floats2d

from ..errors import Errors
from ..registry import registry
from . import _kernels
from .ops import fastpipe_ops, grad_array, ops_of
from .tok2vec import concat_rows, split_rows


@registry.architectures("fastpipe.Tagger.v1")
def Tagger(tok2vec: Model, nO: Optional[int] = None) -> Model[List, List[Floats2d]]:
    """``tok2vec`` then a linear softmax layer over nO classes (nO may come at initialize)."""
    return build_tagger(tok2vec, nO, normalize=True)


def build_tagger(tok2vec: Model, nO: Optional[int], *, normalize: bool) -> Model:
    """The tagger model; ``normalize=False`` predicts logits instead of probabilities."""
    return Model(
        "tagger",
        forward,
        init=init,
        ops=fastpipe_ops(),
        layers=[tok2vec],
        dims={"nO": nO, "nI": None},
        params={"W": None, "b": None},
        attrs={"normalize": bool(normalize)},
        refs={"tok2vec": tok2vec},
    )


def infer_nO(Y) -> Optional[int]:
    """The number of classes in a label sample: an array (n, nO) or a list of them."""
    if Y is None:
        return None
    if isinstance(Y, (list, tuple)):
        for y in Y:
            if hasattr(y, "shape") and len(y.shape) == 2:
                return int(y.shape[1])
        return None
    if hasattr(Y, "shape") and len(Y.shape) == 2:
        return int(Y.shape[1])
    return None


def init(model: Model, X=None, Y=None) -> Model:
    tok2vec = model.layers[0]
    tok2vec.initialize(X=X)
    nO = infer_nO(Y)
    if nO is not None:
        model.set_dim("nO", nO, force=True)
    if not model.has_dim("nO"):
        raise ValueError(Errors.E238.format(name="fastpipe.Tagger.v1", what="tags"))
    model.set_dim("nI", tok2vec.get_dim("nO"), force=True)
    nI = model.get_dim("nI")
    nO = model.get_dim("nO")
    ops = ops_of(model)
    model.set_param("W", ops.alloc2f(nI, nO))
    model.set_param("b", ops.alloc1f(nO))
    return model


def forward(model: Model, docs: List, is_train: bool):
    tok2vec = model.layers[0]
    W = model.get_param("W")
    b = model.get_param("b")
    dtype = W.dtype
    nI, nO = W.shape
    Xs, tok2vec_backprop = tok2vec(docs, is_train)
    lengths = numpy.asarray([len(x) for x in Xs], dtype=numpy.int32)
    ops = ops_of(model)
    ws = ops.workspace
    X = concat_rows(ops, Xs, nI, dtype)
    del Xs
    # The probabilities are handed to the caller: a fresh array, never a shared buffer.
    probs = ops.matmul(X, W, out=ops.alloc2f(X.shape[0], nO, dtype=dtype, zeros=False))
    if is_train or model.attrs.get("normalize", True):
        _kernels.softmax_rows(probs, b)
    else:
        probs += b

    def backprop(dYs: List[Floats2d]) -> List:
        dY = concat_rows(ops, dYs, nO, dtype)
        ops.matmul_add(X.T, dY, grad_array(model, "W"), tmp=ws.get(W.shape, dtype))
        grad_array(model, "b")[...] += dY.sum(axis=0)
        dX = ops.matmul(dY, W.T, out=ws.get((dY.shape[0], nI), dtype))
        return tok2vec_backprop(split_rows(dX, lengths))

    return split_rows(probs, lengths), backprop
