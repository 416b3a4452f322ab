"""fastpipe's model architectures (thinc Models), registered in ``registry.architectures``.

Importing this package registers every architecture:

* ``fastpipe.MultiHashEmbed.v1``, ``fastpipe.MaxoutWindowEncoder.v1``, ``fastpipe.Tok2Vec.v1``,
  ``fastpipe.HashEmbedCNN.v1``: List[Doc] -> List[Floats2d], one (n_tokens, width) per Doc.
* ``fastpipe.Tagger.v1``: List[Doc] -> List[Floats2d] of tag probabilities.
* ``fastpipe.TextCatBOW.v1``, ``fastpipe.TextCatEnsemble.v1``: List[Doc] -> Floats2d (n_docs, nO).

The hot loops are Cython kernels (_features, _kernels); matrix products go through ops.matmul.
"""
from typing import Optional

from thinc.api import Model

from .embed import MultiHashEmbed
from .optimizers import FusedAdam
from .parser_model import TransitionBasedParser
from .encoder import MaxoutWindowEncoder
from .tagger import Tagger
from .textcat import TextCatBOW, TextCatEnsemble
from .tok2vec import HashEmbedCNN, Tok2Vec

__all__ = [
    "MultiHashEmbed",
    "MaxoutWindowEncoder",
    "Tok2Vec",
    "HashEmbedCNN",
    "Tagger",
    "TextCatBOW",
    "TextCatEnsemble",
    "set_dropout_rate",
]


def set_dropout_rate(model: Model, rate: Optional[float]) -> None:
    """Set the dropout rate of every layer of ``model`` that applies dropout (a no-op for None).
    Dropout only acts in training calls (``begin_update`` / ``is_train=True``)."""
    if rate is None:
        return
    for node in model.walk():
        if "dropout_rate" in node.attrs:
            node.attrs["dropout_rate"] = float(rate)
