"""Corpus readers: streaming, folders, limit, max_length, gold_preproc, shuffling, JSONL."""
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from thinc.api import Config

from fastpipe.gold.corpus import Corpus, JsonlCorpus, shuffle_stream, walk_corpus
from fastpipe.registry import registry
from fastpipe.tokens.doc import Doc
from fastpipe.tokens.docbin import DocBin, DocBinWriter, iter_docs


@pytest.fixture(scope="module")
def ewt_file(ewt_corpus):
    """The EWT dev sample as .fastpipe, 10 sentences a document."""
    return ewt_corpus[1]


@pytest.fixture(scope="module")
def ewt_docs(en, ewt_file):
    return list(iter_docs(ewt_file, en.vocab))


def write_docs(path, docs, chunk_docs=256):
    path.parent.mkdir(parents=True, exist_ok=True)
    with DocBinWriter(path, chunk_docs=chunk_docs) as writer:
        for doc in docs:
            writer.add(doc)
    return path


def numbered_docs(en, n):
    """Docs "doc <i> ." whose second token tells which one they are."""
    return [Doc(en.vocab, words=["doc", str(i), "."], spaces=[True, False, False]) for i in range(n)]


def doc_numbers(examples):
    return [int(eg.reference[1].text) for eg in examples]


def test_builtin_readers_registered_by_import_fastpipe():
    code = ("import fastpipe; r = fastpipe.registry.registry; "
            "r.readers.get('fastpipe.Corpus.v1'); r.readers.get('fastpipe.JsonlCorpus.v1'); "
            "r.augmenters.get('fastpipe.lower_case.v1'); r.batchers.get('fastpipe.batch_by_words.v1')")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_whole_docs(en, ewt_file, ewt_docs):
    corpus = registry.readers.get("fastpipe.Corpus.v1")(ewt_file)
    examples = list(corpus(en))
    assert len(examples) == len(ewt_docs) == 30
    for i, (eg, doc) in enumerate(zip(examples, ewt_docs)):
        assert eg.id == f"{ewt_file}#{i}"
        assert eg.predicted.text == eg.reference.text == doc.text
        assert eg.reference.has_annotation("DEP")
        assert not eg.predicted.has_annotation("DEP")
    # a second pass gives the same examples again
    assert [eg.id for eg in corpus(en)] == [eg.id for eg in examples]


def test_streams_first_example_before_reading_the_rest(en, tmp_path, monkeypatch):
    import fastpipe.tokens.docbin as docbin_module

    path = write_docs(tmp_path / "big.fastpipe", numbered_docs(en, 200), chunk_docs=5)
    size = path.stat().st_size
    bytes_read = []
    real_open = open

    class SpyFile:
        def __init__(self, f):
            self.f = f

        def read(self, *args):
            data = self.f.read(*args)
            bytes_read.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(docbin_module, "open", lambda *a, **k: SpyFile(real_open(*a, **k)),
                        raising=False)
    examples = Corpus(path)(en)
    first = next(examples)
    assert doc_numbers([first]) == [0]
    assert 0 < sum(bytes_read) < size / 4  # only the header and the first chunk were read
    assert doc_numbers(examples) == list(range(1, 200))
    assert sum(bytes_read) == size


def test_pulls_one_doc_at_a_time(en, tmp_path, monkeypatch):
    import fastpipe.tokens.docbin as docbin_module

    path = write_docs(tmp_path / "c.fastpipe", numbered_docs(en, 50), chunk_docs=1)
    pulled = []
    real_iter_docs = docbin_module.iter_docs

    def spy(path, vocab):
        for doc in real_iter_docs(path, vocab):
            pulled.append(doc)
            yield doc

    monkeypatch.setattr(docbin_module, "iter_docs", spy)
    examples = Corpus(path)(en)
    next(examples)
    next(examples)
    assert len(pulled) == 2


def test_folder_recursive_sorted(en, tmp_path):
    write_docs(tmp_path / "b" / "x.fastpipe", numbered_docs(en, 3)[2:])
    write_docs(tmp_path / "a.fastpipe", numbered_docs(en, 2))
    write_docs(tmp_path / "b" / "sub" / "y.fastpipe", numbered_docs(en, 4)[3:])
    write_docs(tmp_path / ".hidden" / "z.fastpipe", numbered_docs(en, 9))
    (tmp_path / "notes.txt").write_text("not a corpus")
    assert walk_corpus(tmp_path) == [tmp_path / "a.fastpipe", tmp_path / "b" / "sub" / "y.fastpipe",
                                     tmp_path / "b" / "x.fastpipe"]
    examples = list(Corpus(tmp_path)(en))
    assert doc_numbers(examples) == [0, 1, 3, 2]
    assert [eg.id for eg in examples][2] == f"{tmp_path / 'b' / 'sub' / 'y.fastpipe'}#0"


def test_limit(en, ewt_file):
    assert len(list(Corpus(ewt_file, limit=7)(en))) == 7
    assert len(list(Corpus(ewt_file, gold_preproc=True, limit=45)(en))) == 45
    assert len(list(Corpus(ewt_file, limit=1000)(en))) == 30


def test_max_length_splits_long_docs_and_skips_long_sentences(en, ewt_file, ewt_docs):
    max_length = 20
    corpus = Corpus(ewt_file, max_length=max_length)
    examples = list(corpus(en))
    expected_units = []
    expected_skipped = 0
    for doc in ewt_docs:
        assert len(doc) > max_length  # every sample doc gets split
        for sent in doc.sents:
            if len(sent) > max_length:
                expected_skipped += 1
            else:
                expected_units.append(sent.text)
    assert corpus.n_skipped == expected_skipped > 0
    assert [eg.reference.text for eg in examples] == expected_units
    assert all(len(eg.reference) <= max_length for eg in examples)
    assert all(eg.predicted.text == eg.reference.text for eg in examples)
    assert examples[0].id.endswith("#0.s0")


def test_max_length_keeps_short_docs_whole(en, tmp_path):
    short = Doc(en.vocab, words=["Hi", ".", "Bye", "."], sent_starts=[True, False, True, False])
    long = Doc(en.vocab, words=["a", "b", "c", ".", "d", "e", "f", "g", "h", "."],
               sent_starts=[True, False, False, False, True, False, False, False, False, False])
    path = write_docs(tmp_path / "d.fastpipe", [short, long])
    corpus = Corpus(path, max_length=5)
    assert [eg.reference.text for eg in corpus(en)] == ["Hi . Bye .", "a b c ."]
    assert corpus.n_skipped == 1


def test_gold_preproc_uses_reference_words_per_sentence(en, tmp_path):
    doc = Doc(en.vocab, words=["Hello", "world!", "New", "one"], spaces=[True, True, True, False],
              sent_starts=[True, False, True, False], tags=["A", "B", "C", "D"])
    flat = Doc(en.vocab, words=["no", "sentences!"])
    path = write_docs(tmp_path / "g.fastpipe", [doc, flat])
    assert [t.text for t in en.make_doc("Hello world!")] == ["Hello", "world", "!"]
    examples = list(Corpus(path, gold_preproc=True)(en))
    assert [[t.text for t in eg.predicted] for eg in examples] == [
        ["Hello", "world!"], ["New", "one"], ["no", "sentences!"]]
    assert [eg.id for eg in examples] == [f"{path}#0.s0", f"{path}#0.s1", f"{path}#1"]
    assert [t.tag_ for t in examples[1].reference] == ["C", "D"]
    assert not examples[0].predicted.has_annotation("TAG")
    # without gold_preproc the tokenizer decides
    assert [t.text for t in next(Corpus(path)(en)).predicted][:3] == ["Hello", "world", "!"]


def test_shuffle_is_deterministic_and_complete(en, tmp_path):
    write_docs(tmp_path / "a.fastpipe", numbered_docs(en, 40)[:20], chunk_docs=3)
    write_docs(tmp_path / "b.fastpipe", numbered_docs(en, 40)[20:], chunk_docs=3)
    corpus = Corpus(tmp_path, shuffle=True, shuffle_buffer=8)
    random.seed(0)
    first = doc_numbers(corpus(en))
    random.seed(0)
    again = doc_numbers(corpus(en))
    random.seed(1)
    other = doc_numbers(corpus(en))
    assert first == again
    assert first != other
    assert first != list(range(40))
    assert sorted(first) == sorted(other) == list(range(40))


def test_shuffle_buffer_is_bounded():
    pulled = []

    def source():
        for i in range(1000):
            pulled.append(i)
            yield i

    random.seed(3)
    out = []
    for item in shuffle_stream(source(), 10):
        out.append(item)
        if len(pulled) < 1000:  # while the input lasts, at most 10 items wait in the buffer
            assert len(pulled) - len(out) <= 10
    assert sorted(out) == list(range(1000))
    assert out != list(range(1000))
    # an item can come out at most buffer_size places before its input position
    assert all(item <= k + 10 for k, item in enumerate(out))


def test_missing_and_none_path_errors(tmp_path):
    missing = tmp_path / "nope.fastpipe"
    with pytest.raises(FileNotFoundError, match="nope.fastpipe") as err:
        registry.readers.get("fastpipe.Corpus.v1")(missing)
    assert "paths.train" in str(err.value)
    with pytest.raises(ValueError, match="paths.train"):
        Corpus(None)
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        JsonlCorpus(tmp_path / "nope.jsonl")


def test_empty_corpus_errors_when_iterated(en, tmp_path):
    empty = tmp_path / "empty.fastpipe"
    DocBin().to_disk(empty)
    corpus = Corpus(empty)
    with pytest.raises(ValueError, match="empty.fastpipe"):
        list(corpus(en))
    (tmp_path / "nothing").mkdir()
    with pytest.raises(ValueError, match="nothing"):
        list(Corpus(tmp_path / "nothing")(en))
    path = write_docs(tmp_path / "long.fastpipe", numbered_docs(en, 2))
    with pytest.raises(ValueError, match="max_length"):
        list(Corpus(path, max_length=2)(en))


def test_augmenter_applied(en, ewt_file):
    augmenter = registry.augmenters.get("fastpipe.lower_case.v1")(1.0)
    examples = list(Corpus(ewt_file, augmenter=augmenter)(en))
    assert len(examples) == 60
    assert examples[1].reference.text == examples[0].reference.text.lower()
    assert examples[1].id == f"{ewt_file}#0+lower"


def test_resolve_reader_from_config(en, ewt_file):
    cfg = Config().from_str(f"""
[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = "{ewt_file}"
max_length = 30
limit = 5

[corpora.train.augmenter]
@augmenters = "fastpipe.lower_case.v1"
level = 0.0
""")
    corpus = registry.resolve(cfg)["corpora"]["train"]
    assert isinstance(corpus, Corpus)
    assert corpus.max_length == 30
    assert len(list(corpus(en))) == 5


def test_jsonl_corpus(en, tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text('{"text": "One two three."}\n\n{"text": "Short"}\n'
                    '{"text": "This one is a bit longer than the others."}\n{"text": "Four words here ."}\n',
                    encoding="utf8")
    reader = registry.readers.get("fastpipe.JsonlCorpus.v1")
    examples = list(reader(path)(en))
    assert [eg.reference.text for eg in examples] == ["One two three.", "Short",
                                                      "This one is a bit longer than the others.",
                                                      "Four words here ."]
    assert examples[0].id == f"{path}:1" and examples[1].id == f"{path}:3"
    eg = examples[0]
    assert [t.text for t in eg.predicted] == [t.text for t in eg.reference] == ["One", "two", "three", "."]
    assert eg.predicted is not eg.reference
    kept = [eg.reference.text for eg in reader(path, min_length=2, max_length=5)(en)]
    assert kept == ["One two three.", "Four words here ."]
    assert len(list(reader(path, limit=2)(en))) == 2


@pytest.mark.parametrize("bad_line", ['{"text": "ok"', '{"txt": "x"}', '["text"]', '{"text": 3}',
                                      '{"tokens": "a b"}', '{"tokens": ["a", ""]}'])
def test_jsonl_bad_line_names_file_and_line(en, tmp_path, bad_line):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n' + bad_line + "\n", encoding="utf8")
    examples = JsonlCorpus(path)(en)
    assert next(examples).reference.text == "fine"
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        next(examples)


def test_jsonl_pre_tokenized_lines_keep_their_tokens(en, tmp_path):
    path = tmp_path / "tokens.jsonl"
    path.write_text('{"tokens": ["New", "York", "\'s", "mayor"]}\n{"text": "can\'t stop"}\n',
                    encoding="utf8")
    docs = [eg.reference for eg in JsonlCorpus(path)(en)]
    assert [t.text for t in docs[0]] == ["New", "York", "'s", "mayor"]
    assert docs[0].text == "New York 's mayor"
    assert [t.text for t in docs[1]] == ["ca", "n't", "stop"]   # a text is tokenized


def test_jsonl_folder(en, tmp_path):
    (tmp_path / "b.jsonl").write_text('{"text": "second"}\n', encoding="utf8")
    (tmp_path / "a.jsonl").write_text('{"text": "first"}\n', encoding="utf8")
    (tmp_path / "c.txt").write_text("ignored", encoding="utf8")
    assert [eg.reference.text for eg in JsonlCorpus(tmp_path)(en)] == ["first", "second"]


def test_shuffle_buffer_below_one_is_refused(en, ewt_file):
    """E302, from the class and from a config's reader section."""
    for value in (0, -3):
        with pytest.raises(ValueError, match="E302") as info:
            Corpus(ewt_file, shuffle=True, shuffle_buffer=value)
        assert f"shuffle_buffer must be at least 1, got {value}" in str(info.value)
    cfg = Config().from_str(f"""
[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = "{ewt_file}"
shuffle = true
shuffle_buffer = 0
""")
    with pytest.raises(ValueError, match="E302"):
        registry.resolve(cfg)
    assert len(list(Corpus(ewt_file, shuffle=True, shuffle_buffer=1)(en))) == 30


def test_jsonl_corpus_that_keeps_nothing_says_why(en, tmp_path):
    """E306: every text is outside [min_length, max_length]: the error names the file and the
    limits when the reader runs dry."""
    path = tmp_path / "texts.jsonl"
    path.write_text('{"text": "One two three."}\n{"text": "Four words here ."}\n',
                    encoding="utf8")
    reader = registry.readers.get("fastpipe.JsonlCorpus.v1")
    for kwargs, shown in (({"min_length": 6}, "min_length = 6, max_length = 0"),
                          ({"max_length": 3}, "min_length = 0, max_length = 3")):
        with pytest.raises(ValueError, match="E306") as info:
            list(reader(path, **kwargs)(en))
        message = str(info.value)
        assert str(path) in message and shown in message and "gave no examples" in message
    assert len(list(reader(path, min_length=4, max_length=5)(en))) == 2


# -- spaCy's .spacy corpora ---------------------------------------------------------------------

SPACY_DATA = Path(__file__).resolve().parents[1] / "data"  # made with spaCy, see its README


def test_spacy_file_is_a_corpus(en):
    """A `.spacy` file made by spaCy gives examples with the reference annotations it holds."""
    path = SPACY_DATA / "spacy_annotated.spacy"
    expected = json.loads((SPACY_DATA / "spacy_annotated.json").read_text(encoding="utf8"))["docs"]
    examples = list(registry.readers.get("fastpipe.Corpus.v1")(path)(en))
    assert [eg.id for eg in examples] == [f"{path}#{i}" for i in range(3)]  # the empty doc: none
    for eg, doc in zip(examples, expected):
        ref = eg.reference
        assert eg.predicted.text == ref.text == doc["text"]
        assert [t.tag_ for t in ref] == doc["tags"] and [t.dep_ for t in ref] == doc["deps"]
        assert [[e.start, e.end, e.label_, e.kb_id_] for e in ref.ents] == doc["ents"]
        assert ref.cats == doc["cats"] and sorted(ref.spans) == sorted(doc["spans"])
    assert [t.ent_iob_ for t in examples[1].reference] == ["B", "", "", "B", "O", "B", "O"]
    split = list(Corpus(path, gold_preproc=True)(en))  # two sentences in the first doc
    assert [eg.reference.text for eg in split[:2]] == ["Mira Okafor repaired the old tram in Lisbon.",
                                                       "Then she left!"]


def test_folder_mixes_spacy_and_fastpipe_files(en, tmp_path):
    write_docs(tmp_path / "a.fastpipe", numbered_docs(en, 2))
    DocBin(docs=numbered_docs(en, 4)[2:]).to_disk(tmp_path / "b" / "c.spacy")
    (tmp_path / "b" / "c.spacy.txt").write_text("not a corpus")
    assert walk_corpus(tmp_path) == [tmp_path / "a.fastpipe", tmp_path / "b" / "c.spacy"]
    assert doc_numbers(Corpus(tmp_path)(en)) == [0, 1, 2, 3]
    assert walk_corpus(tmp_path, suffix=".spacy") == [tmp_path / "b" / "c.spacy"]


def test_shuffled_spacy_corpus_keeps_every_doc(en, tmp_path):
    path = tmp_path / "docs.spacy"
    DocBin(docs=numbered_docs(en, 40)).to_disk(path)
    random.seed(1)
    numbers = doc_numbers(Corpus(path, shuffle=True, shuffle_buffer=8)(en))
    assert sorted(numbers) == list(range(40)) and numbers != list(range(40))


def test_empty_folder_names_both_suffixes(en, tmp_path):
    (tmp_path / "notes.txt").write_text("not a corpus")
    with pytest.raises(ValueError, match=r"E303.*\*\.fastpipe or \*\.spacy files"):
        list(Corpus(tmp_path)(en))


def test_unreadable_spacy_file_in_corpus_names_it(en, tmp_path):
    path = tmp_path / "broken.spacy"
    path.write_bytes((SPACY_DATA / "spacy_annotated.spacy").read_bytes()[:200])
    with pytest.raises(ValueError, match=r"E501.*broken\.spacy"):
        list(Corpus(tmp_path)(en))
