"""The registered functions of the worked guide project: a training logger, a batch-size
schedule, a streaming corpus reader, a de-duplicating batcher, a tagger architecture and a
``before_creation`` callback.

They are written against spaCy v3's API as its training guide uses it, with ``spacy``
replaced by ``fastpipe``; ``config.cfg`` names them and ``fastpipe train config.cfg --code
functions.py`` imports this file first. Where the guide's own snippet does not run in spaCy
3.8 either, the working form is used and README.md says why.
"""
import random
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from thinc.api import Model, Relu, Softmax, chain, with_array
from thinc.types import Floats2d

import fastpipe
from fastpipe.language import Language
from fastpipe.tokens import Doc
from fastpipe.training import Example


# -- logger -------------------------------------------------------------------------------------

@fastpipe.registry.loggers("my_custom_logger.v1")
def custom_logger(log_path: str):
    """A tab-separated table at ``log_path``: one row per evaluation with the step, the
    weighted dev score and each component's summed training loss."""

    def setup_logger(nlp: Language, stdout=None, stderr=None) -> Tuple[Callable, Callable]:
        # The loop passes the output streams as well (spaCy 3.8 does too), so they are
        # accepted here even though this logger writes only its file.
        columns = ["step", "score"] + [f"loss_{name}" for name in nlp.pipe_names]
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        with Path(log_path).open("w", encoding="utf8") as file_:
            file_.write("\t".join(columns) + "\n")

        def log_step(info: Optional[Dict[str, Any]]):
            if info is None:  # a step without an evaluation: nothing to record
                return
            losses = info["losses"]
            row = [str(info["step"]), str(info["score"])]
            row += [str(losses.get(name, 0.0)) for name in nlp.pipe_names]
            with Path(log_path).open("a", encoding="utf8") as file_:
                file_.write("\t".join(row) + "\n")

        def finalize():
            pass

        return log_step, finalize

    return setup_logger


# -- batch-size schedule ------------------------------------------------------------------------

@fastpipe.registry.schedules("my_custom_schedule.v1")
def my_custom_schedule(start: int = 1, factor: float = 1.001):
    """An endless geometric series: start, start * factor, start * factor ** 2, ..."""
    value = start
    while True:
        yield value
        value = value * factor


# -- streaming reader ---------------------------------------------------------------------------

def read_custom_data(source: str) -> Iterator[Dict[str, Any]]:
    """The sentences of a CoNLL-U file (the English-EWT samples in ``examples/data``), each as
    words, spaces, fine-grained tags, entity character offsets (from the ``NER=`` IOB2 tags in
    the MISC column) and one text category: QUESTION when the sentence ends in a question mark,
    else OTHER. Multiword-token lines only contribute their SpaceAfter; empty nodes are skipped."""
    sentence: List[List[str]] = []
    with Path(source).open(encoding="utf8") as file_:
        for line in file_:
            line = line.rstrip("\n")
            if not line:
                if sentence:
                    yield _sentence_record(sentence)
                sentence = []
            elif not line.startswith("#"):
                sentence.append(line.split("\t"))
    if sentence:
        yield _sentence_record(sentence)


def _misc(fields: List[str]) -> Dict[str, str]:
    return dict(item.split("=", 1) for item in fields[9].split("|") if "=" in item)


def _sentence_record(rows: List[List[str]]) -> Dict[str, Any]:
    words, spaces, tags, iob = [], [], [], []
    range_end, range_space = 0, True
    for fields in rows:
        token_id = fields[0]
        if "." in token_id:
            continue
        if "-" in token_id:
            range_end = int(token_id.split("-")[1])
            range_space = _misc(fields).get("SpaceAfter") != "No"
            continue
        misc = _misc(fields)
        if int(token_id) < range_end:
            space = False
        elif int(token_id) == range_end:
            space = range_space
        else:
            space = misc.get("SpaceAfter") != "No"
        words.append(fields[1])
        spaces.append(space)
        tags.append(fields[4])
        iob.append(misc.get("NER", "O"))
    spaces[-1] = False
    starts, text = [], ""
    for word, space in zip(words, spaces):
        starts.append(len(text))
        text += word + (" " if space else "")
    entities = []
    for i, tag in enumerate(iob):
        if tag.startswith("B-"):
            end = i
            while end + 1 < len(iob) and iob[end + 1] == "I-" + tag[2:]:
                end += 1
            entities.append((starts[i], starts[end] + len(words[end]), tag[2:]))
    question = text.rstrip().endswith("?")
    return {"text": text, "words": words, "spaces": spaces, "starts": starts, "tags": tags,
            "entities": entities, "cats": {"QUESTION": float(question), "OTHER": float(not question)}}


def _variant(record: Dict[str, Any]) -> Dict[str, Any]:
    """The record with one random character of its text upper-cased (words rebuilt to match)."""
    text = record["text"]
    i = random.randint(0, len(text) - 1)
    if len(text[i].upper()) != 1:  # "ß" -> "SS" would shift every later offset
        return record
    variant = text[:i] + text[i].upper() + text[i + 1:]
    words = [variant[start:start + len(word)] for start, word in zip(record["starts"], record["words"])]
    return dict(record, text=variant, words=words)


@fastpipe.registry.readers("corpus_variants.v1")
def stream_data(source: str, make_variants: bool = True) -> Callable[[Language], Iterator[Example]]:
    """A reader that streams Examples from ``source``, each text (with ``make_variants``) a
    random one-letter variation of the original, so that every epoch sees slightly new data."""

    def generate_stream(nlp: Language) -> Iterator[Example]:
        for record in read_custom_data(source):
            if make_variants:
                record = _variant(record)
            doc = nlp.make_doc(record["text"])
            annotations = {key: record[key] for key in ("words", "spaces", "tags", "entities", "cats")}
            yield Example.from_dict(doc, annotations)

    return generate_stream


# -- batcher ------------------------------------------------------------------------------------

@fastpipe.registry.batchers("filtering_batch.v1")
def filter_batch(size: Union[int, Iterable[float]]) -> Callable[[Iterable[Example]], Iterator[List[Example]]]:
    """Batches of ``size`` Examples in which no two share a text: an Example whose text is
    already in the batch being filled is dropped. ``size`` is a number or a schedule (any
    iterator of numbers, such as ``my_custom_schedule.v1``), read once per batch."""

    def create_filtered_batches(examples: Iterable[Example]) -> Iterator[List[Example]]:
        sizes = iter(lambda: size, None) if isinstance(size, (int, float)) else iter(size)
        target = max(1, int(next(sizes)))
        batch: List[Example] = []
        texts = set()
        for eg in examples:
            if eg.text in texts:
                continue
            batch.append(eg)
            texts.add(eg.text)
            if len(batch) >= target:
                yield batch
                batch, texts = [], set()
                target = max(1, int(next(sizes)))
        if batch:
            yield batch

    return create_filtered_batches


# -- architecture -------------------------------------------------------------------------------

@fastpipe.registry.architectures("custom_neural_network.v1")
def MyModel(output_width: int) -> Model[List[Doc], List[Floats2d]]:
    """A tagger model of its own: hash embeddings with a CNN (the registered
    ``spacy.HashEmbedCNN.v2``), then a hidden ReLU layer of ``output_width`` and a softmax
    whose width (the number of tags) is left unset: the tagger sets it at initialize."""
    return create_model(output_width)


def create_model(output_width: int) -> Model[List[Doc], List[Floats2d]]:
    make_tok2vec = fastpipe.registry.architectures.get("spacy.HashEmbedCNN.v2")
    tok2vec = make_tok2vec(width=64, depth=2, embed_size=2000, window_size=1, maxout_pieces=3,
                           subword_features=True, pretrained_vectors=None)
    return chain(tok2vec, with_array(chain(Relu(nO=output_width), Softmax())))


# -- creation callback --------------------------------------------------------------------------

@fastpipe.registry.callbacks("customize_language_data")
def create_callback(extra_stop_words: List[str] = [], debug: bool = False):
    """A ``before_creation`` callback: runs of hyphens at the end of a token split off as a
    suffix ("hello---" -> "hello", "---"), and ``extra_stop_words`` become stop words. With the
    defaults it is the guide's first, argument-free version."""

    def customize_language_data(lang_cls):
        # tuple(...) first: spaCy 3.8 keeps the suffixes in a list, which cannot be
        # concatenated with a tuple (fastpipe keeps a tuple; this line suits both).
        lang_cls.Defaults.suffixes = tuple(lang_cls.Defaults.suffixes) + (r"-+$",)
        # The stop words are a set: update() adds each word (add() would take the list
        # itself as one element, a TypeError, since a list is not hashable).
        lang_cls.Defaults.stop_words.update(extra_stop_words)
        if debug:
            print("Updated stop words and tokenizer suffixes")
        return lang_cls

    return customize_language_data
