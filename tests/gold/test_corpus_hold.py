"""Corpus.hold: the documents read once for an nlp object serve the next passes over the same
files (training's, after nlp.initialize read them), without changing what a pass yields."""
import gc
import os
import weakref

import pytest

import fastpipe
from fastpipe.gold import corpus as corpus_module
from fastpipe.gold.corpus import Corpus, release_held_docs
from fastpipe.tokens.doc import Doc
from fastpipe.tokens.docbin import DocBin


def numbered(vocab, n, word="doc"):
    return [Doc(vocab, words=[word, str(i), "."], spaces=[True, False, False]) for i in range(n)]


@pytest.fixture
def nlp():
    return fastpipe.blank("en")


@pytest.fixture
def corpus_file(nlp, tmp_path):
    path = tmp_path / "train.fastpipe"
    DocBin(docs=numbered(nlp.vocab, 30)).to_disk(path)
    return path


@pytest.fixture
def reads(monkeypatch):
    """The files read from now on."""
    seen = []
    read = corpus_module._read_docs

    def counting(path, vocab):
        seen.append(path)
        return read(path, vocab)

    monkeypatch.setattr(corpus_module, "_read_docs", counting)
    return seen


def described(examples):
    return [(eg.id, eg.reference.text, eg.predicted.text, eg.predicted is not eg.reference)
            for eg in examples]


def test_held_docs_serve_other_corpora_over_the_same_files(nlp, corpus_file, reads):
    fresh = described(Corpus(corpus_file)(nlp))
    assert len(reads) == 1
    assert Corpus(corpus_file).hold(nlp) is True
    assert len(reads) == 2
    first, second = list(Corpus(corpus_file)(nlp)), list(Corpus(corpus_file, limit=5)(nlp))
    assert len(reads) == 2  # no file read again
    assert described(first) == fresh and described(second) == fresh[:5]
    assert all(a.reference is b.reference for a, b in zip(first, second))  # the held Docs
    assert all(a.predicted is not b.predicted for a, b in zip(first, second))  # made per pass
    release_held_docs(nlp)
    assert described(Corpus(corpus_file)(nlp)) == fresh and len(reads) == 3


def test_nothing_held_for_another_nlp_a_changed_file_or_a_shuffling_corpus(nlp, corpus_file, reads):
    Corpus(corpus_file).hold(nlp)
    other = fastpipe.blank("en")
    list(Corpus(corpus_file)(other))
    assert len(reads) == 2
    # a shuffling corpus draws a new order each pass: it neither holds nor takes held docs
    assert Corpus(corpus_file, shuffle=True).hold(nlp) is False
    list(Corpus(corpus_file, shuffle=True)(nlp))
    assert len(reads) == 3
    # the file changes: its new documents are read
    DocBin(docs=numbered(nlp.vocab, 4, word="new")).to_disk(corpus_file)
    stat = corpus_file.stat()
    os.utime(corpus_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    texts = [eg.reference.text for eg in Corpus(corpus_file)(nlp)]
    assert texts == [f"new {i}." for i in range(4)] and len(reads) == 4


def test_holding_again_reads_nothing_and_held_docs_go_with_the_nlp(corpus_file, reads):
    nlp = fastpipe.blank("en")
    corpus = Corpus(corpus_file)
    corpus.hold(nlp)
    corpus.hold(nlp)
    assert len(reads) == 1
    assert len(corpus_module._HELD[nlp][1]) == 30
    alive = weakref.ref(nlp)
    n_held = len(corpus_module._HELD)
    del nlp
    gc.collect()
    assert alive() is None and len(corpus_module._HELD) == n_held - 1


def test_a_pass_over_held_docs_still_says_when_nothing_is_kept(nlp, corpus_file):
    corpus = Corpus(corpus_file, max_length=1)  # every document is longer: nothing kept
    corpus.hold(nlp)
    with pytest.raises(ValueError, match=r"\[E303\]"):
        list(corpus(nlp))


def test_gc_paused_holds_collections_even_past_msgpack():
    """msgpack's reader turns the collector back on; the pause must outlast it."""
    import srsly

    from fastpipe.gold.corpus import gc_paused

    before = gc.get_threshold()
    collections = []

    def note(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(note)
    try:
        with gc_paused():
            srsly.msgpack_loads(srsly.msgpack_dumps({"a": [1, 2]}))
            keep = [[i] for i in range(100_000)]  # enough allocations to set off collections
            inside = list(collections)
    finally:
        gc.callbacks.remove(note)
    assert inside == [] and len(keep) == 100_000
    assert gc.get_threshold() == before
