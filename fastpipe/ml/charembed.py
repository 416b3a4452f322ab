"""CharacterEmbed: a word's hashed feature embedding beside embeddings of its characters.

Hash tables see a rare or unseen word only through its few hashed attributes; spelling, which
carries much of what a tagger or an entity recognizer needs about such words, is better read
character by character. Each token here gets:

* the hash embedding of one attribute (``feature``, LOWER by default): N_SEEDS rows of a
  (rows, width) table summed, as in MultiHashEmbed;
* ``nC`` byte embeddings of width ``nM``: the first ceil(nC/2) and the last floor(nC/2) bytes
  of the word's UTF-8 text (case kept, since the feature is usually lower-cased), so a slot
  always means the same place (the first byte, the last byte, the one before it...); byte 0
  fills the places a short word does not have. Each slot has its own table of 256 rows, all
  stacked in one parameter ``C`` (nC*256, nM);
* with ``include_static_vectors``, the token's static vector times a learned projection
  (MultiHashEmbed's block, built by the same functions).

The blocks are written side by side into one matrix (``_kernels.embed_forward_at``), dropout is
applied, and a maxout+layer-norm layer mixes them to ``width``. A word's byte slots depend on
its text alone, so they are kept per ORTH key in a bounded cache shared by all models.

Input: List[Doc]. Output: a thinc Ragged over the batch, the form the encoders take.
"""
from typing import Dict, List, Union

import numpy
from thinc.api import Model
from thinc.types import Ragged

from ..attrs import NAMES, intify_attr
from ..errors import Errors
from ..registry import registry
from . import _features, _kernels
from .embed import MIX_PIECES, SEED_BASE, init_projection, mix_embedded, static_vectors_forward
from .maxout import init_maxout_norm
from .ops import fastpipe_ops, grad_array, ops_of

#: Rows of each character slot's table: one per byte value.
N_BYTES = 256
#: Words whose byte slots are cached (per nC); the cache is emptied when it is full.
CACHE_LIMIT = 200_000

_SLOT_CACHE: Dict[int, Dict[int, bytes]] = {}


@registry.architectures("fastpipe.CharacterEmbed.v1")
def CharacterEmbed(width: int, rows: int, nM: int, nC: int, include_static_vectors: bool,
                   feature: Union[int, str] = "LOWER") -> Model[List, Ragged]:
    """The hash embedding of ``feature`` (``rows`` rows) and ``nC`` character embeddings of
    width ``nM`` per word, mixed to ``width``."""
    if min(width, rows, nM, nC) < 1:
        raise ValueError(Errors.E870.format(width=width, rows=rows, nM=nM, nC=nC))
    feature_id = intify_attr(feature)  # a name or id it does not know: KeyError, E047/E048
    n_cols = width + nC * nM + (width if include_static_vectors else 0)
    params = {"E": None, "C": None, "W": None, "b": None, "G": None, "beta": None}
    dims = {"nO": width, "nM": nM, "nC": nC, "nP": MIX_PIECES, "nE": n_cols}
    if include_static_vectors:
        params["P"] = None
        dims["nV"] = None
    return Model(
        "character_embed",
        forward,
        init=init,
        ops=fastpipe_ops(),
        dims=dims,
        params=params,
        attrs={"feature": NAMES[feature_id], "feature_id": feature_id, "rows": int(rows),
               "seed": SEED_BASE, "dropout_rate": 0.0,
               "static_vectors": bool(include_static_vectors)},
    )


def init(model: Model, X=None, Y=None) -> Model:
    ops = ops_of(model)
    width, nM, nC = model.get_dim("nO"), model.get_dim("nM"), model.get_dim("nC")
    model.set_param("E", ops.random_uniform(-0.1, 0.1, (model.attrs["rows"], width)))
    model.set_param("C", ops.random_uniform(-0.1, 0.1, (nC * N_BYTES, nM)))
    init_maxout_norm(model, model.get_dim("nE"), width, model.get_dim("nP"))
    if model.attrs["static_vectors"] and X:
        init_projection(model, X[0].vocab.vectors)
    return model


def byte_slots(text: str, nC: int) -> bytes:
    """The ``nC`` bytes of ``text`` the character tables see: slot c < ceil(nC/2) holds the
    word's c-th UTF-8 byte from the start, slot nC-1-k its k-th byte from the end, and byte 0
    stands in where the word is too short (a short word fills both halves)."""
    data = text.encode("utf8")
    front, back = (nC + 1) // 2, nC // 2
    head = data[:front].ljust(front, b"\0")
    tail = data[max(len(data) - back, 0):].rjust(back, b"\0") if back else b""
    return head + tail


def char_row_ids(docs: List, nC: int) -> numpy.ndarray:
    """uint32 (n_tokens, nC): for each token and slot c, the row c*256 + byte of ``C``."""
    if not docs:
        return numpy.zeros((0, nC), dtype=numpy.uint32)
    keys = numpy.concatenate([doc.to_array("ORTH") for doc in docs]).astype(numpy.uint64)
    cache = _SLOT_CACHE.setdefault(nC, {})
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    unique, inverse = numpy.unique(keys, return_inverse=True)
    strings = docs[0].vocab.strings
    slots = []
    for key in unique.tolist():
        value = cache.get(key)
        if value is None:
            value = cache[key] = byte_slots(strings[key], nC)
        slots.append(value)
    table = numpy.frombuffer(b"".join(slots), dtype=numpy.uint8).reshape(len(unique), nC)
    ids = table[inverse.reshape(-1)].astype(numpy.uint32)
    ids += (numpy.arange(nC, dtype=numpy.uint32) * N_BYTES)[None, :]
    return ids


def forward(model: Model, docs: List, is_train: bool):
    E, C = model.get_param("E"), model.get_param("C")
    dtype = E.dtype
    width, nC = E.shape[1], model.get_dim("nC")
    char_cols = nC * C.shape[1]
    ids, lengths = _features.hash_row_ids(docs, [model.attrs["feature_id"]],
                                          [model.attrs["seed"]], [model.attrs["rows"]])
    chars = char_row_ids(docs, nC)
    n = ids.shape[0]
    embedded = ops_of(model).workspace.get((n, model.get_dim("nE")), dtype)
    _kernels.embed_forward_at(E, ids, 1, embedded, 0)
    _kernels.embed_forward_at(C, chars, nC, embedded, width)
    static_backprop = None
    if model.attrs["static_vectors"]:
        static, static_backprop = static_vectors_forward(model, docs, n, dtype)
        embedded[:, width + char_cols:] = static
    Y, mix_backprop = mix_embedded(model, embedded, is_train)

    def backprop(dY: Ragged) -> List:
        d_embedded = mix_backprop(dY.dataXd)
        _kernels.embed_backward_at(grad_array(model, "E"), ids, 1, d_embedded, 0)
        _kernels.embed_backward_at(grad_array(model, "C"), chars, nC, d_embedded, width)
        if static_backprop is not None:
            static_backprop(d_embedded[:, width + char_cols:])
        return []

    return Ragged(Y, lengths), backprop
