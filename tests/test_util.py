"""fastpipe.util: atomic writes of files and folders, and minibatch over a stream."""
import os

import pytest

from fastpipe.util import (atomic_write, minibatch, replace_folder, write_json_atomic,
                           write_text_atomic)


def _hidden(folder):
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
    assert _hidden(path.parent) == []  # no temporary file is left behind
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
    assert _hidden(tmp_path) == []


def test_minibatch_batches_a_stream_without_its_length():
    def stream():
        yield from range(7)

    assert list(minibatch(stream(), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(minibatch(range(7), iter([1, 2, 10]))) == [[0], [1, 2], [3, 4, 5, 6]]
    assert list(minibatch([], 4)) == []
