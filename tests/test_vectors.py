"""The static vectors table (fastpipe.vectors.Vectors), the vocab's vectors, and the vectors and
similarities of tokens, spans and docs."""
import numpy
import pytest

import fastpipe
from fastpipe.strings import hash_string
from fastpipe.tokens import Doc
from fastpipe.vectors import Vectors, cosine
from fastpipe.vocab import Vocab

WORDS = ["cat", "dog", "car", "kitten", "truck"]
DATA = numpy.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0], [0.9, 0.1, 0.1],
                    [0.1, 0.0, 0.9]], dtype=numpy.float32)


@pytest.fixture
def vocab():
    vocab = Vocab()
    for word, row in zip(WORDS, DATA):
        vocab.set_vector(word, row)
    return vocab


def test_a_table_is_keyed_by_string_hashes():
    vectors = Vectors(data=DATA, keys=WORDS)
    assert vectors.shape == (5, 3) and len(vectors) == 5 and vectors.n_keys == 5
    assert vectors.data.dtype == numpy.float32
    assert "dog" in vectors and hash_string("dog") in vectors and "bird" not in vectors
    assert numpy.array_equal(vectors["car"], DATA[2])
    assert numpy.array_equal(vectors[hash_string("car")], DATA[2])
    assert vectors.find(key="kitten") == 3 and vectors.find(key="bird") == -1
    assert list(vectors.find(keys=["truck", "bird", "cat"])) == [4, -1, 0]
    assert vectors.find(row=1) == [hash_string("dog")]
    assert vectors.strings["dog"] == hash_string("dog")
    with pytest.raises(KeyError, match=r"\[E720\]"):
        vectors["bird"]


def test_add_takes_free_rows_then_grows_and_checks_widths():
    vectors = Vectors(shape=(2, 3))
    assert vectors.add("a", vector=[1, 2, 3]) == 0
    assert vectors.add("b", vector=[4, 5, 6]) == 1
    assert vectors.is_full
    assert vectors.add("c", vector=[7, 8, 9]) == 2  # grows
    assert len(vectors) >= 3 and numpy.array_equal(vectors["c"], [7, 8, 9])
    assert vectors.add("a2", row=0) == 0 and numpy.array_equal(vectors["a2"], [1, 2, 3])
    with pytest.raises(ValueError, match=r"\[E721\]"):
        vectors.add("d", vector=[1, 2])
    with pytest.raises(ValueError, match=r"\[E722\]"):
        vectors.add("d", row=100)
    vectors["b"] = [0, 0, 1]
    assert numpy.array_equal(vectors.data[1], [0, 0, 1])
    with pytest.raises(ValueError, match=r"\[E841\]"):
        Vectors(mode="subwords")


def test_batches_give_zeros_for_missing_keys():
    vectors = Vectors(data=DATA, keys=WORDS)
    keys = numpy.array([hash_string(w) for w in ["car", "bird", "cat"]], dtype=numpy.uint64)
    batch = vectors.get_batch(keys)
    assert numpy.array_equal(batch, [DATA[2], [0, 0, 0], DATA[0]])
    vectors.add("bird", vector=[0, 1, 0])  # the lookup is rebuilt after a change
    assert numpy.array_equal(vectors.get_batch(keys)[1], [0, 1, 0])
    assert list(Vectors().rows_of(keys)) == [-1, -1, -1]


def test_round_trips_keep_data_keys_and_name(tmp_path):
    vectors = Vectors(data=DATA, keys=WORDS, name="test.vectors")
    vectors.add("kitty", row=3)
    again = Vectors().from_bytes(vectors.to_bytes())
    assert numpy.array_equal(again.data, DATA) and again.key2row == vectors.key2row
    assert again.name == "test.vectors"
    vectors.to_disk(tmp_path / "vectors")
    assert Vectors().from_disk(tmp_path / "vectors").key2row == vectors.key2row
    assert [p.name for p in tmp_path.iterdir()] == ["vectors"]  # no temporary file left
    with pytest.raises(ValueError, match=r"\[E724\]"):
        Vectors().from_bytes(b"not a table")


def test_most_similar_ranks_rows_by_cosine():
    vectors = Vectors(data=DATA, keys=WORDS)
    keys, rows, scores = vectors.most_similar(numpy.array([[1.0, 0.05, 0.0], [0, 0, 1]]), n=2)
    assert rows.tolist() == [[0, 3], [2, 4]]
    assert keys[0, 1] == hash_string("kitten")
    assert scores[1, 0] == pytest.approx(1.0)
    assert scores[0, 1] == pytest.approx(cosine(DATA[3], numpy.array([1.0, 0.05, 0.0])),
                                         abs=1e-6)


def test_pruning_maps_dropped_words_to_their_nearest_kept_row(vocab):
    remap = vocab.prune_vectors(3)
    assert vocab.vectors.shape == (3, 3)
    assert set(remap) == {"kitten", "truck"}
    assert remap["kitten"][0] == "cat" and remap["truck"][0] == "car"
    assert remap["kitten"][1] == pytest.approx(cosine(DATA[3], DATA[0]), abs=1e-6)
    assert numpy.array_equal(vocab.get_vector("kitten"), DATA[0])
    assert numpy.array_equal(vocab.get_vector("truck"), DATA[2])
    assert vocab.vectors.n_keys == 5
    with pytest.raises(ValueError, match=r"\[E725\]"):
        vocab.prune_vectors(0)


def test_the_vocab_saves_its_vectors(vocab, tmp_path):
    again = Vocab().from_bytes(vocab.to_bytes())
    assert numpy.array_equal(again.vectors.data, vocab.vectors.data)
    assert again.vectors.key2row == vocab.vectors.key2row
    assert again.vectors.strings is again.strings
    assert again.vectors_length == 3
    # a vocab without vectors reads back an empty table, over one that had vectors
    assert Vocab().from_bytes(Vocab().to_bytes()).vectors.shape == (0, 0)
    assert vocab.from_bytes(Vocab().to_bytes()).vectors.n_keys == 0


def test_token_span_and_doc_vectors_and_similarity(vocab):
    doc = Doc(vocab, words=["cat", "dog", "bird"])
    assert doc[0].has_vector and not doc[2].has_vector
    assert numpy.array_equal(doc[1].vector, DATA[1])
    assert numpy.array_equal(doc[2].vector, numpy.zeros(3))
    assert numpy.allclose(doc.vector, (DATA[0] + DATA[1]) / 3)
    assert numpy.allclose(doc[:2].vector, (DATA[0] + DATA[1]) / 2)
    assert doc.has_vector and doc[:2].has_vector and not doc[2:].has_vector
    assert doc[0].similarity(doc[1]) == pytest.approx(0.8, abs=1e-6)
    assert doc[0].vector_norm == pytest.approx(1.0)
    assert doc[:2].similarity(doc) == pytest.approx(1.0, abs=1e-6)
    assert doc.similarity(doc[0]) == pytest.approx(cosine(doc.vector, DATA[0]), abs=1e-6)
    assert doc[2].similarity(doc[0]) == 0.0  # no vector: nothing to compare
    assert numpy.array_equal(Doc(vocab, words=[]).vector, numpy.zeros(3))


def test_a_saved_pipeline_keeps_its_vectors(tmp_path):
    nlp = fastpipe.blank("en")
    for word, row in zip(WORDS, DATA):
        nlp.vocab.set_vector(word, row)
    nlp.to_disk(tmp_path / "nlp")
    loaded = fastpipe.load(tmp_path / "nlp")
    assert numpy.array_equal(loaded("a truck")[1].vector, DATA[4])
    assert loaded("cat").similarity(loaded("kitten")) == pytest.approx(
        cosine(DATA[0], DATA[3]), abs=1e-6)


def test_a_pipeline_without_vectors_gives_empty_vectors_and_no_similarity():
    nlp = fastpipe.blank("en")
    doc = nlp("hello world")
    assert doc.vector.shape == doc[0].vector.shape == doc[0:2].vector.shape == (0,)
    assert not doc[0].has_vector
    assert doc.similarity(doc) == doc[0].similarity(doc[1]) == 0.0
