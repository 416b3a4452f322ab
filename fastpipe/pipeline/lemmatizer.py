"""lemmatizer: lemmas looked up in a table of the user's (fastpipe ships no tables).

``mode = "lookup"`` reads a ``lemma_lookup`` table (form -> lemma, as spaCy's lookup mode and
the spacy-lookups-data files have it) given when the component is initialized:
``[initialize.components.lemmatizer] lookups = "lemmas.json"`` (a JSON object of forms and
lemmas, or one holding it under "lemma_lookup"), a
``[initialize.components.lemmatizer.lookups.lemma_lookup]`` config section, a registered
function returning either, or a spaCy-style ``Lookups`` object in Python. A token's lemma is
its text's entry, or the text itself when the table has none. The table is saved with the
component. The rule-based modes need rule tables and are refused (E744). Settings, with spaCy's
meanings: ``mode``, ``overwrite`` (replace lemmas already set), ``scorer``; ``model`` is unused
and must be null.
"""
import json
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import numpy

from ..attrs import IDS
from ..errors import Errors
from ..registry import factory
from ..scorer import check_scorer, lemmatizer_score, run_scorer
from ._annotate import set_token_keys
from .base import Pipe

TABLE = "lemma_lookup"
_LEMMA = IDS["LEMMA"]


@factory("lemmatizer",
         default_config={"model": None, "mode": "lookup", "overwrite": False,
                         "scorer": {"@scorers": "fastpipe.lemmatizer_scorer.v1"}},
         default_score_weights={"lemma_acc": 1.0}, assigns=("token.lemma",))
def make_lemmatizer(nlp: Any, name: str, model: Any, mode: str, overwrite: bool,
                    scorer: Optional[Callable]) -> "Lemmatizer":
    return Lemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


def read_lemma_table(lookups, name: str) -> Dict[str, str]:
    """The form -> lemma table of ``lookups``: a JSON file's path, a map that is the table or
    holds it under "lemma_lookup", or an object with ``get_table`` (spaCy's ``Lookups``)."""
    where = "given"
    if isinstance(lookups, (str, Path)):
        where = f"in {lookups}"
        try:
            lookups = json.loads(Path(lookups).read_text(encoding="utf8"))
        except (OSError, ValueError) as err:
            raise ValueError(Errors.E748.format(name=name, path=lookups, err=err)) from None
    elif hasattr(lookups, "get_table"):
        lookups = {TABLE: dict(lookups.get_table(TABLE))}
    if not isinstance(lookups, dict):
        raise ValueError(Errors.E747.format(name=name, where=where,
                                            why=f"a {type(lookups).__name__}, not a map"))
    table = lookups[TABLE] if isinstance(lookups.get(TABLE), dict) else lookups
    for form, lemma in table.items():
        if not isinstance(form, str) or not isinstance(lemma, str):
            raise ValueError(Errors.E747.format(name=name, where=where,
                                                why=f"entry {form!r}: {lemma!r}"))
    return dict(table)


class Lemmatizer(Pipe):
    """Sets ``token.lemma`` from the lookup table (a form missing from it is its own lemma)."""

    def __init__(self, vocab, model: Any = None, name: str = "lemmatizer", *,
                 mode: str = "lookup", overwrite: bool = False,
                 scorer: Optional[Callable] = lemmatizer_score):
        if mode != "lookup":
            raise ValueError(Errors.E744.format(name=name, mode=mode))
        if model is not None:
            raise ValueError(Errors.E745.format(name=name))
        self.vocab = vocab
        self.name = name
        self.mode = mode
        self.overwrite = overwrite
        self.scorer = check_scorer(scorer, name)
        self.table: Optional[Dict[str, str]] = None
        self._lemma_keys: Dict[int, int] = {}

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp=None, lookups=None):
        if lookups is None:
            raise ValueError(Errors.E746.format(name=self.name))
        self._set_table(read_lemma_table(lookups, self.name))

    def _set_table(self, table: Dict[str, str]) -> None:
        strings = self.vocab.strings
        self.table = table
        self._lemma_keys = {strings.add(form): strings.add(lemma) for form, lemma in table.items()}

    def __call__(self, doc):
        if self.table is None:
            raise ValueError(Errors.E746.format(name=self.name))
        if len(doc):
            lemma_keys = self._lemma_keys
            orths = doc.to_array("ORTH").tolist()
            keys = numpy.fromiter((lemma_keys.get(key, key) for key in orths),
                                  dtype=numpy.uint64, count=len(orths))
            set_token_keys(doc, _LEMMA, keys, self.overwrite)
        return doc

    def score(self, examples, **kwargs):
        return run_scorer(self.scorer, examples, {"mode": self.mode, "overwrite": self.overwrite},
                          None, kwargs)

    def get_state(self):
        return {"mode": self.mode, "overwrite": self.overwrite, TABLE: self.table}

    def state_problem(self, state):
        problem = super().state_problem(state)
        table = state.get(TABLE) if problem is None else None
        if table is not None and not isinstance(table, dict):
            problem = f"its {TABLE} is a {type(table).__name__}, not a map"
        elif table is not None:
            try:
                read_lemma_table(table, self.name)
            except ValueError as err:
                problem = str(err)
        return problem

    def set_state(self, state):
        self.overwrite = state.get("overwrite", self.overwrite)
        if state.get(TABLE) is not None:
            self._set_table(dict(state[TABLE]))
