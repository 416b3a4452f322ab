"""fastpipe.util: atomic writes of files and folders, cleaning up after dead writers, the
output lock, and minibatch over a stream."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastpipe.util import (LOCK_FILE, OutputInUse, OutputLock, atomic_write, clean_stale,
                           minibatch, recover_folder, replace_folder, write_json_atomic,
                           write_text_atomic)


def hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_replaces_the_file_only_when_the_block_succeeds(tmp_path):
    path = tmp_path / "sub" / "f.bin"
    with atomic_write(path) as f:
        f.write(b"first")
    assert path.read_bytes() == b"first"
    os.chmod(path, 0o640)
    with pytest.raises(RuntimeError):
        with atomic_write(path) as f:
            f.write(b"half of the sec")
            raise RuntimeError("crash")
    assert path.read_bytes() == b"first"
    assert hidden(path.parent) == []  # no temporary file is left behind
    write_text_atomic(path, "second")
    assert path.read_text() == "second"
    assert path.stat().st_mode & 0o777 == 0o640  # the old file's permissions are kept


def test_two_atomic_writers_of_one_path_do_not_share_a_temporary_file(tmp_path):
    path = tmp_path / "f.json"
    with atomic_write(path, "w", encoding="utf8") as a, \
            atomic_write(path, "w", encoding="utf8") as b:
        assert a.name != b.name
        a.write("a")
        b.write("b")
    assert path.read_text() == "a"  # the writer that finished last wins, whole
    write_json_atomic(path, {"x": 1.5})
    assert path.read_text() == '{\n  "x": 1.5\n}\n'


def test_replace_folder_keeps_the_old_folder_when_writing_fails(tmp_path):
    target = tmp_path / "model-best"

    def write(text):
        def fill(folder):
            (folder / "a.txt").write_text(text)
            if text == "crash":
                raise KeyboardInterrupt
        return fill

    replace_folder(target, write("one"))
    assert (target / "a.txt").read_text() == "one"
    with pytest.raises(KeyboardInterrupt):
        replace_folder(target, write("crash"))
    assert (target / "a.txt").read_text() == "one"
    replace_folder(target, write("two"))
    assert (target / "a.txt").read_text() == "two"
    assert hidden(tmp_path) == []


def test_replace_folder_interrupted_between_its_renames_puts_the_old_folder_back(tmp_path,
                                                                                 monkeypatch):
    target = tmp_path / "model"
    replace_folder(target, lambda folder: (folder / "a.txt").write_text("old"))
    rename = Path.rename

    def interrupted(self, new_path):
        if Path(new_path) == target and self.name.endswith(".tmp"):  # the new folder moving in
            raise KeyboardInterrupt
        return rename(self, new_path)

    monkeypatch.setattr(Path, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        replace_folder(target, lambda folder: (folder / "a.txt").write_text("new"))
    monkeypatch.undo()
    assert (target / "a.txt").read_text() == "old"
    assert hidden(tmp_path) == []


@pytest.fixture(scope="module")
def dead_pid():
    """The pid of a process that has ended (and been waited for)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporary_names_say_which_process_writes_them(tmp_path):
    path = tmp_path / "f.bin"
    with atomic_write(path) as f:
        name = os.path.basename(f.name)
        assert name.startswith(f".f.bin.{os.getpid()}-") and name.endswith(".tmp")
    seen = []
    replace_folder(tmp_path / "model", lambda folder: seen.append(folder.name))
    assert seen[0].startswith(f".model.{os.getpid()}-") and seen[0].endswith(".tmp")


def test_clean_stale_removes_only_dead_writers_leftovers(tmp_path, dead_pid):
    live = os.getpid()
    (tmp_path / "model").mkdir()
    leftovers = {
        f".f.bin.{dead_pid}-0123abcd.tmp": False,  # dead writer's file: removed
        f".model.{dead_pid}-0123abcd.tmp": True,  # dead writer's folder: removed
        f".model.old-{dead_pid}-0123abcd": True,  # set aside, but model exists: removed
    }
    kept = {
        f".f.bin.{live}-0123abcd.tmp": False,  # a live writer's
        f".model.old-{live}-0123abcd": True,
        f".notes.{dead_pid}-0123.tmp": False,  # not a name fastpipe makes
        ".hidden": False,
    }
    for name, is_folder in {**leftovers, **kept}.items():
        if is_folder:
            (tmp_path / name).mkdir()
            (tmp_path / name / "x").write_text("x")
        else:
            (tmp_path / name).write_text("x")
    clean_stale(tmp_path)
    assert hidden(tmp_path) == sorted(kept)
    # the next atomic write into the folder cleans up too
    (tmp_path / leftovers_name(dead_pid)).write_text("x")
    write_text_atomic(tmp_path / "other.txt", "y")
    assert hidden(tmp_path) == sorted(kept)


def leftovers_name(pid):
    return f".corpus.fastpipe.{pid}-89abcdef.tmp"


def test_a_folder_left_aside_by_a_dead_writer_is_put_back(tmp_path, dead_pid):
    target = tmp_path / "model"
    aside = tmp_path / f".model.old-{dead_pid}-0123abcd"
    aside.mkdir()
    (aside / "a.txt").write_text("old")
    assert recover_folder(target) == target
    assert (target / "a.txt").read_text() == "old" and not aside.exists()
    # a live writer's set-aside folder is its own business
    live_aside = tmp_path / f".other.old-{os.getpid()}-0123abcd"
    live_aside.mkdir()
    recover_folder(tmp_path / "other")
    assert live_aside.exists() and not (tmp_path / "other").exists()
    # replace_folder recovers before it starts, then replaces the recovered folder
    target.rename(aside)
    replace_folder(target, lambda folder: (folder / "a.txt").write_text("new"))
    assert (target / "a.txt").read_text() == "new"
    assert hidden(tmp_path) == [live_aside.name]


def test_output_lock_refuses_a_second_holder_and_is_released(tmp_path):
    folder = tmp_path / "out"
    with OutputLock(folder) as lock:
        assert (folder / LOCK_FILE).read_text() == f"{os.getpid()}\n"
        assert lock.folder == folder
        with pytest.raises(OutputInUse, match=r"\[E600\].*out.*pid " + str(os.getpid())):
            with OutputLock(folder):
                pass
    with OutputLock(folder):  # released at the end of the block
        pass


def test_writes_through_a_symlink_replace_what_it_points_to(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "f.txt").write_text("old")
    (tmp_path / "f-link.txt").symlink_to(tmp_path / "real" / "f.txt")
    write_text_atomic(tmp_path / "f-link.txt", "new")
    assert (tmp_path / "f-link.txt").is_symlink()
    assert (tmp_path / "real" / "f.txt").read_text() == "new"
    replace_folder(tmp_path / "link", lambda folder: (folder / "g.txt").write_text("g"))
    assert (tmp_path / "link").is_symlink() and os.listdir(tmp_path / "real") == ["g.txt"]
    assert hidden(tmp_path) == []


def test_minibatch_batches_a_stream_without_its_length():
    def stream():
        yield from range(7)

    assert list(minibatch(stream(), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(minibatch(range(7), iter([1, 2, 10]))) == [[0], [1, 2], [3, 4, 5, 6]]
    assert list(minibatch([], 4)) == []
