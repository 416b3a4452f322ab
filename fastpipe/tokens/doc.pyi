"""Types of the compiled Doc (doc.pyx)."""
from typing import Any, Iterable, Iterator, Literal, Protocol, Sequence, SupportsIndex, overload

import numpy
from numpy.typing import ArrayLike, NDArray
from typing_extensions import disjoint_base

from ..vocab import Vocab
from .span import Span
from .token import Token

# An entity for Doc.ents / set_ents: a Span of the Doc or (label, start, end).
_Entity = Span | tuple[str | int, int, int]

# What similarity compares with: a Token, Span or Doc, or anything else with a vector.
class _HasVector(Protocol):
    @property
    def vector(self) -> NDArray[numpy.float32]: ...

@disjoint_base
class Doc:
    cats: dict[str, float]
    user_data: dict[Any, Any]
    spans: dict[str, list[Span]]
    tensor: Any
    def __init__(
        self,
        vocab: Vocab,
        words: list[str] | tuple[str, ...] | None = None,
        spaces: Sequence[bool] | None = None,
        *,
        tags: Sequence[str | None] | None = None,
        pos: Sequence[str | None] | None = None,
        lemmas: Sequence[str | None] | None = None,
        morphs: Sequence[str | None] | None = None,
        heads: Sequence[int | None] | None = None,
        deps: Sequence[str | None] | None = None,
        sent_starts: Sequence[bool | None] | None = None,
        ents: Sequence[str | None] | None = None,
    ) -> None: ...
    @property
    def vocab(self) -> Vocab: ...
    @property
    def length(self) -> int: ...
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, key: SupportsIndex, /) -> Token: ...
    @overload
    def __getitem__(self, key: slice, /) -> Span: ...
    def __iter__(self) -> Iterator[Token]: ...
    @property
    def text(self) -> str: ...
    @property
    def text_with_ws(self) -> str: ...
    def to_array(self, attrs: str | int | Sequence[str | int]) -> NDArray[numpy.uint64]: ...
    def from_array(self, attrs: str | int | Sequence[str | int], array: ArrayLike) -> Doc: ...
    def has_annotation(self, attr: str | int) -> bool: ...
    @property
    def ents(self) -> tuple[Span, ...]: ...
    @ents.setter
    def ents(self, spans: Iterable[_Entity]) -> None: ...
    def set_ents(
        self,
        entities: Iterable[_Entity],
        *,
        missing: Iterable[_Entity] | None = None,
        outside: Iterable[_Entity] | None = None,
        default: Literal["outside", "missing", "unmodified"] = "outside",
    ) -> None: ...
    @property
    def has_sents(self) -> bool: ...
    @property
    def sents(self) -> Iterator[Span]: ...
    def char_span(
        self,
        start_char: int,
        end_char: int,
        label: str | int = 0,
        alignment_mode: Literal["strict", "contract", "expand"] = "strict",
        kb_id: str | int = 0,
    ) -> Span | None: ...
    @property
    def vector(self) -> NDArray[numpy.float32]: ...
    @property
    def has_vector(self) -> bool: ...
    @property
    def vector_norm(self) -> float: ...
    def similarity(self, other: _HasVector) -> float: ...
    def copy(self) -> Doc: ...
    def to_json(self, underscore: Sequence[str] | None = None) -> dict[str, Any]: ...
    def to_bytes(self) -> bytes: ...
    def from_bytes(self, bytes_data: bytes | bytearray | memoryview) -> Doc: ...
