"""Starting Ray and wrapping the worker class as an actor; the only module that knows Ray's
start-up options."""
import logging
import os
from typing import Any, Dict, Optional

#: Memory for Ray's object store when fastpipe starts a local Ray (the messages are a few
#: parameter arrays at a time; FASTPIPE_RAY_OBJECT_STORE_MB changes it).
DEFAULT_OBJECT_STORE_MB = 200


def init_ray(ray, address: Optional[str], n_workers: int,
             options: Optional[Dict[str, Any]] = None) -> bool:
    """Join the cluster at ``address``, or start a small local Ray: ``n_workers`` CPUs, no
    dashboard, a small object store, Ray's own logging quiet. Returns True when this call
    started Ray (and so should shut it down); False when Ray was already running here."""
    if ray.is_initialized():
        return False
    kwargs: Dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR,
                              "log_to_driver": False, "configure_logging": True}
    if address:
        kwargs["address"] = address
    else:
        mb = int(os.environ.get("FASTPIPE_RAY_OBJECT_STORE_MB", DEFAULT_OBJECT_STORE_MB))
        kwargs.update(num_cpus=max(1, n_workers), object_store_memory=mb * 1024 * 1024)
    kwargs.update(options or {})
    ray.init(**kwargs)
    return True


def remote_worker_class(ray, local: bool = True):
    """``Worker`` as an actor class: one CPU each, so one compute thread per worker (BLAS and
    fastpipe's matmul splitting set to 1), and threads for the messages that arrive while it
    trains. On a local Ray the workers import the same
    fastpipe as the driver (its folder goes first on their PYTHONPATH)."""
    from pathlib import Path

    import fastpipe

    from .worker import Worker

    # one CPU per worker: no BLAS threads, and fastpipe's own matmul halving (ml/blas.py) off
    env = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                  "MKL_NUM_THREADS", "FASTPIPE_THREADS")}
    if local:
        root = str(Path(fastpipe.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH"))
                                            if p)
    return ray.remote(num_cpus=1, max_concurrency=8, max_restarts=0,
                      runtime_env={"env_vars": env})(Worker)
