"""Small helpers every room may use: writing files and folders so that a crash leaves either
the old version or the new one, never half of one; and ``minibatch`` over a stream.

It also answers the names a spaCy user's script imports from ``spacy.util`` (the training
guide's ``minibatch``, ``compounding``, ``fix_random_seed``, ``load_config``, ``registry``,
``get_lang_class``), each on first use, so importing this module stays free:
``compounding``, ``decaying`` and ``fix_random_seed`` are thinc's; the rest live in rooms above
this one and are named in ``FORWARDED`` as data (module, attribute), looked up by name like the
registry's built-in modules, so no import points up.

Importing this module loads nothing from fastpipe or thinc.
"""
import contextlib
import importlib
import itertools
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, List, Union

#: thinc's helpers a spaCy script takes from spacy.util.
FROM_THINC = ("compounding", "decaying", "fix_random_seed")

#: spaCy's spacy.util names whose fastpipe version lives in a room above this one.
FORWARDED = {
    "registry": ("fastpipe.registry", "registry"),
    "load_config": ("fastpipe.config", "load_config"),
    "get_lang_class": ("fastpipe.language", "get_lang_class"),
    "load_model": ("fastpipe.language", "load"),
}

__all__ = ["atomic_write", "write_text_atomic", "write_json_atomic", "replace_folder",
           "minibatch", *FROM_THINC, *FORWARDED]

PathLike = Union[str, "os.PathLike[str]"]


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "wb", encoding: str = None) -> Iterator[IO]:
    """A file object that writes to a temporary file beside ``path`` (a unique name, so two
    writers never share it), flushed to disk and renamed onto ``path`` when the block ends
    without an error; on an error the temporary file is removed and ``path`` is untouched.
    The new file gets the old file's permissions (or a plain ``open``'s)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    done = False
    try:
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
        done = True
    finally:
        if not done and os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through ``atomic_write``."""
    with atomic_write(path, "w", encoding="utf8") as f:
        f.write(text)


def write_json_atomic(path: PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` through ``atomic_write``."""
    write_text_atomic(path, json.dumps(data, indent=2, default=float) + "\n")


def replace_folder(path: PathLike, write: Callable[[Path], None]) -> Path:
    """Have ``write(folder)`` fill a new temporary folder beside ``path`` (a unique name),
    then put it in ``path``'s place: the old folder is renamed aside, the new one renamed in,
    the old one removed. A crash while writing leaves the old folder whole; between the two
    renames the old folder survives as a hidden ``.NAME.old-*`` sibling."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
        os.rmdir(old)
        path.rename(old)
    tmp.rename(path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return path


def minibatch(items: Iterable[Any], size: Union[int, Iterable[int]]) -> Iterator[List[Any]]:
    """Lists of ``size`` consecutive items of a stream (the last one shorter); ``size`` may be
    an iterable of sizes, one per batch. Unlike thinc's ``Ops.minibatch`` it needs no length,
    so it batches a generator as it goes."""
    sizes = itertools.repeat(size) if isinstance(size, int) else iter(size)
    items = iter(items)
    for n in sizes:
        batch = list(itertools.islice(items, int(n)))
        if not batch:
            return
        yield batch


def __getattr__(name: str):
    if name in FROM_THINC:
        import thinc.api

        value = getattr(thinc.api, name)
    elif name in FORWARDED:
        module, attr = FORWARDED[name]
        value = getattr(importlib.import_module(module), attr)
    else:
        raise AttributeError(f"module 'fastpipe.util' has no attribute {name!r}")
    globals()[name] = value
    return value
