"""The ``fastpipe`` command line: one module per command, each a thin Click wrapper."""
from ._app import app
from . import tokenize  # noqa: F401  (registers the command)
from . import convert  # noqa: F401  (registers the command)
from . import train  # noqa: F401  (registers the command)
from . import pretrain  # noqa: F401  (registers the command)
from . import evaluate  # noqa: F401  (registers the command)
from . import init  # noqa: F401  (registers the commands)
from . import init_vectors  # noqa: F401  (registers `init vectors`)
from . import debug_data  # noqa: F401  (registers the command)
from . import plot  # noqa: F401  (registers the command; imports matplotlib only when it runs)
from . import info  # noqa: F401  (registers the command)
from . import package  # noqa: F401  (registers the command)
from . import apply  # noqa: F401  (registers the command)
from . import benchmark  # noqa: F401  (registers the `benchmark` group)
from . import assemble  # noqa: F401  (registers the command)
from . import debug_config  # noqa: F401  (registers `debug config` and `debug diff-config`)
from . import find_threshold  # noqa: F401  (registers the command)
from . import ray  # noqa: F401  (registers the `ray` group; imports Ray only when it runs)

__all__ = ["app"]
