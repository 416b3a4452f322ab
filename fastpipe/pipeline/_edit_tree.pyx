# cython: language_level=3, boundscheck=False, wraparound=False
"""Edit trees: how a word form is rewritten into its lemma, as a small tree of edits that many
words share (Müller et al. 2015, "Joint lemmatization and morphological tagging with LEMMING").

A tree for (form, lemma) is built from their longest common substring: a *match* node keeps
that substring, remembering only how many characters of the form lie before and after it, and
holds a subtree for the prefixes and one for the suffixes (none where both are empty); where
the two strings share no character, a *substitution* node replaces the whole form by the
lemma. "walked" -> "walk" and "jumped" -> "jump" both give: keep all but the last two
characters, and replace those when they are exactly "ed" by "". Applying a tree to another
form fails when its substitutions do not find their strings or the form is too short.

Nodes are interned bottom-up in one table (``EditTrees``), so two trees with the same
structure are the same id. A tree's label, its text, is canonical JSON: a match node is
``[prefix_len, suffix_len, prefix_tree, suffix_tree]`` (null for no subtree), a substitution
``["old", "new"]``; ``[0,2,null,["ed",""]]`` is the tree above.
"""
import json

import numpy

from libc.stdint cimport int32_t, uint64_t
from libcpp.vector cimport vector

from ..structs cimport TokenC
from ..tokens.doc cimport Doc

cdef enum NodeKind:
    MATCH = 0
    SUBST = 1

cdef struct NodeC:
    # MATCH: a = prefix length, b = suffix length (in the form), c / d = the prefix / suffix
    # subtree or NO_NODE. SUBST: a / b = the ids of the replaced and replacing strings.
    int32_t kind
    int32_t a, b, c, d

cdef enum:
    NO_NODE = -1
    # the pair and prediction caches are emptied when they reach this many entries
    MAX_CACHE = 1 << 20


cdef class EditTrees:
    """An interning table of edit trees: ``add(form, lemma)`` gives the id of the tree that
    rewrites ``form`` into ``lemma``, ``apply(tree, form)`` the lemma it makes of a form (None
    when it does not fit), ``to_str`` / ``from_str`` a tree's canonical text."""

    cdef vector[NodeC] nodes
    cdef list strings          # the strings of substitution nodes, by id
    cdef dict string_ids       # string -> id
    cdef dict node_ids         # (kind, a, b, c, d) -> node id
    cdef dict pair_ids         # (form, lemma) -> tree id, so repeated training pairs cost a lookup
    cdef dict orth_pair_ids    # (orth key, lemma) -> tree id, the same for tokens of a Doc
    cdef dict text_ids         # a tree's text -> its id
    cdef dict lemma_cache      # (orth key, tree id) -> lemma or None, for prediction

    def __init__(self):
        self.strings = []
        self.string_ids = {}
        self.node_ids = {}
        self.pair_ids = {}
        self.orth_pair_ids = {}
        self.text_ids = {}
        self.lemma_cache = {}

    def __len__(self):
        return self.nodes.size()

    # -- building ---------------------------------------------------------------------------

    def add(self, str form, str lemma) -> int:
        """The id of the tree rewriting ``form`` into ``lemma`` (added when new)."""
        pair = (form, lemma)
        found = self.pair_ids.get(pair)
        if found is not None:
            return found
        tree = self._build(form, 0, len(form), lemma, 0, len(lemma))
        if len(self.pair_ids) >= MAX_CACHE:
            self.pair_ids.clear()
        self.pair_ids[pair] = tree
        return tree

    def add_doc(self, Doc doc, list lemmas):
        """The id of the tree from each token's text to its lemma in ``lemmas`` (one per
        token), -1 where the lemma is None or empty."""
        if len(lemmas) != doc.length:
            raise ValueError(f"{len(lemmas)} lemmas for a Doc of {doc.length} tokens")
        trees = numpy.full((doc.length,), -1, dtype=numpy.int32)
        cdef int32_t[:] out = trees
        cdef int i
        cdef object found, key, lemma  # typed: Cython 3.0's inference loops on them otherwise
        strings = doc.vocab.strings
        cache = self.orth_pair_ids
        if len(cache) >= MAX_CACHE:
            cache.clear()
        for i in range(doc.length):
            lemma = lemmas[i]
            if not lemma:
                continue
            key = (doc.c[i].lex.orth, lemma)
            found = cache.get(key)
            if found is None:
                found = self.add(strings[doc.c[i].lex.orth], lemma)
                cache[key] = found
            out[i] = found
        return trees

    cdef int _build(self, str form, Py_ssize_t f0, Py_ssize_t f1,
                    str lemma, Py_ssize_t l0, Py_ssize_t l1) except -2:
        cdef Py_ssize_t fi, li, length
        length = _longest_common(form, f0, f1, lemma, l0, l1, &fi, &li)
        if length == 0:
            return self._intern(SUBST, self._string_id(form[f0:f1]),
                                self._string_id(lemma[l0:l1]), 0, 0)
        cdef int prefix = NO_NODE, suffix = NO_NODE
        if fi > f0 or li > l0:
            prefix = self._build(form, f0, fi, lemma, l0, li)
        if fi + length < f1 or li + length < l1:
            suffix = self._build(form, fi + length, f1, lemma, li + length, l1)
        return self._intern(MATCH, fi - f0, f1 - fi - length, prefix, suffix)

    cdef int _string_id(self, str text) except -1:
        found = self.string_ids.get(text)
        if found is None:
            found = len(self.strings)
            self.strings.append(text)
            self.string_ids[text] = found
        return found

    cdef int _intern(self, int kind, int a, int b, int c, int d) except -1:
        key = (kind, a, b, c, d)
        found = self.node_ids.get(key)
        if found is not None:
            return found
        cdef NodeC node
        node.kind, node.a, node.b, node.c, node.d = kind, a, b, c, d
        self.nodes.push_back(node)
        tree = self.nodes.size() - 1
        self.node_ids[key] = tree
        return tree

    # -- applying ---------------------------------------------------------------------------

    def apply(self, int tree, str form):
        """The lemma tree ``tree`` makes of ``form``, or None when the tree does not fit it."""
        self._check(tree)
        pieces = []
        if not self._apply(tree, form, 0, len(form), pieces):
            return None
        return "".join(pieces)

    cdef bint _apply(self, int tree, str form, Py_ssize_t start, Py_ssize_t end,
                     list pieces) except -1:
        cdef NodeC node = self.nodes[tree]
        cdef str old
        if node.kind == SUBST:
            old = self.strings[node.a]
            if end - start != len(old) or not form.startswith(old, start):
                return False
            pieces.append(self.strings[node.b])
            return True
        # the kept middle was a non-empty common substring when the tree was built
        if node.a + node.b >= end - start:
            return False
        if node.c != NO_NODE and not self._apply(node.c, form, start, start + node.a, pieces):
            return False
        pieces.append(form[start + node.a:end - node.b])
        if node.d != NO_NODE and not self._apply(node.d, form, end - node.b, end, pieces):
            return False
        return True

    def lemma_keys(self, Doc doc, const int32_t[:, :] ranked, object backoff):
        """The StringStore key of each token's lemma: from the first tree of its row of
        ``ranked`` (tree ids, best first; -1 ends a row) that fits its text, else ``backoff``
        ("orth", "lower"), else the lemma the token already has (None)."""
        if ranked.shape[0] != doc.length:
            raise ValueError(f"{ranked.shape[0]} rows of trees for a Doc of {doc.length} tokens")
        strings = doc.vocab.strings
        keys = numpy.zeros((doc.length,), dtype=numpy.uint64)
        cdef uint64_t[:] out = keys
        cdef const TokenC* token
        cdef int i, k, tree
        cache = self.lemma_cache
        if len(cache) >= MAX_CACHE:
            cache.clear()
        for i in range(doc.length):
            token = &doc.c[i]
            lemma = None
            for k in range(ranked.shape[1]):
                tree = ranked[i, k]
                if tree < 0:
                    break
                cache_key = (token.lex.orth, tree)
                if cache_key in cache:
                    lemma = cache[cache_key]
                else:
                    lemma = self.apply(tree, strings[token.lex.orth])
                    cache[cache_key] = lemma
                if lemma is not None:
                    break
            if lemma is not None:
                out[i] = strings.add(lemma)
            elif backoff == "orth":
                out[i] = token.lex.orth
            elif backoff == "lower":
                out[i] = token.lex.lower
            else:
                out[i] = token.lemma
        return keys

    # -- text -------------------------------------------------------------------------------

    def to_str(self, int tree) -> str:
        """The tree's canonical text (its label)."""
        self._check(tree)
        return json.dumps(self._to_json(tree), ensure_ascii=False, separators=(",", ":"))

    cdef object _to_json(self, int tree):
        if tree == NO_NODE:
            return None
        cdef NodeC node = self.nodes[tree]
        if node.kind == SUBST:
            return [self.strings[node.a], self.strings[node.b]]
        return [node.a, node.b, self._to_json(node.c), self._to_json(node.d)]

    def from_str(self, str text) -> int:
        """The id of the tree written as ``text`` (``to_str``'s form); ValueError saying what
        is wrong when it is not one."""
        found = self.text_ids.get(text)
        if found is not None:
            return found
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError("it is not JSON") from None
        tree = self._from_json(value)
        if tree == NO_NODE:
            raise ValueError("it is null, not a tree")
        self.text_ids[text] = tree
        return tree

    cdef int _from_json(self, object value) except -2:
        if value is None:
            return NO_NODE
        if isinstance(value, list) and len(value) == 2 and all(isinstance(s, str) for s in value):
            return self._intern(SUBST, self._string_id(value[0]), self._string_id(value[1]), 0, 0)
        if (isinstance(value, list) and len(value) == 4
                and all(type(n) is int and n >= 0 for n in value[:2])):
            prefix = self._from_json(value[2])
            suffix = self._from_json(value[3])
            if value[0] and prefix == NO_NODE:
                raise ValueError(f"its match node {value} drops a prefix without a subtree")
            if value[1] and suffix == NO_NODE:
                raise ValueError(f"its match node {value} drops a suffix without a subtree")
            return self._intern(MATCH, value[0], value[1], prefix, suffix)
        raise ValueError(f"{json.dumps(value, ensure_ascii=False)} is neither a match node "
                         "[prefix_len, suffix_len, prefix_tree, suffix_tree] nor a "
                         "substitution [\"old\", \"new\"]")

    cdef int _check(self, int tree) except -1:
        if not 0 <= tree < <int>self.nodes.size():
            raise IndexError(f"no edit tree {tree} in a table of {self.nodes.size()} nodes")
        return 0


cdef Py_ssize_t _longest_common(str a, Py_ssize_t a0, Py_ssize_t a1, str b, Py_ssize_t b0,
                                Py_ssize_t b1, Py_ssize_t* a_start, Py_ssize_t* b_start) except -1:
    """The length of the longest substring a[a0:a1] and b[b0:b1] share, and where it starts
    in each (the first such place in a, then in b); 0 when they share no character."""
    cdef Py_ssize_t n = b1 - b0, i, j, best = 0
    cdef vector[Py_ssize_t] prev, cur
    prev.resize(n + 1, 0)
    cur.resize(n + 1, 0)
    a_start[0] = a0
    b_start[0] = b0
    for i in range(a1 - a0):
        for j in range(n):
            if a[a0 + i] == b[b0 + j]:
                cur[j + 1] = prev[j] + 1
                if cur[j + 1] > best:
                    best = cur[j + 1]
                    a_start[0] = a0 + i + 1 - best
                    b_start[0] = b0 + j + 1 - best
            else:
                cur[j + 1] = 0
        prev.swap(cur)
    return best
