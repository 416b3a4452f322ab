"""floret vectors: `init vectors --mode floret` reads a .floret table, every word's vector is the
mean of the rows its character n-grams hash to (the same numbers as spaCy's), the table saves
and loads with its settings, and a tagger trains over it with include_static_vectors."""
import json
from pathlib import Path

import numpy
import pytest

from fastpipe import _floret
from fastpipe.cli.init_vectors import init_vectors, read_floret
from fastpipe.language import Language, load
from fastpipe.tokens import Doc
from fastpipe.vectors import Vectors
from fastpipe.vocab import Vocab
from tests.helpers.cli import assert_one_clear_error, run
from tests.ml.test_static_vectors import _config, _train

FIXTURES = Path(__file__).parent / "data" / "floret"
SPACY = json.loads((FIXTURES / "spacy_vectors.json").read_text(encoding="utf8"))
SETTINGS = {"minn": 2, "maxn": 3, "hash_count": 2, "hash_seed": 99, "bow": "<", "eow": ">"}


def write_floret(path, rows=30, width=4, settings=SETTINGS, seed=0, lines=None):
    """A tiny floret table in floret's text format; returns (path, data)."""
    data = numpy.random.RandomState(seed).uniform(-1, 1, (rows, width)).astype(numpy.float32)
    header = " ".join(str(settings[k]) for k in ("minn", "maxn", "hash_count", "hash_seed",
                                                 "bow", "eow"))
    if lines is None:
        lines = [f"{i} " + " ".join(repr(float(x)) for x in row) for i, row in enumerate(data)]
    path.write_text(f"{rows} {width} {header}\n" + "\n".join(lines) + "\n", encoding="utf8")
    return path, data


def floret_table(rows=30, width=4, seed=0, strings=None):
    data = numpy.random.RandomState(seed).uniform(-1, 1, (rows, width)).astype(numpy.float32)
    return Vectors(strings=strings, data=data, mode="floret", **SETTINGS)


@pytest.mark.parametrize("table", sorted(SPACY["tables"]))
def test_vectors_equal_spacys_for_the_same_table(tmp_path, table):
    expected = SPACY["tables"][table]
    nlp = init_vectors("xx", FIXTURES / f"{table}.floret.txt", tmp_path / "vectors",
                       mode="floret")
    loaded = load(tmp_path / "vectors")
    vectors = loaded.vocab.vectors  # saved and loaded
    assert vectors.mode == "floret" and vectors.floret == expected["settings"]
    assert vectors.floret == nlp.vocab.vectors.floret
    for word, vector in expected["words"].items():
        assert numpy.allclose(vectors[word], vector, atol=1e-6, rtol=0), word
    doc = Doc(loaded.vocab, words=expected["doc_words"])
    assert numpy.allclose(doc.vector, expected["doc_vector"], atol=1e-6, rtol=0)
    assert doc[1].similarity(doc[5]) == pytest.approx(expected["similarity"], abs=1e-6)


def test_a_words_rows_are_its_ngrams_times_the_hash_count():
    # "<ab>": the word itself, then the 2-grams <a ab b> and the 3-grams <ab ab>
    rows = _floret.ngram_rows("ab", 2, 3, 2, 99, 30)
    assert len(rows) == (1 + 3 + 2) * 2 and rows.min() >= 0 and rows.max() < 30
    # n-grams are counted in characters, not bytes: "äb" has the rows count of "ab"
    assert len(_floret.ngram_rows("äb", 2, 3, 2, 99, 30)) == len(rows)
    table = floret_table()
    assert numpy.allclose(table["ab"], table.data[rows].mean(axis=0), atol=1e-7)
    # the markers and the seed are part of the hash
    assert not numpy.array_equal(_floret.ngram_rows("ab", 2, 3, 2, 98, 1000),
                                 _floret.ngram_rows("ab", 2, 3, 2, 99, 1000))
    assert not numpy.array_equal(_floret.ngram_rows("ab", 2, 3, 2, 99, 1000, "[", "]"),
                                 _floret.ngram_rows("ab", 2, 3, 2, 99, 1000))


def test_every_word_has_a_vector_looked_up_by_string_or_key():
    vocab = Vocab()
    vocab.vectors = floret_table(strings=vocab.strings)
    vectors = vocab.vectors
    assert vectors.n_keys == -1 and vectors.is_full and "never-seen" in vectors
    assert vocab.has_vector("never-seen") and vectors.has_vectors(numpy.array([1, 2])).all()
    doc = Doc(vocab, words=["cats", "purr", "cats", "zzz"])
    keys = doc.to_array("ORTH")
    batch = vectors.get_batch(keys)
    assert batch.shape == (4, 4) and numpy.abs(batch).min(axis=1).all()
    assert numpy.array_equal(batch[0], batch[2])  # one word, one vector
    for token, row in zip(doc, batch):
        assert numpy.allclose(vectors[token.text], row)
        assert numpy.allclose(vectors[token.orth], row)
        assert numpy.allclose(token.vector, row)
    assert numpy.allclose(doc.vector, batch.mean(axis=0))
    assert all(token.has_vector for token in doc) and doc.has_vector and doc[1:3].has_vector
    assert not vectors[""].any()  # the empty string (key 0) has none, as in spaCy
    assert not numpy.allclose(vectors["cats"], vectors["cat"])


def test_floret_settings_survive_saving(tmp_path):
    vocab = Vocab()
    vocab.vectors = floret_table(strings=vocab.strings)
    before = vocab.vectors["kitten"]
    loaded = Vocab().from_bytes(vocab.to_bytes())
    assert loaded.vectors.mode == "floret" and loaded.vectors.floret == SETTINGS
    assert numpy.array_equal(loaded.vectors["kitten"], before)
    vocab.vectors.to_disk(tmp_path / "table")
    again = Vectors().from_disk(tmp_path / "table")
    assert again.floret == SETTINGS and numpy.array_equal(again["kitten"], before)


def test_operations_that_need_a_row_per_word_are_refused():
    vectors = floret_table()
    for attempt in [lambda: vectors.add("cat", vector=numpy.zeros(4)),
                    lambda: vectors.__setitem__("cat", numpy.zeros(4)),
                    lambda: vectors.find(key="cat"), lambda: vectors.prune(3),
                    lambda: vectors.most_similar(numpy.ones((1, 4))),
                    lambda: vectors.rows_of(numpy.array([1], dtype=numpy.uint64))]:
        with pytest.raises(ValueError, match=r"\[E840\] Vectors in floret mode"):
            attempt()
    with pytest.raises(ValueError, match=r"\[E842\].*hash_count = 5"):
        Vectors(data=numpy.zeros((3, 2)), mode="floret", hash_count=5)
    with pytest.raises(ValueError, match=r"\[E842\].*maxn = 2"):
        Vectors(data=numpy.zeros((3, 2)), mode="floret", minn=3, maxn=2)
    with pytest.raises(ValueError, match=r"\[E840\]"):
        Vectors(data=numpy.zeros((3, 2)), keys=["a", "b", "c"], mode="floret")


def test_reading_floret_files_and_their_errors(tmp_path):
    path, data = write_floret(tmp_path / "ok.floret")
    table, settings = read_floret(path)
    assert settings == SETTINGS and numpy.array_equal(table, data)
    shuffled = [f"{i} " + " ".join(repr(float(x)) for x in data[i]) for i in range(29, -1, -1)]
    path, _ = write_floret(tmp_path / "shuffled.floret", lines=shuffled)
    assert numpy.array_equal(read_floret(path)[0], data)  # placed by row number
    cases = [
        ("missing", shuffled[:-1], r"\[E845\].*missing.floret.*29 of the 30 rows"),
        ("twice", shuffled + shuffled[:1], r"\[E844\].*twice.floret:32: row 29 .*second time"),
        ("beyond", shuffled + ["30 1 2 3 4"], r"\[E844\].*beyond.floret:32: '30' is not a row"),
        ("short", ["0 1 2 3"] + shuffled[:-1], r"\[E844\].*short.floret:2: row 0 has 3 numbers"),
        ("word", ["0 1 2 x 4"], r"\[E844\].*word.floret:2: 'x' is not a number"),
    ]
    for name, lines, message in cases:
        path, _ = write_floret(tmp_path / f"{name}.floret", lines=lines)
        with pytest.raises(ValueError, match=message):
            read_floret(path)
    (tmp_path / "w2v.txt").write_text("2 3\ncat 1 2 3\ndog 4 5 6\n")
    with pytest.raises(ValueError, match=r"\[E843\].*w2v.txt:1: not a floret table header"):
        read_floret(tmp_path / "w2v.txt")


def test_the_command_reads_a_floret_table(tmp_path):
    path, data = write_floret(tmp_path / "v.floret")
    result = run("init", "vectors", "en", path, tmp_path / "out", "--mode", "floret")
    assert result.exit_code == 0, result.output
    vectors = load(tmp_path / "out").vocab.vectors
    assert vectors.mode == "floret" and numpy.array_equal(vectors.data, data)
    assert_one_clear_error(run("init", "vectors", "en", path, tmp_path / "out2", "--mode",
                               "floret", "--prune", "10"), "[E846]", "--prune")


def test_a_tagger_trains_over_floret_vectors(tmp_path):
    path, _ = write_floret(tmp_path / "v.floret", rows=40, width=6)
    init_vectors("en", path, tmp_path / "vectors", mode="floret")
    nlp = Language.from_config(_config(tmp_path / "vectors", "fastpipe"))
    losses = _train(nlp)
    assert nlp.vocab.vectors.mode == "floret" and losses[-1] < losses[0] / 2
    embed = nlp.get_pipe("tok2vec").model.layers[0]
    assert embed.get_param("P").shape == (16, 6)
    text = "the zebra sat"
    tensor = nlp(text).tensor.copy()
    nlp.to_disk(tmp_path / "nlp")
    loaded = load(tmp_path / "nlp")
    assert loaded.vocab.vectors.floret == SETTINGS
    assert numpy.allclose(loaded(text).tensor, tensor, atol=1e-6)
    # the floret rows feed the model: other numbers in the table, other outputs
    loaded.vocab.vectors.data[:] = numpy.random.RandomState(5).uniform(-1, 1, (40, 6))
    assert not numpy.allclose(loaded(text).tensor, tensor, atol=1e-3)
