"""Vectors: a pipeline's static word vectors, one float32 row per word, keyed by string hashes.

A table is a ``data`` array (rows, width) and a map from StringStore keys to rows; several keys
may share a row (after ``prune`` a dropped word points at the row of its nearest kept word),
and a row may have no key yet (free for ``add``). Models look up whole batches of tokens at a
time (``rows_of``, ``get_batch``), through a sorted copy of the keys and ``numpy.searchsorted``
that is rebuilt only after the table changes, so a lookup costs no Python call per token.

In floret mode (spaCy's ``mode="floret"``, tables trained by floret) no word has a row: a
word's vector is the mean of the rows its character n-grams hash to (``fastpipe._floret``), so
every word has one. Lookups by key then go through the strings, and whatever needs a row per
word (``add``, ``find``, ``prune``, ``most_similar``) is refused (E840).

The vocab owns the table (``Vocab.vectors``) and saves it inside its own file; on its own a
table is saved with ``to_disk`` (one file, written atomically) or ``to_bytes``.
"""
from pathlib import Path
from typing import Dict, Iterable, Iterator, Optional, Tuple, Union

import numpy
import srsly

from ._floret import MAX_HASH_COUNT, word_vectors
from .errors import Errors
from .strings import StringStore, hash_string
from .util import atomic_write

__all__ = ["Vectors", "cosine", "mean_vector", "norm"]

Key = Union[str, int]
#: "default": a row per word; "floret": every word's vector from its hashed character n-grams.
MODES = ("default", "floret")


def norm(vector: numpy.ndarray) -> float:
    """The Euclidean length of a vector."""
    return float(numpy.linalg.norm(vector))


def cosine(a: numpy.ndarray, b: numpy.ndarray) -> float:
    """The cosine of two vectors; 0.0 when either is all zeros (no direction to compare)."""
    lengths = norm(a) * norm(b)
    return float(numpy.dot(a, b)) / lengths if lengths else 0.0


def mean_vector(vectors: "Vectors", keys: numpy.ndarray) -> numpy.ndarray:
    """The mean of the vectors of ``keys`` (a uint64 array; zeros count for keys without a
    vector), as ``Doc.vector`` and ``Span.vector`` give it; zeros for no keys."""
    if not len(keys):
        return numpy.zeros((vectors.shape[1],), dtype=numpy.float32)
    return vectors.get_batch(keys).mean(axis=0)


def _unit_rows(data: numpy.ndarray) -> numpy.ndarray:
    """The rows of ``data`` scaled to length 1 (zero rows stay zero)."""
    norms = numpy.linalg.norm(data, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return data / norms


def floret_settings(minn: int = 0, maxn: int = 0, hash_count: int = 1, hash_seed: int = 0,
                    bow: str = "<", eow: str = ">") -> Dict[str, Union[int, str]]:
    """The floret settings, checked (E842): n-grams of ``minn`` to ``maxn`` characters (both 0:
    the whole word only), each hashed into ``hash_count`` (1-4) rows with ``hash_seed``."""
    checks = [
        ("minn", minn, isinstance(minn, int) and minn >= 0, "give a whole number of 0 or more"),
        ("maxn", maxn, isinstance(maxn, int) and maxn >= minn,
         f"give a whole number of at least minn ({minn})"),
        ("hash_count", hash_count, isinstance(hash_count, int)
         and 1 <= hash_count <= MAX_HASH_COUNT, "give 1, 2, 3 or 4"),
        ("hash_seed", hash_seed, isinstance(hash_seed, int) and 0 <= hash_seed < 2 ** 32,
         "give a whole number from 0 to 2**32 - 1"),
        ("bow", bow, isinstance(bow, str), "give a string"),
        ("eow", eow, isinstance(eow, str), "give a string"),
    ]
    for setting, value, ok, expected in checks:
        if not ok or isinstance(value, bool):
            raise ValueError(Errors.E842.format(setting=setting, value=value, expected=expected))
    return {"minn": minn, "maxn": maxn, "hash_count": hash_count, "hash_seed": hash_seed,
            "bow": bow, "eow": eow}


class Vectors:
    """A table of word vectors: ``vectors["apple"]`` (or by key) is the word's row of ``data``.

    Give ``shape`` for an empty table of that many free rows, or ``data`` (and ``keys``, the
    key or string of each row in order). ``strings`` is where string keys are added, the
    vocab's StringStore when the vocab makes the table. With ``mode="floret"``, ``data`` is a
    floret table (no keys) and the floret settings (``minn`` ... ``eow``) say how words are
    hashed into it.
    """

    def __init__(self, *, strings: Optional[StringStore] = None,
                 shape: Optional[Tuple[int, int]] = None, data=None,
                 keys: Optional[Iterable[Key]] = None, name: Optional[str] = None,
                 mode: str = "default", minn: int = 0, maxn: int = 0, hash_count: int = 1,
                 hash_seed: int = 0, bow: str = "<", eow: str = ">"):
        if mode not in MODES:
            raise ValueError(Errors.E841.format(mode=mode))
        self.strings = strings if strings is not None else StringStore()
        self.name = name
        self.mode = mode
        self.floret = floret_settings(minn, maxn, hash_count, hash_seed, bow, eow) \
            if mode == "floret" else None
        if self.floret is not None and keys is not None:
            raise ValueError(Errors.E840.format(what="map keys to rows"))
        if data is None:
            data = numpy.zeros(shape if shape is not None else (0, 0), dtype=numpy.float32)
        self._data = numpy.ascontiguousarray(data, dtype=numpy.float32)
        self.key2row: Dict[int, int] = {}
        self._lookup = None  # (sorted keys, their rows), rebuilt after a change
        for row, key in enumerate(keys if keys is not None else ()):
            self.add(key, row=row)

    # -- the table ------------------------------------------------------------------------------

    @property
    def data(self) -> numpy.ndarray:
        """The vectors, (rows, width) float32; writes to it change the table."""
        return self._data

    @property
    def shape(self) -> Tuple[int, int]:
        return self._data.shape

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def n_keys(self) -> int:
        """How many keys map to rows (may exceed the rows after pruning); -1 in floret mode,
        where every word has a vector and none a row (as spaCy counts it)."""
        return -1 if self.floret is not None else len(self.key2row)

    @property
    def is_full(self) -> bool:
        """Whether every row has a key already (``add`` without a row then grows the table);
        always in floret mode."""
        if self.floret is not None:
            return True
        return len(set(self.key2row.values())) >= self._data.shape[0]

    def _refuse_in_floret(self, what: str) -> None:
        if self.floret is not None:
            raise ValueError(Errors.E840.format(what=what))

    def __len__(self) -> int:
        return self._data.shape[0]

    def _key(self, key: Key) -> int:
        return hash_string(key) if isinstance(key, str) else int(key)

    def __contains__(self, key: Key) -> bool:
        if self.floret is not None:  # every word has a vector
            return True
        return self._key(key) in self.key2row

    def __getitem__(self, key: Key) -> numpy.ndarray:
        """The word's row (a view: writes change the table); in floret mode, its computed
        vector (a new array), which needs a key's string in ``strings``."""
        if self.floret is not None:
            word = key if isinstance(key, str) else self.strings[int(key)]
            return self._floret_vectors([word])[0]
        row = self.key2row.get(self._key(key))
        if row is None:
            raise KeyError(Errors.E720.format(key=key))
        return self._data[row]

    def __setitem__(self, key: Key, vector) -> None:
        self._refuse_in_floret("set a word's vector")
        row = self.key2row.get(self._key(key))
        if row is None:
            raise KeyError(Errors.E720.format(key=key))
        self._data[row] = self._checked(vector)

    def __iter__(self) -> Iterator[int]:
        return iter(self.key2row)

    def keys(self) -> Iterable[int]:
        return self.key2row.keys()

    def values(self) -> Iterator[numpy.ndarray]:
        """The rows that have at least one key, each once, in row order."""
        for row in sorted(set(self.key2row.values())):
            yield self._data[row]

    def items(self) -> Iterator[Tuple[int, numpy.ndarray]]:
        for key, row in self.key2row.items():
            yield key, self._data[row]

    def _checked(self, vector) -> numpy.ndarray:
        vector = numpy.asarray(vector, dtype=numpy.float32).reshape(-1)
        if vector.shape[0] != self._data.shape[1]:
            raise ValueError(Errors.E721.format(width=vector.shape[0], expected=self._data.shape[1]))
        return vector

    def add(self, key: Key, *, vector=None, row: Optional[int] = None) -> int:
        """Map ``key`` (a string is added to ``strings``) to ``row`` and set the row to
        ``vector`` when one is given. Without a row, a key already in the table keeps its row
        and a new key takes the first free row, growing the table when there is none (an empty
        table takes the width of the first vector). Returns the row."""
        self._refuse_in_floret("add a word")
        key = self.strings.add(key) if isinstance(key, str) else int(key)
        if vector is not None:
            if self._data.size == 0 and not self.key2row:  # an empty table takes the width
                self._data = numpy.zeros((0, numpy.size(vector)), dtype=numpy.float32)
            vector = self._checked(vector)
        if row is None:
            row = self.key2row.get(key)
            if row is None:
                row = self._free_row()
        elif not 0 <= row < self._data.shape[0]:
            raise ValueError(Errors.E722.format(row=row, n_rows=self._data.shape[0]))
        self.key2row[key] = row
        self._lookup = None
        if vector is not None:
            self._data[row] = vector
        return row

    def _free_row(self) -> int:
        used = set(self.key2row.values())
        for row in range(self._data.shape[0]):
            if row not in used:
                return row
        grown = numpy.zeros((max(1, 2 * self._data.shape[0]), self._data.shape[1]),
                            dtype=numpy.float32)
        grown[:self._data.shape[0]] = self._data
        row, self._data = self._data.shape[0], grown
        return row

    # -- lookups ------------------------------------------------------------------------------

    def find(self, *, key: Optional[Key] = None, keys: Optional[Iterable[Key]] = None,
             row: Optional[int] = None, rows: Optional[Iterable[int]] = None):
        """The row of ``key`` (-1 when missing), the rows of ``keys`` (an int array, -1 for
        missing ones), the keys of ``row`` (a list), or the keys of each of ``rows``."""
        self._refuse_in_floret("find a word's row")
        if key is not None:
            return self.key2row.get(self._key(key), -1)
        if keys is not None:
            keys = [self._key(k) for k in keys] if not isinstance(keys, numpy.ndarray) else keys
            return self.rows_of(numpy.asarray(keys, dtype=numpy.uint64))
        if row is not None:
            return [k for k, r in self.key2row.items() if r == row]
        if rows is not None:
            wanted = set(int(r) for r in rows)
            return [k for k, r in self.key2row.items() if r in wanted]
        return None

    def rows_of(self, keys: numpy.ndarray) -> numpy.ndarray:
        """The row of each of ``keys`` (a uint64 array), -1 where the table has none."""
        self._refuse_in_floret("give a word's row")
        if self._lookup is None:
            sorted_keys = numpy.fromiter(self.key2row.keys(), dtype=numpy.uint64,
                                         count=len(self.key2row))
            sorted_rows = numpy.fromiter(self.key2row.values(), dtype=numpy.int64,
                                         count=len(self.key2row))
            order = numpy.argsort(sorted_keys)
            self._lookup = (sorted_keys[order], sorted_rows[order])
        sorted_keys, sorted_rows = self._lookup
        keys = numpy.asarray(keys, dtype=numpy.uint64)
        if not len(sorted_keys):
            return numpy.full(keys.shape, -1, dtype=numpy.int64)
        at = numpy.searchsorted(sorted_keys, keys)
        at[at == len(sorted_keys)] = 0
        return numpy.where(sorted_keys[at] == keys, sorted_rows[at], -1)

    def has_vectors(self, keys: numpy.ndarray) -> numpy.ndarray:
        """Whether each of ``keys`` (a uint64 array) has a vector: a bool array (all true in
        floret mode)."""
        if self.floret is not None:
            return numpy.ones(len(keys), dtype=bool)
        return self.rows_of(keys) >= 0

    def get_batch(self, keys: numpy.ndarray) -> numpy.ndarray:
        """The vector of each of ``keys`` (a uint64 array), (len(keys), width), zeros for keys
        without one. In floret mode each distinct key's vector is computed once per call from
        its string (zeros for the empty string and for a key unknown to ``strings``)."""
        if self.floret is not None:
            return self._floret_batch(numpy.asarray(keys, dtype=numpy.uint64))
        rows = self.rows_of(keys)
        if not self._data.shape[0]:  # an empty table: take() has no row 0 to read
            return numpy.zeros((len(rows), self._data.shape[1]), dtype=self._data.dtype)
        out = self._data.take(numpy.maximum(rows, 0), axis=0)
        out[rows < 0] = 0.0
        return out

    def vector_of(self, key: Key) -> numpy.ndarray:
        """A copy of the vector of ``key``, or zeros when the table has none."""
        if self.floret is not None:
            return self._floret_batch(numpy.array([self._key(key)], dtype=numpy.uint64))[0]
        row = self.key2row.get(self._key(key))
        if row is None:
            return numpy.zeros((self._data.shape[1],), dtype=numpy.float32)
        return self._data[row].copy()

    def _floret_vectors(self, words) -> numpy.ndarray:
        settings = self.floret
        return word_vectors(list(words), self._data, settings["minn"], settings["maxn"],
                                    settings["hash_count"], settings["hash_seed"],
                                    settings["bow"], settings["eow"])

    def _floret_batch(self, keys: numpy.ndarray) -> numpy.ndarray:
        unique, inverse = numpy.unique(keys, return_inverse=True)
        strings = self.strings
        words = [strings[key] if key in strings else "" for key in unique.tolist()]
        return self._floret_vectors(words)[inverse.reshape(-1)]

    def most_similar(self, queries, *, batch_size: int = 1024, n: int = 1, sort: bool = True):
        """For each query vector, the ``n`` rows nearest by cosine: (keys, rows, scores), each
        (len(queries), n). A row's key is the first key mapped to it; 0 for a row with none."""
        self._refuse_in_floret("rank words by similarity")
        if n < 1:
            raise ValueError(Errors.E725.format(what="most_similar: n", least=1, value=n))
        queries = numpy.atleast_2d(numpy.asarray(queries, dtype=numpy.float32))
        row_keys = numpy.zeros(self._data.shape[0], dtype=numpy.uint64)
        for key, row in reversed(list(self.key2row.items())):
            row_keys[row] = key
        best_rows, best_scores = _nearest(_unit_rows(queries), _unit_rows(self._data), n,
                                          batch_size, sort)
        return row_keys[best_rows], best_rows, best_scores

    def prune(self, n_rows: int, *, batch_size: int = 1024) -> Dict[int, Tuple[int, float]]:
        """Keep the first ``n_rows`` rows (vectors files list the frequent words first) and map
        each key of a dropped row to its nearest kept row by cosine. Returns ``{dropped key:
        (the kept row's first key, cosine)}``."""
        self._refuse_in_floret("be pruned")
        if n_rows < 1:
            raise ValueError(Errors.E725.format(what="Pruning: the rows to keep", least=1,
                                                value=n_rows))
        if n_rows >= self._data.shape[0]:
            return {}
        kept_keys = numpy.zeros(n_rows, dtype=numpy.uint64)
        for key, row in reversed(list(self.key2row.items())):
            if row < n_rows:
                kept_keys[row] = key
        dropped = [(key, row) for key, row in self.key2row.items() if row >= n_rows]
        remap = {}
        if dropped:
            dropped_rows = numpy.array([row for _, row in dropped], dtype=numpy.int64)
            kept = _unit_rows(self._data[:n_rows])
            best, scores = _nearest(_unit_rows(self._data[dropped_rows]), kept, 1, batch_size,
                                    True)
            for (key, _), row, score in zip(dropped, best[:, 0], scores[:, 0]):
                self.key2row[key] = int(row)
                remap[key] = (int(kept_keys[row]), float(score))
        self._data = numpy.ascontiguousarray(self._data[:n_rows])
        self._lookup = None
        return remap

    # -- saving -------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        keys = numpy.fromiter(self.key2row.keys(), dtype=numpy.uint64, count=len(self.key2row))
        rows = numpy.fromiter(self.key2row.values(), dtype=numpy.int64, count=len(self.key2row))
        return srsly.msgpack_dumps({
            "mode": self.mode, "name": self.name, "shape": list(self._data.shape),
            "keys": keys.tobytes(), "rows": rows.tobytes(), "data": self._data.tobytes(),
            "floret": self.floret,
        })

    def from_bytes(self, data: bytes) -> "Vectors":
        try:
            msg = srsly.msgpack_loads(data)
            shape = tuple(int(d) for d in msg["shape"])
            table = numpy.frombuffer(msg["data"], dtype=numpy.float32).reshape(shape).copy()
            keys = numpy.frombuffer(msg["keys"], dtype=numpy.uint64)
            rows = numpy.frombuffer(msg["rows"], dtype=numpy.int64)
            mode, name = msg["mode"], msg["name"]
            floret = floret_settings(**(msg.get("floret") or {})) if mode == "floret" else None
            if len(keys) != len(rows) or (len(rows) and not 0 <= rows.min() <= rows.max()
                                          < shape[0]):
                raise ValueError("keys and rows do not match the table")
        except Exception as err:  # not msgpack, or msgpack of something else
            raise ValueError(Errors.E724.format(err=f"{type(err).__name__}: {err}")) from None
        if mode not in MODES:
            raise ValueError(Errors.E841.format(mode=mode))
        self.mode, self.name, self._data, self.floret = mode, name, table, floret
        self.key2row = dict(zip(keys.tolist(), rows.tolist()))
        self._lookup = None
        return self

    def to_disk(self, path: Union[str, Path]) -> None:
        with atomic_write(path) as f:
            f.write(self.to_bytes())

    def from_disk(self, path: Union[str, Path]) -> "Vectors":
        return self.from_bytes(Path(path).read_bytes())


def _nearest(queries: numpy.ndarray, table: numpy.ndarray, n: int, batch_size: int,
             sort: bool) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """Rows of ``table`` with the ``n`` highest dot products with each query (both already unit
    length), a batch of queries at a time: (rows, scores), each (len(queries), n)."""
    n = min(n, table.shape[0])
    best_rows = numpy.zeros((queries.shape[0], n), dtype=numpy.int64)
    best_scores = numpy.zeros((queries.shape[0], n), dtype=numpy.float32)
    for start in range(0, queries.shape[0], max(1, batch_size)):
        scores = queries[start:start + batch_size] @ table.T
        top = numpy.argpartition(-scores, n - 1, axis=1)[:, :n] if n < table.shape[0] else \
            numpy.tile(numpy.arange(table.shape[0]), (scores.shape[0], 1))
        top_scores = numpy.take_along_axis(scores, top, axis=1)
        if sort:
            order = numpy.argsort(-top_scores, axis=1, kind="stable")
            top = numpy.take_along_axis(top, order, axis=1)
            top_scores = numpy.take_along_axis(top_scores, order, axis=1)
        best_rows[start:start + len(top)] = top
        best_scores[start:start + len(top)] = top_scores
    return best_rows, best_scores
