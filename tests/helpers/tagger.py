"""The toy tagging task most pipeline, training and CLI tests run on: six tagged sentences,
the tagger configs built from one set of sections, and writers of the corpora and the config
(a tagger learns the task in a second or two)."""
from pathlib import Path

from thinc.api import Config

TAGGED = [
    ("I like green apples .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("She eats red cherries .", ["PRP", "VBZ", "JJ", "NNS", "."]),
    ("They want big houses .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("He sees small dogs .", ["PRP", "VBZ", "JJ", "NNS", "."]),
    ("We love old books .", ["PRP", "VBP", "JJ", "NNS", "."]),
    ("It needs new shoes .", ["PRP", "VBZ", "JJ", "NNS", "."]),
]
TAGS = sorted({tag for _, tags in TAGGED for tag in tags})


def _hash_embed_cnn(section: str, embed_size: int) -> str:
    return f"""[{section}]
@architectures = "fastpipe.HashEmbedCNN.v1"
width = 32
depth = 1
embed_size = {embed_size}
window_size = 1
maxout_pieces = 2
subword_features = true
"""


def nlp_section(pipeline) -> str:
    names = ", ".join(f'"{name}"' for name in pipeline)
    return f'[nlp]\nlang = "en"\npipeline = [{names}]\n\n[components]\n'


def tok2vec_component(embed_size: int = 500) -> str:
    return ('[components.tok2vec]\nfactory = "tok2vec"\n\n'
            + _hash_embed_cnn("components.tok2vec.model", embed_size))


def tagger_component(name: str = "tagger", *, listener: bool = True, upstream=None,
                     explicit_nO: bool = False, embed_size: int = 300) -> str:
    """A tagger reading a tok2vec component through a listener, or with its own tok2vec."""
    text = (f'[components.{name}]\nfactory = "tagger"\n\n[components.{name}.model]\n'
            f'@architectures = "fastpipe.Tagger.v1"\n')
    if explicit_nO:
        text += "nO = null\n"
    if not listener:
        return text + "\n" + _hash_embed_cnn(f"components.{name}.model.tok2vec", embed_size)
    text += (f"\n[components.{name}.model.tok2vec]\n"
             '@architectures = "fastpipe.Tok2VecListener.v1"\n'
             "width = ${components.tok2vec.model.width}\n")
    if upstream is not None:
        text += f'upstream = "{upstream}"\n'
    return text


#: The train and dev corpora, read from ${paths.train} and ${paths.dev}.
CORPORA_SECTIONS = """
[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "fastpipe.Corpus.v1"
path = ${paths.dev}
"""

TRAINING_SECTIONS = CORPORA_SECTIONS + """
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

#: tok2vec + tagger (a listener) with corpora and a 12-step training: what `fastpipe train`
#: runs in the tests (paths.train and paths.dev come as overrides).
TAGGER_CONFIG = "\n".join([
    "\n[paths]\ntrain = null\ndev = null\n",
    nlp_section(["tok2vec", "tagger"]),
    tok2vec_component(500),
    tagger_component(),
    TRAINING_SECTIONS,
])

#: A tagger with its own tok2vec, no other component, no training sections.
STANDALONE_TAGGER_CONFIG = "\n".join([
    "", nlp_section(["tagger"]), tagger_component(listener=False, embed_size=300)])

#: One tok2vec feeding two taggers: "tagger" names its upstream, "second" takes the nearest.
LISTENERS_CONFIG = "\n".join([
    "", nlp_section(["tok2vec", "tagger", "second"]), tok2vec_component(300),
    tagger_component(upstream="tok2vec", explicit_nO=True),
    tagger_component("second", upstream="*", explicit_nO=True)])


def config_from(text: str) -> Config:
    """A Config of the text, not interpolated (as Language.from_config takes it)."""
    return Config().from_str(text, interpolate=False)


def tag_examples(nlp, n: int = len(TAGGED)):
    """Examples of the first ``n`` tagged sentences, tokenized by ``nlp``."""
    from fastpipe.gold.example import Example

    return [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in TAGGED[:n]]


def tagged_docs(vocab, sents=TAGGED, repeat: int = 1):
    from fastpipe.tokens import Doc

    return [Doc(vocab, words=text.split(), tags=tags) for _ in range(repeat)
            for text, tags in sents]


def write_tag_corpus(folder: Path, repeat: int = 2):
    """train.fastpipe (the sentences ``repeat`` times) and dev.fastpipe under ``folder``."""
    import fastpipe
    from fastpipe.tokens import DocBin

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


def cli_paths(overrides) -> list:
    """The overrides as command-line arguments: ["--paths.train", ..., "--paths.dev", ...]."""
    return [arg for key, value in overrides.items() for arg in (f"--{key}", str(value))]


def train_toy_tagger(folder: Path, overrides=None, extra: str = "", output: bool = True,
                     code=None, config_text: str = TAGGER_CONFIG):
    """Train the toy tagger setup written to ``folder`` (``config_text`` and ``extra``, through
    ``train_from_config``, the function behind `fastpipe train`); model-best/ and model-last/
    go to folder/out when ``output``. Returns (TrainResult, the logger's table)."""
    import io

    from fastpipe.cli.train import train_from_config

    folder = Path(folder)
    config_path, paths = write_tagger_setup(folder, extra, config_text)
    out = io.StringIO()
    result = train_from_config(config_path, folder / "out" if output else None,
                               overrides={**paths, **(overrides or {})}, code_path=code,
                               stdout=out, stderr=io.StringIO())
    return result, out.getvalue()
