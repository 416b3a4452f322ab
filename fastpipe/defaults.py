"""What a config gets for what it leaves out: fastpipe's default config (``default_config.cfg``)
and the defaults each component factory declares next to its component (``FactoryMeta``).

This module imports nothing from fastpipe, so every room may read the defaults: ``config``
fills overrides with them, ``config_schema`` validates against them, the registry's ``factory``
decorator records a factory's declaration here, and ``Language`` builds from them.
"""
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from thinc.api import Config

DEFAULT_CONFIG_PATH = Path(__file__).parent / "default_config.cfg"


def default_config() -> Config:
    """fastpipe's default config, its ${...} references kept."""
    return Config().from_disk(DEFAULT_CONFIG_PATH, interpolate=False)


def with_defaults(config: Dict[str, Any]) -> Config:
    """The user's config merged over fastpipe's default config (``Language.from_config`` does
    the same merge), still with its ${...} references."""
    return default_config().merge(Config(config, is_interpolated=False))


@dataclass
class FactoryMeta:
    """What a component factory declares next to the component."""

    factory: str                                    # the factory's registered name
    default_config: Dict[str, Any] = field(default_factory=dict)   # its settings' defaults
    default_score_weights: Dict[str, Optional[float]] = field(default_factory=dict)
    assigns: Tuple[str, ...] = ()                   # Doc/Token attributes it sets
    requires: Tuple[str, ...] = ()                  # attributes it needs set before it runs


#: Every declared factory by name, filled by ``fastpipe.registry.factory``; read it through
#: ``fastpipe.registry.get_factory_meta``, which registers the built-ins first.
FACTORY_META: Dict[str, FactoryMeta] = {}


def declare_factory(name: str, default_config: Optional[dict], default_score_weights:
                    Optional[dict], assigns, requires) -> FactoryMeta:
    meta = FactoryMeta(name, copy.deepcopy(default_config or {}),
                       dict(default_score_weights or {}), tuple(assigns), tuple(requires))
    FACTORY_META[name] = meta
    return meta
