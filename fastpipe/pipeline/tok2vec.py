"""tok2vec: one embedding shared by several components through listeners.

The tok2vec component runs its model once per batch and hands the output to every listener
layer inside later components' models. Each listener adds its gradient into one buffer; the
tok2vec model's backward runs once, with the sum, when the tok2vec component finishes its
update (or before the next batch), not once per listener.
"""
import math
from itertools import islice
from typing import Any, List, Optional

from thinc.api import Config, Model, set_dropout_rate

from ..errors import Errors
from ..registry import factory, registry
from .base import TrainablePipe, validate_examples

DEFAULT_TOK2VEC_MODEL = Config().from_str("""
[model]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 96
depth = 4
embed_size = 2000
window_size = 1
maxout_pieces = 3
subword_features = true
""")["model"]

LISTENER_NAME = "tok2vec-listener"


@factory("tok2vec", default_config={"model": DEFAULT_TOK2VEC_MODEL}, assigns=("doc.tensor",))
def make_tok2vec(nlp: Any, name: str, model: Model) -> "Tok2Vec":
    return Tok2Vec(nlp.vocab, model, name)


class _ListenerState:
    """What a listener layer shares with its upstream tok2vec component."""

    def __init__(self):
        self.docs = None          # the batch the outputs belong to
        self.index = {}           # id(doc) -> position in that batch
        self.outputs = None       # List[Floats2d] for that batch
        self.accumulate = None    # callable(d_outputs, rows) adding a gradient upstream


@registry.architectures("fastpipe.Tok2VecListener.v1")
def Tok2VecListener(width: int, upstream: str = "*", grad_factor: float = 1.0) -> Model:
    """A layer that takes the output of an upstream tok2vec component instead of computing one.

    upstream: the name of that component, or "*" for the nearest tok2vec before this one.
    grad_factor: what the gradient this component sends back to the tok2vec is multiplied by
    (as spacy-transformers' listener has it): 0 trains the shared layers with the other
    components' gradients only, 2 gives this component a larger say in them. spaCy's
    ``spacy.Tok2VecListener.v1`` is this with 1."""
    if not (grad_factor >= 0 and math.isfinite(grad_factor)):
        raise ValueError(Errors.E873.format(grad_factor=grad_factor, upstream=upstream))
    return Model(LISTENER_NAME, _listener_forward, dims={"nO": width},
                 attrs={"upstream": upstream, "state": _ListenerState(),
                        "grad_factor": float(grad_factor)})


def _listener_forward(model: Model, docs, is_train: bool):
    state: _ListenerState = model.attrs["state"]
    if is_train and state.docs is not None:
        # the batch the tok2vec saw, or a subset of it (a component may skip examples that
        # lack its annotation): find each doc's row by identity
        index = state.index
        rows = [index.get(id(doc), -1) for doc in docs]
        if all(row >= 0 for row in rows):
            accumulate = state.accumulate
            outputs = [state.outputs[row] for row in rows]
            factor = model.attrs["grad_factor"]

            def backprop(d_outputs):
                if factor != 1.0:
                    d_outputs = [d * factor for d in d_outputs]
                accumulate(d_outputs, rows)
                return []

            return outputs, backprop
    outputs = []
    for doc in docs:
        if doc.tensor is None:
            raise ValueError(Errors.E096.format(upstream=model.attrs["upstream"]))
        outputs.append(doc.tensor)
    return outputs, lambda d_outputs: []


class Tok2Vec(TrainablePipe):
    """Embeds each token; stores the vectors on ``doc.tensor`` and feeds listeners."""

    def __init__(self, vocab, model: Model, name: str = "tok2vec"):
        super().__init__(vocab, model, name)
        self.listeners: List[Model] = []
        self._backprop = None
        self._d_outputs = None

    def find_listeners(self, nlp) -> None:
        """Attach every listener in the components after this one that asks for it."""
        self.listeners = []
        names = nlp.component_names
        if self.name not in names:
            return
        own = names.index(self.name)
        for index, (name, proc) in enumerate(nlp.components):
            model = getattr(proc, "model", None)
            if index <= own or not isinstance(model, Model):
                continue
            for node in model.walk():
                if node.name != LISTENER_NAME:
                    continue
                upstream = node.attrs["upstream"]
                if upstream == self.name or (upstream == "*" and self._nearest(nlp, index) == self.name):
                    self.listeners.append(node)

    @staticmethod
    def _nearest(nlp, index: int) -> Optional[str]:
        for name, proc in reversed(nlp.components[:index]):
            if isinstance(proc, Tok2Vec):
                return name
        return None

    def predict(self, docs):
        if not any(len(doc) for doc in docs):
            return [self.model.ops.alloc2f(len(doc), self.model.get_dim("nO")) for doc in docs]
        return self.model.predict(docs)

    def set_annotations(self, docs, outputs):
        for doc, output in zip(docs, outputs):
            doc.tensor = output

    def update(self, examples, *, drop: float = 0.0, sgd=None, losses=None):
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = validate_examples(examples, "Tok2Vec.update")
        self._flush()
        docs = [eg.predicted for eg in examples]
        set_dropout_rate(self.model, drop)
        outputs, backprop = self.model.begin_update(docs)
        self._backprop = backprop
        self._d_outputs = [self.model.ops.alloc2f(*out.shape) for out in outputs]

        def accumulate(d_outputs, rows):
            for row, d in zip(rows, d_outputs):
                self._d_outputs[row] += d
            losses[self.name] += float(sum((d ** 2).sum() for d in d_outputs))

        for listener in self.listeners:
            state: _ListenerState = listener.attrs["state"]
            state.docs = docs
            state.index = {id(doc): i for i, doc in enumerate(docs)}
            state.outputs = outputs
            state.accumulate = accumulate
        if sgd not in (None, False):
            self.finish_update(sgd)
        return losses

    def _flush(self):
        """Run the model's backward once with the gradients the listeners sent."""
        if self._backprop is not None:
            self._backprop(self._d_outputs)
        self._backprop = None
        self._d_outputs = None
        for listener in self.listeners:
            state: _ListenerState = listener.attrs["state"]
            state.docs = state.outputs = state.accumulate = None
            state.index = {}

    def finish_update(self, sgd):
        self._flush()
        self.model.finish_update(sgd)

    def initialize(self, get_examples, *, nlp=None, **kwargs):
        docs = [eg.predicted for eg in islice(get_examples(), 10)]
        self.model.initialize(X=docs or None)

    def add_label(self, label):
        raise NotImplementedError(Errors.E281.format(name=self.name))
