"""spaCy's registered names, for configs written by ``spacy init config`` to run unchanged.

``ALIASES`` is one table, ``(registry, spaCy's name, what builds it)``: a fastpipe registered
name where fastpipe's function has exactly spaCy's settings (names, defaults, types) and
meaning, or an adapter below where it does not. An adapter has spaCy's signature, so that
filling a config gives spaCy's settings, and honours every setting: it passes the setting on,
or refuses a value fastpipe cannot honour with one coded sentence naming the setting
(``config_schema.refuses``: config validation reports it with its section, before anything is
built). Names whose fastpipe function is registered by another module that may not have it
yet are skipped; ``MISSING`` lists them.

thinc's shared names are thinc's: registering ``Adam.v1`` here would replace thinc's own for
every user of thinc in the process. Instead ``registry.resolve`` builds ``Adam.v1`` with
``fastpipe.Adam.v1`` (the same settings, defaults and arithmetic, one fused pass per
parameter): ``RESOLVED_AS`` below, through ``registry.resolve_as``. ``registry.get`` and
filled configs keep thinc's name and function.

This module is imported last of the built-ins (``registry.BUILTIN_MODULES``).
"""
import json
import random
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Literal, Optional, Sequence, Union

from thinc.api import Model, glorot_uniform_init

from . import scorer  # noqa: F401  (registers the scorers the table names)
from .config_schema import refuses
from .errors import Errors
from .gold.augment import lower_case_example
from .gold.corpus import create_docbin_reader
from .ml.embed import MultiHashEmbed, StaticVectors
from .ml.parser_model import TransitionBasedParser
from .ml.tagger import build_tagger
from .ml.textcat import TextCatBOW
from .ml.encoder import MaxoutWindowEncoder
from .ml.tok2vec import HashEmbedCNN, Tok2Vec
from .pipeline.tok2vec import Tok2VecListener
from .registry import registry, resolve_as
from .training.batchers import (configure_batch_by_padded, configure_batch_by_sequence,
                                configure_batch_by_words)
from .training.loggers import console_table_logger

__all__ = ["ALIASES", "RESOLVED_AS", "SHARED_LAYERS", "MISSING", "register_aliases"]

# spaCy's batchers take a number or a sequence of them; fastpipe's also a schedule.
Size = Union[Sequence[int], int]


# ---------------------------------------------------------------------------------------------
# architectures

def multi_hash_embed_v2(width: int, attrs: Union[List[str], List[int], List[Union[int, str]]],
                        rows: List[int], include_static_vectors: bool) -> Model:
    """spacy.MultiHashEmbed.v2: include_static_vectors has no default; attributes may be ids."""
    return MultiHashEmbed(width=width, attrs=attrs, rows=rows,
                          include_static_vectors=include_static_vectors)


def tok2vec_listener_v1(width: int, upstream: str = "*") -> Model:
    """spacy.Tok2VecListener.v1: fastpipe.Tok2VecListener.v1 without its grad_factor (1)."""
    return Tok2VecListener(width, upstream)


def hash_embed_cnn_v2(*, width: int, depth: int, embed_size: int, window_size: int,
                      maxout_pieces: int, subword_features: bool,
                      pretrained_vectors: Optional[bool]) -> Model:
    """spacy.HashEmbedCNN.v2: fastpipe.HashEmbedCNN.v1 with spaCy's keyword-only settings;
    ``pretrained_vectors = true`` adds the static vectors to its embedding."""
    if not pretrained_vectors:
        return HashEmbedCNN(width=width, depth=depth, embed_size=embed_size,
                            window_size=window_size, maxout_pieces=maxout_pieces,
                            subword_features=subword_features)
    attrs, rows = ["NORM"], [embed_size]
    if subword_features:
        attrs, rows = attrs + ["PREFIX", "SUFFIX", "SHAPE"], rows + [embed_size // 2] * 3
    return Tok2Vec(MultiHashEmbed(width=width, attrs=attrs, rows=rows,
                                  include_static_vectors=True),
                   MaxoutWindowEncoder(width=width, window_size=window_size,
                                       maxout_pieces=maxout_pieces, depth=depth))


def static_vectors_v2(nO: Optional[int] = None, nM: Optional[int] = None, *,
                      dropout: Optional[float] = None, init_W: Callable = glorot_uniform_init,
                      key_attr: str = "ORTH") -> Model:
    """spacy.StaticVectors.v2: fastpipe.StaticVectors.v1, drawing its matrix with ``init_W``."""
    return StaticVectors(nO, nM, dropout=dropout, init_W=init_W, key_attr=key_attr)


def tagger_v2(tok2vec: Model, nO: Optional[int] = None, normalize=False) -> Model:
    """spacy.Tagger.v2: with ``normalize = false`` prediction gives logits (same tags)."""
    return build_tagger(tok2vec, nO, normalize=bool(normalize))


def transition_based_parser_v2(tok2vec: Model, state_type: Literal["parser", "ner"],
                               extra_state_tokens: bool, hidden_width: int,
                               maxout_pieces: int, use_upper: bool,
                               nO: Optional[int] = None) -> Model:
    """spacy.TransitionBasedParser.v2: every setting but nO is required, as in spaCy."""
    return TransitionBasedParser(tok2vec, state_type, extra_state_tokens=extra_state_tokens,
                                 hidden_width=hidden_width, maxout_pieces=maxout_pieces,
                                 use_upper=use_upper, nO=nO)


def textcat_bow_v2(exclusive_classes: bool, ngram_size: int, no_output_layer: bool,
                   nO: Optional[int] = None) -> Model:
    """spacy.TextCatBOW.v2: the bag of n-grams with v2's fixed table of 2**18 rows."""
    return TextCatBOW(exclusive_classes, ngram_size, no_output_layer, length=2 ** 18, nO=nO)


# ---------------------------------------------------------------------------------------------
# readers, batchers, loggers, augmenters, vectors

def corpus_v1(path: Optional[Path], gold_preproc: bool, max_length: int = 0, limit: int = 0,
              augmenter: Optional[Callable] = None) -> Callable:
    """spacy.Corpus.v1: fastpipe.Corpus.v1 in file order (spaCy's reader does not shuffle)."""
    return create_docbin_reader(path, gold_preproc=gold_preproc, max_length=max_length,
                                limit=limit, augmenter=augmenter)


@registry.readers("fastpipe.read_labels.v1")
def read_labels_v1(path: Union[str, Path], *, require: bool = False):
    """fastpipe.read_labels.v1 and spacy.read_labels.v1: the JSON labels file at ``path`` (a
    component's [initialize] labels, as either library's ``init labels`` writes it); None when
    it does not exist and ``require`` is false."""
    path = Path(path)
    if not path.exists():
        if require:
            raise ValueError(Errors.E535.format(path=path))
        return None
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except ValueError as err:
        raise ValueError(Errors.E536.format(path=path, err=err)) from None


def batch_by_words_v1(*, size: Size, tolerance: float, discard_oversize: bool,
                      get_length: Optional[Callable[[Any], int]] = None) -> Callable:
    """spacy.batch_by_words.v1: fastpipe.batch_by_words.v1 with spaCy's required settings."""
    return configure_batch_by_words(size, tolerance=tolerance,
                                    discard_oversize=discard_oversize, get_length=get_length)


def batch_by_padded_v1(*, size: Size, buffer: int, discard_oversize: bool,
                       get_length: Optional[Callable[[Any], int]] = None) -> Callable:
    """spacy.batch_by_padded.v1: fastpipe.batch_by_padded.v1 with spaCy's required settings."""
    return configure_batch_by_padded(size, buffer=buffer, discard_oversize=discard_oversize,
                                     get_length=get_length)


def batch_by_sequence_v1(size: Size, get_length: Optional[Callable[[Any], int]] = None
                         ) -> Callable:
    """spacy.batch_by_sequence.v1."""
    return configure_batch_by_sequence(size, get_length=get_length)


def console_logger_v1(progress_bar: bool = False) -> Callable:
    """spacy.ConsoleLogger.v1: the table, with a progress bar toward the next evaluation."""
    return console_table_logger(progress_bar="eval" if progress_bar else None)


def console_logger_v2(progress_bar: bool = False, console_output: bool = True,
                      output_file: Optional[Union[str, Path]] = None) -> Callable:
    """spacy.ConsoleLogger.v2: the table on the console or not, and a JSONL log file."""
    return console_table_logger(progress_bar="eval" if progress_bar else None,
                                console_output=console_output, output_file=output_file)


def console_logger_v3(progress_bar: Optional[str] = None, console_output: bool = True,
                      output_file: Optional[Union[str, Path]] = None) -> Callable:
    """spacy.ConsoleLogger.v3: progress_bar is null, "eval" or "train"."""
    return console_table_logger(progress_bar=progress_bar, console_output=console_output,
                                output_file=output_file)


def lower_case_v1(level: float) -> Callable[..., Iterator]:
    """spacy.lower_case.v1: each example is *replaced* by its lower-cased copy with
    probability ``level`` (fastpipe.lower_case.v1 adds the copy instead)."""
    if not 0.0 <= level <= 1.0:
        raise ValueError(Errors.E307.format(value=level))

    def augment(nlp, example) -> Iterator:
        if level > 0 and random.random() < level:
            yield lower_case_example(nlp, example)
        else:
            yield example

    return augment


def _always(value) -> bool:
    return True


@refuses(None, _always, Errors.E531)
def orth_variants_v1(level: float, lower: float, orth_variants: Dict[str, List[Dict]]
                     ) -> Callable:
    """spacy.orth_variants.v1: refused (E531), fastpipe has no orth-variant augmenter."""
    raise ValueError(Errors.E531)


@refuses(None, _always, Errors.E749)
def lookups_data_loader_v1(lang: str, tables: List[str]) -> Any:
    """spacy.LookupsDataLoader.v1: refused (E749), fastpipe ships no lookup tables."""
    raise ValueError(Errors.E749)


def vectors_v1() -> Callable[[Any], None]:
    """spacy.Vectors.v1: a function of the vocab that adds nothing, as every fastpipe vocab
    has its own (empty) table, which [initialize] vectors fills."""

    def create_vectors(vocab) -> None:
        return None

    return create_vectors


# ---------------------------------------------------------------------------------------------
# the table

#: (registry, spaCy's name, fastpipe's registered name or an adapter above)
ALIASES = [
    ("architectures", "spacy.Tok2Vec.v2", "fastpipe.Tok2Vec.v1"),
    ("architectures", "spacy.MultiHashEmbed.v2", multi_hash_embed_v2),
    ("architectures", "spacy.MaxoutWindowEncoder.v2", "fastpipe.MaxoutWindowEncoder.v1"),
    ("architectures", "spacy.MishWindowEncoder.v2", "fastpipe.MishWindowEncoder.v1"),
    ("architectures", "spacy.TorchBiLSTMEncoder.v1", "fastpipe.BiLSTMEncoder.v1"),
    ("architectures", "spacy.CharacterEmbed.v2", "fastpipe.CharacterEmbed.v1"),
    ("architectures", "spacy.Tok2VecListener.v1", tok2vec_listener_v1),
    ("architectures", "spacy.HashEmbedCNN.v2", hash_embed_cnn_v2),
    ("architectures", "spacy.StaticVectors.v2", static_vectors_v2),
    ("architectures", "spacy.Tagger.v2", tagger_v2),
    ("architectures", "spacy.TransitionBasedParser.v2", transition_based_parser_v2),
    ("architectures", "spacy.TextCatBOW.v3", "fastpipe.TextCatBOW.v1"),
    ("architectures", "spacy.TextCatBOW.v2", textcat_bow_v2),
    ("architectures", "spacy.TextCatEnsemble.v2", "fastpipe.TextCatEnsemble.v1"),
    ("architectures", "spacy.PretrainCharacters.v1", "fastpipe.PretrainCharacters.v1"),
    ("architectures", "spacy.PretrainVectors.v1", "fastpipe.PretrainVectors.v1"),
    ("readers", "spacy.Corpus.v1", corpus_v1),
    ("readers", "spacy.JsonlCorpus.v1", "fastpipe.JsonlCorpus.v1"),
    ("readers", "spacy.read_labels.v1", read_labels_v1),
    ("batchers", "spacy.batch_by_words.v1", batch_by_words_v1),
    ("batchers", "spacy.batch_by_sequence.v1", batch_by_sequence_v1),
    ("batchers", "spacy.batch_by_padded.v1", batch_by_padded_v1),
    ("loggers", "spacy.ConsoleLogger.v1", console_logger_v1),
    ("loggers", "spacy.ConsoleLogger.v2", console_logger_v2),
    ("loggers", "spacy.ConsoleLogger.v3", console_logger_v3),
    ("tokenizers", "spacy.Tokenizer.v1", "fastpipe.Tokenizer.v1"),
    ("augmenters", "spacy.lower_case.v1", lower_case_v1),
    ("augmenters", "spacy.orth_variants.v1", orth_variants_v1),
    ("vectors", "spacy.Vectors.v1", vectors_v1),
    ("misc", "spacy.levenshtein_compare.v1", "fastpipe.levenshtein_compare.v1"),
    ("misc", "spacy.LookupsDataLoader.v1", lookups_data_loader_v1),
    ("scorers", "spacy.tagger_scorer.v1", "fastpipe.tagger_scorer.v1"),
    ("scorers", "spacy.parser_scorer.v1", "fastpipe.parser_scorer.v1"),
    ("scorers", "spacy.ner_scorer.v1", "fastpipe.ner_scorer.v1"),
    ("scorers", "spacy.textcat_scorer.v1", "fastpipe.textcat_scorer.v1"),
    ("scorers", "spacy.textcat_scorer.v2", "fastpipe.textcat_scorer.v1"),
    ("scorers", "spacy.textcat_multilabel_scorer.v1", "fastpipe.textcat_multilabel_scorer.v1"),
    ("scorers", "spacy.textcat_multilabel_scorer.v2", "fastpipe.textcat_multilabel_scorer.v1"),
    ("scorers", "spacy.entity_ruler_scorer.v1", "fastpipe.entity_ruler_scorer.v1"),
    ("scorers", "spacy.senter_scorer.v1", "fastpipe.senter_scorer.v1"),
    ("scorers", "spacy.morphologizer_scorer.v1", "fastpipe.morphologizer_scorer.v1"),
    ("scorers", "spacy.lemmatizer_scorer.v1", "fastpipe.lemmatizer_scorer.v1"),
    ("architectures", "spacy.SpanCategorizer.v1", "fastpipe.SpanCategorizer.v1"),
    ("misc", "spacy.ngram_suggester.v1", "fastpipe.ngram_suggester.v1"),
    ("misc", "spacy.ngram_range_suggester.v1", "fastpipe.ngram_range_suggester.v1"),
    ("misc", "spacy.preset_spans_suggester.v1", "fastpipe.preset_spans_suggester.v1"),
    ("scorers", "spacy.spancat_scorer.v1", "fastpipe.spancat_scorer.v1"),
    ("architectures", "spacy.SpanFinder.v1", "fastpipe.SpanFinder.v1"),
    ("scorers", "spacy.span_finder_scorer.v1", "fastpipe.span_finder_scorer.v1"),
    ("misc", "spacy.first_longest_spans_filter.v1", "fastpipe.first_longest_spans_filter.v1"),
    ("misc", "spacy.prioritize_new_ents_filter.v1", "fastpipe.prioritize_new_ents_filter.v1"),
    ("misc", "spacy.prioritize_existing_ents_filter.v1",
     "fastpipe.prioritize_existing_ents_filter.v1"),
    ("scorers", "spacy.overlapping_labeled_spans_scorer.v1",
     "fastpipe.overlapping_labeled_spans_scorer.v1"),
    ("scorers", "spacy.attribute_ruler_scorer.v1", "fastpipe.attribute_ruler_scorer.v1"),
]

#: (registry, a name another package owns) -> the fastpipe function ``registry.resolve`` uses
RESOLVED_AS = {
    ("optimizers", "Adam.v1"): "fastpipe.Adam.v1",
}

#: spaCy's names in thinc's ``layers`` registry, which spaCy shares when both run in one
#: process: ``registry.resolve`` builds them with fastpipe's layer (RESOLVED_AS), and they are
#: registered (for filling configs) only where spaCy has not registered its own.
SHARED_LAYERS = {
    "spacy.mean_max_reducer.v1": "fastpipe.mean_max_reducer.v1",
    "spacy.LinearLogistic.v1": "fastpipe.LinearLogistic.v1",
}
RESOLVED_AS.update({("layers", name): target for name, target in SHARED_LAYERS.items()})

#: The (registry, spaCy name) pairs whose fastpipe function was not registered at import.
MISSING: List[tuple] = []


def register_aliases() -> None:
    """Register every name of ``ALIASES`` that has its fastpipe function (the others go to
    ``MISSING``) and every ``RESOLVED_AS`` substitution."""
    for reg_name, spacy_name, target in ALIASES:
        reg = getattr(registry, reg_name)
        if isinstance(target, str):
            if target not in reg.get_all():
                MISSING.append((reg_name, spacy_name))
                continue
            target = reg.get(target)
        reg.register(spacy_name, func=target)
    for name, target in SHARED_LAYERS.items():
        if name not in registry.layers.get_all():
            registry.layers.register(name, func=registry.layers.get(target))
    for (reg_name, name), fastpipe_name in RESOLVED_AS.items():
        resolve_as(reg_name, name, fastpipe_name)


register_aliases()
