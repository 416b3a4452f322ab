"""What ``load`` checks and changes in a saved pipeline's config before building it: the
components named in disable/enable/exclude, and the registered names the user's code must
provide."""
from pathlib import Path
from typing import Iterable, Iterator, List, Tuple, Union

from thinc.api import Config

from ..errors import Errors
from ..registry import factory_names, registry


def _names(names: Union[str, Iterable[str]], pipeline: List[str]) -> List[str]:
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        if name not in pipeline:
            raise KeyError(Errors.E089.format(name=name, names=pipeline))
    return names


def _without_components(config: Config, names: List[str]) -> Config:
    """The config with the components ``names`` left out of [nlp] and [components] and of
    [training]'s lists of components."""
    config = Config(config)
    drop = set(names)
    for key in ("pipeline", "disabled"):
        config["nlp"][key] = [n for n in config["nlp"].get(key, []) if n not in drop]
    config["components"] = {n: block for n, block in config["components"].items() if n not in drop}
    training = config.get("training", {})
    for key in ("frozen_components", "annotating_components"):
        if training.get(key):
            training[key] = [n for n in training[key] if n not in drop]
    return config


def _check_registered(config: Config, config_path: Path) -> None:
    """E581 for the first function or factory the pipeline's [nlp] and [components] sections
    name that no code registered (the user's code was not imported)."""
    for where, registry_name, name in _registered_names(config, ("nlp", "components")):
        if registry_name == "factories":
            if name not in factory_names():
                raise ValueError(Errors.E581.format(path=config_path, where=where, name=name,
                                                    registry="the component factory"))
        elif not registry.has(registry_name, name):
            raise ValueError(Errors.E581.format(path=config_path, where=where, name=name,
                                                registry=f"the {registry_name} function"))


def _registered_names(block: dict, keys: Iterable[str], prefix: str = "") -> Iterator[Tuple[str, str, str]]:
    """(where, registry, name) of every ``@registry = name`` reference below ``keys`` of
    ``block``, and of every component's ``factory``."""
    for key in keys:
        value = block.get(key)
        if not isinstance(value, dict):
            continue
        section = f"{prefix}.{key}" if prefix else key
        for setting, item in value.items():
            if isinstance(setting, str) and setting.startswith("@") and isinstance(item, str):
                yield f"[{section}] {setting}", setting[1:], item
            elif setting == "factory" and section.count(".") == 1 and \
                    section.startswith("components.") and isinstance(item, str):
                yield f"[{section}] factory", "factories", item
        yield from _registered_names(value, list(value), section)
