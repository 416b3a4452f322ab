"""``nlp.pipe`` with ``as_tuples`` (text, context pairs) and with ``n_process`` worker processes."""
import collections
import multiprocessing
import os
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import srsly
from thinc.api import Config

from ..errors import Errors
from ..tokens.doc import Doc
from ..util import minibatch


def _pipe_as_tuples(nlp, pairs: Iterable, **kwargs) -> Iterator[Tuple[Any, Any]]:
    """(doc, context) for each (text, context) pair, in order. The contexts wait in a queue
    while their texts go through the pipeline (in this process or in workers)."""
    contexts: collections.deque = collections.deque()

    def texts():
        for item in pairs:
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise ValueError(Errors.E577.format(item=item))
            contexts.append(item[1])
            yield item[0]

    for doc in nlp.pipe(texts(), **kwargs):
        yield doc, contexts.popleft()


def _n_processes(n_process) -> int:
    if isinstance(n_process, bool) or not isinstance(n_process, int) or \
            (n_process < 1 and n_process != -1):
        raise ValueError(Errors.E578.format(value=n_process))
    return (os.cpu_count() or 1) if n_process == -1 else n_process


#: What a worker process runs: (nlp, component names, their keyword arguments, batch size).
#: A forked worker inherits it from the parent; a spawned one builds it in ``_start_worker``.
_WORKER: Optional[Tuple[Any, List[str], Dict[str, dict], int]] = None


def _pipe_in_processes(nlp, texts: Iterable, steps, batch_size: int, n_process: int,
                       nlp_class: type) -> Iterator:
    """The Docs of ``texts`` through ``steps``, batch by batch in ``n_process`` workers,
    yielded in order. Texts and Docs travel as str and Doc bytes (strings included), and
    come back as Doc bytes read into this pipeline's vocab.

    Where the platform can fork, the workers start as copies of this process: the pipeline,
    and any component the user's code registered, are there as they are. Elsewhere they are
    spawned and rebuild the pipeline from ``nlp.to_bytes()`` and its config, with
    ``nlp_class`` (an importable Language class)."""
    global _WORKER
    names = [name for name, _, _ in steps]
    kwargs = {name: cfg for name, _, cfg in steps}
    batches = ([t if isinstance(t, str) else t.to_bytes() for t in batch]
               for batch in minibatch(texts, batch_size))
    context = multiprocessing.get_context(PIPE_START_METHOD)
    if PIPE_START_METHOD == "fork":
        _WORKER = (nlp, names, kwargs, batch_size)
        try:  # the workers are forked here, each with its copy of _WORKER
            pool = context.Pool(n_process)
        finally:
            _WORKER = None
    else:
        pool = context.Pool(n_process, initializer=_start_worker,
                            initargs=(nlp_class, nlp.to_bytes(), names, kwargs, batch_size))
    with pool:
        for done in pool.imap(_process_batch, batches):
            for data in done:
                yield Doc(nlp.vocab).from_bytes(data)


#: How ``nlp.pipe(n_process=...)`` starts its workers: fork where the platform has it.
PIPE_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _start_worker(nlp_class: type, nlp_bytes: bytes, names, kwargs, batch_size) -> None:
    global _WORKER
    config = Config().from_str(srsly.msgpack_loads(nlp_bytes)["config"], interpolate=False)
    nlp = nlp_class.from_config(config, auto_fill=False).from_bytes(nlp_bytes)
    _WORKER = (nlp, names, kwargs, batch_size)


def _process_batch(batch: List) -> List[bytes]:
    nlp, names, kwargs, batch_size = _WORKER
    docs = [t if isinstance(t, str) else Doc(nlp.vocab).from_bytes(t) for t in batch]
    steps = [(name, nlp.get_pipe(name), kwargs[name]) for name in names]
    return [doc.to_bytes() for doc in nlp._pipe_steps(docs, steps, batch_size)]
