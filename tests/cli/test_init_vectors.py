"""fastpipe init vectors: each vectors file format into a loadable blank pipeline, pruning,
truncating, and the errors naming the file and line of a malformed row."""
import gzip
import zipfile

import numpy
import pytest

import fastpipe
from fastpipe.cli import init_vectors as init_vectors_module
from fastpipe.cli.init_vectors import read_vectors
from tests.helpers.cli import assert_one_clear_error, run

WORDS = ["the", "cat", "dog", "kitten", "New York"]
DATA = numpy.random.RandomState(0).uniform(-1, 1, (5, 4)).astype(numpy.float32)


def _text_rows(words=WORDS, data=DATA):
    return [w + " " + " ".join(repr(float(x)) for x in row) for w, row in zip(words, data)]


def write_word2vec_text(path, header=True, trailing_space=False):
    lines = [f"{len(WORDS)} {DATA.shape[1]}"] if header else []
    lines += [line + (" " if trailing_space else "") for line in _text_rows()]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def write_word2vec_binary(path, n_rows=len(WORDS)):
    with open(path, "wb") as f:
        f.write(f"{n_rows} {DATA.shape[1]}\n".encode())
        for word, row in zip(WORDS, DATA):
            word = word.replace(" ", "_")  # a binary file's words end at a space
            f.write(word.encode("utf8") + b" " + row.astype("<f4").tobytes() + b"\n")
    return path


FORMATS = {
    "word2vec.txt": lambda p: write_word2vec_text(p),
    "glove.txt": lambda p: write_word2vec_text(p, header=False),
    "fasttext.vec": lambda p: write_word2vec_text(p, trailing_space=True),
    "word2vec.bin": write_word2vec_binary,
    "word2vec_binary.w2v": write_word2vec_binary,  # told apart by its bytes, not its name
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_reads_every_word_and_vector(tmp_path, name):
    words, data = read_vectors(FORMATS[name](tmp_path / name))
    if name.endswith((".bin", ".w2v")):
        assert words == WORDS[:4] + ["New_York"]
    else:
        assert words == WORDS  # a GloVe-style word with a space keeps it
    assert numpy.allclose(data, DATA, atol=1e-6) and data.dtype == numpy.float32


def test_gzip_and_zip_files_are_read(tmp_path):
    text = write_word2vec_text(tmp_path / "v.txt").read_bytes()
    (tmp_path / "v.txt.gz").write_bytes(gzip.compress(text))
    with zipfile.ZipFile(tmp_path / "v.zip", "w") as archive:
        archive.writestr("inner.vec", text)
    for name in ("v.txt.gz", "v.zip"):
        words, data = read_vectors(tmp_path / name)
        assert words == WORDS and numpy.allclose(data, DATA, atol=1e-6)
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.vec", text)
        archive.writestr("b.vec", text)
    with pytest.raises(ValueError, match=r"\[E731\].*a\.vec"):
        read_vectors(tmp_path / "two.zip")


def test_the_command_writes_a_loadable_pipeline(tmp_path):
    source = write_word2vec_binary(tmp_path / "vectors.bin")
    result = run("init", "vectors", "en", source, tmp_path / "out", "--name", "test.vectors")
    assert result.exit_code == 0, result.output
    assert "5 words, 5 vectors of width 4" in result.output
    nlp = fastpipe.load(tmp_path / "out")
    assert nlp.pipe_names == [] and nlp.vocab.vectors.name == "test.vectors"
    doc = nlp("the cat")
    assert numpy.allclose(doc[1].vector, DATA[1], atol=1e-6)
    assert doc[0].similarity(doc[1]) == pytest.approx(
        float(DATA[0] @ DATA[1] / numpy.linalg.norm(DATA[0]) / numpy.linalg.norm(DATA[1])),
        abs=1e-5)


def test_prune_keeps_n_rows_and_maps_the_rest_to_their_nearest(tmp_path):
    source = write_word2vec_text(tmp_path / "vectors.txt")
    result = run("init", "vectors", "en", source, tmp_path / "out", "--prune", "2")
    assert result.exit_code == 0, result.output
    vectors = fastpipe.load(tmp_path / "out").vocab.vectors
    assert vectors.shape == (2, 4) and vectors.n_keys == 5
    unit = DATA / numpy.linalg.norm(DATA, axis=1, keepdims=True)
    for word, row in zip(WORDS[2:], unit[2:]):
        nearest = int(numpy.argmax(unit[:2] @ row))
        assert numpy.allclose(vectors[word], DATA[nearest], atol=1e-6)


def test_truncate_reads_only_the_first_rows(tmp_path):
    for name in ("v.txt", "v.bin"):
        source = FORMATS["word2vec" + name[1:]](tmp_path / name)
        words, data = read_vectors(source, truncate=2)
        assert words == WORDS[:2] and numpy.allclose(data, DATA[:2], atol=1e-6)


def test_progress_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(init_vectors_module, "PROGRESS_EVERY", 2)
    seen = []
    read_vectors(write_word2vec_text(tmp_path / "v.txt"), progress=seen.append)
    assert seen == [2, 4]


def test_malformed_rows_are_refused_with_file_and_line(tmp_path):
    lines = _text_rows()
    bad_width = tmp_path / "bad_width.txt"
    bad_width.write_text("\n".join(lines[:2] + ["dog 0.1 0.2"] + lines[3:]) + "\n")
    result = run("init", "vectors", "en", bad_width, tmp_path / "out")
    assert_one_clear_error(result, "[E727]", "bad_width.txt:3", "2 numbers", "have 4")
    too_many = tmp_path / "too_many.txt"
    too_many.write_text("\n".join(lines[:1] + ["dog 0.1 0.2 0.3 0.4 0.5"]) + "\n")
    assert_one_clear_error(run("init", "vectors", "en", too_many, tmp_path / "out"),
                           "[E727]", "too_many.txt:2")
    not_number = tmp_path / "header.vec"
    not_number.write_text("5 4\n" + "\n".join(lines[:3] + ["dog 0.1 zero 0.3 0.4"]) + "\n")
    assert_one_clear_error(run("init", "vectors", "en", not_number, tmp_path / "out"),
                           "[E728]", "header.vec:5", "'zero'")
    cut = tmp_path / "cut.bin"
    cut.write_bytes(write_word2vec_binary(tmp_path / "whole.bin").read_bytes()[:-10])
    assert_one_clear_error(run("init", "vectors", "en", cut, tmp_path / "out"),
                           "[E730]", "cut.bin", "row 5")
    assert not (tmp_path / "out").exists()


def test_other_refusals(tmp_path):
    source = write_word2vec_text(tmp_path / "v.txt")
    assert_one_clear_error(run("init", "vectors", "en", tmp_path / "missing.txt",
                               tmp_path / "out"), "[E726]", "missing.txt")
    (tmp_path / "empty.txt").write_text("\n")
    assert_one_clear_error(run("init", "vectors", "en", tmp_path / "empty.txt",
                               tmp_path / "out"), "[E729]")
    assert_one_clear_error(run("init", "vectors", "en", source, tmp_path / "out", "--mode",
                               "subwords"), "[E841]", "subwords")
    assert_one_clear_error(run("init", "vectors", "en", source, tmp_path / "out", "--prune",
                               "0"), "[E725]", "--prune")
    assert "vectors" in run("init", "--help").output
