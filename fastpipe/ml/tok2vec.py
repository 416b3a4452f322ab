"""Tok2Vec: an embedding layer then an encoder, giving one (n_tokens, width) array per Doc.

The embed layer maps List[Doc] to a Ragged over the whole batch, the encoder maps Ragged to
Ragged; the batch stays one matrix until the end, where it is split into per-doc views.
"""
from typing import List, Optional

import numpy
from thinc.api import Model
from thinc.types import Floats2d, Ragged

from ..registry import registry
from .embed import MultiHashEmbed
from .encoder import MaxoutWindowEncoder
from .ops import FastpipeOps, fastpipe_ops, ops_of


@registry.architectures("fastpipe.Tok2Vec.v1")
def Tok2Vec(embed: Model, encode: Model) -> Model[List, List[Floats2d]]:
    """``embed`` (List[Doc] -> Ragged) then ``encode`` (Ragged -> Ragged), split per doc."""
    width = _width_of(encode) or _width_of(embed)
    return Model(
        "tok2vec",
        forward,
        init=init,
        ops=fastpipe_ops(),
        layers=[embed, encode],
        dims={"nO": width},
    )


@registry.architectures("fastpipe.HashEmbedCNN.v1")
def HashEmbedCNN(
    width: int,
    depth: int,
    embed_size: int,
    window_size: int,
    maxout_pieces: int,
    subword_features: bool,
) -> Model[List, List[Floats2d]]:
    """The usual small tok2vec: NORM (and with subword_features PREFIX, SUFFIX, SHAPE at half
    the rows) hash embeddings, then ``depth`` window-maxout layers."""
    if subword_features:
        attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
        rows = [embed_size, embed_size // 2, embed_size // 2, embed_size // 2]
    else:
        attrs = ["NORM"]
        rows = [embed_size]
    embed = MultiHashEmbed(width=width, attrs=attrs, rows=rows, include_static_vectors=False)
    encode = MaxoutWindowEncoder(width=width, window_size=window_size,
                                 maxout_pieces=maxout_pieces, depth=depth)
    return Tok2Vec(embed, encode)


def init(model: Model, X=None, Y=None) -> Model:
    embed, encode = model.layers
    embed.initialize(X=X)  # Docs: a static-vectors embedding sizes itself from their vocab
    encode.initialize()
    if not model.has_dim("nO"):
        model.set_dim("nO", _width_of(encode) or _width_of(embed))
    return model


def forward(model: Model, docs: List, is_train: bool):
    embed, encode = model.layers
    embedded, embed_backprop = embed(docs, is_train)
    encoded, encode_backprop = encode(embedded, is_train)
    lengths = encoded.lengths
    outputs = split_rows(encoded.dataXd, lengths)
    ops = ops_of(model)

    def backprop(dYs: List[Floats2d]) -> List:
        dY = concat_rows(ops, dYs, encoded.dataXd.shape[1], encoded.dataXd.dtype)
        return embed_backprop(encode_backprop(Ragged(dY, lengths)))

    return outputs, backprop


def _width_of(layer: Model) -> Optional[int]:
    """A layer's output width, looking into the last layer of a chain if needed."""
    while layer is not None:
        if layer.has_dim("nO"):
            return layer.get_dim("nO")
        layer = layer.layers[-1] if layer.layers else None
    return None


def split_rows(data: numpy.ndarray, lengths) -> List[numpy.ndarray]:
    """Per-doc views of a batch matrix."""
    out = []
    start = 0
    for length in lengths.tolist():
        out.append(data[start:start + length])
        start += length
    return out


def concat_rows(ops: FastpipeOps, arrays: List[numpy.ndarray], width: int,
                dtype) -> numpy.ndarray:
    """The per-doc arrays stacked into one matrix of ops's workspace."""
    n = sum(len(a) for a in arrays)
    out = ops.workspace.get((n, width), dtype)
    if arrays:
        numpy.concatenate(arrays, axis=0, out=out)
    return out
