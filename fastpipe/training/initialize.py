"""Build and initialize a pipeline for training from its config.

``init_nlp(config)`` checks the whole config (every problem reported at once), seeds the random
generators, builds the nlp object with ``Language.from_config`` (sourced and frozen components
are Language's business), resolves the training corpus and calls ``nlp.initialize`` with it, so
labels and model sizes come from the data.
"""
import logging
from typing import Any, Callable, Dict, Iterable, Iterator

from thinc.api import Config, ConfigValidationError, fix_random_seed

from ..config import config_error_from, dot_to_object
from ..config_schema import validate_config, with_defaults
from ..errors import ConfigError, Errors
from ..language import Language
from ..registry import registry

logger = logging.getLogger("fastpipe")

__all__ = ["init_nlp", "setup_gpu", "check_cpu_only", "resolve_corpus", "resolve_training",
           "check_nonempty"]

def check_cpu_only(use_gpu: int) -> None:
    """Raise ValueError E128 (one sentence) for a GPU id >= 0: fastpipe's models run on the CPU
    only (their Ops, fastpipe.ml.ops.FastpipeOps, and their Cython kernels take numpy arrays).
    -1 (any negative) is the CPU. Callers check before they read or write anything."""
    if use_gpu is not None and int(use_gpu) >= 0:
        raise ValueError(Errors.E128.format(gpu_id=int(use_gpu)))


def setup_gpu(use_gpu: int = -1) -> None:
    """Run on the CPU (thinc's current ops too); a GPU id >= 0 raises ValueError
    (``check_cpu_only``)."""
    from thinc.api import require_cpu

    check_cpu_only(use_gpu)
    require_cpu()


def init_nlp(config: Config, *, use_gpu: int = -1, where: str = "",
             hold_train_docs: bool = False):
    """The nlp object a training config describes, initialized on its training corpus.

    ``config`` is the config as loaded (``load_config(..., interpolate=False)``); ``where``
    names its file in error messages. Raises ConfigError for any invalid setting. With
    ``hold_train_docs`` (for a caller that trains next), a training corpus that training
    will read into memory (``max_epochs`` not -1) keeps the documents the initialization
    read for training's pass (``Corpus.hold``; ``create_train_batches`` releases them).
    """
    check_cpu_only(use_gpu)
    raw = Config(config, is_interpolated=False)
    try:
        filled = with_defaults(raw).interpolate()
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None
    validate_config(filled, where=where)
    training = filled["training"]
    if training.get("seed") is not None:
        fix_random_seed(training["seed"])
    if training.get("gpu_allocator"):
        # spaCy's configs carry it ("pytorch", say); it only matters on a GPU, never used here
        logger.info("[system] gpu_allocator = %s: ignored, fastpipe runs on the CPU",
                    training["gpu_allocator"])
    try:
        nlp = Language.from_config(raw)
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None
    config = nlp.config.interpolate()
    train_corpus = resolve_corpus(config, config["training"]["train_corpus"], where=where)
    name = config["training"]["train_corpus"]
    resolve_corpus(config, config["training"]["dev_corpus"], where=where)  # fail before training

    hold = (hold_train_docs and int(config["training"].get("max_epochs") or 0) != -1
            and hasattr(train_corpus, "hold"))

    def get_examples():
        # read when a component first asks, as without holding: after the vocab's and the
        # tokenizer's settings are applied
        if hold:
            train_corpus.hold(nlp)
        return check_nonempty(train_corpus(nlp), name, config)

    logger.info("Initializing the pipeline %s", nlp.pipe_names)
    try:
        nlp.initialize(get_examples)
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None
    logger.info("Initialized the pipeline")
    return nlp


def resolve_corpus(config: Dict[str, Any], dotted: str, where: str = "") -> Callable:
    """The reader of the corpus section ``dotted`` (``"corpora.train"``) of an interpolated
    config: a callable ``reader(nlp) -> Iterable[Example]``. A reader whose ``path`` is null
    raises E129, naming the setting to give."""
    try:
        block = dot_to_object(config, dotted)
    except KeyError:
        training = config.get("training", {})
        setting = next((k for k in ("train_corpus", "dev_corpus") if training.get(k) == dotted),
                       "train_corpus/dev_corpus")
        raise ConfigError(Errors.E114.format(setting=setting, value=dotted, suggest=""),
                          where=where) from None
    if isinstance(block, dict) and "path" in block and block["path"] is None:
        name = dotted.split(".")[-1]
        raise ConfigError(Errors.E129.format(section=dotted, name=name, option=f"paths.{name}"),
                          where=where)
    try:
        return registry.resolve({"corpus": block})["corpus"]
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None


def resolve_training(config: Dict[str, Any], where: str = "") -> Dict[str, Any]:
    """The [training] section of an interpolated config with its registered functions
    (optimizer, batcher, logger, callbacks) resolved."""
    try:
        return registry.resolve({"training": config["training"]})["training"]
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None


def check_nonempty(examples: Iterable, name: str, config: Dict[str, Any]) -> Iterator:
    """Yield ``examples``; raise ConfigError E109 at the end if there were none."""
    n = 0
    for eg in examples:
        n += 1
        yield eg
    if n == 0:
        block = {}
        try:
            block = dot_to_object(config, name)
        except KeyError:
            pass
        path = block.get("path", "?") if isinstance(block, dict) else "?"
        raise ConfigError(Errors.E109.format(name=name.split(".")[-1], section=name, path=path))
