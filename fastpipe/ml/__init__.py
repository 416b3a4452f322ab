"""fastpipe's model architectures (thinc Models), registered in ``registry.architectures``.

Importing this package registers every architecture:

* ``fastpipe.MultiHashEmbed.v1``, ``fastpipe.CharacterEmbed.v1`` (embeddings),
  ``fastpipe.MaxoutWindowEncoder.v1``, ``fastpipe.MishWindowEncoder.v1``,
  ``fastpipe.BiLSTMEncoder.v1`` (encoders),
  ``fastpipe.Tok2Vec.v1``, ``fastpipe.HashEmbedCNN.v1``: List[Doc] -> List[Floats2d], one
  (n_tokens, width) per Doc.
* ``fastpipe.Tagger.v1``: List[Doc] -> List[Floats2d] of tag probabilities.
* ``fastpipe.TextCatBOW.v1``, ``fastpipe.TextCatEnsemble.v1``: List[Doc] -> Floats2d (n_docs, nO).
* ``fastpipe.SpanCategorizer.v1`` (with the layers ``fastpipe.mean_max_reducer.v1`` and
  ``fastpipe.LinearLogistic.v1``): (List[Doc], Ragged spans) -> Floats2d, a score per span and label.
* ``fastpipe.SpanFinder.v1``: List[Doc] -> Floats2d (n_tokens, 2), each token's probabilities of
  starting and of ending a span.
* ``fastpipe.StaticVectors.v1``: List[Doc] -> List[Floats2d], the vocab's vectors projected.
* ``fastpipe.PretrainCharacters.v1``, ``fastpipe.PretrainVectors.v1``: objectives of
  ``fastpipe pretrain``, each a function of (vocab, tok2vec) giving the model it trains.

The hot loops are Cython kernels (_features, _kernels); arrays, products and random draws come
from the models' Ops, fastpipe.ml.ops.FastpipeOps (matrix products: fastpipe.ml.blas).
"""
from .charembed import CharacterEmbed
from .embed import MultiHashEmbed, StaticVectors
from .ops import FastpipeOps
from .optimizers import FusedAdam
from .parser_model import TransitionBasedParser
from .pretrain import PretrainCharacters, PretrainVectors
from .span_finder import SpanFinder
from .spancat import LinearLogistic, SpanCategorizer, mean_max_reducer
from .encoder import BiLSTMEncoder, MaxoutWindowEncoder, MishWindowEncoder
from .tagger import Tagger
from .textcat import TextCatBOW, TextCatEnsemble
from .tok2vec import HashEmbedCNN, Tok2Vec

__all__ = [
    "FastpipeOps",
    "MultiHashEmbed",
    "MaxoutWindowEncoder",
    "MishWindowEncoder",
    "BiLSTMEncoder",
    "CharacterEmbed",
    "SpanFinder",
    "PretrainCharacters",
    "PretrainVectors",
    "Tok2Vec",
    "HashEmbedCNN",
    "Tagger",
    "TextCatBOW",
    "TextCatEnsemble",
    "FusedAdam",
    "TransitionBasedParser",
    "SpanCategorizer",
    "mean_max_reducer",
    "LinearLogistic",
    "StaticVectors",
]
