"""The training loop's room: batchers (and, later, initialization, the loop and loggers).

Importing this package stays light: it loads only the registered batchers.
"""
from .batchers import (configure_batch_by_padded, configure_batch_by_sequence,
                       configure_batch_by_words, minibatch_by_padded, minibatch_by_sequence,
                       minibatch_by_words)

__all__ = ["configure_batch_by_padded", "configure_batch_by_sequence", "configure_batch_by_words",
           "minibatch_by_padded", "minibatch_by_sequence", "minibatch_by_words"]
