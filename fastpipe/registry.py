"""fastpipe's function registries, on thinc's registry (optimizers and schedules are thinc's).

This module imports nothing from fastpipe, so every room may register into it. Registered names
are versioned ("fastpipe.Corpus.v1"). Other packages register through entry points named
``fastpipe_<registry>`` (for example ``fastpipe_architectures``).
"""
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
