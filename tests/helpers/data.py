"""The corpora the tests read: the samples and slices committed under examples/data (always
there), and the whole files in ../shared/data (only in a checkout that sits beside it).

A real-data test reads the committed slice everywhere, CI included, and the whole file as
well where it is present: ``real_data(...)`` gives the pytest parameters for that. A missing
whole file is not a skipped test (the suite fails on skips): its parameter is simply not
collected, and the slice carries the cases the whole file has (see examples/data/README.md).
"""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
SHARED = ROOT.parent / "shared" / "data"

EWT_DEV_SAMPLE = DATA / "en_ewt-dev-sample.conllu"  # the first 300 dev sentences
EWT_TRAIN_SAMPLE = DATA / "en_ewt-train-sample.conllu"  # the first 600 train sentences
EWT_DEV_SLICE = DATA / "en_ewt-dev-slice.conllu"  # dev sentences the sample lacks
EWT_TRAIN_SLICE = DATA / "en_ewt-train-slice.conllu"  # train sentences the sample lacks
SST2_TRAIN_SAMPLE = DATA / "sst2-train-sample.tsv"
SST2_DEV_SAMPLE = DATA / "sst2-dev-sample.tsv"  # the first 300 rows of the dev split
TEXT_SAMPLE = DATA / "sample.txt"  # the raw text of the EWT dev sample, one line a sentence

FULL_EWT_DEV = SHARED / "en_ewt" / "en_ewt-ud-dev.conllu"
FULL_EWT_TRAIN = SHARED / "en_ewt" / "en_ewt-ud-train.conllu"
FULL_SST2_DEV = SHARED / "sst2" / "dev.tsv"


def real_data(*named, full=(), slow_full=()):
    """pytest parameters: each ``(id, path, *more values)`` in ``named`` always; each one in
    ``full`` and ``slow_full`` (these marked slow) only when its file is present."""
    params = [pytest.param(*values, id=name) for name, *values in named]
    for entries, marks in ((full, ()), (slow_full, (pytest.mark.slow,))):
        params += [pytest.param(*values, id=name, marks=marks) for name, *values in entries
                   if values[0].exists()]
    return params


def conllu_examples(nlp_or_vocab, path, n_sents=10, *, gold_tokens=True):
    """Examples of the CoNLL-U file at ``path``, ``n_sents`` sentences a document.

    With ``gold_tokens`` the predicted Doc has the reference's words and spaces (and nothing
    else); otherwise it is ``nlp.make_doc(text)`` (pass the nlp object then)."""
    from fastpipe.gold.converters import CONVERTERS
    from fastpipe.gold.example import Example
    from fastpipe.tokens.doc import Doc

    vocab = getattr(nlp_or_vocab, "vocab", nlp_or_vocab)
    lines = Path(path).read_text(encoding="utf8").splitlines()
    examples = []
    for i, doc in enumerate(CONVERTERS["conllu"](lines, vocab, source=str(path), n_sents=n_sents)):
        if gold_tokens:
            pred = Doc(vocab, words=[t.text for t in doc],
                       spaces=[bool(t.whitespace_) for t in doc])
            examples.append(Example(pred, doc, id=f"{Path(path).name}#{i}"))
        else:
            ref = Doc(vocab).from_bytes(doc.to_bytes())
            examples.append(Example(nlp_or_vocab.make_doc(ref.text), ref))
    return examples
