"""Distributed training on Ray (``fastpipe ray train``).

Ray is an optional extra (``pip install fastpipe[ray]``): nothing in the base package imports
this package, and importing it does not import Ray either; ``ray_train`` does, when called.

- ``params``: stable names for parameter arrays (and row blocks of large ones) across
  processes, and who owns which.
- ``exchange``: ``ParamExchange``, one worker's side of the exchange: it routes gradients to
  their owners, steps what it owns, predicts the weights of the next batch and takes in its
  peers' arrays; its ``Router`` is the optimizer the training step is given.
- ``worker``: the Ray actor that trains on a shard with ``training.step.train_step`` (the step
  ``fastpipe train`` runs) and reports evaluations.
- ``driver``: ``ray_train``, which starts the workers, logs, checkpoints and handles faults.
"""
from typing import TYPE_CHECKING

__all__ = ["ray_train", "WorkerFailure", "RAY_MISSING"]

from ..errors import Errors

#: The message when Ray is not installed (``Errors.E400``).
RAY_MISSING = Errors.E400


def __getattr__(name):
    if name in ("ray_train", "WorkerFailure"):
        from . import driver

        return getattr(driver, name)
    raise AttributeError(f"module 'fastpipe.parallel' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from .driver import WorkerFailure, ray_train  # noqa: F401
