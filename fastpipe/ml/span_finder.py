"""Span finder model: per token, P(a span starts here) and P(a span ends here).

``fastpipe.SpanFinder.v1`` runs the tok2vec over the batch and a scorer layer over all its
tokens at once (by default ``fastpipe.LinearLogistic.v1`` with nO = 2: two independent
sigmoids). The output is one (n_tokens, 2) array for the whole batch, the Docs' rows one after
another; column 0 is the start probability, column 1 the end probability. As for the span
categorizer, backprop takes the gradient with respect to the sigmoids' input (probabilities -
truth for binary cross-entropy).
"""
from typing import List

import numpy
from thinc.api import Model
from thinc.types import Floats2d

from ..errors import Errors
from ..registry import registry
from .ops import fastpipe_ops, ops_of
from .tok2vec import split_rows

#: The scorer's outputs: start and end probabilities.
N_BOUNDARIES = 2


@registry.architectures("fastpipe.SpanFinder.v1")
def SpanFinder(tok2vec: Model, scorer: Model) -> Model[List, Floats2d]:
    """``tok2vec`` then ``scorer`` (Floats2d -> Floats2d of two columns) over every token."""
    return Model(
        "span_finder_model",
        forward,
        init=init,
        ops=fastpipe_ops(),
        layers=[tok2vec, scorer],
        dims={"nO": N_BOUNDARIES},
        refs={"tok2vec": tok2vec, "scorer": scorer},
    )


def init(model: Model, X=None, Y=None) -> Model:
    tok2vec, scorer = model.layers
    tok2vec.initialize(X=X)
    if scorer.has_dim("nI") is None:
        scorer.set_dim("nI", tok2vec.get_dim("nO"))
    if scorer.has_dim("nO") is None:
        scorer.set_dim("nO", N_BOUNDARIES)
    if scorer.get_dim("nO") != N_BOUNDARIES:
        raise ValueError(Errors.E830.format(nO=scorer.get_dim("nO")))
    scorer.initialize()
    return model


def forward(model: Model, docs: List, is_train: bool):
    tok2vec, scorer = model.layers
    Xs, tok2vec_backprop = tok2vec(docs, is_train)
    lengths = numpy.asarray([len(x) for x in Xs], dtype=numpy.int64)
    width = tok2vec.get_dim("nO")
    dtype = Xs[0].dtype if Xs else numpy.float32
    X = numpy.concatenate(Xs, axis=0) if Xs else ops_of(model).alloc2f(0, width, dtype=dtype)
    del Xs
    scores, scorer_backprop = scorer(X, is_train)

    def backprop(d_scores: Floats2d) -> List:
        return tok2vec_backprop(split_rows(scorer_backprop(d_scores), lengths))

    return scores, backprop
