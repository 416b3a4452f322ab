"""The training room: ``initialize`` (config to an initialized nlp object), ``step`` (one
training step and the record of an evaluation, shared with the Ray workers), ``loop`` (the
single-process loop), ``checkpoint`` (what a run saves to be resumed, and putting it back),
``training_log`` (the JSONL log of evaluations in the output folder), ``batchers`` and
``loggers``.

It also offers what a spaCy user's script imports from ``spacy.training``: ``Example``, the
BILUO helpers (``offsets_to_biluo_tags(doc, entities, missing="O")`` and the rest), the corpus
readers and the batching functions. Each name is imported on first use, so importing this
package costs nothing (the readers and batchers load thinc's registry).
"""
#: Each public name and the module (below fastpipe) it lives in.
_EXPORTS = {
    "Example": "gold.example",
    "Alignment": "gold.alignment",
    "offsets_to_biluo_tags": "gold.biluo",
    "biluo_tags_to_offsets": "gold.biluo",
    "biluo_tags_to_spans": "gold.biluo",
    "iob_to_biluo": "gold.biluo",
    "biluo_to_iob": "gold.biluo",
    "Corpus": "gold.corpus",
    "JsonlCorpus": "gold.corpus",
    "dont_augment": "gold.augment",
    "create_lower_casing_augmenter": "gold.augment",
    "minibatch_by_words": "training.batchers",
    "minibatch_by_sequence": "training.batchers",
    "minibatch_by_padded": "training.batchers",
    "configure_batch_by_words": "training.batchers",
    "configure_batch_by_sequence": "training.batchers",
    "configure_batch_by_padded": "training.batchers",
}

__all__ = sorted(_EXPORTS)


def _module(where: str):
    """The module ``where`` names; only that one is imported (Example and the BILUO helpers
    do not load thinc, the readers and batchers do)."""
    if where == "gold.example":
        from ..gold import example as module
    elif where == "gold.alignment":
        from ..gold import alignment as module
    elif where == "gold.biluo":
        from ..gold import biluo as module
    elif where == "gold.corpus":
        from ..gold import corpus as module
    elif where == "gold.augment":
        from ..gold import augment as module
    else:
        from . import batchers as module
    return module


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fastpipe.training' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
