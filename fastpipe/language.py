"""The nlp object: a vocab, a tokenizer and a pipeline of components, built from a config."""
import copy
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import srsly
from thinc.api import Config, Optimizer

from .about import __version__
from .config import config_to_str
from .defaults import FactoryMeta, default_config
from .errors import Errors
from .gold.example import Example
from .lang import get_lang_data
from .pipeline.base import validate_examples
from .registry import factory as register_factory
from .registry import factory_names, get_factory_meta, registry
from .scorer import score_tokenization
from .tokenizer import Tokenizer
from .tokens.doc import Doc
from .vocab import Vocab

CREATION_HOOKS = ("before_creation", "after_creation", "after_pipeline_creation")

@registry.tokenizers("fastpipe.Tokenizer.v1")
def create_tokenizer() -> Callable[["Language"], Tokenizer]:
    """The rule-based tokenizer with the language's data."""

    def make_tokenizer(nlp: "Language") -> Tokenizer:
        return Tokenizer.from_lang_data(nlp.vocab, nlp.lang_data)

    return make_tokenizer


class Language:
    """A language's vocab and tokenizer and a pipeline of components.

    Calling it on a text tokenizes it and runs every enabled component in order.
    """

    def __init__(self, vocab: Vocab, tokenizer=None, lang_data=None, batch_size: int = 1000):
        self.vocab = vocab
        self.lang_data = lang_data if lang_data is not None else get_lang_data(vocab.lang)
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer.from_lang_data(vocab, self.lang_data)
        self.batch_size = batch_size
        self._components: List[Tuple[str, Any]] = []
        self._disabled: set = set()
        self._pipe_configs: Dict[str, Config] = {}
        self._sourced: set = set()
        self.max_length = 1_000_000
        self._config = default_config()
        self._config["nlp"]["lang"] = vocab.lang
        self.meta: Dict[str, Any] = {"lang": vocab.lang, "version": __version__}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def blank(cls, lang: str, vocab: Optional[Vocab] = None) -> "Language":
        data = get_lang_data(lang)
        if vocab is None:
            getters = dict(data.lex_attr_getters)
            if data.stop_words:
                getters["IS_STOP"] = _StopWords(data.stop_words)
            vocab = Vocab(lang=data.lang, lex_attr_getters=getters)
        return cls(vocab, lang_data=data)

    @staticmethod
    def factory(name: str, *, default_config: Optional[dict] = None,
                default_score_weights: Optional[dict] = None, assigns=(), requires=()):
        """Register a component factory ``func(nlp, name, **config) -> component``."""
        return register_factory(name, default_config=default_config,
                                default_score_weights=default_score_weights,
                                assigns=assigns, requires=requires)

    @classmethod
    def factory_names(cls) -> List[str]:
        """The names of every registered component factory."""
        return factory_names()

    @classmethod
    def get_factory_meta(cls, name: str) -> FactoryMeta:
        """What the factory ``name`` declared (E083 when there is none)."""
        return get_factory_meta(name)

    @classmethod
    def from_config(cls, config: Union[Config, dict, None] = None, *, vocab: Optional[Vocab] = None,
                    disable: Iterable[str] = (), auto_fill: bool = True, validate: bool = True) -> "Language":
        """Build the nlp object a config describes; ``nlp.config`` is then the complete config."""
        config = Config(copy.deepcopy(dict(config or {})))
        if auto_fill:
            config = default_config().merge(config)
        for section in ("nlp", "components"):
            if section not in config:
                raise ValueError(Errors.E084.format(section=section))
        interpolated = config.interpolate()
        nlp_cfg = interpolated["nlp"]
        lang = nlp_cfg.get("lang")
        if not lang:
            raise ValueError(Errors.E085)
        hooks = registry.resolve({key: nlp_cfg.get(key) for key in CREATION_HOOKS}, validate=validate)
        lang_cls = cls
        if hooks.get("before_creation") is not None:
            lang_cls = hooks["before_creation"](cls)
            if not (isinstance(lang_cls, type) and issubclass(lang_cls, Language)):
                raise ValueError(Errors.E098.format(hook="before_creation", expected="a Language class", got=lang_cls))
        nlp = lang_cls.blank(lang, vocab=vocab)
        if hooks.get("after_creation") is not None:
            nlp = _check_hook(hooks["after_creation"](nlp), "after_creation")
        make_tokenizer = registry.resolve({"tokenizer": nlp_cfg["tokenizer"]}, validate=validate)["tokenizer"]
        nlp.tokenizer = make_tokenizer(nlp)
        nlp.batch_size = nlp_cfg.get("batch_size", 1000)
        for name in list(nlp_cfg.get("pipeline", [])):
            if name not in interpolated["components"]:
                raise ValueError(Errors.E086.format(name=name))
            comp_cfg = dict(interpolated["components"][name])
            if "source" in comp_cfg:
                nlp.add_pipe(comp_cfg.get("component", name), name=name, source=comp_cfg["source"])
                nlp._pipe_configs[name] = Config(comp_cfg)
            elif "factory" in comp_cfg:
                factory = comp_cfg.pop("factory")
                nlp.add_pipe(factory, name=name, config=comp_cfg, validate=validate)
            else:
                raise ValueError(Errors.E087.format(name=name))
        if hooks.get("after_pipeline_creation") is not None:
            nlp = _check_hook(hooks["after_pipeline_creation"](nlp), "after_pipeline_creation")
        for name in disable:
            nlp.disable_pipe(name)
        for name in nlp_cfg.get("disabled", []):
            nlp.disable_pipe(name)
        nlp._config = cls._filled_config(config, nlp, auto_fill, validate)
        nlp._check_training_names()
        return nlp

    @staticmethod
    def _filled_config(config: Config, nlp: "Language", auto_fill: bool, validate: bool) -> Config:
        """The user's config with every component's defaults and the score weights filled in;
        ${} references in the user's sections are kept."""
        config = Config(config)
        components = dict(config.get("components", {}))
        for name, filled in nlp._pipe_configs.items():
            original = components.get(name, {})
            if "source" in original:
                continue
            # defaults filled in, the user's own values (with their ${...} references) on top
            components[name] = Config(filled).merge(Config(original))
        config["components"] = components
        if auto_fill:
            weights = nlp._default_score_weights()
            user_weights = dict(config.get("training", {}).get("score_weights", {}))
            weights.update(user_weights)
            config["training"]["score_weights"] = weights
            rest = Config({k: v for k, v in config.items() if k in ("training", "corpora", "initialize", "paths", "system")})
            filled = registry.fill(rest, validate=validate)
            for key in ("training", "corpora", "initialize"):
                if key in filled:
                    config[key] = filled[key]
        return config

    def _default_score_weights(self) -> Dict[str, Optional[float]]:
        weights: Dict[str, Optional[float]] = {}
        declared = set(factory_names())
        for name, proc in self._components:
            factory_name = getattr(proc, "factory_name", None)
            if factory_name in declared:
                weights.update(get_factory_meta(factory_name).default_score_weights)
        total = sum(w for w in weights.values() if w)
        if total:
            weights = {k: (round(v / total, 2) if v else v) for k, v in weights.items()}
        return weights

    def _check_training_names(self):
        training = self._config.get("training", {})
        for key in ("frozen_components", "annotating_components"):
            for name in training.get(key, []) or []:
                if name not in self.component_names:
                    raise ValueError(Errors.E088.format(key=key, name=name, names=self.component_names))

    @property
    def config(self) -> Config:
        config = Config(self._config)
        config["nlp"]["lang"] = self.lang
        config["nlp"]["pipeline"] = list(self.component_names)
        config["nlp"]["disabled"] = [n for n in self.component_names if n in self._disabled]
        config["nlp"]["batch_size"] = self.batch_size
        components = dict(config.get("components", {}))
        for name in self.component_names:
            # components added after from_config have no block in the config yet
            if name not in components and name in self._pipe_configs:
                components[name] = self._pipe_configs[name]
        config["components"] = {n: components[n] for n in self.component_names if n in components}
        return config

    # -- the pipeline ---------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.vocab.lang

    @property
    def components(self) -> List[Tuple[str, Any]]:
        return list(self._components)

    @property
    def component_names(self) -> List[str]:
        return [name for name, _ in self._components]

    @property
    def pipeline(self) -> List[Tuple[str, Any]]:
        return [(n, p) for n, p in self._components if n not in self._disabled]

    @property
    def pipe_names(self) -> List[str]:
        return [n for n, _ in self.pipeline]

    def get_pipe(self, name: str):
        for pipe_name, proc in self._components:
            if pipe_name == name:
                return proc
        raise KeyError(Errors.E089.format(name=name, names=self.component_names))

    def has_pipe(self, name: str) -> bool:
        return name in self.component_names

    def add_pipe(self, factory_name: str, name: Optional[str] = None, *, before=None, after=None,
                 first: bool = False, last: bool = False, source=None,
                 config: Optional[dict] = None, validate: bool = True):
        """Create a component with a registered factory (or copy one from ``source``, a
        pipeline or a path to one) and add it to the pipeline."""
        name = name or factory_name
        if name in self.component_names:
            raise ValueError(Errors.E090.format(name=name, names=self.component_names))
        if source is not None:
            proc, comp_config = self._source_component(source, factory_name)
            self._pipe_configs[name] = comp_config
            self._sourced.add(name)
        else:
            proc = self.create_pipe(factory_name, name, config=config or {}, validate=validate)
        proc.name = name
        index = self._insert_index(before, after, first, last)
        self._components.insert(index, (name, proc))
        self._link_listeners()
        return proc

    def create_pipe(self, factory_name: str, name: str, config: Optional[dict] = None,
                    validate: bool = True):
        meta = self.get_factory_meta(factory_name)
        cfg = Config(copy.deepcopy(meta.default_config)).merge(Config(copy.deepcopy(dict(config or {}))))
        block = {"@factories": factory_name, "nlp": self, "name": name, **cfg}
        filled = registry.fill({"component": dict(block, nlp=None)}, validate=False)["component"]
        filled = {k: v for k, v in filled.items() if k not in ("@factories", "nlp", "name")}
        proc = registry.resolve({"component": block}, validate=validate)["component"]
        proc.factory_name = factory_name
        self._pipe_configs[name] = Config({"factory": factory_name, **filled})
        return proc

    def _source_component(self, source, source_name: str):
        if isinstance(source, (str, Path)):
            source = load(source, vocab=self.vocab)
        if not isinstance(source, Language):
            raise TypeError(Errors.E091.format(type=type(source).__name__))
        proc = source.get_pipe(source_name)
        comp_config = Config(source.config["components"][source_name])
        if source.vocab is not self.vocab:
            for string in source.vocab.strings:
                self.vocab.strings.add(string)
            proc.vocab = self.vocab
        return proc, comp_config

    def _insert_index(self, before, after, first, last) -> int:
        names = self.component_names
        given = sum(x is not None and x is not False for x in (before, after, first or None, last or None))
        if given > 1:
            raise ValueError(Errors.E092)
        if first:
            return 0
        for anchor, offset in ((before, 0), (after, 1)):
            if anchor is None:
                continue
            if isinstance(anchor, int):
                return anchor + offset
            if anchor not in names:
                raise ValueError(Errors.E089.format(name=anchor, names=names))
            return names.index(anchor) + offset
        return len(names)

    def remove_pipe(self, name: str):
        proc = self.get_pipe(name)
        self._components = [(n, p) for n, p in self._components if n != name]
        self._pipe_configs.pop(name, None)
        self._sourced.discard(name)
        self._disabled.discard(name)
        self._link_listeners()
        return name, proc

    def disable_pipe(self, name: str):
        self.get_pipe(name)
        self._disabled.add(name)

    def enable_pipe(self, name: str):
        self.get_pipe(name)
        self._disabled.discard(name)

    def _link_listeners(self):
        for name, proc in self._components:
            if hasattr(proc, "find_listeners"):
                proc.find_listeners(self)

    # -- running --------------------------------------------------------------------------------

    def make_doc(self, text: str):
        if isinstance(text, str) and len(text) > self.max_length:
            raise ValueError(Errors.E099.format(length=len(text), max_length=self.max_length))
        return self.tokenizer(text)

    def __call__(self, text):
        doc = self.make_doc(text) if isinstance(text, str) else text
        for name, proc in self.pipeline:
            doc = proc(doc)
        return doc

    def pipe(self, texts: Iterable, *, batch_size: Optional[int] = None) -> Iterator:
        """Process a stream of texts (or Docs) in batches; yields Docs in order."""
        batch_size = batch_size or self.batch_size
        docs = (self.make_doc(t) if isinstance(t, str) else t for t in texts)
        for name, proc in self.pipeline:
            docs = proc.pipe(docs, batch_size=batch_size)
        yield from docs

    # -- training -------------------------------------------------------------------------------

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None,
                   *, sgd: Optional[Optimizer] = None) -> Optimizer:
        """Collect labels and size every model from the examples; return the optimizer."""
        if get_examples is None:
            get_examples = list
        init_cfg = registry.resolve({"initialize": self.config.interpolate().get("initialize", {})})["initialize"]
        if init_cfg.get("before_init") is not None:
            init_cfg["before_init"](self)
        comp_settings = init_cfg.get("components", {}) or {}
        for name, proc in self._components:
            # sourced components arrive trained: initializing them would reset their weights
            if name in self._sourced:
                continue
            if hasattr(proc, "initialize"):
                proc.initialize(get_examples, nlp=self, **comp_settings.get(name, {}))
        if init_cfg.get("after_init") is not None:
            init_cfg["after_init"](self)
        if sgd is None:
            sgd = self.create_optimizer()
        return sgd

    def create_optimizer(self) -> Optimizer:
        training = self.config.interpolate().get("training", {})
        if "optimizer" not in training:
            from thinc.api import Adam

            return Adam(0.001)
        return registry.resolve({"optimizer": training["optimizer"]})["optimizer"]

    def update(self, examples, *, drop: float = 0.0, sgd: Optional[Optimizer] = None,
               losses: Optional[Dict[str, float]] = None, exclude: Iterable[str] = (),
               annotates: Iterable[str] = ()) -> Dict[str, float]:
        """Update every trainable component not in ``exclude`` on a batch of Examples.

        Components named in ``annotates`` set their predictions on copies of the predicted
        Docs right after their own update, so later components train on them (the examples
        themselves are left as they are: a corpus reused every epoch never holds the
        predictions of an earlier one)."""
        if losses is None:
            losses = {}
        examples = validate_examples(examples, "Language.update")
        if not examples:
            return losses
        exclude = set(exclude)
        annotates = set(annotates)
        if annotates.intersection(self.pipe_names):
            examples = [Example(eg.predicted.copy(), eg.reference, alignment=eg.alignment,
                                id=eg.id) for eg in examples]
        for name, proc in self.pipeline:
            if name not in exclude and getattr(proc, "is_trainable", False):
                proc.update(examples, drop=drop, sgd=None, losses=losses)
            if name in annotates:
                for _ in proc.pipe((eg.predicted for eg in examples), batch_size=len(examples)):
                    pass
        if sgd not in (None, False):
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
        score it against the references."""
        examples = validate_examples(examples, "Language.evaluate")
        fresh = [Example(self._words_only(eg.predicted), eg.reference, id=eg.id)
                 for eg in examples]
        start = time.perf_counter()
        for _ in self.pipe((eg.predicted for eg in fresh), batch_size=batch_size or self.batch_size):
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

    # -- serialization --------------------------------------------------------------------------

    def to_disk(self, path, *, exclude: Iterable[str] = ()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.cfg").write_text(config_to_str(self.config), encoding="utf8")
        srsly.write_json(path / "meta.json", dict(self.meta, pipeline=self.component_names))
        self.vocab.to_disk(path / "vocab")
        self.tokenizer.to_disk(path / "tokenizer")
        for name, proc in self._components:
            if name not in exclude and hasattr(proc, "to_disk"):
                proc.to_disk(path / name)

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> "Language":
        path = Path(path)
        self.vocab.from_disk(path / "vocab")
        self.tokenizer.from_disk(path / "tokenizer")
        for name, proc in self._components:
            if name not in exclude and hasattr(proc, "from_disk") and (path / name).exists():
                proc.from_disk(path / name)
        self._link_listeners()
        return self


def load(path: Union[str, Path], *, vocab: Optional[Vocab] = None, disable: Iterable[str] = ()) -> Language:
    """Load a pipeline saved with ``nlp.to_disk`` (for example model-best/)."""
    path = Path(path)
    config_path = path / "config.cfg"
    if not config_path.exists():
        raise FileNotFoundError(Errors.E093.format(path=path))
    config = Config().from_disk(config_path, interpolate=False)
    nlp = Language.from_config(config, vocab=vocab, disable=disable, auto_fill=False)
    return nlp.from_disk(path)


def _check_hook(nlp, hook: str):
    if not isinstance(nlp, Language):
        raise ValueError(Errors.E098.format(hook=hook, expected="the nlp object", got=nlp))
    return nlp


class _StopWords:
    """IS_STOP getter: case-insensitive membership in a language's stop list."""

    def __init__(self, words):
        self.words = frozenset(words)

    def __call__(self, text: str) -> bool:
        return text.lower() in self.words
