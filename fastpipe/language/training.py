"""What the nlp object does for training: ``initialize`` (the [initialize] settings in spaCy's
order), the optimizer it keeps, ``update``/``finish_update`` and ``evaluate``. A mixin of
``Language``: it reads the object's components, optimizer and config, and needs nothing else
of the class."""
import time
from typing import Any, Callable, Dict, Iterable, Optional, Union

from thinc.api import Optimizer

from ..gold.example import Example
from ..init_settings import init_tok2vec, init_tokenizer, init_vocab
from ..pipeline.base import validate_examples
from ..registry import registry
from ..scorer import score_tokenization
from ..tokens.doc import Doc
from .components import _takes_keyword

#: About this many words per batch when ``evaluate`` is given no batch size (the training
#: loop, ``fastpipe evaluate``, the Ray workers). The pipeline's own ``batch_size`` (1000 Docs)
#: would run a whole treebank's dev set as one batch, and its arrays (every tok2vec layer's
#: output, the parser's precomputed table: 600 MB for EWT dev's 25k words) would then stay
#: pooled in the ops' workspace for the rest of the process. The predictions, and so the
#: scores, are the same in batches of any size.
EVAL_BATCH_WORDS = 1000


def eval_batch_size(examples, batch_size: int) -> int:
    """How many Docs of ``examples`` to predict at a time when evaluating: about
    ``EVAL_BATCH_WORDS`` words' worth of the average Doc, never more than ``batch_size``."""
    n_words = sum(len(eg.predicted) for eg in examples)
    if not n_words:
        return batch_size
    return max(1, min(batch_size, EVAL_BATCH_WORDS * len(examples) // n_words))


class LanguageTraining:
    """``Language``'s training methods (see the module docstring)."""

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None,
                   *, sgd: Optional[Optimizer] = None) -> Optimizer:
        """Collect labels and size every model from the examples; return the optimizer
        (``sgd``, or one made from [training.optimizer]), which ``update`` then steps with
        when it is given none. The [initialize] settings are honoured in spaCy's order:
        before_init; vectors, vocab_data and lookups; the tokenizer's settings; each
        component's; init_tok2vec (into [pretraining]'s component); after_init.

        Without ``get_examples`` the components keep the labels they were given with
        ``add_label`` and their models are sized on a sample Doc, as in the guide's loop:
        ``ner.add_label("X"); optimizer = nlp.initialize()``."""
        given = get_examples is not None
        if not given:
            sample = Example.from_dict(Doc(self.vocab, words=["x", "y", "z"]), {})

            def get_examples():
                return [sample]

        config = self.config.interpolate()
        init_cfg = registry.resolve({"initialize": config.get("initialize", {})})["initialize"]
        if init_cfg.get("before_init") is not None:
            init_cfg["before_init"](self)
        init_vocab(self, init_cfg)
        init_tokenizer(self, get_examples, init_cfg.get("tokenizer"))
        self._initialize_components(get_examples, init_cfg.get("components") or {}, given)
        init_tok2vec(self, init_cfg, config.get("pretraining"))
        if init_cfg.get("after_init") is not None:
            init_cfg["after_init"](self)
        if sgd is not None:
            self._optimizer = sgd
        elif self._optimizer is None:
            self._optimizer = self.create_optimizer()
        return self._optimizer

    def _initialize_components(self, get_examples: Callable, settings: Dict[str, dict],
                               from_examples: bool) -> None:
        """Initialize each component with its [initialize.components] settings. Sourced
        components are skipped: they arrive trained, and initializing would reset them."""
        for name, proc in self._components:
            if name in self._sourced or not hasattr(proc, "initialize"):
                continue
            own = dict(settings.get(name, {}))
            if not from_examples and "labels" not in own and getattr(proc, "labels", None) \
                    and _takes_keyword(proc.initialize, "labels"):
                # no examples to find labels in: the ones added with add_label are the set
                own["labels"] = list(proc.labels)
            proc.initialize(get_examples, nlp=self, **own)

    def create_optimizer(self) -> Optimizer:
        """A new optimizer made from [training.optimizer] (thinc's Adam(0.001) without one)."""
        training = self.config.interpolate().get("training", {})
        if "optimizer" not in training:
            from thinc.api import Adam

            return Adam(0.001)
        return registry.resolve({"optimizer": training["optimizer"]})["optimizer"]

    def update(self, examples, *, drop: float = 0.0, sgd: Union[Optimizer, None, bool] = None,
               losses: Optional[Dict[str, float]] = None,
               component_cfg: Optional[Dict[str, dict]] = None, exclude: Iterable[str] = (),
               annotates: Iterable[str] = ()) -> Dict[str, float]:
        """Update every trainable component not in ``exclude`` on a batch of Examples, then
        step them with ``sgd``. Without ``sgd`` the pipeline's own optimizer steps them (the
        one ``initialize`` returned, made from [training.optimizer] on first use and kept);
        ``sgd=False`` leaves the gradients to add up until ``finish_update``.

        Components named in ``annotates`` set their predictions on copies of the predicted
        Docs right after their own update, so later components train on them (the examples
        themselves are left as they are: a corpus reused every epoch never holds the
        predictions of an earlier one). ``component_cfg`` maps a component's name to keyword
        arguments for its ``update``."""
        if losses is None:
            losses = {}
        examples = validate_examples(examples, "Language.update")
        if not examples:
            return losses
        if sgd is None:
            if self._optimizer is None:
                self._optimizer = self.create_optimizer()
            sgd = self._optimizer
        exclude = set(exclude)
        annotates = set(annotates)
        if annotates.intersection(self.pipe_names):
            examples = [Example(eg.predicted.copy(), eg.reference, alignment=eg.alignment,
                                id=eg.id) for eg in examples]
        for name, proc, kwargs in self._steps((), component_cfg):
            if name not in exclude and getattr(proc, "is_trainable", False):
                proc.update(examples, **{"drop": drop, **kwargs}, sgd=None, losses=losses)
            if name in annotates:
                predicted = [eg.predicted for eg in examples]
                for _ in self._pipe_steps(predicted, [(name, proc, {})], len(examples)):
                    pass
        if sgd is not False:
            self.finish_update(sgd, exclude=exclude)
        return losses

    def finish_update(self, sgd: Optimizer, *, exclude: Iterable[str] = ()) -> None:
        """Step every enabled component not in ``exclude`` with ``sgd``, on the gradients its
        updates since the last step added up (the one place components are stepped)."""
        exclude = set(exclude)
        for name, proc in self.pipeline:
            if name not in exclude and hasattr(proc, "finish_update"):
                proc.finish_update(sgd)

    def evaluate(self, examples, *, batch_size: Optional[int] = None) -> Dict[str, Any]:
        """Run the pipeline on fresh copies of the examples' predicted Docs (their words and
        spaces, no annotation: a corpus read with ``gold_preproc`` keeps the gold tokens) and
        score it against the references. Without ``batch_size`` the Docs go through in
        batches of about ``EVAL_BATCH_WORDS`` words (the scores do not depend on it)."""
        examples = validate_examples(examples, "Language.evaluate")
        if batch_size is None:
            batch_size = eval_batch_size(examples, self.batch_size)
        fresh = [Example(self._words_only(eg.predicted), eg.reference, id=eg.id)
                 for eg in examples]
        start = time.perf_counter()
        for _ in self.pipe((eg.predicted for eg in fresh), batch_size=batch_size):
            pass
        elapsed = time.perf_counter() - start
        scores: Dict[str, Any] = dict(score_tokenization(fresh))
        for name, proc in self.pipeline:
            if hasattr(proc, "score"):
                scores.update(proc.score(fresh))
        n_words = sum(len(eg.predicted) for eg in fresh)
        scores["speed"] = n_words / elapsed if elapsed > 0 else None
        return scores

    def _words_only(self, doc) -> Doc:
        """A Doc over this vocab with ``doc``'s tokens as the tokenizer makes them (words,
        spaces and norms: a special case such as "n't" sets its token's norm) and no
        annotation."""
        keys = doc.to_array(["ORTH", "SPACY", "NORM"]).reshape((len(doc), 3))
        if doc.vocab is self.vocab:
            copy = Doc._from_keys(self.vocab, keys[:, 0], keys[:, 1])
        else:
            copy = Doc(self.vocab, words=[t.text for t in doc],
                       spaces=[bool(t.whitespace_) for t in doc])
            keys[:, 2] = [self.vocab.strings.add(t.norm_) for t in doc]
        if len(copy):
            copy.from_array(["NORM"], keys[:, 2:])
        return copy
