"""Types of the compiled Tokenizer (tokenizer.pyx)."""
from os import PathLike
from typing import Any, Iterable, Iterator, Mapping, Sequence

from typing_extensions import disjoint_base

from .tokens.doc import Doc
from .vocab import Vocab

# A special case's pieces: {"ORTH": text} with an optional {"NORM": norm}.
_Pieces = Sequence[Mapping[str, str]]

RULE_KEYS: tuple[str, ...]
MAX_CACHE_ENTRIES: int
URL_PAIRS: dict[str, str]

@disjoint_base
class Tokenizer:
    def __init__(
        self,
        vocab: Vocab,
        prefixes: Iterable[str] | None = None,
        suffixes: Iterable[str] | None = None,
        infixes: Iterable[str] | None = None,
        special_cases: Mapping[str, _Pieces] | None = None,
        token_match: str | None = None,
        url_match: str | None = None,
    ) -> None: ...
    @classmethod
    def from_lang_data(cls, vocab: Vocab, data: Any) -> Tokenizer: ...
    @property
    def vocab(self) -> Vocab: ...
    @property
    def rules(self) -> dict[str, Any]: ...
    @property
    def special_cases(self) -> dict[str, list[dict[str, str]]]: ...
    def add_special_case(self, key: str, pieces: _Pieces) -> None: ...
    def __call__(self, text: str) -> Doc: ...
    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]: ...
    def to_bytes(self) -> bytes: ...
    def from_bytes(
        self, bytes_data: bytes, *, where: str | PathLike[str] = ...
    ) -> Tokenizer: ...
    def to_disk(self, path: str | PathLike[str]) -> None: ...
    def from_disk(self, path: str | PathLike[str]) -> Tokenizer: ...
