"""Small helpers every room may use: writing files and folders so that a crash leaves either
the old version or the new one, never half of one (and cleaning up after writers that died);
a lock that keeps two runs out of one output folder; and ``minibatch`` over a stream.

It also answers the names a spaCy user's script imports from ``spacy.util`` (the training
guide's ``minibatch``, ``compounding``, ``fix_random_seed``, ``load_config``, ``registry``,
``get_lang_class``), each on first use, so importing this module stays free:
``compounding``, ``decaying`` and ``fix_random_seed`` are thinc's; the rest live in rooms above
this one and are named in ``FORWARDED`` as data (module, attribute), looked up by name like the
registry's built-in modules, so no import points up.

Importing this module loads nothing from fastpipe (but its messages) or thinc.
"""
import contextlib
import importlib
import itertools
import json
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any, Callable, IO, Iterable, Iterator, List, Optional, Union

from .errors import Errors

try:
    import fcntl
except ImportError:  # Windows: OutputLock locks nothing
    fcntl = None

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
           "recover_folder", "clean_stale", "OutputLock", "OutputInUse", "minibatch",
           *FROM_THINC, *FORWARDED]

PathLike = Union[str, "os.PathLike[str]"]


#: A temporary file or folder being written for the target NAME by process PID:
#: ``.NAME.PID-RANDOM.tmp``; a folder renamed aside while its replacement moves in:
#: ``.NAME.old-PID-RANDOM``. The pid lets ``clean_stale`` tell a dead writer's leftovers from a
#: live one's.
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")
ASIDE = re.compile(r"^\.(?P<name>.+)\.old-(?P<pid>\d+)-[0-9a-f]{8}$")

#: The lock file ``OutputLock`` holds inside an output folder.
LOCK_FILE = ".fastpipe-lock"


def _target(path: PathLike) -> Path:
    """The path a write replaces: through a symlink, the file or folder it points to, so the
    link stays and the temporary lands on the target's own filesystem."""
    path = Path(path)
    return path.resolve() if path.is_symlink() else path


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _aside(path: Path) -> Path:
    return path.with_name(f".{path.name}.old-{os.getpid()}-{secrets.token_hex(4)}")


def _is_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine. On Windows every writer counts as alive
    (``os.kill`` there would end the process), so nothing is cleaned up."""
    if pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    """Make the renames inside ``folder`` durable (POSIX only: Windows cannot open a folder)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, and the folders themselves, to disk."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(Path(root))


def recover_folder(path: PathLike) -> Path:
    """Put back a folder that a writer killed between ``replace_folder``'s two renames left only
    as ``.NAME.old-*``: when ``path`` is missing and such a folder of a dead writer exists, the
    newest one is renamed to ``path``. Returns ``path``."""
    path = Path(path)
    if path.exists() or not path.parent.is_dir():
        return path
    asides = [p for p in path.parent.iterdir() if _dead_writer(ASIDE, p, path.name)]
    for old in sorted(asides, key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            old.rename(path)
        except OSError:  # another process recovered it first
            continue
        _fsync_dir(path.parent)
        break
    return path


def _dead_writer(pattern: re.Pattern, entry: Path, name: Optional[str] = None) -> bool:
    match = pattern.match(entry.name)
    return (match is not None and (name is None or match["name"] == name)
            and not _is_alive(int(match["pid"])))


def clean_stale(folder: PathLike) -> None:
    """Remove from ``folder`` the temporary files and folders (``.NAME.PID-RANDOM.tmp``) and
    the folders set aside (``.NAME.old-PID-RANDOM``) of writers that died; a live process's are
    never touched. A set-aside folder whose NAME is missing is the only copy left: it is put
    back (``recover_folder``) instead of removed. Pids are this machine's: a folder written
    from several machines at once (a network share) must not be cleaned."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for entry in list(folder.iterdir()):
        if _dead_writer(ASIDE, entry):
            recover_folder(folder / ASIDE.match(entry.name)["name"])
            if not entry.exists():
                continue
        elif not _dead_writer(TEMPORARY, entry):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "wb", encoding: Optional[str] = None) -> Iterator[IO]:
    """A file object that writes to a temporary file beside ``path`` (``.NAME.PID-RANDOM.tmp``,
    so two writers never share it), flushed to disk and renamed onto ``path`` when the block
    ends without an error; on an error the temporary file is removed and ``path`` is untouched.
    Dead writers' temporary files in the folder are removed first (``clean_stale``). The new
    file gets the old file's permissions (or a plain ``open``'s)."""
    path = _target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent)
    tmp = _temporary(path)
    done = False
    try:
        with open(tmp, mode.replace("w", "x"), encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
        done = True
        _fsync_dir(path.parent)
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
    """Have ``write(folder)`` fill a new temporary folder beside ``path``
    (``.NAME.PID-RANDOM.tmp``), flush it to disk, then put it in ``path``'s place: the old
    folder is renamed aside (``.NAME.old-PID-RANDOM``), the new one renamed in, the old one
    removed. A crash while writing leaves the old folder whole; a crash between the two renames
    leaves it aside, and the next ``replace_folder``, ``recover_folder`` or pipeline load puts
    it back. Dead writers' leftovers beside ``path`` are cleaned up first (``clean_stale``)."""
    path = _target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent)
    tmp = _temporary(path)
    tmp.mkdir()
    try:
        write(tmp)
        _fsync_tree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    try:
        if path.exists():
            old = _aside(path)
            path.rename(old)
        tmp.rename(path)
    except BaseException:  # a Ctrl-C or a failed rename: the old folder goes back in place
        if old is not None and not path.exists():
            old.rename(path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(path.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return path


class OutputInUse(ValueError):
    """Another process holds the ``OutputLock`` of an output folder (message E600)."""


class OutputLock:
    """``with OutputLock(folder):`` makes ``folder`` (created if missing) this process's alone:
    an exclusive, non-blocking ``flock`` on ``folder/.fastpipe-lock``, which holds the owner's
    pid. A second holder, in this process or another, gets ``OutputInUse`` naming the folder
    and the owner's pid. The operating system releases the lock when the owner dies, however it
    dies, so a killed run never leaves its folder locked (a child forked without exec holds it
    too, until it ends). Without ``fcntl`` (Windows) there is no lock: the block just runs."""

    def __init__(self, folder: PathLike):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self._fd = None

    def __enter__(self) -> "OutputLock":
        self.folder.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise OutputInUse(Errors.E600.format(
                folder=self.folder, pid=owner if owner.isdigit() else "unknown",
                lock=self.path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the only descriptor releases the flock
            self._fd = None


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
