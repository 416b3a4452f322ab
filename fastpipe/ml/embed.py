"""MultiHashEmbed: hashed embeddings of several token attributes, mixed down to one width.

For each attribute (say NORM, PREFIX, SUFFIX, SHAPE) the token's key is hashed with the
table's seed into N_SEEDS row ids of that attribute's table, and those rows are summed (a hash
embedding: a collision on one row rarely repeats on the others). The per-attribute vectors are
concatenated, dropout is applied, and a maxout+layer-norm layer mixes them to ``width``.

All tables live stacked in one parameter ``E`` (sum(rows), width), so the optimizer sees one
array; row ids are offset into it by the feature extractor.

Input: List[Doc]. Output: a thinc Ragged over the whole batch (data (n_tokens, width), lengths
per doc), the form the encoder takes.
"""
from typing import List

from thinc.api import Model
from thinc.types import Ragged

from ..errors import Errors
from ..attrs import intify_attr, NAMES
from ..registry import registry
from . import _features, _kernels
from .maxout import dropout_mask_for, init_maxout_norm, maxout_norm_forward
from .ops import fastpipe_ops, grad_array, ops_of

#: First hash seed; table t uses SEED_BASE + t, so tables never share bucket patterns.
SEED_BASE = 0x5EED
#: Maxout pieces of the mixing layer.
MIX_PIECES = 3


@registry.architectures("fastpipe.MultiHashEmbed.v1")
def MultiHashEmbed(
    width: int,
    attrs: List[str],
    rows: List[int],
    include_static_vectors: bool = False,
) -> Model[List, Ragged]:
    """Hash embeddings of ``attrs`` (one table of ``rows[i]`` rows each), mixed to ``width``."""
    if include_static_vectors:
        raise ValueError(Errors.E220)
    if len(attrs) != len(rows):
        raise ValueError(Errors.E221.format(n_attrs=len(attrs), n_rows=len(rows)))
    if not attrs:
        raise ValueError(Errors.E222)
    if width < 1 or any(int(r) < 1 for r in rows):
        raise ValueError(Errors.E223.format(width=width, rows=rows))
    attr_ids = [intify_attr(a) for a in attrs]
    n_tables = len(attr_ids)
    return Model(
        "multi_hash_embed",
        forward,
        init=init,
        ops=fastpipe_ops(),
        dims={"nO": width, "nP": MIX_PIECES, "nE": n_tables * width},
        params={"E": None, "W": None, "b": None, "G": None, "beta": None},
        attrs={
            "attrs": [NAMES[a] for a in attr_ids],
            "attr_ids": attr_ids,
            "rows": [int(r) for r in rows],
            "seeds": [SEED_BASE + t for t in range(n_tables)],
            "dropout_rate": 0.0,
        },
    )


def init(model: Model, X=None, Y=None) -> Model:
    width = model.get_dim("nO")
    n_rows = sum(model.attrs["rows"])
    model.set_param("E", ops_of(model).random_uniform(-0.1, 0.1, (n_rows, width)))
    init_maxout_norm(model, model.get_dim("nE"), width, model.get_dim("nP"))
    return model


def forward(model: Model, docs: List, is_train: bool):
    E = model.get_param("E")
    dtype = E.dtype
    attr_ids = model.attrs["attr_ids"]
    n_tables = len(attr_ids)
    ids, lengths = _features.hash_row_ids(docs, attr_ids, model.attrs["seeds"], model.attrs["rows"])
    n = ids.shape[0]
    embedded = ops_of(model).workspace.get((n, n_tables * E.shape[1]), dtype)
    _kernels.embed_forward(E, ids, n_tables, embedded)
    mask = dropout_mask_for(model, embedded.shape, dtype, is_train)
    if mask is not None:
        embedded *= mask
    Y, mix_backprop = maxout_norm_forward(model, embedded, is_train)

    def backprop(dY: Ragged) -> List:
        d_embedded = mix_backprop(dY.dataXd)
        if mask is not None:
            d_embedded *= mask
        _kernels.embed_backward(grad_array(model, "E"), ids, n_tables, d_embedded)
        return []

    return Ragged(Y, lengths), backprop
