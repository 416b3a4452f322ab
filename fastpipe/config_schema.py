"""What a config may hold: the settings of the built-in sections and their types, and
``validate_config``, which checks a whole config against them and against the registries and
reports every problem at once. (The default values are in ``default_config.cfg``, read by
``fastpipe.defaults.default_config``; ``with_defaults`` merges a config over them.)

spaCy's sections are fastpipe's: ``[pretraining]`` is empty or holds every setting spaCy gives
it (``fastpipe pretrain`` runs it; ``[initialize] init_tok2vec`` uses its component and
layer), and settings that need what fastpipe does not have (lookup tables) are refused with
a coded sentence naming them. A registered function can refuse values of its own settings the
same way (``refuses``), so that validation reports them with their section before anything is
built.
"""
import inspect
from typing import Any, Callable, Dict, List, Optional

from .config import CONFIG_SECTIONS, dot_to_object, suggest
from .defaults import with_defaults
from .errors import ConfigError, Errors
from .registry import get_factory_meta, registry

__all__ = ["validate_config", "check_value_kinds", "with_defaults", "refuses", "check_refused",
           "SECTION_TYPES", "PRETRAINING_TYPES"]

Callback = Optional[Dict[str, Any]]  # a registered function block, or null
# The settings of the built-in sections and their types. Blocks of registered functions
# (optimizer, batcher, logger, callbacks) are checked against their own signatures.
SECTION_TYPES: Dict[str, Dict[str, Any]] = {
    "system": {"seed": Optional[int], "gpu_allocator": Optional[str]},
    "nlp": {
        "lang": str, "pipeline": List[str], "disabled": List[str], "batch_size": int,
        "tokenizer": Dict[str, Any], "before_creation": Callback,
        "after_creation": Callback, "after_pipeline_creation": Callback, "vectors": Callback,
    },
    "training": {
        "seed": Optional[int], "gpu_allocator": Optional[str], "dropout": float,
        "accumulate_gradient": int, "patience": int, "max_epochs": int, "max_steps": int,
        "eval_frequency": int, "checkpoint_frequency": int, "frozen_components": List[str],
        "annotating_components": List[str], "train_corpus": str, "dev_corpus": str,
        "before_to_disk": Callback, "before_update": Callback,
        "score_weights": Dict[str, Optional[float]], "logger": Dict[str, Any],
        "batcher": Dict[str, Any], "optimizer": Dict[str, Any],
    },
    "initialize": {
        "before_init": Callback, "after_init": Callback,
        "components": Dict[str, Any], "tokenizer": Dict[str, Any],
        "vectors": Optional[str], "init_tok2vec": Optional[str], "vocab_data": Optional[str],
        "lookups": Any,
    },
}
#: A filled [pretraining] section has every one of these settings (spaCy's); an empty one is
#: fine. Blocks of registered functions are checked against their own signatures.
PRETRAINING_TYPES: Dict[str, Any] = {
    "max_epochs": int, "dropout": float, "n_save_every": Optional[int],
    "n_save_epoch": Optional[int], "optimizer": Dict[str, Any], "corpus": str,
    "batcher": Dict[str, Any], "component": str, "layer": str, "objective": Dict[str, Any],
}
REQUIRED = {"nlp": ("lang",), "pretraining": tuple(PRETRAINING_TYPES)}
#: Settings that take a number or a schedule making one per step (a registered function's
#: block, such as thinc's ``constant_then.v1``), as spaCy's [training] dropout does.
SCHEDULABLE = {("training", "dropout")}
#: [initialize] settings fastpipe cannot honour (it has no vocab data and no lookup tables):
#: any value but null is refused with the message.
INIT_REFUSED = {"vocab_data": "E524", "lookups": "E525"}
#: The only [nlp.vectors] function: spaCy's default, an empty table ([initialize] vectors fills
#: the vocab's own).
EMPTY_VECTORS = ("spacy.Vectors.v1",)


def refuses(setting: Optional[str], test: Callable[[Any], bool], message: str):
    """Mark a registered function as refusing the values of ``setting`` for which ``test`` is
    true (``setting=None``: refusing any use of the function): ``validate_config`` reports
    such a value as a problem of its block, and the function calls ``check_refused``."""

    def mark(func):
        func.refused_settings = getattr(func, "refused_settings", ()) + ((setting, test,
                                                                          message),)
        return func

    return mark


def check_refused(func, **values) -> None:
    """Raise ValueError with the message of the first setting in ``values`` that ``func``
    refuses (see ``refuses``)."""
    for setting, test, message in getattr(func, "refused_settings", ()):
        if setting is None or (setting in values and test(values[setting])):
            raise ValueError(message)

# (minimum, maximum or None) for numeric training settings
RANGES = {"dropout": (0.0, 1.0), "accumulate_gradient": (1, None), "patience": (0, None),
          "max_epochs": (-1, None), "max_steps": (0, None), "eval_frequency": (1, None),
          "checkpoint_frequency": (-1, None)}
def validate_config(config: Dict[str, Any], *, where: str = "", training: bool = True) -> None:
    """Check an interpolated config and raise one ConfigError listing every problem: unknown or
    misspelt sections and settings, missing required settings, wrong types, values out of range,
    unknown registered functions (with the registry and close names), missing or unexpected
    arguments, pipeline components without a section, and frozen/annotating components or
    corpora that are not there. ``training=False`` skips the [training]/[corpora] checks."""
    errors: List[Dict[str, Any]] = []
    for section in config:
        if section not in CONFIG_SECTIONS:
            errors.append({"loc": [section], "msg": "not a section of a fastpipe config"
                           + (suggest(section, CONFIG_SECTIONS, n=1) or
                              f" (the sections are {', '.join(CONFIG_SECTIONS)})")})
    if "nlp" not in config:
        errors.append({"loc": ["nlp"], "msg": "missing section: every config needs [nlp] "
                                              "with at least lang"})
    for section, types in SECTION_TYPES.items():
        if isinstance(config.get(section), dict):
            _check_section(config[section], section, types, errors)
    _check_pretraining(config, errors)
    _check_refused_settings(config, errors)
    _check_promises(config, [], errors)
    _check_pipeline(config, errors, training)
    if errors:
        raise ConfigError(Errors.E102.format(n=len(errors)), errors, where=where)


def _check_section(values, section, types, errors):
    from confection.validation import validate_type

    missing = [key for key in REQUIRED.get(section, ())
               if key not in values or (values[key] is None and validate_type(None, types[key]))]
    for key in missing:
        errors.append({"loc": [section, key], "msg": "missing required setting"})
    for key, value in values.items():
        if key in missing:
            continue
        if key not in types:
            errors.append({"loc": [section, key], "value": value,
                           "msg": f"not a setting of [{section}]"
                           + suggest(key, list(types), cutoff=0.6)})
            continue
        if _has_promise(value) or types[key] is Any:
            if (section, key) not in SCHEDULABLE:
                _check_made_value(value, types[key], [section, key], errors)
            continue
        err = validate_type(value, types[key])
        if err:
            errors.append({"loc": [section, key], "value": value,
                           "msg": f"expected {_type_name(types[key])}"})
        elif section == "training" and key in RANGES and isinstance(value, (int, float)):
            low, high = RANGES[key]
            if value < low or (high is not None and value >= high):
                bound = f"at least {low}" if high is None else f"in [{low}, {high})"
                errors.append({"loc": [section, key], "value": value,
                               "msg": f"expected a number {bound}"})


def _check_pretraining(config, errors):
    """An empty [pretraining] is fine; a filled one has all of spaCy's settings, typed, and
    its corpus names a section of the config."""
    section = config.get("pretraining")
    if section is None:
        return
    if not isinstance(section, dict):
        errors.append({"loc": ["pretraining"], "value": section, "msg": "expected a section"})
        return
    if not section:
        return
    _check_section(section, "pretraining", PRETRAINING_TYPES, errors)
    corpus = section.get("corpus")
    if isinstance(corpus, str):
        try:
            dot_to_object(config, corpus)
        except KeyError:
            corpora = [f"corpora.{k}" for k in config.get("corpora", {}) or {}]
            errors.append({"loc": ["pretraining", "corpus"], "value": corpus,
                           "msg": "names no section of the config" + suggest(corpus, corpora)})


def _check_refused_settings(config, errors):
    init = config.get("initialize") if isinstance(config.get("initialize"), dict) else {}
    for setting, code in INIT_REFUSED.items():
        value = init.get(setting)
        if value is not None:
            errors.append({"loc": ["initialize", setting], "value": value,
                           "msg": getattr(Errors, code).format(value=value)})
    nlp = config.get("nlp") if isinstance(config.get("nlp"), dict) else {}
    vectors = nlp.get("vectors")
    if isinstance(vectors, dict) and vectors.get("@vectors") not in EMPTY_VECTORS:
        errors.append({"loc": ["nlp", "vectors", "@vectors"], "value": vectors.get("@vectors"),
                       "msg": Errors.E534.format(name=vectors.get("@vectors"))})


def _check_promises(node, loc, errors):
    if not isinstance(node, dict):
        return
    if registry.is_promise(node):
        _check_promise(node, loc, errors)
    for key, value in node.items():
        if isinstance(value, dict):
            _check_promises(value, loc + [key], errors)


def _check_promise(block, loc, errors):
    refs = [k for k in block if isinstance(k, str) and k.startswith("@")]
    if len(refs) != 1:
        errors.append({"loc": loc, "msg": f"a block names one registered function, found "
                                          f"{', '.join(refs)}"})
        return
    reg_name, func_name = refs[0][1:], block[refs[0]]
    reg = getattr(registry, reg_name, None)
    if reg is None or not hasattr(reg, "get_all"):
        names = [n for n in dir(registry) if hasattr(getattr(registry, n, None), "get_all")]
        errors.append({"loc": loc + [refs[0]], "value": func_name,
                       "msg": f"there is no registry {reg_name!r}" + suggest(reg_name, names)})
        return
    if not isinstance(func_name, str) or not registry.has(reg_name, func_name):
        available = list(reg.get_all())
        errors.append({"loc": loc + [refs[0]], "value": func_name,
                       "msg": f"no function of that name in registry {reg_name!r}"
                       + (suggest(str(func_name), available, n=3, cutoff=0.85)
                          or "; is it registered in a --code file?")})
        return
    func = registry.get(reg_name, func_name)
    _check_args(func, repr(func_name), block, loc, errors)
    for setting, test, message in getattr(func, "refused_settings", ()):
        if setting is None:
            errors.append({"loc": loc + [refs[0]], "value": func_name, "msg": message})
        elif setting in block and not _has_promise(block[setting]) and test(block[setting]):
            errors.append({"loc": loc + [setting], "value": block[setting], "msg": message})


def _check_args(func, label: str, block, loc, errors, skip=()):
    """Missing, unexpected and mistyped arguments of ``func`` in ``block``; ``label`` names
    the function in messages, ``skip`` lists parameters the config does not give."""
    from confection.validation import validate_type

    try:
        params = inspect.signature(func).parameters
        hints = _type_hints(func)
    except (TypeError, ValueError):
        return
    params = {n: p for n, p in params.items() if n not in skip}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
    var_pos = any(p.kind == p.VAR_POSITIONAL for p in params.values())
    named = {n: p for n, p in params.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    for name, param in named.items():
        if name not in block:
            if param.default is param.empty and not (var_pos and "*" in block):
                errors.append({"loc": loc + [name],
                               "msg": f"missing required argument of {label}"})
            continue
        value = block[name]
        hint = hints.get(name, Any)
        if _has_promise(value) or hint is Any:
            _check_made_value(value, hint, loc + [name], errors, label)
            continue
        if validate_type(value, hint):
            errors.append({"loc": loc + [name], "value": value,
                           "msg": f"expected {_type_name(hint)} ({label})"})
    if not var_kw:
        for key in block:
            if key.startswith("@") or key == "*" or key in named:
                continue
            errors.append({"loc": loc + [key], "value": block[key],
                           "msg": f"unexpected argument of {label}"
                           + suggest(key, list(named), cutoff=0.6)})


def _check_pipeline(config, errors, training):
    nlp = config.get("nlp") if isinstance(config.get("nlp"), dict) else {}
    components = config.get("components") if isinstance(config.get("components"), dict) else {}
    pipeline = nlp.get("pipeline", []) if isinstance(nlp.get("pipeline", []), list) else []
    for name in pipeline:
        if name not in components:
            errors.append({"loc": ["nlp", "pipeline"], "value": pipeline,
                           "msg": f"component {name!r} has no [components.{name}] section"
                           + suggest(name, list(components))})
    factories = registry.factories.get_all()
    for name, block in components.items():
        if not isinstance(block, dict):
            continue
        if not _check_component_kinds(name, block, errors):
            continue
        if "factory" not in block and "source" not in block:
            errors.append({"loc": ["components", name, "factory"],
                           "msg": "missing: a component needs factory = \"...\" (or source)"})
        elif "factory" in block and factories and block["factory"] not in factories:
            factory = block["factory"]
            msg = ("no such component factory" + suggest(str(factory), list(factories))
                   + f" (available: {', '.join(sorted(factories))})")
            errors.append({"loc": ["components", name, "factory"], "value": factory,
                           "msg": msg})
        elif "factory" in block:
            _check_factory_args(name, block, errors)
    train = config.get("training") if isinstance(config.get("training"), dict) else {}
    if not training:
        return
    for setting in ("frozen_components", "annotating_components"):
        names = train.get(setting, [])
        for name in names if isinstance(names, list) else []:
            if name not in pipeline:
                errors.append({"loc": ["training", setting], "value": names,
                               "msg": Errors.E110.format(name=name, setting=setting,
                                                         pipeline=pipeline)})
    for setting in ("train_corpus", "dev_corpus"):
        dotted = train.get(setting)
        if not isinstance(dotted, str):
            continue
        try:
            dot_to_object(config, dotted)
        except KeyError:
            corpora = [f"corpora.{k}" for k in config.get("corpora", {}) or {}]
            errors.append({"loc": ["training", setting], "value": dotted,
                           "msg": "names no section of the config" + suggest(dotted, corpora)})


def _check_factory_args(name, block, errors):
    """The settings of a [components.NAME] block against its factory's signature, with the
    factory's declared defaults filled in first."""
    factory = block["factory"]
    try:
        meta = get_factory_meta(factory)
    except (ValueError, KeyError):
        return
    settings = dict(meta.default_config or {})
    settings.update({k: v for k, v in block.items() if k != "factory"})
    _check_args(registry.get("factories", factory), f"the {factory!r} factory", settings,
                ["components", name], errors, skip=("nlp", "name"))


def check_value_kinds(config: Dict[str, Any], *, where: str = "") -> None:
    """The kinds of the values building a pipeline reads from an interpolated config: [nlp]'s
    settings, each component's ``factory`` and ``source``, and no registered function's block
    where a plain value belongs, in a component's settings or in the blocks below them. One
    ConfigError lists every problem (other checks are the builders' own)."""
    errors: List[Dict[str, Any]] = []
    from confection.validation import validate_type

    nlp = config.get("nlp") if isinstance(config.get("nlp"), dict) else {}
    for key, value in nlp.items():
        hint = SECTION_TYPES["nlp"].get(key, Any)
        if _has_promise(value) or hint is Any:
            _check_made_value(value, hint, ["nlp", key], errors)
        elif value is not None and validate_type(value, hint):
            errors.append({"loc": ["nlp", key], "value": value,
                           "msg": f"expected {_type_name(hint)}"})
    components = config.get("components") if isinstance(config.get("components"), dict) else {}
    for name, block in components.items():
        if not isinstance(block, dict) or not _check_component_kinds(name, block, errors):
            continue
        if "factory" in block and block["factory"] in registry.factories.get_all():
            hints = _type_hints(registry.get("factories", block["factory"]))
            for key, value in block.items():
                _check_made_value(value, hints.get(key, Any), ["components", name, key], errors,
                                  f"the {block['factory']!r} factory")
        _check_made_values_below(block, ["components", name], errors)
    if errors:
        raise ConfigError(Errors.E102.format(n=len(errors)), errors, where=where)


def _check_component_kinds(name, block, errors) -> bool:
    """Whether a component's ``factory`` and ``source``, where given, are strings (each one
    that is not is a problem)."""
    wrong = [(key, what) for key, what in (("factory", "a registered factory"),
                                           ("source", "a saved pipeline's folder"))
             if key in block and not isinstance(block[key], str)]
    for key, what in wrong:
        errors.append({"loc": ["components", name, key], "value": block[key],
                       "msg": f"expected the name of {what} (a string)"})
    return not wrong


def _check_made_values_below(node, loc, errors) -> None:
    for key, value in node.items():
        if not isinstance(value, dict):
            continue
        if registry.is_promise(value):
            refs = [k for k in value if isinstance(k, str) and k.startswith("@")]
            try:
                hints = _type_hints(registry.get(refs[0][1:], value[refs[0]]))
            except Exception:  # not one known function: the builder says so
                hints = {}
            for arg, item in value.items():
                _check_made_value(item, hints.get(arg, Any), loc + [key, arg], errors,
                                  repr(value[refs[0]]))
        _check_made_values_below(value, loc + [key], errors)


def _check_made_value(value, hint, loc, errors, label: str = "") -> None:
    """A registered function's block where the setting takes a plain value (a number, string,
    flag or list of them) is a problem unless the function says it returns such a value: a
    model given as a threshold would otherwise reach the code comparing numbers."""
    if not (isinstance(value, dict) and registry.is_promise(value)) or not _plain(hint):
        return
    refs = [k for k in value if isinstance(k, str) and k.startswith("@")]
    try:
        func = registry.get(refs[0][1:], value[refs[0]])
        returns = inspect.signature(func).return_annotation
    except Exception:  # an unknown function is reported by _check_promise
        return
    if returns is not inspect.Signature.empty and _plain(returns):
        return
    made = "" if returns is inspect.Signature.empty else f", which makes {_type_name(returns)}"
    errors.append({"loc": loc, "value": {refs[0]: value[refs[0]]},
                   "msg": f"expected {_type_name(hint)}{f' ({label})' if label else ''}, got a "
                          f"block of the registered function {value[refs[0]]!r}{made}"})


_PLAIN = (int, float, str, bool, type(None))


def _plain(hint) -> bool:
    """Whether a type hint takes only plain values: numbers, strings, flags, None, and lists
    or tuples of them."""
    import typing

    if hint in _PLAIN:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, list, tuple) and args:
        return all(arg is Ellipsis or _plain(arg) for arg in args)
    return False


def _has_promise(value) -> bool:
    if isinstance(value, dict):
        return registry.is_promise(value) or any(_has_promise(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_promise(v) for v in value)
    return False


def _type_hints(func) -> Dict[str, Any]:
    from confection.validation import resolve_type_hints

    try:
        return resolve_type_hints(func)
    except Exception:  # unresolvable annotations: check nothing rather than fail
        return {}


def _type_name(hint) -> str:
    text = getattr(hint, "__name__", None) if isinstance(hint, type) else None
    text = text or str(hint)
    for prefix in ("typing.", "thinc.types.", "thinc.config."):
        text = text.replace(prefix, "")
    return text.replace("NoneType", "None")

