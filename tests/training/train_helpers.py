"""Tiny corpora and configs for the training-loop and CLI tests (built in code, trained in a
second or two)."""
from pathlib import Path

import fastpipe
from fastpipe.tokens import Doc, DocBin

TAGGED = [
    ("I like green apples .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("She eats red cherries .", ["PRP", "VBZ", "JJ", "NNS", "."]),
    ("They want big houses .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("He sees small dogs .", ["PRP", "VBZ", "JJ", "NNS", "."]),
    ("We love old books .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("It needs new shoes .", ["PRP", "VBZ", "JJ", "NNS", "."]),
]

TAGGER_CONFIG = """
[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 32
depth = 1
embed_size = 500
window_size = 1
maxout_pieces = 2
subword_features = true

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "fastpipe.Tagger.v1"

[components.tagger.model.tok2vec]
@architectures = "fastpipe.Tok2VecListener.v1"
width = ${components.tok2vec.model.width}

[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "fastpipe.Corpus.v1"
path = ${paths.dev}

[training]
max_steps = 12
eval_frequency = 4
patience = 0

[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.01

[training.batcher]
@batchers = "fastpipe.batch_by_sequence.v1"
size = 3

[training.logger]
@loggers = "fastpipe.ConsoleLogger.v1"
progress_bar = false
"""


def tagged_docs(vocab, sents=TAGGED, repeat: int = 1):
    docs = []
    for _ in range(repeat):
        for text, tags in sents:
            docs.append(Doc(vocab, words=text.split(), tags=tags))
    return docs


def write_tag_corpus(folder: Path, repeat: int = 2):
    """train.fastpipe and dev.fastpipe of tagged sentences under ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = fastpipe.blank("en").vocab
    DocBin(docs=tagged_docs(vocab, repeat=repeat)).to_disk(folder / "train.fastpipe")
    DocBin(docs=tagged_docs(vocab)).to_disk(folder / "dev.fastpipe")
    return folder / "train.fastpipe", folder / "dev.fastpipe"


def write_tagger_setup(folder: Path, extra: str = "", config_text: str = TAGGER_CONFIG):
    """A tagger config (with ``extra`` appended) and its corpora in ``folder``; returns
    (config path, overrides pointing paths.train/dev at the corpora)."""
    train, dev = write_tag_corpus(folder)
    config_path = Path(folder) / "config.cfg"
    config_path.write_text(config_text + extra, encoding="utf8")
    return config_path, {"paths.train": str(train), "paths.dev": str(dev)}
