"""A graph-based (biaffine) dependency parser for fastpipe, as user code (``--code``), to measure
against the transition parser within the same time budget (``bin/bench_biaffine.py``).

Architecture ``bench.Biaffine.v1`` on a tok2vec (a listener in a shared pipeline): four
ReLU layers over the token vectors give, per token, a dependent and a head vector for arcs
(``arc_width``) and for labels (``label_width``); a learned root vector stands for the virtual
root. Arc scores of a Doc are ``dep U head^T + head u + distance bias`` over all its tokens and
the root (Dozat and Manning's biaffine scorer, with a bias per clipped signed distance, since the
CNN tok2vec carries no position); a token may not head itself. Label scores for a chosen head
are additive: ``dep_l V1 + head_l V2 + direction bias + b``.

Training: cross-entropy of each token's gold head over the Doc's tokens and the root, and of
its gold label given the gold head (the component computes the label scores and their
gradients; the model's backprop takes the gradients of the arc scores and label vectors).
Prediction: Eisner's algorithm over the whole Doc (a projective forest under the virtual root:
each child of the root starts a sentence, so the parser also splits sentences), then the best
label of each arc (the root label for the root's children, any other label for the rest).

Component ``bench_biaffine_parser``, scored as the parser (dep_uas, dep_las, sents). It is a
measurement, not a fastpipe feature: nothing here is part of the package.
"""
from itertools import islice
from typing import List

import numpy
from thinc.api import Model

from fastpipe.language import Language
from fastpipe.pipeline.base import TrainablePipe
from fastpipe.registry import registry
from fastpipe.scorer import parser_score

ROOT_NODE = 0
NEG = -1e9


# -- the model ----------------------------------------------------------------------------------

@registry.architectures("bench.Biaffine.v1")
def Biaffine(tok2vec: Model, arc_width: int = 128, label_width: int = 64,
             max_distance: int = 20, dropout: float = 0.1, nO=None) -> Model:
    """List[Doc] -> per Doc (arc scores (n, n+1), label dep vectors (n, l), label head
    vectors (n+1, l)); column 0 of the arc scores and row 0 of the head vectors are the root."""
    head = Model("biaffine_head", head_forward, init=head_init,
                 dims={"nI": None, "nO": nO, "a": arc_width, "l": label_width,
                       "K": max_distance},
                 attrs={"dropout": dropout},
                 params={name: None for name in PARAMS})
    model = Model("biaffine", biaffine_forward, init=biaffine_init, layers=[tok2vec, head],
                  refs={"tok2vec": tok2vec, "head": head}, dims={"nO": nO})
    return model


PARAMS = ("Wd", "bd", "Wh", "bh", "Wld", "bld", "Wlh", "blh", "U", "u", "root", "lroot",
          "dist", "V1", "V2", "Ddir", "bl")
# the label layer's parameters: the component computes the label scores and their gradients
LABEL_PARAMS = ("V1", "V2", "Ddir", "bl")


def biaffine_init(model, X=None, Y=None):
    tok2vec, head = model.layers
    tok2vec.initialize(X=X)
    if model.has_dim("nO"):
        head.set_dim("nO", model.get_dim("nO"), force=True)
    head.set_dim("nI", tok2vec.get_dim("nO"), force=True)
    head.initialize()
    return model


def biaffine_forward(model, docs, is_train):
    tok2vec, head = model.layers
    vectors, bp_tok2vec = tok2vec(docs, is_train)
    outputs, bp_head = head(vectors, is_train)

    def backprop(d_outputs):
        return bp_tok2vec(bp_head(d_outputs))

    return outputs, backprop


def head_init(model, X=None, Y=None):
    nI, nO = model.get_dim("nI"), model.get_dim("nO")
    a, l, K = model.get_dim("a"), model.get_dim("l"), model.get_dim("K")
    rng = numpy.random.default_rng(0)

    def glorot(n_in, n_out):
        limit = numpy.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, (n_in, n_out)).astype("f")

    shapes = {"Wd": glorot(nI, a), "bd": numpy.zeros(a, "f"), "Wh": glorot(nI, a),
              "bh": numpy.zeros(a, "f"), "Wld": glorot(nI, l), "bld": numpy.zeros(l, "f"),
              "Wlh": glorot(nI, l), "blh": numpy.zeros(l, "f"),
              "U": numpy.zeros((a, a), "f"), "u": numpy.zeros(a, "f"),
              "root": rng.normal(0, 0.1, a).astype("f"),
              "lroot": rng.normal(0, 0.1, l).astype("f"),
              "dist": numpy.zeros(2 * K + 2, "f"), "V1": glorot(l, nO), "V2": glorot(l, nO),
              "Ddir": numpy.zeros((3, nO), "f"), "bl": numpy.zeros(nO, "f")}
    for name, value in shapes.items():
        model.set_param(name, value)
    return model


def buckets(n: int, K: int) -> numpy.ndarray:
    """(n, n+1) distance buckets: column 0 (the root) is 2K+1; token j heading token i is
    clip(j - i, -K, K) + K."""
    rel = numpy.arange(n)[None, :] - numpy.arange(n)[:, None]
    out = numpy.empty((n, n + 1), dtype=numpy.int64)
    out[:, 0] = 2 * K + 1
    out[:, 1:] = numpy.clip(rel, -K, K) + K
    return out


def head_forward(model, vectors: List, is_train: bool):
    p = {name: model.get_param(name) for name in PARAMS}
    K = model.get_dim("K")
    lengths = [len(v) for v in vectors]
    X = numpy.concatenate(vectors) if vectors else numpy.zeros((0, model.get_dim("nI")), "f")
    rate = model.attrs["dropout"] if is_train else 0.0
    layers = {}
    for out, W, b in (("Hd", "Wd", "bd"), ("Hh", "Wh", "bh"), ("Ld", "Wld", "bld"),
                      ("Lh", "Wlh", "blh")):
        pre = X @ p[W] + p[b]
        mask = pre > 0
        if rate:
            mask = mask * (numpy.random.random(pre.shape) >= rate) / (1.0 - rate)
        layers[out] = (pre * mask).astype("f"), mask
    outputs, cache = [], []
    start = 0
    for n in lengths:
        hd = layers["Hd"][0][start:start + n]
        hh = numpy.vstack([p["root"][None, :], layers["Hh"][0][start:start + n]])
        ld = layers["Ld"][0][start:start + n]
        lh = numpy.vstack([p["lroot"][None, :], layers["Lh"][0][start:start + n]])
        T = hd @ p["U"]
        bucket = buckets(n, K)
        S = T @ hh.T + (hh @ p["u"])[None, :] + p["dist"][bucket]
        S[numpy.arange(n), numpy.arange(n) + 1] = NEG   # no token heads itself
        outputs.append((S, ld, lh))
        cache.append((start, n, hd, hh, T, bucket))
        start += n

    def backprop(d_outputs):
        grads = {name: numpy.zeros_like(p[name]) for name in PARAMS if name not in LABEL_PARAMS}
        d_layers = {name: numpy.zeros_like(layers[name][0]) for name in layers}
        for (dS, dld, dlh), (start, n, hd, hh, T, bucket) in zip(d_outputs, cache):
            if n == 0:
                continue
            dS = numpy.asarray(dS, dtype="f")
            row_sum = dS.sum(axis=0)                    # (n+1,) over dependents
            dT = dS @ hh                                # (n, a)
            dhh = dS.T @ T + numpy.outer(row_sum, p["u"])
            grads["u"] += hh.T @ row_sum
            numpy.add.at(grads["dist"], bucket.ravel(), dS.ravel())
            grads["U"] += hd.T @ dT
            d_layers["Hd"][start:start + n] += dT @ p["U"].T
            grads["root"] += dhh[0]
            d_layers["Hh"][start:start + n] += dhh[1:]
            d_layers["Ld"][start:start + n] += dld
            grads["lroot"] += dlh[0]
            d_layers["Lh"][start:start + n] += dlh[1:]
        dX = numpy.zeros_like(X)
        for out, W, b in (("Hd", "Wd", "bd"), ("Hh", "Wh", "bh"), ("Ld", "Wld", "bld"),
                          ("Lh", "Wlh", "blh")):
            d_pre = d_layers[out] * layers[out][1]
            grads[W] += X.T @ d_pre
            grads[b] += d_pre.sum(axis=0)
            dX += d_pre @ p[W].T
        for name, value in grads.items():
            model.inc_grad(name, value.astype("f"))
        splits = numpy.cumsum(lengths)[:-1]
        return [x.astype("f") for x in numpy.split(dX, splits)]

    return outputs, backprop


# -- label scores (used by the component in training and prediction) ----------------------------

def label_scores(head_model, ld, lh, heads):
    """(n, nO) label scores of each token given its head node (0 = root), and the directions."""
    n = len(heads)
    direction = numpy.where(heads == ROOT_NODE, 0,
                            numpy.where(heads - 1 < numpy.arange(n), 1, 2))
    p = {name: head_model.get_param(name) for name in LABEL_PARAMS}
    Z = ld @ p["V1"] + lh[heads] @ p["V2"] + p["Ddir"][direction] + p["bl"]
    return Z, direction


def softmax(Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    E = numpy.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


# -- decoding -----------------------------------------------------------------------------------

def eisner(S: numpy.ndarray) -> numpy.ndarray:
    """The best projective forest under the root for arc scores S (n dependents x n+1 head
    nodes, node 0 the root): each token's head node. The root may have several children."""
    n = S.shape[0]
    N = n + 1
    score = numpy.full((N, N), NEG)          # score[h, d]
    score[:, 1:] = S.T
    Cr = numpy.full((N, N), NEG)
    Cl = numpy.full((N, N), NEG)
    Ir = numpy.full((N, N), NEG)
    Il = numpy.full((N, N), NEG)
    bCr = numpy.zeros((N, N), dtype=numpy.int64)
    bCl = numpy.zeros((N, N), dtype=numpy.int64)
    bI = numpy.zeros((N, N), dtype=numpy.int64)
    idx = numpy.arange(N)
    Cr[idx, idx] = 0.0
    Cl[idx, idx] = 0.0
    for k in range(1, N):
        s = numpy.arange(N - k)
        t = s + k
        R = s[:, None] + numpy.arange(k)[None, :]                 # r in [s, t)
        joined = Cr[s[:, None], R] + Cl[R + 1, t[:, None]]
        best = joined.argmax(axis=1)
        top = joined[numpy.arange(len(s)), best]
        bI[s, t] = best + s
        Ir[s, t] = top + score[s, t]
        left = top + score[t, s]
        left[s == ROOT_NODE] = NEG                                 # nothing heads the root
        Il[s, t] = left
        Rr = s[:, None] + 1 + numpy.arange(k)[None, :]             # r in (s, t]
        vals = Ir[s[:, None], Rr] + Cr[Rr, t[:, None]]
        best = vals.argmax(axis=1)
        Cr[s, t] = vals[numpy.arange(len(s)), best]
        bCr[s, t] = best + s + 1
        vals = Cl[s[:, None], R] + Il[R, t[:, None]]                # r in [s, t)
        best = vals.argmax(axis=1)
        Cl[s, t] = vals[numpy.arange(len(s)), best]
        bCl[s, t] = best + s
    heads = numpy.zeros(N, dtype=numpy.int64)
    stack = [(0, n, "Cr")]
    while stack:
        s, t, kind = stack.pop()
        if s == t:
            continue
        if kind == "Cr":
            r = bCr[s, t]
            stack += [(s, r, "Ir"), (r, t, "Cr")]
        elif kind == "Cl":
            r = bCl[s, t]
            stack += [(s, r, "Cl"), (r, t, "Il")]
        else:
            r = bI[s, t]
            if kind == "Ir":
                heads[t] = s
            else:
                heads[s] = t
            stack += [(s, r, "Cr"), (r + 1, t, "Cl")]
    return heads[1:]


# -- the component ------------------------------------------------------------------------------

@Language.factory("bench_biaffine_parser", default_config={"model": None},
                  default_score_weights={"dep_uas": 0.5, "dep_las": 0.5, "sents_f": 0.0},
                  assigns=("token.head", "token.dep", "token.is_sent_start"))
def make_biaffine_parser(nlp, name: str, model: Model) -> "BiaffineParser":
    return BiaffineParser(nlp.vocab, model, name)


class BiaffineParser(TrainablePipe):
    def __init__(self, vocab, model, name="biaffine_parser"):
        super().__init__(vocab, model, name, root_labels=[])

    def _head(self):
        return self.model.get_ref("head")

    def initialize(self, get_examples, *, nlp=None, labels=None):
        found, roots = set(), set()
        for eg in get_examples():
            heads, deps = eg.get_aligned_parse(projectivize=False)
            for i, (h, d) in enumerate(zip(heads, deps)):
                if d:
                    found.add(d)
                    if h == i:
                        roots.add(d)
        for label in sorted(found):
            self.add_label(label)
        self.cfg["root_labels"] = sorted(roots)
        self.model.set_dim("nO", len(self.labels))
        self.initialize_model([eg.predicted for eg in islice(get_examples(), 10)])

    def _gold(self, eg):
        """(gold head node per token, -1 where missing; gold label index, -1 where missing)."""
        heads, deps = eg.get_aligned_parse(projectivize=False)
        index = {label: i for i, label in enumerate(self.labels)}
        gold_h = numpy.array([-1 if h is None else (ROOT_NODE if h == i else h + 1)
                              for i, h in enumerate(heads)], dtype=numpy.int64)
        gold_l = numpy.array([index.get(d, -1) if d else -1 for d in deps], dtype=numpy.int64)
        return gold_h, gold_l

    def update(self, examples, *, drop=0.0, sgd=None, losses=None):
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        docs = [eg.predicted for eg in examples]
        if not any(len(doc) for doc in docs):
            return losses
        outputs, backprop = self.model.begin_update(docs)
        head = self._head()
        label_grads = {name: numpy.zeros_like(head.get_param(name)) for name in LABEL_PARAMS}
        d_outputs, loss = [], 0.0
        for eg, (S, ld, lh) in zip(examples, outputs):
            n = len(S)
            gold_h, gold_l = self._gold(eg)
            dS = numpy.zeros_like(S)
            dld = numpy.zeros_like(ld)
            dlh = numpy.zeros_like(lh)
            rows = numpy.nonzero(gold_h >= 0)[0]
            if n and len(rows):
                P = softmax(S[rows])
                loss -= float(numpy.log(numpy.clip(P[numpy.arange(len(rows)), gold_h[rows]],
                                                   1e-9, 1)).sum())
                P[numpy.arange(len(rows)), gold_h[rows]] -= 1.0
                dS[rows] = P
                labelled = rows[gold_l[rows] >= 0]
                if len(labelled):
                    h = gold_h[labelled]
                    Z, direction = label_scores(head, ld[labelled], lh, h)
                    Q = softmax(Z)
                    target = gold_l[labelled]
                    loss -= float(numpy.log(numpy.clip(Q[numpy.arange(len(h)), target],
                                                       1e-9, 1)).sum())
                    Q[numpy.arange(len(h)), target] -= 1.0
                    label_grads["V1"] += ld[labelled].T @ Q
                    label_grads["V2"] += lh[h].T @ Q
                    numpy.add.at(label_grads["Ddir"], direction, Q)
                    label_grads["bl"] += Q.sum(axis=0)
                    dld[labelled] = Q @ head.get_param("V1").T
                    numpy.add.at(dlh, h, Q @ head.get_param("V2").T)
            d_outputs.append((dS, dld, dlh))
        for name, value in label_grads.items():
            head.inc_grad(name, value.astype("f"))
        backprop(d_outputs)
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def predict(self, docs):
        if not any(len(doc) for doc in docs):
            return [(numpy.zeros(0, "i"), numpy.zeros(0, "i")) for doc in docs]
        head = self._head()
        index = {label: i for i, label in enumerate(self.labels)}
        root_mask = numpy.full(len(self.labels), NEG)
        root_mask[[index[r] for r in self.cfg["root_labels"] if r in index]] = 0.0
        other_mask = numpy.where(root_mask == 0.0, NEG, 0.0)
        out = []
        for S, ld, lh in self.model.predict(docs):
            if not len(S):
                out.append((numpy.zeros(0, "i"), numpy.zeros(0, "i")))
                continue
            heads = eisner(S)
            Z, _ = label_scores(head, ld, lh, heads)
            Z = Z + numpy.where((heads == ROOT_NODE)[:, None], root_mask, other_mask)
            out.append((heads, Z.argmax(axis=1)))
        return out

    def set_annotations(self, docs, predictions):
        strings = self.vocab.strings
        keys = numpy.asarray([strings.add(label) for label in self.labels], dtype=numpy.uint64)
        for doc, (heads, labels) in zip(docs, predictions):
            n = len(doc)
            if not n:
                continue
            positions = numpy.where(heads == ROOT_NODE, numpy.arange(n), heads - 1)
            offsets = (positions - numpy.arange(n)).astype(numpy.int64).view(numpy.uint64)
            doc.from_array(["HEAD", "DEP"], numpy.stack([offsets, keys[labels]], axis=1))

    def score(self, examples, **kwargs):
        return parser_score(examples, **kwargs)
