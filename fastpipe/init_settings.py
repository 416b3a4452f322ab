"""The [initialize] settings that are not component settings, as ``Language.initialize`` honours
them: ``vectors`` (the static vectors of a pipeline folder, copied into the vocab),
``vocab_data`` and ``lookups`` (refused unless null: fastpipe has no vocab data files and no
lookup tables), ``[initialize.tokenizer]`` (passed to the
tokenizer's ``initialize``) and ``init_tok2vec`` (weights loaded into the model of
``[pretraining] component``, or of its ``layer``).

The order is spaCy's: ``init_vocab`` and ``init_tokenizer`` before the components are
initialized, ``init_tok2vec`` after, so that the loaded weights replace the fresh ones. This
module sits below ``language`` so that ``Language.initialize`` can call it; it reads the nlp
object only through its public attributes.
"""
import inspect
import logging
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from .errors import ConfigError, Errors
from .util import recover_folder
from .vocab import Vocab

logger = logging.getLogger("fastpipe")

__all__ = ["init_vocab", "load_vectors", "init_tokenizer", "init_tok2vec", "tok2vec_ref"]

#: [pretraining] component when the section leaves it out (spaCy's default).
DEFAULT_TOK2VEC = "tok2vec"


def init_vocab(nlp, init: Dict[str, Any]) -> None:
    """Load [initialize] vectors into the vocab (``load_vectors``) and refuse vocab_data and
    lookups unless they are null (E524, E525). ``init`` is the [initialize] section (resolved
    or not)."""
    if init.get("vectors") is not None:
        load_vectors(nlp.vocab, init["vectors"])
    if init.get("vocab_data") is not None:
        raise ConfigError(Errors.E524.format(value=init["vocab_data"]))
    if init.get("lookups") is not None:
        raise ConfigError(Errors.E525)


def load_vectors(vocab, path) -> None:
    """Make the static vectors of the pipeline folder ``path`` (its ``vocab`` file) the vectors
    of ``vocab``, adding their words to its strings; E734 when the folder has none."""
    folder = Path(path)
    if not folder.is_dir():
        raise ConfigError(Errors.E734.format(path=str(path), problem="no such folder"))
    folder = recover_folder(folder)
    if not (folder / "vocab").is_file():
        raise ConfigError(Errors.E734.format(path=str(path), problem="the folder has no vocab file"))
    try:
        saved = Vocab().from_disk(folder / "vocab")
    except ValueError as err:
        raise ConfigError(Errors.E734.format(path=str(path), problem=str(err))) from None
    vectors = saved.vectors
    if not vectors.n_keys:
        raise ConfigError(Errors.E734.format(path=str(path), problem="its vocab has no vectors"))
    for key in vectors.keys():
        if key in saved.strings:
            vocab.strings.add(saved.strings[key])
    vectors.strings = vocab.strings
    vocab.vectors = vectors
    logger.info("Loaded vectors (%s mode, %d rows of width %d) from %s", vectors.mode,
                vectors.shape[0], vectors.shape[1], path)


def init_tokenizer(nlp, get_examples: Callable, settings: Optional[Dict[str, Any]]) -> None:
    """Call ``nlp.tokenizer.initialize(get_examples, nlp=nlp, **settings)`` when the tokenizer
    has one; settings it does not take raise E533, and settings for a tokenizer without an
    ``initialize`` raise E532."""
    settings = dict(settings or {})
    initialize = getattr(nlp.tokenizer, "initialize", None)
    if initialize is None:
        if settings:
            raise ConfigError(Errors.E532.format(settings=", ".join(sorted(settings))))
        return
    params = inspect.signature(initialize).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        known = [n for n in params if n not in ("get_examples", "nlp")]
        for name in settings:
            if name not in known:
                raise ConfigError(Errors.E533.format(name=name, known=known or "none"))
    initialize(get_examples, nlp=nlp, **settings)


def tok2vec_ref(nlp, pretraining: Optional[Dict[str, Any]]):
    """The model [pretraining] names: its ``component``'s model (``tok2vec`` when the section
    is empty), or that model's ``layer`` when one is given."""
    pretraining = pretraining or {}
    component = pretraining.get("component") or DEFAULT_TOK2VEC
    if component not in nlp.pipe_names:
        raise ConfigError(Errors.E528.format(component=component, pipeline=nlp.pipe_names))
    model = nlp.get_pipe(component).model
    layer = pretraining.get("layer") or ""
    if layer:
        if not model.has_ref(layer):
            raise ConfigError(Errors.E529.format(layer=layer, component=component,
                                                 refs=list(model.ref_names) or "none"))
        model = model.get_ref(layer)
    return model


def init_tok2vec(nlp, init: Dict[str, Any], pretraining: Optional[Dict[str, Any]]) -> bool:
    """Load [initialize] init_tok2vec (weights written by a model's ``to_bytes``) into the
    model ``tok2vec_ref`` finds; True when weights were loaded. Call it after the components
    are initialized, so that the model has its shapes."""
    path = init.get("init_tok2vec")
    if path is None:
        return False
    path = Path(path)
    if not path.is_file():
        raise ConfigError(Errors.E526.format(path=path))
    model = tok2vec_ref(nlp, pretraining)
    try:
        model.from_bytes(path.read_bytes())
    except Exception as err:  # msgpack, thinc shape and key errors: the file does not fit
        pretraining = pretraining or {}
        layer = pretraining.get("layer")
        raise ConfigError(Errors.E527.format(
            path=path, component=pretraining.get("component") or DEFAULT_TOK2VEC,
            layer=f" (layer {layer!r})" if layer else "", err=f"{type(err).__name__}: {err}"))
    logger.info("Loaded pretrained weights from %s into %s", path, model.name)
    return True
