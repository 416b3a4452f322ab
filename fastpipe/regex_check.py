"""Whether a regular expression can make Python's backtracking engine take exponential time.

A tokenizer pattern from someone else's pipeline folder runs on every chunk of text; one like
``(a|a)*b`` or ``(\\w+\\s?)*$`` backtracks through 2^n ways of matching a run of n letters
before it fails, and ``nlp(text)`` never returns. Python's ``re`` has no time limit, so such
patterns are refused when a tokenizer is loaded (``unsafe_reason``); the check runs once per
pattern, never while tokenizing.

The check is the classic one for exponential ambiguity, on the position (Glushkov) automaton
of the pattern: each character class of the pattern is a state, and the pattern is unsafe when,
inside one loop, some text can go from a state back to itself along two different paths (two
states reachable on the same characters that both return, or one transition the automaton
gets twice, as nested repeats ``(a+)+`` give). It is conservative: lookarounds count as empty
there (each lookahead is checked as a pattern of its own), a back-reference counts as any
text, and long bounded repeats ``x{0,62}`` count as unbounded, so a pattern it passes cannot
blow up exponentially; polynomial backtracking (``\\w*\\w*x``) is not its concern.
"""
import sys
from functools import lru_cache
from typing import Dict, List, Optional, Set, Tuple

import numpy

if sys.version_info >= (3, 11):
    from re import _compiler as sre_compile
    from re import _constants as sre
    from re import _parser as sre_parse
else:  # pragma: no cover - the same modules under their old names
    import sre_compile
    import sre_constants as sre
    import sre_parse

#: Repeats with at most this many copies are unrolled; longer ones count as unbounded.
UNROLL = 6
#: Characters a class is tested on: the whole Basic Multilingual Plane but NUL, and a few
#: characters beyond it (letters, digits, symbols), so two classes overlap when they share any.
_POOL = "".join(map(chr, range(1, 0x10000))) + "\U00010000\U0001D7CE\U0001F600\U00020000\U000E0041"
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT} | ({sre.POSSESSIVE_REPEAT}
                                               if hasattr(sre, "POSSESSIVE_REPEAT") else set())
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)


@lru_cache(maxsize=4096)
def unsafe_reason(pattern: str) -> Optional[str]:
    """None when ``pattern`` cannot backtrack exponentially, else a short description of the
    loop that can (the pattern must compile)."""
    return _Checker().check(sre_parse.parse(pattern))


class _Checker:
    def __init__(self):
        self.items: List[Tuple[tuple, int]] = []       # each position's (item, flags)
        self.follow: List[Dict[int, int]] = []          # position -> {next position: ways}
        self.lookaheads: List = []

    def check(self, parsed) -> Optional[str]:
        self._sequence(parsed.data, parsed.state.flags)
        reason = self._ambiguous_loop()
        for body in self.lookaheads:
            reason = reason or _Checker().check(body)
        return reason

    # -- the position automaton -------------------------------------------------------------
    # A fragment is (first positions, last positions, ways to match the empty string), each
    # position with the number of ways (capped at 2) to reach it: `(a|a)` parses as `a(?:|)`,
    # whose two empty branches are two ways through it.

    def _position(self, item, flags):
        self.items.append((item, flags))
        self.follow.append({})
        n = len(self.items) - 1
        return {n: 1}, {n: 1}, 0

    def _link(self, sources, targets):
        for s, m in sources.items():
            for t, k in targets.items():
                self.follow[s][t] = min(2, self.follow[s].get(t, 0) + m * k)

    def _sequence(self, items, flags):
        return self._concat([self._item(item, flags) for item in items])

    def _concat(self, fragments):
        first, last, empty = {}, {}, 1
        for f, l, e in fragments:
            self._link(last, f)
            first = _add(first, f, empty)
            last = _add(l, last, e)
            empty = min(2, empty * e)
        return first, last, empty

    def _item(self, item, flags):
        op, av = item
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
            return self._position(item, flags)
        if op is sre.SUBPATTERN:
            group, add, remove, body = av
            return self._sequence(body.data, (flags | add) & ~remove)
        if op is _ATOMIC:
            return self._sequence(av.data, flags)
        if op is sre.BRANCH:
            return self._union([body.data for body in av[1]], flags)
        if op is sre.GROUPREF_EXISTS:
            _, yes, no = av
            return self._union([yes.data, no.data if no is not None else []], flags)
        if op in _REPEATS:
            return self._repeat(av, flags)
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            direction, body = av
            if direction > 0:  # lookbehinds have a fixed width: no loop to check
                self.lookaheads.append(body)
            return {}, {}, 1
        if op is sre.AT:
            return {}, {}, 1
        # a back-reference (or anything else): any text, as a loop over any character
        first, last, _ = self._position((sre.ANY, None), flags | sre.SRE_FLAG_DOTALL)
        self._link(last, first)
        return first, last, 1

    def _union(self, bodies, flags):
        first, last, empty = {}, {}, 0
        for body in bodies:
            f, l, e = self._sequence(body, flags)
            first, last, empty = _add(first, f, 1), _add(last, l, 1), min(2, empty + e)
        return first, last, empty

    def _repeat(self, av, flags):
        low, high, body = av
        if high != sre.MAXREPEAT and high <= UNROLL:
            copies = [self._sequence(body.data, flags) for _ in range(high)]
            return self._concat(copies[:low] + [(f, l, min(2, e + 1)) for f, l, e in copies[low:]])
        mandatory = [self._sequence(body.data, flags)] if low else []
        # the engine stops repeating after an iteration that matched nothing, so the loop goes
        # back only from a non-empty iteration, and skipping it is one way to match nothing
        first, last, _ = self._sequence(body.data, flags)
        self._link(last, first)
        return self._concat(mandatory + [(first, last, 1)])

    # -- ambiguity inside loops ---------------------------------------------------------------

    def _ambiguous_loop(self) -> Optional[str]:
        for component in _strong_components(self.follow):
            if len(component) == 1:
                (n,) = component
                if self.follow[n].get(n, 0) > 1:
                    return f"a repeat can go round {self._show(n)} in two ways"
                if n not in self.follow[n]:
                    continue
            reason = self._two_paths(component)
            if reason:
                return reason
        return None

    def _two_paths(self, component: Set[int]) -> Optional[str]:
        """Two different paths inside the loop over the same text: a transition taken two
        ways, or a pair of different states reachable together from one state that both get
        back to one state."""
        for s in component:
            for t, ways in self.follow[s].items():
                if ways > 1 and t in component:
                    return f"a repeat can go on to {self._show(t)} in two ways"
        overlap = _Overlaps(self.items)
        succ: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
        pred: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
        start = [(n, n) for n in component]
        seen, todo = set(start), list(start)
        while todo:
            a, b = pair = todo.pop()
            nexts = [(x, y) for x in self.follow[a] if x in component
                     for y in self.follow[b] if y in component
                     and (x == y or overlap(x, y))]
            succ[pair] = nexts
            for nxt in nexts:
                pred.setdefault(nxt, []).append(pair)
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        back, todo = set(start), list(start)
        while todo:
            for prev in pred.get(todo.pop(), ()):
                if prev not in back:
                    back.add(prev)
                    todo.append(prev)
        for a, b in seen & back:
            if a != b:
                return f"{self._show(a)} and {self._show(b)} can match the same text in one repeat"
        return None

    def _show(self, n: int) -> str:
        item = self.items[n][0]
        if item[0] is sre.LITERAL:
            return repr(chr(item[1]))
        return "a character class" if item[0] is not sre.ANY else "'.'"


def _add(into: Dict[int, int], more: Dict[int, int], times: int) -> Dict[int, int]:
    """``into`` plus ``times`` times ``more``, counts capped at 2."""
    out = dict(into)
    for n, k in more.items():
        if times:
            out[n] = min(2, out.get(n, 0) + k * times)
    return out


class _Overlaps:
    """Whether two positions' character classes share a character (tested on _POOL)."""

    def __init__(self, items):
        self.items = items
        self.masks: Dict[int, numpy.ndarray] = {}

    def __call__(self, x: int, y: int) -> bool:
        return bool(numpy.any(self._mask(x) & self._mask(y)))

    def _mask(self, n: int) -> numpy.ndarray:
        if n not in self.masks:
            item, flags = self.items[n]
            self.masks[n] = _class_mask(repr(item), flags, item)
        return self.masks[n]


def _class_mask(key: str, flags: int, item) -> numpy.ndarray:
    cached = _MASKS.get((key, flags))
    if cached is None:
        state = sre_parse.State()
        state.flags = flags
        if item[1] is None:  # a back-reference's any character
            item = (sre.ANY, None)
        one = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
        marked = one.sub("\x00", _POOL)
        codes = numpy.frombuffer(marked.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
        cached = _MASKS[(key, flags)] = codes == 0
    return cached


_MASKS: Dict[Tuple[str, int], numpy.ndarray] = {}


def _strong_components(follow: List[Dict[int, int]]) -> List[Set[int]]:
    """Tarjan's strongly connected components of the position graph, iteratively."""
    index: Dict[int, int] = {}
    low: Dict[int, int] = {}
    stack: List[int] = []
    on_stack: Set[int] = set()
    out: List[Set[int]] = []
    counter = 0
    for root in range(len(follow)):
        if root in index:
            continue
        work = [(root, iter(follow[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(follow[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    out.append(component)
    return out
