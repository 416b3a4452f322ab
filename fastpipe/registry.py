"""fastpipe's function registries, on thinc's registry (optimizers and schedules are thinc's).

Registered names are versioned ("fastpipe.Corpus.v1"). Other packages register through entry
points named ``fastpipe_<registry>`` (for example ``fastpipe_architectures``), or with the
decorators in a ``--code`` file.

fastpipe's own functions and component factories register themselves when the modules that
define them are imported (``BUILTIN_MODULES``). That happens the first time any registry is
read (a lookup, ``get_all``, ``resolve``, ``fill``, a factory's metadata), not at
``import fastpipe``, which stays cheap: thinc's registry alone costs about 200 ms to import.
This module imports only the leaves ``errors`` and ``defaults``, so every room may register
into it; the built-in modules are named here as data and imported by name, as entry points are.

The module reads like spaCy's ``spacy.registry``: ``fastpipe.registry.loggers``, ``.get``,
``.resolve`` and the rest are the ``registry`` class's attributes (a module ``__getattr__``), so
``@fastpipe.registry.loggers("my_logger.v1")`` works as ``@spacy.registry.loggers(...)`` does.

``registry.resolve`` builds some of thinc's shared names with fastpipe's function of the same
settings and meaning (``RESOLVE_AS``, filled by ``fastpipe.aliases``): thinc's own registration
stays as it is, and a filled config keeps the name its user wrote.
"""
import importlib
import threading
from typing import Any, Dict, List, Optional, Tuple

import catalogue
from thinc.api import registry as thinc_registry

from .defaults import FACTORY_META, FactoryMeta, declare_factory
from .errors import Errors

__all__ = ["registry", "factory", "get_factory_meta", "factory_names", "load_builtins",
           "resolve_as", "BUILTIN_MODULES", "REGISTRY_NAMES", "RESOLVE_AS", "FactoryMeta"]

REGISTRY_NAMES = (
    "architectures",
    "factories",
    "tokenizers",
    "readers",
    "batchers",
    "loggers",
    "callbacks",
    "scorers",
    "augmenters",
    "vectors",
    "misc",
)

#: The modules whose import registers fastpipe's built-in functions and factories.
BUILTIN_MODULES = (
    "fastpipe.language",            # the tokenizer
    "fastpipe.pipeline",            # component factories (and, through them, fastpipe.ml)
    "fastpipe.ml",                  # architectures, the optimizer
    "fastpipe.gold.corpus",         # corpus readers
    "fastpipe.gold.augment",        # augmenters
    "fastpipe.training.batchers",
    "fastpipe.training.loggers",
    "fastpipe.aliases",             # spaCy's names for all of the above: last
)

#: (registry, name) -> the fastpipe name ``registry.resolve`` builds it with; see resolve_as.
RESOLVE_AS: Dict[Tuple[str, str], str] = {}

_loaded = False
_loading = threading.RLock()


def load_builtins() -> None:
    """Import ``BUILTIN_MODULES`` once (the registries call this before every read). An
    import that fails raises, and the next read tries again."""
    global _loaded
    if _loaded:
        return
    with _loading:
        if _loaded:
            return
        _loaded = True  # a module that reads a registry while it is imported must not recurse
        try:
            for name in BUILTIN_MODULES:
                importlib.import_module(name)
        except BaseException:
            _loaded = False
            raise


class _Registry(catalogue.Registry):
    """A catalogue registry that registers fastpipe's built-ins before it is first read."""

    def __contains__(self, name: str) -> bool:
        load_builtins()
        return super().__contains__(name)

    def get(self, name: str) -> Any:
        load_builtins()
        return super().get(name)

    def get_all(self) -> Dict[str, Any]:
        load_builtins()
        return super().get_all()

    def find(self, name: str) -> Dict[str, Any]:
        load_builtins()
        return super().find(name)


def _thinc_registries() -> Dict[str, _Registry]:
    """thinc's own registries (optimizers, schedules, layers...), read through ``_Registry``
    so that a lookup of ``fastpipe.Adam.v1`` finds it: the same namespaces, shared entries."""
    found = {}
    for name in dir(thinc_registry):
        value = getattr(thinc_registry, name, None)
        if isinstance(value, catalogue.Registry):
            found[name] = _Registry(tuple(value.namespace), entry_points=value.entry_points)
    return found


class registry(thinc_registry):
    @classmethod
    def get(cls, registry_name: str, func_name: str):
        load_builtins()
        return super().get(registry_name, func_name)

    @classmethod
    def has(cls, registry_name: str, func_name: str) -> bool:
        load_builtins()
        return super().has(registry_name, func_name)

    @classmethod
    def resolve(cls, config, **kwargs) -> Dict[str, Any]:
        """thinc's resolve, with every block naming a ``RESOLVE_AS`` name built by the fastpipe
        function it stands for."""
        load_builtins()
        return super().resolve(_resolved_as(config), **kwargs)


def resolve_as(registry_name: str, name: str, fastpipe_name: str) -> None:
    """Make ``registry.resolve`` build blocks naming ``name`` (a name another package owns,
    such as thinc's ``Adam.v1``) with ``fastpipe_name``, whose settings and meaning are the
    same; ``registry.get`` and ``registry.fill`` still see the original."""
    RESOLVE_AS[(registry_name, name)] = fastpipe_name


def _resolved_as(node):
    """``node`` with the ``RESOLVE_AS`` names replaced: the dicts on the way to a replacement
    are copied (Config's own flags kept), everything else is shared."""
    if not isinstance(node, dict) or not RESOLVE_AS:
        return node
    changed = {}
    for key, value in node.items():
        if isinstance(key, str) and key.startswith("@") and isinstance(value, str):
            target = RESOLVE_AS.get((key[1:], value))
            if target is not None:
                changed[key] = target
        elif isinstance(value, dict):
            new = _resolved_as(value)
            if new is not value:
                changed[key] = new
    if not changed:
        return node
    copy = dict(node)
    copy.update(changed)
    if hasattr(node, "is_interpolated"):  # a thinc Config: keep how it was read
        copy = type(node)(copy, is_interpolated=node.is_interpolated,
                          section_order=getattr(node, "section_order", None))
    return copy


for _name, _reg in _thinc_registries().items():
    setattr(registry, _name, _reg)
for _name in REGISTRY_NAMES:
    setattr(registry, _name, _Registry(("fastpipe", _name), entry_points=True))
del _name, _reg


def factory(name: str, *, default_config: Optional[Dict[str, Any]] = None,
            default_score_weights: Optional[Dict[str, Any]] = None, assigns=(), requires=()):
    """Register a component factory ``func(nlp, name, **config) -> component``, with the default
    config of its settings and the default weights of the scores it reports."""

    def register(func):
        declare_factory(name, default_config, default_score_weights, assigns, requires)
        registry.factories.register(name, func=func)
        return func

    return register


def get_factory_meta(name: str) -> FactoryMeta:
    """What the factory ``name`` declared; E083 (listing the factories) when there is none."""
    load_builtins()
    if not isinstance(name, str) or name not in FACTORY_META:
        raise ValueError(Errors.E083.format(name=name, known=", ".join(factory_names())))
    return FACTORY_META[name]


def factory_names() -> List[str]:
    """The names of every registered component factory."""
    load_builtins()
    return sorted(FACTORY_META)


def __getattr__(name: str):
    # `fastpipe.registry.loggers`, `.get`, `.resolve`...: the module stands for the class,
    # as `spacy.registry` does (the import system makes `fastpipe.registry` this module).
    if not name.startswith("__") and hasattr(registry, name):
        return getattr(registry, name)
    raise AttributeError(f"module 'fastpipe.registry' has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted(set(globals()) | {n for n in dir(registry) if not n.startswith("_")})
