"""fastpipe's function registries, on thinc's registry (optimizers and schedules are thinc's).

This module imports nothing from fastpipe, so every room may register into it. Registered names
are versioned ("fastpipe.Corpus.v1"). Other packages register through entry points named
``fastpipe_<registry>`` (for example ``fastpipe_architectures``).
"""
import copy
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import catalogue
from thinc.api import registry as thinc_registry

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
    "misc",
)


class registry(thinc_registry):
    architectures = catalogue.create("fastpipe", "architectures", entry_points=True)
    factories = catalogue.create("fastpipe", "factories", entry_points=True)
    tokenizers = catalogue.create("fastpipe", "tokenizers", entry_points=True)
    readers = catalogue.create("fastpipe", "readers", entry_points=True)
    batchers = catalogue.create("fastpipe", "batchers", entry_points=True)
    loggers = catalogue.create("fastpipe", "loggers", entry_points=True)
    callbacks = catalogue.create("fastpipe", "callbacks", entry_points=True)
    scorers = catalogue.create("fastpipe", "scorers", entry_points=True)
    augmenters = catalogue.create("fastpipe", "augmenters", entry_points=True)
    misc = catalogue.create("fastpipe", "misc", entry_points=True)


@dataclass
class FactoryMeta:
    """What a component factory declares next to the component."""

    factory: str
    default_config: Dict[str, Any] = field(default_factory=dict)
    default_score_weights: Dict[str, Optional[float]] = field(default_factory=dict)
    assigns: Tuple[str, ...] = ()
    requires: Tuple[str, ...] = ()


FACTORY_META: Dict[str, FactoryMeta] = {}


def factory(name: str, *, default_config: Optional[dict] = None,
            default_score_weights: Optional[dict] = None, assigns=(), requires=()):
    """Register a component factory ``func(nlp, name, **config) -> component``, with the default
    config of its settings and the default weights of the scores it reports."""

    def register(func):
        FACTORY_META[name] = FactoryMeta(name, copy.deepcopy(default_config or {}),
                                         dict(default_score_weights or {}), tuple(assigns),
                                         tuple(requires))
        registry.factories.register(name, func=func)
        return func

    return register
