"""The component protocol: Pipe (anything that annotates Docs) and TrainablePipe (a thinc model
with labels, a loss, serialization)."""
from itertools import islice
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional

import numpy
import srsly
from thinc.api import Model, Optimizer, set_dropout_rate

from ..errors import Errors
from ..gold.example import Example
from ..tokens.doc import Doc
from ..util import minibatch


#: How many examples' Docs a component's model is initialized on.
SAMPLE_SIZE = 10


def _one_hot(n_rows: int, n_labels: int) -> numpy.ndarray:
    rows = numpy.zeros((n_rows, n_labels), dtype="f")
    rows[numpy.arange(n_rows), numpy.arange(n_rows) % n_labels] = 1.0
    return rows


def read_state(path: Path, name: str):
    """The msgpack a component saved at ``path`` (its ``cfg``), E642 naming the file when it
    is not one."""
    return unpack_state(Path(path).read_bytes(), path, name)


def unpack_state(data: bytes, where, name: str):
    try:
        return srsly.msgpack_loads(data)
    except Exception as err:  # msgpack's own errors for truncated or foreign bytes
        raise ValueError(Errors.E642.format(where=where, name=name,
                                            problem=f"not msgpack ({err})")) from None


def labels_problem(labels, what: str = "labels") -> Optional[str]:
    """What is wrong with a saved list of labels (a list of distinct non-empty strings), or
    None."""
    if not isinstance(labels, list):
        return f"its {what} are {type(labels).__name__}, not a list"
    bad = [label for label in labels if not isinstance(label, str) or not label]
    if bad:
        return f"its {what} hold {bad[0]!r}, not a non-empty string"
    if len(set(labels)) != len(labels):
        return f"its {what} repeat a label"
    return None


def validate_examples(examples, where: str) -> list:
    examples = list(examples)
    for eg in examples:
        if not isinstance(eg, Example):
            raise TypeError(Errors.E080.format(where=where, type=type(eg).__name__))
    return examples


class Pipe:
    """A pipeline component: ``component(doc) -> doc``, ``component.pipe(docs)``."""

    name: str = ""
    is_trainable = False

    def __call__(self, doc):
        raise NotImplementedError

    def pipe(self, docs: Iterable, *, batch_size: int = 128) -> Iterator:
        for doc in docs:
            yield self(doc)

    def score(self, examples, **kwargs) -> Dict:
        return {}

    def initialize(self, get_examples: Callable, *, nlp=None, **kwargs):
        pass

    def to_disk(self, path, *, exclude=()):
        Path(path).mkdir(parents=True, exist_ok=True)
        srsly.write_msgpack(Path(path) / "cfg", self.get_state())

    def from_disk(self, path, *, exclude=()):
        cfg_path = Path(path) / "cfg"
        if cfg_path.exists():
            self._load_state(read_state(cfg_path, self.name), cfg_path)
        return self

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"state": self.get_state()})

    def from_bytes(self, data: bytes, *, exclude=()):
        where = f"the bytes of component {self.name!r}"
        msg = unpack_state(data, where, self.name)
        if not isinstance(msg, dict) or "state" not in msg:
            raise ValueError(Errors.E642.format(where=where, name=self.name,
                                                problem="expected a map with its 'state'"))
        self._load_state(msg["state"], where)
        return self

    def get_state(self) -> dict:
        return {}

    def set_state(self, state: dict):
        pass

    def state_problem(self, state) -> Optional[str]:
        """What makes a saved state unusable (a sentence naming it), or None: checked on load
        before ``set_state``, so an edited file is refused there and not on the first Doc."""
        if not isinstance(state, dict):
            return f"expected a map of settings, got {type(state).__name__}"
        return None

    def _load_state(self, state, where) -> None:
        problem = self.state_problem(state)
        if problem is not None:
            raise ValueError(Errors.E642.format(where=where, name=self.name, problem=problem))
        self.set_state(state)


class TrainablePipe(Pipe):
    """A component with a thinc model: predict, set_annotations, get_loss, update."""

    is_trainable = True
    #: What the model predicts a row of label scores for: each "token" (a list of arrays,
    #: one per Doc) or each "doc" (one array); ``sample_outputs`` makes samples of that shape.
    outputs_per = "token"

    def __init__(self, vocab, model: Model, name: str, **cfg):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = dict(cfg)
        self.cfg.setdefault("labels", [])

    # -- labels ---------------------------------------------------------------------------------

    @property
    def labels(self) -> tuple:
        return tuple(self.cfg["labels"])

    def add_label(self, label: str) -> int:
        if not isinstance(label, str) or not label:
            raise ValueError(Errors.E081.format(name=self.name, label=label))
        if label in self.cfg["labels"]:
            return 0
        self.cfg["labels"].append(label)
        self.vocab.strings.add(label)
        return 1

    # -- initialization -------------------------------------------------------------------------

    def initialize(self, get_examples: Callable, *, nlp=None, labels=None):
        """Add ``labels`` (if given) and initialize the model on sample Docs; components that
        find their labels in the examples override this."""
        for label in labels or ():
            self.add_label(label)
        self.initialize_model([eg.predicted for eg in islice(get_examples(), SAMPLE_SIZE)])

    def initialize_model(self, docs: List) -> None:
        """Initialize the model on sample Docs (a stand-in Doc when there are none) and on
        sample outputs as wide as the label set, so that a layer whose output width is unset
        (a thinc ``Softmax()`` without nO at the end of a custom model) takes it from them."""
        n_labels = len(self.labels)
        if n_labels and self.model.has_dim("nO") is None:
            self.model.set_dim("nO", n_labels)
        docs = list(docs) or [Doc(self.vocab, words=["x", "y", "z"])]
        self.model.initialize(X=docs, Y=self.sample_outputs(docs) if n_labels else None)

    def sample_outputs(self, docs: List):
        """One-hot label rows of the shape the model predicts for ``docs`` (see
        ``outputs_per``), cycling through the labels; only their shape matters."""
        n_labels = len(self.labels)
        ops = self.model.ops
        if self.outputs_per == "doc":
            return ops.asarray2f(_one_hot(len(docs), n_labels))
        return [ops.asarray2f(_one_hot(len(doc), n_labels)) for doc in docs]

    # -- prediction -----------------------------------------------------------------------------

    def __call__(self, doc):
        scores = self.predict([doc])
        self.set_annotations([doc], scores)
        return doc

    def pipe(self, docs: Iterable, *, batch_size: int = 128) -> Iterator:
        for batch in minibatch(docs, batch_size):
            scores = self.predict(batch)
            self.set_annotations(batch, scores)
            yield from batch

    def predict(self, docs: List):
        raise NotImplementedError

    def set_annotations(self, docs: List, scores):
        raise NotImplementedError

    # -- training -------------------------------------------------------------------------------

    def get_loss(self, examples, scores):
        raise NotImplementedError

    def update(self, examples, *, drop: float = 0.0, sgd: Optional[Optimizer] = None,
               losses: Optional[Dict[str, float]] = None) -> Dict[str, float]:
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = validate_examples(examples, f"{type(self).__name__}.update")
        docs = [eg.predicted for eg in examples]
        if not any(len(doc) for doc in docs):
            return losses
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update(docs)
        loss, d_scores = self.get_loss(examples, scores)
        backprop(d_scores)
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def finish_update(self, sgd: Optimizer):
        self.model.finish_update(sgd)

    def _require_labels(self):
        if not self.labels:
            raise ValueError(Errors.E082.format(name=self.name))

    # -- serialization --------------------------------------------------------------------------

    def get_state(self) -> dict:
        return {"cfg": self.cfg}

    def set_state(self, state: dict):
        self.cfg = dict(state.get("cfg", self.cfg))
        for label in self.cfg.get("labels", []):
            self.vocab.strings.add(label)

    def state_problem(self, state) -> Optional[str]:
        problem = super().state_problem(state)
        if problem is None and not isinstance(state.get("cfg", {}), dict):
            problem = f"its 'cfg' is {type(state['cfg']).__name__}, not a map"
        if problem is None:
            problem = labels_problem(state.get("cfg", {}).get("labels", []))
        return problem

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"state": self.get_state(), "model": self.model.to_bytes()})

    def from_bytes(self, data: bytes, *, exclude=()):
        where = f"the bytes of component {self.name!r}"
        msg = unpack_state(data, where, self.name)
        if not isinstance(msg, dict) or "state" not in msg or not isinstance(msg.get("model"), bytes):
            raise ValueError(Errors.E642.format(where=where, name=self.name,
                                                problem="expected a map with its 'state' and 'model'"))
        self._load_state(msg["state"], where)
        self._load_weights(lambda: self.model.from_bytes(msg["model"]), where)
        return self

    def to_disk(self, path, *, exclude=()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_msgpack(path / "cfg", self.get_state())
        self.model.to_disk(path / "model")

    def from_disk(self, path, *, exclude=()):
        path = Path(path)
        self._load_state(read_state(path / "cfg", self.name), path / "cfg")
        self._load_weights(lambda: self.model.from_disk(path / "model"), path / "model")
        return self

    def _load_weights(self, read: Callable[[], object], where) -> None:
        """Read the weights with ``read`` after sizing the model from the state just loaded,
        then check the output width against the state (E643 naming ``where`` otherwise)."""
        self._before_model_load()
        try:
            read()
        except Exception as err:  # thinc's dimension checks, msgpack, a missing file
            raise ValueError(Errors.E643.format(where=where, name=self.name,
                                                problem=f"{type(err).__name__}: {err}")) from None
        expected = self._output_width()
        width = self.model.get_dim("nO") if self.model.has_dim("nO") is True else None
        if expected is not None and width is not None and width != expected:
            raise ValueError(Errors.E643.format(
                where=where, name=self.name,
                problem=f"they score {width} classes and the state names {expected}"))

    def _output_width(self) -> Optional[int]:
        """How many scores the model must give per row for the state as loaded (None: not
        checked)."""
        return None

    def _before_model_load(self):
        """Set the dims that depend on the labels before weights are read back."""
