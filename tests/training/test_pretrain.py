"""Pretraining (``fastpipe.training.pretrain``, objectives in ``fastpipe.ml.pretrain``): the
loss falls, the weights load through [initialize] init_tok2vec, a run resumes, spaCy's own
--pretraining config runs, the vectors objective, and bad input gives coded errors.

The raw text is the first sentences of the EWT dev sample (examples/data/sample.txt), written as
JSONL in each test."""
import json
from pathlib import Path

import numpy
import pytest

import fastpipe
from fastpipe.config import load_config, load_config_from_str
from fastpipe.errors import ConfigError
from fastpipe.init_settings import tok2vec_ref
from fastpipe.ml.pretrain import (MASK_TEXT, CharacterTargets, character_loss, mask_docs,
                                  vector_loss)
from fastpipe.training.initialize import init_nlp
from fastpipe.training.pretrain import pretrain, with_pretraining
from tests.helpers.data import TEXT_SAMPLE
from tests.helpers.tagger import (TRAINING_SECTIONS, nlp_section, tagger_component,
                                  write_tagger_setup)

SPACY_CONFIGS = Path(__file__).resolve().parents[1] / "data" / "spacy_configs"

#: A small tok2vec + tagger, and [pretraining] with a small head and batches.
CONFIG = """
[paths]
raw_text = null
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
width = 32

[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "fastpipe.Corpus.v1"
path = ${paths.dev}

[corpora.pretrain]
@readers = "spacy.JsonlCorpus.v1"
path = ${paths.raw_text}
min_length = 3
max_length = 500

[pretraining]
max_epochs = 2
dropout = 0.1
n_save_every = null
n_save_epoch = null
component = "tok2vec"
layer = ""
corpus = "corpora.pretrain"

[pretraining.batcher]
@batchers = "spacy.batch_by_words.v1"
size = 500
tolerance = 0.2
discard_oversize = false
get_length = null

[pretraining.objective]
@architectures = "spacy.PretrainCharacters.v1"
maxout_pieces = 2
hidden_size = 32
n_characters = 2

[pretraining.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.005
use_averages = false
"""


def write_raw_text(path: Path, n: int = 120) -> Path:
    lines = TEXT_SAMPLE.read_text(encoding="utf8").splitlines()[:n]
    path.write_text("".join(json.dumps({"text": line}) + "\n" for line in lines),
                    encoding="utf8")
    return path


def config_for(tmp_path, text: str = CONFIG, **overrides):
    raw = write_raw_text(tmp_path / "raw.jsonl", n=60)
    settings = {"paths.raw_text": str(raw)}
    settings.update(overrides)
    return load_config_from_str(text, settings)


def run(tmp_path, config, name="out", **kwargs):
    return pretrain(config, tmp_path / name, stderr=open(tmp_path / f"{name}.err", "w"),
                    **kwargs)


def params_of(model):
    return [node.get_param(name) for node in model.walk() for name in node.param_names
            if node.has_param(name)]


def test_pretraining_two_epochs_lowers_the_loss_and_writes_each_epoch(tmp_path):
    result = run(tmp_path, config_for(tmp_path))
    out = tmp_path / "out"
    assert result.epochs == [0, 1]
    assert result.losses[1] < 0.9 * result.losses[0]
    assert result.words[0] == result.words[1] > 1000
    for name in ("model0.bin", "model1.bin", "model-last.bin", "config.cfg"):
        assert (out / name).is_file(), name
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [line["epoch"] for line in log] == [0, 1]
    assert log[1]["nr_word"] == 2 * log[0]["nr_word"]
    assert log[1]["loss"] == pytest.approx(log[0]["epoch_loss"] + log[1]["epoch_loss"])
    assert "epoch 1:" in (tmp_path / "out.err").read_text()
    assert not list(out.glob(".*tmp"))  # every file was written through a rename


def test_n_save_every_and_n_save_epoch(tmp_path):
    config = config_for(tmp_path, **{"pretraining.max_epochs": 3, "pretraining.n_save_every": 2,
                                     "pretraining.n_save_epoch": 2})
    run(tmp_path, config, skip_last=True)
    names = sorted(p.name for p in (tmp_path / "out").glob("*.bin"))
    # epochs 0 and 2 (every second and the last), the batches 2, 4, ... of each epoch
    assert "model0.bin" in names and "model2.bin" in names and "model1.bin" not in names
    assert "model0_2.bin" in names and "model1_2.bin" in names
    assert "model-last.bin" not in names


def test_the_weights_load_through_init_tok2vec(tmp_path):
    run(tmp_path, config_for(tmp_path))
    weights = tmp_path / "out" / "model1.bin"
    _, settings = write_tagger_setup(tmp_path / "tagger")
    base = CONFIG.replace("[pretraining]", "[training]\nmax_steps = 1\n\n[pretraining]")
    fresh = init_nlp(load_config_from_str(base, settings))
    loaded = init_nlp(load_config_from_str(base + f'\n[initialize]\ninit_tok2vec = "{weights}"\n',
                                           settings))
    # the saved arrays, read into a tok2vec of the same config
    saved = tok2vec_ref(fresh, {}).from_bytes(weights.read_bytes())
    ours = params_of(tok2vec_ref(loaded, {}))
    assert len(ours) == len(params_of(saved)) > 0
    for mine, theirs in zip(ours, params_of(saved)):
        assert numpy.array_equal(mine, theirs)
    unloaded = params_of(tok2vec_ref(init_nlp(load_config_from_str(base, settings)), {}))
    assert any(not numpy.array_equal(a, b) for a, b in zip(ours, unloaded))


def test_a_layer_of_a_component_pretrains_and_loads(tmp_path):
    """[pretraining] component = "tagger", layer = "tok2vec": the tagger's own tok2vec."""
    text = ("\n[paths]\ntrain = null\ndev = null\nraw_text = null\n"
            + nlp_section(["tagger"]) + tagger_component(listener=False) + TRAINING_SECTIONS
            + CONFIG[CONFIG.index("[corpora.pretrain]"):].replace(
                'component = "tok2vec"\nlayer = ""', 'component = "tagger"\nlayer = "tok2vec"'))
    result = run(tmp_path, config_for(tmp_path, text, **{"pretraining.max_epochs": 1}))
    weights = tmp_path / "out" / "model0.bin"
    assert result.epochs == [0] and weights.is_file()
    _, paths = write_tagger_setup(tmp_path / "tagger")
    nlp = init_nlp(load_config_from_str(text, {**paths, "initialize.init_tok2vec": str(weights)}))
    assert nlp.get_pipe("tagger").model.get_ref("tok2vec").to_bytes() == weights.read_bytes()


def test_a_run_resumes_from_an_epoch_file(tmp_path):
    config = config_for(tmp_path)
    run(tmp_path, config)
    out = tmp_path / "out"
    first = (out / "model1.bin").read_bytes()
    longer = config_for(tmp_path, **{"pretraining.max_epochs": 4})
    result = pretrain(longer, out, resume_path=out / "model1.bin",
                      stderr=open(tmp_path / "resumed.err", "w"))
    assert result.epochs == [2, 3]  # the epoch after the file's
    assert (out / "model1.bin").read_bytes() == first  # not written over
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [line["epoch"] for line in log] == [0, 1, 2, 3]
    assert log[3]["nr_word"] == 4 * log[0]["nr_word"]
    # the resumed run started from the saved weights: its first epoch's loss is near the
    # end of the first run's, well below a fresh start's
    fresh = run(tmp_path, config, name="fresh")
    assert result.losses[0] < fresh.losses[0]
    # --epoch-resume names the first epoch itself
    again = pretrain(longer, tmp_path / "again", resume_path=out / "model-last.bin",
                     epoch_resume=3, stderr=open(tmp_path / "again.err", "w"))
    assert again.epochs == [3]


def test_resume_problems_are_coded(tmp_path):
    config = config_for(tmp_path)
    run(tmp_path, config)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"\[E807\]"):
        pretrain(config, out, resume_path=out / "model-last.bin")
    with pytest.raises(FileNotFoundError, match=r"\[E806\].*no such file"):
        pretrain(config, out, resume_path=out / "model7.bin")
    bad = tmp_path / "model0.bin"
    bad.write_bytes(b"not weights")
    with pytest.raises(ValueError, match=r"\[E806\].*do not fit"):
        pretrain(config, out, resume_path=bad)
    with pytest.raises(ValueError, match=r"\[E809\]"):
        pretrain(config, out, resume_path=out / "model0.bin", epoch_resume=-1)


def test_spacys_pretraining_config_pretrains(tmp_path):
    """spaCy's init config -p tagger --pretraining (tests/data/spacy_configs) as it is, for one
    epoch over a few sentences; the weights load into its own tok2vec for training."""
    raw = write_raw_text(tmp_path / "raw.jsonl", n=30)
    path = SPACY_CONFIGS / "tagger_pretraining.cfg"
    config = load_config(path, {"paths.raw_text": str(raw), "pretraining.max_epochs": 2,
                                "pretraining.batcher.size": 100})
    result = pretrain(config, tmp_path / "out", where=str(path),
                      stderr=open(tmp_path / "err", "w"))
    assert result.epochs == [0, 1] and result.words[0] > 300
    assert result.losses[1] < result.losses[0]
    _, paths = write_tagger_setup(tmp_path / "tagger")
    nlp = init_nlp(load_config(path, {**paths,
                                      "paths.init_tok2vec": str(tmp_path / "out/model1.bin")}))
    assert nlp.get_pipe("tok2vec").model.to_bytes() == \
        (tmp_path / "out/model1.bin").read_bytes()


def test_init_fill_config_pretraining_fills_spacys_defaults(tmp_path):
    config = with_pretraining(load_config_from_str('[nlp]\nlang = "en"\n\n[pretraining]\n'
                                                   'max_epochs = 7\n'))
    assert config["pretraining"]["max_epochs"] == 7  # the config's own value stays
    assert config["pretraining"]["objective"]["n_characters"] == 4
    assert config["corpora"]["pretrain"]["@readers"] == "spacy.JsonlCorpus.v1"
    assert config["corpora"]["pretrain"]["path"] == "${paths.raw_text}"
    spacys = load_config(SPACY_CONFIGS / "tagger_pretraining.cfg")
    ours = with_pretraining(load_config_from_str('[nlp]\nlang = "en"\n'))
    assert dict(ours["pretraining"]) == dict(spacys["pretraining"])
    assert dict(ours["corpora"]["pretrain"]) == dict(spacys["corpora"]["pretrain"])


# -- the vectors objective ------------------------------------------------------------------------

def write_vectors(tmp_path, width: int = 6) -> Path:
    """A blank pipeline whose vectors are random rows for the 150 most common words."""
    words = " ".join(TEXT_SAMPLE.read_text(encoding="utf8").splitlines()[:120]).split()
    common = sorted(set(words), key=words.count, reverse=True)[:150]
    nlp = fastpipe.blank("en")
    rng = numpy.random.default_rng(0)
    for word in common:
        nlp.vocab.set_vector(word, rng.normal(size=width).astype("float32"))
    nlp.to_disk(tmp_path / "vectors")
    return tmp_path / "vectors"


VECTORS_OBJECTIVE = """
[pretraining.objective]
@architectures = "spacy.PretrainVectors.v1"
maxout_pieces = 2
hidden_size = 32
loss = "{loss}"
"""


@pytest.mark.parametrize("loss", ["cosine", "L2"])
def test_the_vectors_objective_learns_the_static_vectors(tmp_path, loss):
    text = CONFIG.split("[pretraining.objective]")[0] + VECTORS_OBJECTIVE.format(loss=loss) \
        + "\n[pretraining.optimizer]" + CONFIG.split("[pretraining.optimizer]")[1]
    text += f'\n[initialize]\nvectors = "{write_vectors(tmp_path)}"\n'
    result = run(tmp_path, config_for(tmp_path, text, **{"pretraining.max_epochs": 3}))
    assert result.losses[2] < 0.8 * result.losses[0]


def test_the_vectors_objective_learns_floret_vectors(tmp_path):
    # a floret table has a vector for every word (rows_of would refuse it: E840)
    from fastpipe.vectors import Vectors

    nlp = fastpipe.blank("en")
    data = numpy.random.default_rng(0).normal(size=(40, 6)).astype("float32")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, mode="floret", minn=2,
                                maxn=3, hash_count=2, hash_seed=7, bow="<", eow=">")
    nlp.to_disk(tmp_path / "floret")
    text = CONFIG.split("[pretraining.objective]")[0] + VECTORS_OBJECTIVE.format(loss="L2") \
        + "\n[pretraining.optimizer]" + CONFIG.split("[pretraining.optimizer]")[1]
    text += f'\n[initialize]\nvectors = "{tmp_path / "floret"}"\n'
    result = run(tmp_path, config_for(tmp_path, text, **{"pretraining.max_epochs": 3}))
    assert result.losses[2] < 0.8 * result.losses[0]


def test_the_vectors_objective_needs_vectors(tmp_path):
    text = CONFIG.split("[pretraining.objective]")[0] + VECTORS_OBJECTIVE.format(loss="cosine") \
        + "\n[pretraining.optimizer]" + CONFIG.split("[pretraining.optimizer]")[1]
    with pytest.raises(ValueError, match=r"\[E803\].*\[initialize\] vectors"):
        run(tmp_path, config_for(tmp_path, text))
    with pytest.raises(Exception, match=r"\[E804\].*'dot'"):
        run(tmp_path, config_for(tmp_path, text.replace('"cosine"', '"dot"')))


def test_vector_losses_give_their_gradients():
    rng = numpy.random.default_rng(1)
    Y = rng.normal(size=(4, 3)).astype("float64")
    gold = rng.normal(size=(4, 3))
    found = numpy.array([True, False, True, True])
    for loss in ("cosine", "L2"):
        value, d_Y = vector_loss(gold, found, Y, loss)
        assert not d_Y[1].any()  # a word without a vector does not count
        eps = 1e-6
        for i, j in ((0, 0), (2, 1), (3, 2)):
            bumped = Y.copy()
            bumped[i, j] += eps
            numeric = (vector_loss(gold, found, bumped, loss)[0] - value) / eps
            assert d_Y[i, j] * len(Y) == pytest.approx(numeric, rel=1e-3, abs=1e-5), loss


# -- character targets ----------------------------------------------------------------------------

def test_character_targets_are_bytes_from_the_start_and_the_end(en):
    targets = CharacterTargets(en.vocab.strings, 4)
    rows = targets([en.make_doc("a élan walking cat"), en.make_doc("a")])
    assert rows.tolist() == [
        [97, 0, 0, 0],
        list("é".encode()) + list(b"an"),   # the first two bytes, the last two
        list(b"wa") + list(b"ng"),
        list(b"ca") + [0, 116],             # no byte counted twice
        [97, 0, 0, 0],
    ]
    assert CharacterTargets(en.vocab.strings, 3)([en.make_doc("walking")]).tolist() == \
        [list(b"wag")]


def test_training_hides_some_tokens_from_the_tok2vec(en):
    docs = [en.make_doc(line) for line in TEXT_SAMPLE.read_text().splitlines()[:80]]
    words = [t.text for doc in docs for t in doc]
    masked = mask_docs(docs, 1.0)
    assert [len(d) for d in masked] == [len(d) for d in docs]
    assert [d.text_with_ws.count(" ") for d in masked] == [d.text.count(" ") for d in docs]
    hidden = [t.text for doc in masked for t in doc]
    share = sum(w == MASK_TEXT for w in hidden) / len(words)
    assert 0.75 < share < 0.85
    assert [t.text for t in mask_docs(docs, 0.0)[0]] == [t.text for t in docs[0]]
    assert [t.text for doc in docs for t in doc] == words  # the originals are untouched


def test_character_loss_is_cross_entropy_per_byte():
    targets = numpy.array([[1, 2], [3, 0]], dtype=numpy.uint8)
    Y = numpy.zeros((2, 2 * 256), dtype="float32")
    loss, d_Y = character_loss(targets, Y)
    assert loss == pytest.approx(4 * numpy.log(256), rel=1e-5)  # uniform over 256 values
    assert d_Y.reshape(2, 2, 256)[0, 0, 1] == pytest.approx((1 / 256 - 1) / 2)
    Y.reshape(2, 2, 256)[0, 0, 1] = 20.0  # confident and right: that position costs ~0
    assert character_loss(targets, Y)[0] == pytest.approx(3 * numpy.log(256), rel=1e-3)


# -- bad input ------------------------------------------------------------------------------------

def test_bad_input_gives_coded_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"\[E801\].*--paths.raw_text"):
        pretrain(load_config_from_str(CONFIG), tmp_path / "out")
    with pytest.raises(ConfigError, match=r"\[E802\].*missing.jsonl"):
        pretrain(config_for(tmp_path, **{"paths.raw_text": str(tmp_path / "missing.jsonl")}),
                 tmp_path / "out")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf8")
    with pytest.raises(ValueError, match=r"\[E306\]"):
        pretrain(config_for(tmp_path, **{"paths.raw_text": str(empty)}), tmp_path / "out",
                 stderr=open(tmp_path / "err", "w"))
    with pytest.raises(ConfigError, match=r"\[E528\].*'encoder'"):
        pretrain(config_for(tmp_path, **{"pretraining.component": "encoder"}), tmp_path / "out")
    no_section = CONFIG.split("[pretraining]")[0]
    with pytest.raises(ConfigError, match=r"\[E800\].*fill-config"):
        pretrain(load_config_from_str(no_section), tmp_path / "out")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match=r"\[E808\]"):
        pretrain(config_for(tmp_path), tmp_path / "file")
    with pytest.raises(ValueError, match=r"\[E805\].*n_characters"):
        pretrain(config_for(tmp_path, **{"pretraining.objective.n_characters": 0}),
                 tmp_path / "out")
