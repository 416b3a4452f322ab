"""The parameters of a pipeline as every worker sees them, and who owns which.

``node.id`` is a process-wide counter, so it cannot name a parameter across processes. A
``ParamTable`` names each parameter array by where it sits in the model tree instead:
``"<component>/<index of the node in model.walk()>:<node name>/<param name>"``. Workers built
from the same config walk the same trees and so agree on every key; a node shared by several
components (a tok2vec) gets the key of the first component that reaches it.

A large array (at least ``SPLIT_FLOATS`` floats: the hash-embedding table, which is most of a
tok2vec's parameters) is cut into ``n_blocks`` blocks of rows, keyed ``"<key>#<block>"``; each
block is a unit of ownership of its own, with its own optimizer state, so that no single worker
steps and broadcasts the whole table. A block is a view into the model's array.

``assign_owners`` gives every key to exactly one worker, the largest first, each to the worker
holding the fewest floats so far; ``reassign`` hands the keys of dead workers to the survivors
the same way. Both are deterministic, so every worker computes the same mapping without talking
to the others. Nothing here imports Ray.
"""
import hashlib
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy

from ..errors import Errors

__all__ = ["ParamTable", "assign_owners", "copy_rows", "reassign"]


#: Arrays with at least this many floats are cut into row blocks (one per worker).
SPLIT_FLOATS = 1 << 17


class ParamTable:
    """Stable keys for every parameter (or row block of one) of ``nlp``'s component models.

    ``parts[(node.id, name)]`` lists the ``(key, rows)`` pairs of the optimizer's local key
    (``rows`` a slice; the whole array when it is not cut); ``nodes[key]`` is the
    ``(node, name)`` pair; ``keys`` every key in walk order."""

    def __init__(self, nlp, n_blocks: int = 1, split_floats: int = SPLIT_FLOATS):
        self.keys: List[str] = []
        self.nodes: Dict[str, Tuple[object, str]] = {}
        self.rows: Dict[str, slice] = {}
        self.parts: Dict[Tuple[int, str], List[Tuple[str, slice]]] = {}
        self._local: Dict[str, Tuple[int, str]] = {}
        seen = set()
        for comp_name, proc in nlp.components:
            model = getattr(proc, "model", None)
            if model is None or not hasattr(model, "walk"):
                continue
            for index, node in enumerate(model.walk()):
                if node.id in seen:
                    continue
                seen.add(node.id)
                for name in node.param_names:
                    if not node.has_param(name):
                        continue
                    base = f"{comp_name}/{index}:{node.name}/{name}"
                    array = node.get_param(name)
                    parts = []
                    for i, rows in enumerate(_row_blocks(array, n_blocks, split_floats)):
                        key = base if rows == slice(None) else f"{base}#{i}"
                        self.keys.append(key)
                        self.nodes[key] = (node, name)
                        self.rows[key] = rows
                        self._local[key] = (node.id, name if key == base else f"{name}#{i}")
                        parts.append((key, rows))
                    self.parts[(node.id, name)] = parts

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: str) -> numpy.ndarray:
        """The parameter, or the view of its block of rows."""
        node, name = self.nodes[key]
        rows = self.rows[key]
        array = node.get_param(name)
        return array if rows == slice(None) else array[rows]

    def local_key(self, key: str) -> Tuple[int, str]:
        """The optimizer's key: ``(node.id, name)``, with ``#<block>`` added for a block."""
        return self._local[key]

    def sizes(self) -> Dict[str, int]:
        """Number of floats of every parameter array or block."""
        return {key: int(self.get(key).size) for key in self.keys}

    def nbytes(self) -> int:
        return sum(int(self.get(key).nbytes) for key in self.keys)

    def set(self, key: str, value) -> None:
        """Copy ``value`` into the parameter (or its block) in place: an array, or a list of
        arrays that stacked along the first axis make it (``copy_rows``). The value may be
        read-only, as arrays received from Ray's object store are; the model keeps its own
        writable array."""
        if isinstance(value, list):
            shape = (sum(piece.shape[0] for piece in value),) + value[0].shape[1:]
        else:
            shape = value.shape
        node, name = self.nodes[key]
        current = node.get_param(name)
        rows = self.rows[key]
        if rows == slice(None) and (current.shape != shape or not current.flags.writeable):
            current = numpy.empty(shape, dtype=current.dtype)
            node.set_param(name, copy_rows(value, current))
            return
        if not current.flags.writeable:
            current = numpy.array(current, copy=True)
            node.set_param(name, current)
        if current[rows].shape != shape:
            raise ValueError(Errors.E409.format(key=key, shape=shape,
                                                expected=current[rows].shape))
        copy_rows(value, current[rows])

    def whole_averages(self, averages: Optional[Dict]) -> Optional[Dict]:
        """The optimizer's parameter ``averages`` (keyed by ``local_key``), plus, for every
        array cut into blocks whose blocks all have averages, the blocks' rows put together
        under the array's own key, where ``model.use_params`` looks for them."""
        if not averages:
            return averages
        merged = dict(averages)
        for whole_key, parts in self.parts.items():
            if len(parts) < 2:
                continue
            blocks = [averages.get(self._local[key]) for key, _ in parts]
            if all(block is not None for block in blocks):
                merged[whole_key] = numpy.concatenate(blocks)
        return merged

    def fingerprint(self, keys: Optional[Iterable[str]] = None) -> str:
        """A hash of the keys, shapes and values: equal on workers whose weights are equal."""
        digest = hashlib.sha1()
        for key in (self.keys if keys is None else keys):
            array = numpy.ascontiguousarray(self.get(key))
            digest.update(key.encode("utf8"))
            digest.update(str(array.shape).encode("utf8"))
            digest.update(array.tobytes())
        return digest.hexdigest()

    def export(self, keys: Optional[Iterable[str]] = None) -> Dict[str, numpy.ndarray]:
        return {key: self.get(key).copy() for key in (self.keys if keys is None else keys)}


def copy_rows(value, out: numpy.ndarray) -> numpy.ndarray:
    """Write ``value`` into ``out``: an array of ``out``'s shape, or a list of consecutive row
    pieces of one (as messages carry a large array)."""
    if not isinstance(value, list):
        numpy.copyto(out, value)
        return out
    start = 0
    for piece in value:
        numpy.copyto(out[start:start + piece.shape[0]], piece)
        start += piece.shape[0]
    if start != out.shape[0]:
        raise ValueError(Errors.E410.format(n_rows=start, expected=out.shape[0]))
    return out


def _row_blocks(array, n_blocks: int, split_floats: int) -> List[slice]:
    """``[slice(None)]``, or ``n_blocks`` slices of rows about equal in size when the array
    has at least ``split_floats`` floats and as many rows as blocks."""
    rows = array.shape[0] if array.ndim >= 2 else 0
    if n_blocks <= 1 or array.size < split_floats or rows < n_blocks:
        return [slice(None)]
    bounds = [rows * i // n_blocks for i in range(n_blocks + 1)]
    return [slice(lo, hi) for lo, hi in zip(bounds, bounds[1:])]


def _greedy(keys: Sequence[str], sizes: Dict[str, int], ranks: Sequence[int],
            load: Optional[Dict[int, int]] = None) -> Dict[str, int]:
    load = dict(load or {r: 0 for r in ranks})
    for r in ranks:
        load.setdefault(r, 0)
    owners = {}
    # largest first; ties by key so every process orders alike
    for key in sorted(keys, key=lambda k: (-sizes[k], k)):
        rank = min(ranks, key=lambda r: (load[r], r))
        owners[key] = rank
        load[rank] += sizes[key]
    return owners


def assign_owners(sizes: Dict[str, int], ranks: Sequence[int]) -> Dict[str, int]:
    """``{key: owner rank}``: every key to one of ``ranks``, balancing the floats owned."""
    ranks = sorted(ranks)
    if not ranks:
        raise ValueError(Errors.E411)
    return _greedy(list(sizes), sizes, ranks)


def reassign(owners: Dict[str, int], sizes: Dict[str, int], alive: Sequence[int]
             ) -> Dict[str, int]:
    """The mapping after the workers not in ``alive`` died: their keys go to the survivors
    (the least loaded first); every other key keeps its owner."""
    alive = sorted(alive)
    if not alive:
        raise ValueError(Errors.E412)
    load = {r: 0 for r in alive}
    orphans = []
    for key, rank in owners.items():
        if rank in load:
            load[rank] += sizes[key]
        else:
            orphans.append(key)
    new = dict(owners)
    new.update(_greedy(orphans, sizes, alive, load))
    return new
