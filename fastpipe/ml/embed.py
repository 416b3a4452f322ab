"""MultiHashEmbed: hashed embeddings of several token attributes, mixed down to one width.

For each attribute (say NORM, PREFIX, SUFFIX, SHAPE) the token's key is hashed with the
table's seed into N_SEEDS row ids of that attribute's table, and those rows are summed (a hash
embedding: a collision on one row rarely repeats on the others). The per-attribute vectors are
concatenated, dropout is applied, and a maxout+layer-norm layer mixes them to ``width``.

All tables live stacked in one parameter ``E`` (sum(rows), width), so the optimizer sees one
array; row ids are offset into it by the feature extractor.

With ``include_static_vectors`` one more block of ``width`` columns joins them before the
mixing layer: each token's static vector (the vocab's table, looked up by ORTH for the whole
batch at once; zeros for a word without one) times a learned projection ``P`` (width, nV). The
table itself is not trained. ``P`` is sized from the vocab's vectors on the first batch of Docs
the layer sees (at initialize when it is given Docs); without the option the layer runs the
plain forward, untouched.

Input: List[Doc]. Output: a thinc Ragged over the whole batch (data (n_tokens, width), lengths
per doc), the form the encoder takes.
"""
from typing import Callable, List, Optional

import numpy
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
    if len(attrs) != len(rows):
        raise ValueError(Errors.E221.format(n_attrs=len(attrs), n_rows=len(rows)))
    if not attrs:
        raise ValueError(Errors.E222)
    if width < 1 or any(int(r) < 1 for r in rows):
        raise ValueError(Errors.E223.format(width=width, rows=rows))
    attr_ids = [intify_attr(a) for a in attrs]
    n_tables = len(attr_ids)
    n_blocks = n_tables + 1 if include_static_vectors else n_tables
    params = {"E": None, "W": None, "b": None, "G": None, "beta": None}
    dims = {"nO": width, "nP": MIX_PIECES, "nE": n_blocks * width}
    if include_static_vectors:
        params["P"] = None  # the projection of the static vectors, (width, nV)
        dims["nV"] = None   # the static vectors' width, from the vocab
    return Model(
        "multi_hash_embed",
        forward_with_vectors if include_static_vectors else forward,
        init=init,
        ops=fastpipe_ops(),
        dims=dims,
        params=params,
        attrs={
            "attrs": [NAMES[a] for a in attr_ids],
            "attr_ids": attr_ids,
            "rows": [int(r) for r in rows],
            "seeds": [SEED_BASE + t for t in range(n_tables)],
            "dropout_rate": 0.0,
            "static_vectors": bool(include_static_vectors),
        },
    )


def init(model: Model, X=None, Y=None) -> Model:
    width = model.get_dim("nO")
    n_rows = sum(model.attrs["rows"])
    model.set_param("E", ops_of(model).random_uniform(-0.1, 0.1, (n_rows, width)))
    init_maxout_norm(model, model.get_dim("nE"), width, model.get_dim("nP"))
    if model.attrs.get("static_vectors") and X:
        init_projection(model, X[0].vocab.vectors)
    return model


def init_projection(model: Model, vectors) -> None:
    """Size and draw the projection ``P`` of the static vectors ``vectors`` (Glorot-uniform,
    or the model's ``init_W``); E732 when the vocab has none, E733 when a width was set and
    they have another."""
    if vectors is None or not vectors.n_keys or not vectors.shape[1]:
        raise ValueError(Errors.E732.format(name=model.name))
    width, n_vec = model.get_dim("nO"), vectors.shape[1]
    if model.has_dim("nV") is True and model.get_dim("nV") != n_vec:
        raise ValueError(Errors.E733.format(found=n_vec, expected=model.get_dim("nV")))
    model.set_dim("nV", n_vec)
    init_W = model.attrs.get("init_W")
    if init_W is not None:
        P = numpy.ascontiguousarray(init_W(ops_of(model), (width, n_vec)), dtype=numpy.float32)
    else:
        limit = numpy.sqrt(6.0 / (width + n_vec))
        P = ops_of(model).random_uniform(-limit, limit, (width, n_vec))
    model.set_param("P", P)


def forward(model: Model, docs: List, is_train: bool):
    E = model.get_param("E")
    dtype = E.dtype
    attr_ids = model.attrs["attr_ids"]
    n_tables = len(attr_ids)
    ids, lengths = _features.hash_row_ids(docs, attr_ids, model.attrs["seeds"], model.attrs["rows"])
    n = ids.shape[0]
    embedded = ops_of(model).workspace.get((n, n_tables * E.shape[1]), dtype)
    _kernels.embed_forward(E, ids, n_tables, embedded)
    Y, mix_backprop = mix_embedded(model, embedded, is_train)

    def backprop(dY: Ragged) -> List:
        d_embedded = mix_backprop(dY.dataXd)
        _kernels.embed_backward(grad_array(model, "E"), ids, n_tables, d_embedded)
        return []

    return Ragged(Y, lengths), backprop


def forward_with_vectors(model: Model, docs: List, is_train: bool):
    """``forward`` with the projected static vectors as one more block of columns."""
    E = model.get_param("E")
    dtype = E.dtype
    attr_ids = model.attrs["attr_ids"]
    n_tables = len(attr_ids)
    ids, lengths = _features.hash_row_ids(docs, attr_ids, model.attrs["seeds"], model.attrs["rows"])
    n, width = ids.shape[0], E.shape[1]
    hashed = ops_of(model).workspace.get((n, n_tables * width), dtype)
    _kernels.embed_forward(E, ids, n_tables, hashed)
    static, static_backprop = static_vectors_forward(model, docs, n, dtype)
    embedded = numpy.concatenate([hashed, static], axis=1)
    Y, mix_backprop = mix_embedded(model, embedded, is_train)

    def backprop(dY: Ragged) -> List:
        d_embedded = mix_backprop(dY.dataXd)
        d_hashed = numpy.ascontiguousarray(d_embedded[:, :n_tables * width])
        _kernels.embed_backward(grad_array(model, "E"), ids, n_tables, d_hashed)
        static_backprop(d_embedded[:, n_tables * width:])
        return []

    return Ragged(Y, lengths), backprop


def mix_embedded(model: Model, embedded, is_train: bool):
    """Dropout over the embedded columns (in place), then the maxout+norm mix: (Y, backprop
    from dY to the embedded columns' gradient). Every embedding's forward ends with it."""
    mask = dropout_mask_for(model, embedded.shape, embedded.dtype, is_train)
    if mask is not None:
        embedded *= mask
    Y, mix_backprop = maxout_norm_forward(model, embedded, is_train)

    def backprop(dY):
        d_embedded = mix_backprop(dY)
        if mask is not None:
            d_embedded *= mask
        return d_embedded

    return Y, backprop


def static_vectors_forward(model: Model, docs: List, n: int, dtype):
    """The static vectors of the ``n`` tokens of ``docs`` times ``P``: ((n, width), backprop
    adding into P's gradient)."""
    width = model.get_dim("nO")
    if not docs:
        return numpy.zeros((n, width), dtype=dtype), lambda d_static: None
    vectors = docs[0].vocab.vectors
    if model.has_param("P") is not True:
        init_projection(model, vectors)
    P = model.get_param("P")
    if vectors.shape[1] != P.shape[1]:
        raise ValueError(Errors.E733.format(found=vectors.shape[1], expected=P.shape[1]))
    key_attr = model.attrs.get("key_attr", "ORTH")
    keys = numpy.concatenate([doc.to_array(key_attr) for doc in docs])
    X = vectors.get_batch(keys).astype(dtype, copy=False)
    ops = ops_of(model)
    static = ops.gemm(X, P, trans2=True)

    def backprop(d_static: numpy.ndarray) -> None:
        grad_array(model, "P")[...] += ops.gemm(numpy.ascontiguousarray(d_static), X, trans1=True)

    return static, backprop


@registry.architectures("fastpipe.StaticVectors.v1")
def StaticVectors(nO: Optional[int] = None, nM: Optional[int] = None, *,
                  dropout: Optional[float] = None, init_W: Optional[Callable] = None,
                  key_attr: str = "ORTH") -> Model[List, Ragged]:
    """The static vectors alone, as a layer of its own: each token's vector (looked up by
    ``key_attr``) times a learned (nO, nM) matrix; ``nM`` comes from the vocab when unset.
    With ``dropout``, whole rows are dropped in training. For custom embeddings that combine
    it with other layers; ``MultiHashEmbed`` has it built in."""
    return Model(
        "static_vectors",
        static_forward,
        init=static_init,
        ops=fastpipe_ops(),
        dims={"nO": nO, "nV": nM},
        params={"P": None},
        attrs={"dropout_rate": dropout or 0.0, "init_W": init_W, "key_attr": key_attr},
    )


def static_init(model: Model, X=None, Y=None) -> Model:
    if model.has_dim("nO") is not True and Y is not None:
        model.set_dim("nO", (Y.dataXd if isinstance(Y, Ragged) else Y).shape[1])
    if X:
        init_projection(model, X[0].vocab.vectors)
    return model


def static_forward(model: Model, docs: List, is_train: bool):
    lengths = _features.doc_lengths(docs)
    static, static_backprop = static_vectors_forward(model, docs, int(lengths.sum()),
                                                     numpy.float32)
    rate = model.attrs["dropout_rate"] if is_train else 0.0
    mask = ops_of(model).dropout_mask((static.shape[0], 1), rate) if rate else None
    if mask is not None:
        static *= mask

    def backprop(dY: Ragged) -> List:
        d_static = dY.dataXd if mask is None else dY.dataXd * mask
        static_backprop(d_static)
        return []

    return Ragged(static, lengths), backprop
