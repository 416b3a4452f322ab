"""Pretraining objectives: a head on top of a tok2vec that predicts something about each token
from its context vector, so that the tok2vec can learn from raw text.

An objective is registered as a function of its settings returning ``create(vocab, tok2vec)``,
which builds a Model: List[Doc] -> (n_tokens, nO) predictions for the whole batch, with
``model.attrs["loss"](model, docs, predictions) -> (loss, d_predictions)``. The head is one
maxout+layer-norm block of ``hidden_size`` (``maxout.py``'s kernels, as every tok2vec layer)
and a linear output layer; the tok2vec is the model's ``tok2vec`` ref, whose weights
``fastpipe pretrain`` saves.

* ``fastpipe.PretrainCharacters.v1`` (spaCy's ``spacy.PretrainCharacters.v1``):
  ``n_characters`` UTF-8 bytes of each word, the first half from its start and the rest from
  its end (4: the first two and the last two), one softmax over 256 byte values per position
  (0 pads a word shorter than that), cross-entropy.
* ``fastpipe.PretrainVectors.v1`` (spaCy's ``spacy.PretrainVectors.v1``): the word's static
  vector (by ORTH), loss "cosine" or "L2"; words without a vector do not count.

In training, each token is hidden from the tok2vec with probability ``MASK_PROB`` (replaced by
``MASK_TEXT`` 80% of the time, by a random token of the batch 10%, left as it is 10%), while the
targets stay the true words': else the word's own features (its prefix and suffix among them)
would give the answer away and the context would have nothing to teach.

The character targets come from one table per batch: the batch's distinct ORTH keys
(``numpy.unique``), each one's bytes computed once per process and cached, then one take.
"""
from typing import Callable, Dict, List, Tuple

import numpy
from thinc.api import Model

from ..errors import Errors
from ..registry import registry
from ..tokens import Doc
from .maxout import init_maxout_norm, maxout_norm_forward
from .ops import fastpipe_ops, grad_array, ops_of
from .tok2vec import concat_rows, split_rows

__all__ = ["PretrainCharacters", "PretrainVectors", "build_pretrain_model", "CharacterTargets",
           "character_loss", "vector_loss", "mask_docs", "LOSSES", "MASK_PROB", "MASK_TEXT"]

N_BYTES = 256
LOSSES = ("cosine", "L2")
MASK_PROB = 0.15
MASK_TEXT = "[MASK]"


@registry.architectures("fastpipe.PretrainCharacters.v1")
def PretrainCharacters(maxout_pieces: int, hidden_size: int, n_characters: int) -> Callable:
    """Predict ``n_characters`` bytes from each word's start and end (module docstring)."""
    name = "spacy.PretrainCharacters.v1"
    _check_positive(name, maxout_pieces=maxout_pieces, hidden_size=hidden_size,
                    n_characters=n_characters)

    def create(vocab, tok2vec: Model) -> Model:
        targets = CharacterTargets(vocab.strings, n_characters)
        model = build_pretrain_model(tok2vec, hidden_size=hidden_size,
                                     maxout_pieces=maxout_pieces,
                                     nO=n_characters * N_BYTES, name="pretrain_characters")
        model.attrs["loss"] = lambda model, docs, Y: character_loss(targets(docs), Y)
        return model

    return create


@registry.architectures("fastpipe.PretrainVectors.v1")
def PretrainVectors(maxout_pieces: int, hidden_size: int, loss: str) -> Callable:
    """Predict each word's static vector from the vocab (module docstring)."""
    name = "spacy.PretrainVectors.v1"
    _check_positive(name, maxout_pieces=maxout_pieces, hidden_size=hidden_size)
    if loss not in LOSSES:
        raise ValueError(Errors.E804.format(name=name, value=loss))

    def create(vocab, tok2vec: Model) -> Model:
        vectors = vocab.vectors
        if not vectors.n_keys or not vectors.shape[1]:
            raise ValueError(Errors.E803.format(name=name))
        model = build_pretrain_model(tok2vec, hidden_size=hidden_size,
                                     maxout_pieces=maxout_pieces, nO=vectors.shape[1],
                                     name="pretrain_vectors")

        def get_loss(model, docs, Y):
            keys = _keys_of(docs)
            found = vectors.has_vectors(keys)
            return vector_loss(vectors.get_batch(keys), found, Y, loss)

        model.attrs["loss"] = get_loss
        return model

    return create


def _check_positive(name: str, **settings) -> None:
    for setting, value in settings.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(Errors.E805.format(name=name, setting=setting, value=value))


def _keys_of(docs: List) -> numpy.ndarray:
    if not docs:
        return numpy.zeros((0,), dtype=numpy.uint64)
    return numpy.concatenate([doc.to_array("ORTH") for doc in docs]).astype(numpy.uint64,
                                                                             copy=False)


# -- the model ------------------------------------------------------------------------------------

def build_pretrain_model(tok2vec: Model, *, hidden_size: int, maxout_pieces: int, nO: int,
                         name: str) -> Model:
    """``tok2vec`` (List[Doc] -> List[Floats2d]), then maxout+layer norm to ``hidden_size``,
    then a linear layer to ``nO``: one (n_tokens, nO) array for the batch. In training the
    tok2vec reads copies of the Docs with some tokens masked (``mask_docs``)."""
    hidden = Model("pretrain_hidden", _hidden_forward, init=_hidden_init, ops=fastpipe_ops(),
                   dims={"nO": hidden_size, "nI": None, "nP": maxout_pieces},
                   params={"W": None, "b": None, "G": None, "beta": None},
                   attrs={"dropout_rate": 0.0})
    output = Model("pretrain_output", _output_forward, init=_output_init, ops=fastpipe_ops(),
                   dims={"nO": nO, "nI": hidden_size}, params={"W": None, "b": None})
    return Model(name, _forward, init=_init, ops=fastpipe_ops(),
                 layers=[tok2vec, hidden, output], refs={"tok2vec": tok2vec},
                 dims={"nO": nO}, attrs={"mask_prob": MASK_PROB})


def _init(model: Model, X=None, Y=None) -> Model:
    tok2vec, hidden, output = model.layers
    tok2vec.initialize(X=X)
    hidden.set_dim("nI", tok2vec.get_dim("nO"), force=True)
    hidden.initialize()
    output.initialize()
    return model


def _forward(model: Model, docs: List, is_train: bool):
    tok2vec, hidden, output = model.layers
    if is_train and model.attrs["mask_prob"]:
        docs = mask_docs(docs, model.attrs["mask_prob"])
    vectors, tok2vec_backprop = tok2vec(docs, is_train)
    lengths = [len(v) for v in vectors]
    width = tok2vec.get_dim("nO")
    X = concat_rows(ops_of(model), vectors, width, numpy.float32)
    H, hidden_backprop = hidden(X, is_train)
    Y, output_backprop = output(H, is_train)

    def backprop(dY: numpy.ndarray) -> List:
        dX = hidden_backprop(output_backprop(dY))
        return tok2vec_backprop(split_rows(dX, numpy.asarray(lengths)))

    return Y, backprop


def _hidden_init(model: Model, X=None, Y=None) -> Model:
    init_maxout_norm(model, model.get_dim("nI"), model.get_dim("nO"), model.get_dim("nP"))
    return model


def _hidden_forward(model: Model, X: numpy.ndarray, is_train: bool):
    return maxout_norm_forward(model, X, is_train)


def _output_init(model: Model, X=None, Y=None) -> Model:
    nI, nO = model.get_dim("nI"), model.get_dim("nO")
    ops = ops_of(model)
    limit = numpy.sqrt(6.0 / (nI + nO))
    model.set_param("W", ops.random_uniform(-limit, limit, (nI, nO)))
    model.set_param("b", ops.alloc1f(nO))
    return model


def _output_forward(model: Model, X: numpy.ndarray, is_train: bool):
    W = model.get_param("W")
    b = model.get_param("b")
    ops = ops_of(model)
    Y = ops.matmul(X, W)
    Y += b

    def backprop(dY: numpy.ndarray) -> numpy.ndarray:
        dY = numpy.ascontiguousarray(dY, dtype=W.dtype)
        ops.matmul_add(X.T, dY, grad_array(model, "W"))
        grad_array(model, "b")[...] += dY.sum(axis=0)
        return ops.matmul(dY, W.T)

    return Y, backprop


# -- targets and losses ---------------------------------------------------------------------------

def mask_docs(docs: List, mask_prob: float) -> List:
    """Copies of ``docs`` in which each token is, with probability ``mask_prob``, replaced by
    ``MASK_TEXT`` (80%), by a random token of the batch (10%) or kept (10%); drawn from
    numpy's global generator, which ``fix_random_seed`` seeds."""
    if not docs:
        return docs
    vocab = docs[0].vocab
    arrays = [doc.to_array(["ORTH", "SPACY"]).reshape((len(doc), 2)) for doc in docs]
    keys = numpy.concatenate([a[:, 0] for a in arrays])
    n = len(keys)
    chosen = numpy.random.random(n) < mask_prob
    roll = numpy.random.random(n)
    masked = keys.copy()
    masked[chosen & (roll < 0.8)] = vocab.strings.add(MASK_TEXT)
    swapped = chosen & (roll >= 0.8) & (roll < 0.9)
    masked[swapped] = keys[numpy.random.randint(0, n, int(swapped.sum()))]
    out = []
    start = 0
    for array in arrays:
        end = start + len(array)
        out.append(Doc._from_keys(vocab, masked[start:end], array[:, 1]))
        start = end
    return out


class CharacterTargets:
    """The byte targets of a batch: (n_tokens, n_characters) uint8, the word's first
    ceil(n_characters / 2) UTF-8 bytes (zero-padded on the right), then the last
    floor(n_characters / 2) of the bytes after those (zero-padded on the left). Each word's
    row is computed once and cached by ORTH key."""

    def __init__(self, strings, n_characters: int):
        self.strings = strings
        self.n = n_characters
        self.cache: Dict[int, numpy.ndarray] = {}

    def row(self, key: int) -> numpy.ndarray:
        found = self.cache.get(key)
        if found is None:
            n = self.n
            n_head = (n + 1) // 2
            data = self.strings[key].encode("utf8")
            head = data[:n_head]
            tail = data[n_head:][-(n - n_head):] if n > n_head else b""
            found = numpy.zeros((n,), dtype=numpy.uint8)
            found[:len(head)] = numpy.frombuffer(head, dtype=numpy.uint8)
            found[n - len(tail):] = numpy.frombuffer(tail, dtype=numpy.uint8)
            self.cache[key] = found
        return found

    def __call__(self, docs: List) -> numpy.ndarray:
        keys = _keys_of(docs)
        if not len(keys):
            return numpy.zeros((0, self.n), dtype=numpy.uint8)
        unique, inverse = numpy.unique(keys, return_inverse=True)
        table = numpy.stack([self.row(int(key)) for key in unique.tolist()])
        return table[inverse.reshape(-1)]


def character_loss(targets: numpy.ndarray, Y: numpy.ndarray) -> Tuple[float, numpy.ndarray]:
    """Cross-entropy of one softmax over 256 byte values per target position: ``Y`` is
    (n_tokens, positions * 256) scores, ``targets`` (n_tokens, positions) bytes. Returns the
    loss summed over tokens and positions, and its gradient divided by the number of tokens."""
    n, positions = targets.shape
    if n == 0:
        return 0.0, numpy.zeros_like(Y)
    scores = Y.reshape((n * positions, N_BYTES))
    probs = scores - scores.max(axis=1, keepdims=True)
    numpy.exp(probs, out=probs)
    probs /= probs.sum(axis=1, keepdims=True)
    picked = numpy.arange(n * positions)
    flat = targets.reshape(-1).astype(numpy.intp)
    loss = float(-numpy.log(numpy.maximum(probs[picked, flat], 1e-12)).sum())
    probs[picked, flat] -= 1.0
    probs /= n
    return loss, probs.reshape(Y.shape)


def vector_loss(targets: numpy.ndarray, found: numpy.ndarray, Y: numpy.ndarray,
                loss: str) -> Tuple[float, numpy.ndarray]:
    """The loss of predicted vectors ``Y`` against ``targets`` over the rows where ``found``:
    "cosine" (1 - cosine similarity) or "L2" (half the squared distance), summed; the gradient
    is divided by the number of tokens, and zero on rows without a vector."""
    n = Y.shape[0]
    d_Y = numpy.zeros_like(Y)
    if n == 0 or not found.any():
        return 0.0, d_Y
    pred = Y[found]
    gold = targets[found].astype(Y.dtype, copy=False)
    if loss == "L2":
        diff = pred - gold
        d_Y[found] = diff / n
        return float(0.5 * (diff ** 2).sum()), d_Y
    eps = 1e-8
    pred_norm = numpy.sqrt((pred ** 2).sum(axis=1, keepdims=True)) + eps
    gold_norm = numpy.sqrt((gold ** 2).sum(axis=1, keepdims=True)) + eps
    cos = (pred * gold).sum(axis=1, keepdims=True) / (pred_norm * gold_norm)
    # d(1 - cos)/d pred = -(gold / (|p||g|) - cos * pred / |p|^2)
    d_pred = -(gold / (pred_norm * gold_norm) - cos * pred / (pred_norm ** 2))
    d_Y[found] = d_pred / n
    return float((1.0 - cos).sum()), d_Y
