"""The nlp object: a vocab, a tokenizer and a pipeline of components, built from a config."""
import copy
import itertools
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from thinc.api import Config, Optimizer

from ..about import __version__
from ..config import import_code
from ..config_schema import check_value_kinds
from ..defaults import FactoryMeta, default_config
from ..errors import Errors
from ..lang import data_from_defaults, lang_module
from ..lang.base import defaults_tables
from ..lang.generic import GenericDefaults
from ..registry import factory as register_factory
from ..registry import factory_names, get_factory_meta, registry
from ..tokenizer import Tokenizer
from ..util import recover_folder
from ..vocab import Vocab
from .components import (_call_each, _check_callable, _check_component_name, _checked_doc,
                         _name_component)
from .processes import _n_processes, _pipe_as_tuples, _pipe_in_processes
from .saved_config import _check_registered, _names, _without_components
from .serialization import LanguageSerialization
from .training import LanguageTraining

CREATION_HOOKS = ("before_creation", "after_creation", "after_pipeline_creation")

@registry.tokenizers("fastpipe.Tokenizer.v1")
def create_tokenizer() -> Callable[["Language"], Tokenizer]:
    """The rule-based tokenizer with the language's data."""

    def make_tokenizer(nlp: "Language") -> Tokenizer:
        return Tokenizer.from_lang_data(nlp.vocab, nlp.lang_data)

    return make_tokenizer


class _LangCode:
    """``lang`` on Language itself: None on the class (a language class such as English sets
    its own code), and on an nlp object the code of its vocab."""

    def __get__(self, nlp, cls=None) -> Optional[str]:
        return None if nlp is None else nlp.vocab.lang


class Language(LanguageTraining, LanguageSerialization):
    """A language's vocab and tokenizer and a pipeline of components.

    Calling it on a text tokenizes it and runs every enabled component in order. Each code with
    data of its own has a subclass (English, MultiLanguage); ``Defaults`` holds the language's
    data, read whenever a pipeline is made from the class.
    """

    #: The language data (spaCy's Language.Defaults). On Language itself: the generic rules,
    #: which codes without data of their own run on.
    Defaults = GenericDefaults
    lang = _LangCode()

    def __init__(self, vocab: Optional[Vocab] = None, tokenizer=None, lang_data=None,
                 batch_size: int = 1000):
        vocab, self.lang_data = self._vocab_and_data(vocab, lang_data)
        self.vocab = vocab
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer.from_lang_data(vocab, self.lang_data)
        self.batch_size = batch_size
        self._components: List[Tuple[str, Any]] = []
        self._disabled: set = set()
        self._pipe_configs: Dict[str, Config] = {}
        self._sourced: set = set()
        self._optimizer: Optional[Optimizer] = None  # what update steps with when given no sgd
        self.max_length = 1_000_000
        self._config = default_config()
        self._config["nlp"]["lang"] = vocab.lang
        self.meta: Dict[str, Any] = {"lang": vocab.lang, "version": __version__}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def blank(cls, lang: str, vocab: Optional[Vocab] = None) -> "Language":
        """A pipeline with no components for the code ``lang``, made from its class's Defaults
        as they are now. On Language itself the class is the code's own (English for "en";
        Language, with the generic rules and a warning, W030, for a code without data); on a
        subclass it is that subclass."""
        lang_cls = cls._class_for(lang)
        data = data_from_defaults(lang_cls._defaults_for(lang), lang)
        return lang_cls(vocab if vocab is not None else _vocab_for(data), lang_data=data)

    @classmethod
    def _class_for(cls, lang: str) -> type:
        lang_cls = get_lang_class(lang) if cls is Language else cls
        if lang_cls.lang is not None and lang_cls.lang != lang:
            raise ValueError(Errors.E592.format(cls=lang_cls.__name__, code=lang_cls.lang, lang=lang))
        return lang_cls

    @classmethod
    def _defaults_for(cls, lang: str) -> type:
        # Language itself, or a subclass that kept its Defaults and has no code, reads the
        # Defaults of the code's own class
        if cls.lang is None and cls.Defaults is Language.Defaults:
            return get_lang_class(lang).Defaults
        return cls.Defaults

    @classmethod
    def _vocab_and_data(cls, vocab, lang_data):
        """The vocab and language data a new nlp object starts with: the data from the class's
        Defaults (under the class's code, else the vocab's, else "xx"), and a vocab made from
        it when none is given (``vocab=True`` too, as in spaCy)."""
        if vocab is True:
            vocab = None
        if vocab is not None and not isinstance(vocab, Vocab):
            raise TypeError(Errors.E594.format(type=type(vocab).__name__))
        code = cls.lang or (vocab.lang if vocab is not None else "xx")
        if lang_data is None:
            lang_data = data_from_defaults(cls._defaults_for(code), code)
        return (vocab if vocab is not None else _vocab_for(lang_data)), lang_data

    @classmethod
    def _with_own_defaults(cls) -> type:
        """A subclass with its own copy of the Defaults, for a before_creation callback to
        change in place: the change stays with the pipeline made from it, where in spaCy it
        would change the class for the rest of the process (and every later blank)."""
        defaults = type(cls.Defaults.__name__, (cls.Defaults,), {"__module__": cls.Defaults.__module__})
        return type(cls.__name__, (cls,), {"Defaults": defaults, "__module__": cls.__module__,
                                           "__qualname__": cls.__qualname__})

    def __reduce__(self):
        # pickled as its class and attributes; a class made at run time (for a before_creation
        # callback) travels as its nearest importable base and its Defaults' tables
        return (_new_nlp, (_class_recipe(type(self)),), self.__dict__)

    @staticmethod
    def factory(name: str, *, default_config: Optional[dict] = None,
                default_score_weights: Optional[dict] = None, assigns=(), requires=(),
                retokenizes: bool = False, func: Optional[Callable] = None):
        """Register a component factory ``func(nlp, name, **config) -> component``, as a
        decorator or with ``func=``. The component may be a fastpipe pipe or any callable
        ``Doc -> Doc``. ``retokenizes`` is accepted for spaCy's signature: it only informs
        spaCy's pipe analysis, which fastpipe does not have."""
        _check_component_name(name, "factory")

        def register(factory_func: Callable) -> Callable:
            _check_callable(factory_func, name, "factory")
            return register_factory(name, default_config=default_config,
                                    default_score_weights=default_score_weights,
                                    assigns=assigns, requires=requires)(factory_func)

        return register(func) if func is not None else register

    @staticmethod
    def component(name: str, *, assigns=(), requires=(), retokenizes: bool = False,
                  func: Optional[Callable] = None):
        """Register a stateless component: ``func`` itself (a function ``Doc -> Doc``, or any
        such callable) is what ``nlp.add_pipe(name)`` adds. It has no settings and no
        weights, so a saved pipeline holds only its name, and training leaves it alone.
        Use as ``@Language.component("name")`` or with ``func=``."""
        _check_component_name(name, "component")

        def register(component_func: Callable) -> Callable:
            _check_callable(component_func, name, "component")

            def make_component(nlp, name):
                return component_func

            register_factory(name, assigns=assigns, requires=requires)(make_component)
            return component_func

        return register(func) if func is not None else register

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
        if validate:
            check_value_kinds(interpolated)
        nlp_cfg = interpolated["nlp"]
        lang = nlp_cfg.get("lang")
        if not lang:
            raise ValueError(Errors.E085)
        hooks = registry.resolve({key: nlp_cfg.get(key) for key in CREATION_HOOKS}, validate=validate)
        lang_cls = cls._class_for(lang)
        if hooks.get("before_creation") is not None:
            lang_cls = hooks["before_creation"](lang_cls._with_own_defaults())
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
            elif "factory" in comp_cfg:
                factory = comp_cfg.pop("factory")
                if not isinstance(factory, str):
                    raise ValueError(Errors.E641.format(name=name, value=factory))
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
        for name in self.component_names:
            factory_name = self._pipe_configs.get(name, {}).get("factory")
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
            # components added after from_config have no block in the config yet; a sourced
            # component is described by its own factory and settings, as a saved pipeline
            # holds its weights and no longer needs the source
            if name in self._pipe_configs and (name not in components or name in self._sourced):
                components[name] = self._pipe_configs[name]
        config["components"] = {n: components[n] for n in self.component_names if n in components}
        return config

    # -- the pipeline ---------------------------------------------------------------------------

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
        _name_component(proc, name, self._pipe_configs[name].get("factory", factory_name))
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
        if not callable(proc):
            raise ValueError(Errors.E572.format(factory=factory_name, name=name,
                                                type=type(proc).__name__))
        self._pipe_configs[name] = Config({"factory": factory_name, **filled})
        return proc

    def get_pipe_meta(self, name: str) -> FactoryMeta:
        """What the factory of component ``name`` declared (its name, defaults, assigns)."""
        self.get_pipe(name)
        return get_factory_meta(self._pipe_configs[name]["factory"])

    def get_pipe_config(self, name: str) -> Config:
        """The settings component ``name`` was created with (its config block, no factory)."""
        self.get_pipe(name)
        return Config({k: v for k, v in self._pipe_configs[name].items() if k != "factory"})

    def _source_component(self, source, source_name: str):
        if isinstance(source, (str, Path)):
            source = load(source, vocab=self.vocab)
        if not isinstance(source, Language):
            raise TypeError(Errors.E091.format(type=type(source).__name__))
        proc = source.get_pipe(source_name)
        # interpolated: a ${...} reference would point into the source's config, not this one
        comp_config = Config(source.config.interpolate()["components"][source_name])
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

    def __call__(self, text, *, disable: Iterable[str] = (),
                 component_cfg: Optional[Dict[str, dict]] = None):
        """Tokenize ``text`` (or take a Doc) and run every enabled component not in
        ``disable``; ``component_cfg`` maps a component's name to keyword arguments for it."""
        doc = self.make_doc(text) if isinstance(text, str) else text
        for name, proc, kwargs in self._steps(disable, component_cfg):
            doc = _checked_doc(proc(doc, **kwargs), name)
        return doc

    def pipe(self, texts: Iterable, *, as_tuples: bool = False, batch_size: Optional[int] = None,
             disable: Iterable[str] = (), component_cfg: Optional[Dict[str, dict]] = None,
             n_process: int = 1, zone_size: int = 0) -> Iterator:
        """Process a stream of texts (or Docs) in batches; yields Docs in order.

        ``zone_size`` > 0: every that many texts are processed inside a ``memory_zone``, so an
        endless stream of new words runs in flat memory; each Doc must then be used (written
        out, turned into JSON) before the next one is asked for, since the zone it was made in
        ends when the stream moves on to the next texts.

        ``as_tuples``: the stream holds (text, context) pairs and (doc, context) pairs come
        out. ``n_process`` > 1 (or -1, one per CPU) shares the batches among worker processes
        (forked where the platform can, so they start with this pipeline as it is); the Docs
        still come out in order. A component without a ``pipe`` method is called per Doc."""
        if zone_size > 0:
            stream = iter(texts)
            while True:
                chunk = list(itertools.islice(stream, zone_size))
                if not chunk:
                    return
                with self.memory_zone():
                    yield from self.pipe(chunk, as_tuples=as_tuples, batch_size=batch_size,
                                         disable=disable, component_cfg=component_cfg,
                                         n_process=n_process)
        if as_tuples:
            yield from _pipe_as_tuples(self, texts, batch_size=batch_size, disable=disable,
                                       component_cfg=component_cfg, n_process=n_process)
            return
        batch_size = batch_size or self.batch_size
        n_process = _n_processes(n_process)
        steps = self._steps(disable, component_cfg)
        if n_process > 1:
            yield from _pipe_in_processes(self, texts, steps, batch_size, n_process,
                                          _importable_base(type(self)))
        else:
            yield from self._pipe_steps(texts, steps, batch_size)

    @contextmanager
    def memory_zone(self) -> Iterator[None]:
        """A scope for long runs: the strings and lexemes added inside it for new words, and
        the tokenizer's cache entries for them, are released when it ends, so processing an
        endless stream of text in zones keeps memory flat. Strings and lexemes that existed
        before it stay, with the same keys.

        Docs, Tokens, Spans and Lexemes made inside a zone point at what it releases: do not
        use them after it ends (write out what you need inside it). Zones nest: an inner one
        releases nothing, the outermost everything. Labels added inside a zone (add_label)
        are released too, and ``to_disk``/``to_bytes`` inside one leave its strings out."""
        if self.vocab.in_memory_zone:
            yield
            return
        tokenizer_zone = hasattr(self.tokenizer, "_start_zone")
        self.vocab._start_zone()
        if tokenizer_zone:
            self.tokenizer._start_zone()
        try:
            yield
        finally:
            if tokenizer_zone:
                self.tokenizer._end_zone()
            self.vocab._end_zone()

    def _steps(self, disable: Iterable[str] = (),
               component_cfg: Optional[Dict[str, dict]] = None) -> List[Tuple[str, Any, dict]]:
        """(name, component, keyword arguments) of each component a call runs."""
        component_cfg = dict(component_cfg or {})
        for name in component_cfg:
            if name not in self.component_names:
                raise ValueError(Errors.E576.format(name=name, names=self.component_names))
        disable = {disable} if isinstance(disable, str) else set(disable)
        for name in disable:
            self.get_pipe(name)
        return [(name, proc, dict(component_cfg.get(name, {}))) for name, proc in self.pipeline
                if name not in disable]

    def _pipe_steps(self, texts: Iterable, steps, batch_size: int) -> Iterator:
        docs = (self.make_doc(t) if isinstance(t, str) else t for t in texts)
        for name, proc, kwargs in steps:
            if hasattr(proc, "pipe"):
                docs = proc.pipe(docs, **{"batch_size": batch_size, **kwargs})
            else:
                docs = _call_each(proc, name, docs, kwargs)
        return docs

    def select_pipes(self, *, disable: Union[str, Iterable[str], None] = None,
                     enable: Union[str, Iterable[str], None] = None) -> "DisabledPipes":
        """Disable the components named in ``disable``, or every one not in ``enable``, until
        ``restore()`` is called on what this returns, or until the ``with`` block it opens
        ends."""
        if disable is None and enable is None:
            raise ValueError(Errors.E574)
        disable = [disable] if isinstance(disable, str) else list(disable or [])
        for name in disable:
            self.get_pipe(name)
        if enable is not None:
            enable = [enable] if isinstance(enable, str) else list(enable)
            for name in enable:
                self.get_pipe(name)
            both = sorted(set(enable) & set(disable))
            if both:
                raise ValueError(Errors.E575.format(names=both))
            disable += [name for name in self.component_names if name not in enable]
        return DisabledPipes(self, [name for name in self.pipe_names if name in disable])


def _vocab_for(data) -> Vocab:
    getters = dict(data.lex_attr_getters)
    if data.stop_words:
        getters["IS_STOP"] = _StopWords(data.stop_words)
    return Vocab(lang=data.lang, lex_attr_getters=getters)


def _importable(cls: type) -> bool:
    found = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is cls


def _importable_base(cls: type) -> type:
    """``cls``, or for a class made at run time (for a before_creation callback) the nearest
    Language class above it that other processes can import by name."""
    return next(c for c in cls.__mro__ if issubclass(c, Language) and _importable(c))


def _class_recipe(cls: type):
    base = _importable_base(cls)
    return base if base is cls else (base, cls.__name__, defaults_tables(cls.Defaults))


def _new_nlp(recipe) -> Language:
    """An empty nlp object of the class ``recipe`` names (pickle sets its attributes)."""
    if isinstance(recipe, tuple):
        base, name, tables = recipe
        defaults = type(base.Defaults.__name__, (base.Defaults,),
                        {"__module__": base.Defaults.__module__, **tables})
        recipe = type(name, (base,), {"Defaults": defaults, "__module__": base.__module__,
                                      "__qualname__": base.__qualname__})
    return object.__new__(recipe)


class DisabledPipes(list):
    """The components ``nlp.select_pipes`` disabled: ``restore()`` (or the end of the
    ``with`` block) enables them again."""

    def __init__(self, nlp: Language, names: List[str]):
        super().__init__(names)
        self.nlp = nlp
        for name in names:
            nlp.disable_pipe(name)

    def __enter__(self) -> "DisabledPipes":
        return self

    def __exit__(self, *exc) -> None:
        self.restore()

    def restore(self) -> None:
        """Enable the components again (a second call changes nothing)."""
        for name in self:
            if self.nlp.has_pipe(name):
                self.nlp.enable_pipe(name)
        self.clear()


def load(path: Union[str, Path], *, vocab: Optional[Vocab] = None, disable: Iterable[str] = (),
         enable: Optional[Iterable[str]] = None, exclude: Iterable[str] = (),
         code: Union[str, Path, None] = None) -> Language:
    """Load a pipeline saved with ``nlp.to_disk`` (for example model-best/).

    ``disable``: components loaded but not run (``enable``: the only ones run);
    ``exclude``: components not loaded at all. ``code``: a Python file to import first, for a
    pipeline whose config names functions or components registered in the user's code (as
    ``fastpipe train --code`` does). ``path`` may also name an installed pipeline package
    (``fastpipe package`` makes them), whose own ``load`` is then called."""
    recover_folder(path)  # a save killed between its two renames left the folder aside
    package = _pipeline_package(path)
    if package is not None:
        return package.load(vocab=vocab, disable=disable, enable=enable, exclude=exclude,
                            code=code)
    path = Path(path)
    config_path = path / "config.cfg"
    if not config_path.exists():
        raise FileNotFoundError(Errors.E093.format(path=path))
    if code is not None:
        import_code(code)
    with _loading(path):
        return _load(path, config_path, vocab, disable, enable, exclude)


def _load(path: Path, config_path: Path, vocab, disable, enable, exclude) -> Language:
    config = Config().from_disk(config_path, interpolate=False)
    names = list(config["nlp"].get("pipeline", []))
    exclude, disable = _names(exclude, names), _names(disable, names)
    if enable is not None:
        enable = _names(enable, names)
        disable += [name for name in names
                    if name not in enable and name not in disable and name not in exclude]
    if exclude:
        config = _without_components(config, exclude)
    _check_registered(config, config_path)
    nlp = Language.from_config(config, vocab=vocab, disable=disable, auto_fill=False)
    return nlp.from_disk(path)


_LOADING = threading.local()  # the folders this thread is loading, outermost first


@contextmanager
def _loading(path: Path):
    """Mark ``path`` as being loaded while the block runs; a component sourced from a folder
    already on the way (its own, or one that sources it back) is a cycle (E640), refused
    before it recurses."""
    chain = _LOADING.__dict__.setdefault("chain", [])
    folder = path.resolve()
    if folder in chain:
        shown = " -> ".join(str(f) for f in chain[chain.index(folder):] + [folder])
        raise ValueError(Errors.E640.format(folder=path, chain=shown))
    chain.append(folder)
    try:
        yield
    finally:
        chain.pop()


def _pipeline_package(name):
    """The installed pipeline package called ``name`` (a module with a ``load`` function and
    the ``DATA_PATH`` of its pipeline), or None when ``name`` is a path or no such package."""
    import importlib
    import importlib.util

    if not isinstance(name, str) or not name.isidentifier() or Path(name).exists():
        return None
    if importlib.util.find_spec(name) is None:
        return None
    module = importlib.import_module(name)
    ok = callable(getattr(module, "load", None)) and hasattr(module, "DATA_PATH")
    return module if ok else None



def get_lang_class(lang: str) -> type:
    """The Language class ``fastpipe.blank(lang)`` makes pipelines of: the one the code's
    package under fastpipe/lang defines (English for "en", MultiLanguage for "xx"), found by
    name as spaCy finds its languages, and Language itself, with the generic rules, for a code
    without data of its own (warning W030 once). ``fastpipe.util`` offers it under spaCy's
    name."""
    module = lang_module(lang)  # checks the code (E035); warns when it has no data of its own
    for value in vars(module).values() if module is not None else ():
        if isinstance(value, type) and issubclass(value, Language) and value.lang == lang:
            return value
    return Language


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


