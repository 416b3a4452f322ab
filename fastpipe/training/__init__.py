"""The training room: ``initialize`` (config to an initialized nlp object), ``step`` (one
training step and the record of an evaluation, shared with the Ray workers), ``loop`` (the
single-process loop and checkpoints), ``batchers`` and ``loggers``.

Importing this package stays light: it loads only the batchers; import the modules you need.
"""
from .batchers import (configure_batch_by_padded, configure_batch_by_sequence,
                       configure_batch_by_words, minibatch_by_padded, minibatch_by_sequence,
                       minibatch_by_words)

__all__ = ["configure_batch_by_padded", "configure_batch_by_sequence", "configure_batch_by_words",
           "minibatch_by_padded", "minibatch_by_sequence", "minibatch_by_words"]
