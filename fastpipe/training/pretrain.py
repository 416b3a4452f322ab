"""Pretraining: train a pipeline's tok2vec on raw text, as ``fastpipe pretrain`` runs it.

The config's ``[pretraining]`` section says what (spaCy's settings and names): the
``component`` (and ``layer``) whose model is the tok2vec, the ``objective`` that puts a head on
it (``fastpipe.ml.pretrain``), the ``corpus`` section of raw texts, its ``batcher``, the
``optimizer``, ``dropout``, ``max_epochs``, and when to save: the tok2vec's weights (its
``to_bytes``, with the optimizer's averages when it keeps them) go to ``model{epoch}.bin``
after each epoch (every ``n_save_epoch`` epochs and the last, when set), to
``model{epoch}_{batch}.bin`` every ``n_save_every`` batches, and to ``model-last.bin`` at the
end. ``[initialize] init_tok2vec`` loads any of them into the same component before training.

Every file is written whole or not at all (``util.atomic_write``); ``log.jsonl`` holds one line
per epoch (``epoch``, ``nr_word``, ``loss``: the running total, ``epoch_loss``, ``seconds``).
A filled [pretraining] section has every setting (``init fill-config --pretraining`` writes
spaCy's defaults, ``PRETRAINING_DEFAULTS``). A run resumes from a weights file
(``resume_path``) at ``epoch_resume`` (by default the epoch after the one in the file's name);
the log keeps the lines of the earlier epochs.
"""
import json
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Dict, Iterable, Iterator, List, Optional, Union

from thinc.api import Config, ConfigValidationError, fix_random_seed, set_dropout_rate

from ..config import config_error_from, config_to_str, dot_to_object, load_config_from_str
from ..config_schema import validate_config, with_defaults
from ..errors import ConfigError, Errors
from ..init_settings import init_vocab, tok2vec_ref
from ..language import Language
from ..registry import registry
from ..util import atomic_write, write_text_atomic
from .initialize import resolve_corpus

logger = logging.getLogger("fastpipe")

__all__ = ["pretrain", "PretrainResult", "pretraining_defaults", "with_pretraining",
           "PRETRAINING_DEFAULTS"]

#: What ``init fill-config --pretraining`` adds: spaCy's documented defaults for
#: [pretraining], with the raw text read from ``paths.raw_text`` by ``corpora.pretrain``.
PRETRAINING_DEFAULTS = """
[paths]
raw_text = null

[corpora]

[corpora.pretrain]
@readers = "spacy.JsonlCorpus.v1"
path = ${paths.raw_text}
min_length = 5
max_length = 500
limit = 0

[pretraining]
max_epochs = 1000
dropout = 0.2
n_save_every = null
n_save_epoch = null
component = "tok2vec"
layer = ""
corpus = "corpora.pretrain"

[pretraining.batcher]
@batchers = "spacy.batch_by_words.v1"
size = 3000
discard_oversize = false
tolerance = 0.2
get_length = null

[pretraining.objective]
@architectures = "spacy.PretrainCharacters.v1"
maxout_pieces = 3
hidden_size = 300
n_characters = 4

[pretraining.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 1e-8
learn_rate = 0.001
"""

LOG_NAME = "log.jsonl"
LAST_NAME = "model-last.bin"
#: The sentence that gives the model its shapes before the first batch.
SHAPE_TEXT = "Give the model a few words to infer its shapes."
PROGRESS_SECONDS = 10.0


def pretraining_defaults() -> Config:
    """``PRETRAINING_DEFAULTS`` as a Config, its ${...} references kept."""
    return load_config_from_str(PRETRAINING_DEFAULTS, where="the pretraining defaults")


def with_pretraining(config: Dict[str, Any]) -> Config:
    """``config`` with the pretraining defaults under it: what it sets wins, an empty
    [pretraining] gets every default."""
    return pretraining_defaults().merge(Config(config, is_interpolated=False))


@dataclass
class PretrainResult:
    """What a run did: the epochs it ran, the files it wrote, words and loss per epoch."""

    output_path: Path
    epochs: List[int] = field(default_factory=list)
    saved: List[Path] = field(default_factory=list)
    words: List[int] = field(default_factory=list)
    losses: List[float] = field(default_factory=list)


def pretrain(config: Dict[str, Any], output_dir: Union[str, Path], *,
             resume_path: Optional[Union[str, Path]] = None, epoch_resume: Optional[int] = None,
             skip_last: bool = False, where: str = "", stderr: Optional[IO] = None
             ) -> PretrainResult:
    """Pretrain the tok2vec that ``config`` (as loaded, references kept) names in its
    [pretraining] section and write its weights under ``output_dir`` (module docstring)."""
    stderr = stderr if stderr is not None else sys.stderr
    filled = _filled(config, where)
    settings = filled.get("pretraining")
    if not settings:
        raise ConfigError(Errors.E800.format(where=where or "CONFIG"))
    seed = filled["training"].get("seed")
    if seed is None:
        seed = (filled.get("system") or {}).get("seed")
    if seed is not None:
        fix_random_seed(seed)
    reader = _raw_text_reader(filled, settings["corpus"], where)
    output_dir = _output_folder(output_dir)
    nlp = _build_nlp(config, filled, where)
    P = _resolve(settings, where)
    tok2vec = tok2vec_ref(nlp, settings)
    model = P["objective"](nlp.vocab, tok2vec)
    model.initialize(X=[nlp.make_doc(SHAPE_TEXT)])
    set_dropout_rate(model, P["dropout"])
    start = 0
    if resume_path is not None:
        start = _resume(tok2vec, Path(resume_path), epoch_resume)
    write_text_atomic(output_dir / "config.cfg", config_to_str(config))
    run = _Run(model, tok2vec, P["optimizer"], output_dir, stderr,
               PretrainResult(output_path=output_dir), _earlier_log(output_dir, start))
    for epoch in range(start, P["max_epochs"]):
        run.epoch(epoch, P["batcher"](_docs(reader(nlp))), P["n_save_every"])
        if _saves_epoch(epoch, P["n_save_epoch"], P["max_epochs"]):
            run.save(f"model{epoch}.bin")
    if not skip_last:
        run.save(LAST_NAME)
    return run.result


def _filled(config: Dict[str, Any], where: str) -> Config:
    try:
        filled = with_defaults(Config(config, is_interpolated=False)).interpolate()
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None
    validate_config(filled, where=where, training=False)
    return filled


def _raw_text_reader(config: Dict[str, Any], corpus: str, where: str):
    """The reader of [pretraining] corpus, with a missing or absent path named (E801, E802)."""
    try:
        block = dot_to_object(config, corpus)
    except KeyError:
        block = None  # validation has named it
    if isinstance(block, dict) and "path" in block:
        if block["path"] is None:
            raise ConfigError(Errors.E801.format(corpus=corpus), where=where)
        if not Path(block["path"]).exists():
            raise ConfigError(Errors.E802.format(corpus=corpus, path=block["path"]),
                              where=where)
    return resolve_corpus(config, corpus, where=where)


def _output_folder(path: Union[str, Path]) -> Path:
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(Errors.E808.format(path=path))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _build_nlp(config: Dict[str, Any], filled: Dict[str, Any], where: str):
    """The pipeline the config describes, with [initialize] vectors in its vocab (for static
    vectors in the tok2vec and the vectors objective); its components stay uninitialized."""
    try:
        nlp = Language.from_config(Config(config, is_interpolated=False))
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None
    init_vocab(nlp, filled.get("initialize") or {})
    return nlp


def _resolve(settings: Dict[str, Any], where: str) -> Dict[str, Any]:
    try:
        return registry.resolve({"pretraining": settings})["pretraining"]
    except ConfigValidationError as err:
        raise config_error_from(err, where=where) from None


def _resume(tok2vec, path: Path, epoch_resume: Optional[int]) -> int:
    """Load the weights at ``path`` into the tok2vec; the epoch to start from."""
    if epoch_resume is None:
        match = re.fullmatch(r"model(\d+)\.bin", path.name)
        if match is None:
            raise ValueError(Errors.E807.format(path=path))
        epoch_resume = int(match.group(1)) + 1
    if epoch_resume < 0:
        raise ValueError(Errors.E809.format(value=epoch_resume))
    if not path.is_file():
        raise FileNotFoundError(Errors.E806.format(path=path, why="no such file"))
    try:
        tok2vec.from_bytes(path.read_bytes())
    except Exception as err:  # msgpack, thinc shape and key errors: the file does not fit
        raise ValueError(Errors.E806.format(
            path=path, why=f"the weights do not fit this tok2vec ({type(err).__name__}: {err})"))
    logger.info("Resuming from %s at epoch %d", path, epoch_resume)
    return epoch_resume


def _earlier_log(output_dir: Path, start: int) -> List[str]:
    """The lines of ``log.jsonl`` for the epochs before ``start`` (none on a fresh run)."""
    path = output_dir / LOG_NAME
    if not start or not path.is_file():
        return []
    kept = []
    for line in path.read_text(encoding="utf8").splitlines():
        try:
            if int(json.loads(line)["epoch"]) < start:
                kept.append(line)
        except (ValueError, KeyError, TypeError):
            continue
    return kept


def _docs(examples: Iterable) -> Iterator:
    """The Docs of a reader's items (Examples give their predicted Doc)."""
    for item in examples:
        yield getattr(item, "predicted", item)


def _saves_epoch(epoch: int, n_save_epoch: Optional[int], max_epochs: int) -> bool:
    return not n_save_epoch or epoch % n_save_epoch == 0 or epoch == max_epochs - 1


class _Run:
    """The state of a run: the model, where it writes, the totals and the log."""

    def __init__(self, model, tok2vec, optimizer, output_dir: Path, stderr: IO,
                 result: PretrainResult, log_lines: List[str]):
        self.model, self.tok2vec, self.optimizer = model, tok2vec, optimizer
        self.output_dir, self.stderr, self.result = output_dir, stderr, result
        self.log_lines = log_lines
        self.total_loss = 0.0
        self.total_words = 0
        if log_lines:
            last = json.loads(log_lines[-1])
            self.total_loss, self.total_words = float(last["loss"]), int(last["nr_word"])
        self.start = time.process_time()

    def epoch(self, epoch: int, batches: Iterable[List], n_save_every: Optional[int]) -> None:
        loss = 0.0
        words = 0
        shown = time.monotonic()
        for count, docs in enumerate(batches, 1):
            batch_loss, batch_words = self.update(docs)
            loss += batch_loss
            words += batch_words
            if n_save_every and count % n_save_every == 0:
                self.save(f"model{epoch}_{count}.bin")
            if time.monotonic() - shown >= PROGRESS_SECONDS:
                shown = time.monotonic()
                self.show(epoch, count, words, loss, final=False)
        self.total_loss += loss
        self.total_words += words
        self.result.epochs.append(epoch)
        self.result.words.append(words)
        self.result.losses.append(loss)
        self.show(epoch, None, words, loss, final=True)
        self.log_lines.append(json.dumps({
            "epoch": epoch, "nr_word": self.total_words, "loss": self.total_loss,
            "epoch_loss": loss, "seconds": round(time.process_time() - self.start, 3)}))
        write_text_atomic(self.output_dir / LOG_NAME, "\n".join(self.log_lines) + "\n")

    def update(self, docs: List):
        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return 0.0, 0
        Y, backprop = self.model.begin_update(docs)
        loss, d_Y = self.model.attrs["loss"](self.model, docs, Y)
        backprop(d_Y)
        self.model.finish_update(self.optimizer)
        self.optimizer.step_schedules()
        return loss, sum(len(doc) for doc in docs)

    def save(self, name: str) -> None:
        path = self.output_dir / name
        averages = getattr(self.optimizer, "averages", None)
        if averages:
            with self.model.use_params(averages):
                data = self.tok2vec.to_bytes()
        else:
            data = self.tok2vec.to_bytes()
        with atomic_write(path) as f:
            f.write(data)
        self.result.saved.append(path)

    def show(self, epoch: int, batch: Optional[int], words: int, loss: float,
             final: bool) -> None:
        seconds = max(time.process_time() - self.start, 1e-9)
        where = f"epoch {epoch}" + ("" if final else f", batch {batch}")
        per_word = loss / words if words else 0.0
        self.stderr.write(f"{where}: {words:,} words, loss {loss:.4g} ({per_word:.4f} a word), "
                          f"{self.total_words + (0 if final else words):,} words in all, "
                          f"{seconds:.1f} s CPU\n")
        self.stderr.flush()
