# cython: language_level=3
"""The rule-based tokenizer.

The text is cut into chunks at whitespace. Each chunk is looked up in a cache keyed by the hash
of its code points; a hit copies the cached lexeme pointers into the Doc without touching Python
objects. A miss runs the rules (special cases, token_match, prefixes, suffixes, url_match,
infixes) on the chunk and caches the result. A closing bracket or quote that pairs with one opened inside
a URL stays on it ("(see wiki/Python_(language))" keeps the inner ")").

Rules see the whole text: a chunk is matched with pattern.match/search(text, start, end), so
lookbehinds at a chunk's edge see the characters before it, and '^' matches only at the start of
the whole text. Since results are cached per chunk, rules must give the same result for a chunk
wherever it stands; write lookbehinds so they do not depend on what precedes the chunk.

Whitespace: one ' ' after a token is that token's trailing space; every other run of whitespace
is a token of its own (minus a final ' ', which becomes its trailing space). The tokens always
spell the input exactly.
"""
import re
from pathlib import Path

import srsly
from cpython.unicode cimport PyUnicode_READ, PyUnicode_KIND, PyUnicode_DATA
from cpython.mem cimport PyMem_Realloc, PyMem_Free
from murmurhash.mrmr cimport hash64
from preshed.maps cimport map_clear

from .errors import Errors
from .util import atomic_write
from .regex_check import unsafe_reason
from .strings cimport compact_map

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)

# Chunks longer than this, or splitting into more tokens, are not cached: a cap on the memory a
# stream of unusual text can pin.
cdef enum:
    MAX_CACHED_CHARS = 256
    MAX_CACHED_TOKENS = 64
    SUFFIX_WINDOW = 32       # suffix patterns are searched in the last SUFFIX_WINDOW characters
    MATCH_LIMIT = 2048       # token_match/url_match are not tried on longer stretches
MAX_CACHE_ENTRIES = 2_000_000

# Closing marks a URL may end in when it opened them itself, and their opening marks.
URL_PAIRS = {")": "(", "]": "[", "}": "{", "'": "'", '"': '"'}

RULE_KEYS = ("prefixes", "suffixes", "infixes", "token_match", "url_match", "special_cases")


def _compile(name, pieces, template):
    if not pieces:
        return None
    try:
        return re.compile(template.format("|".join(f"(?:{p})" for p in pieces)))
    except re.error as err:
        raise ValueError(Errors.E032.format(name=name, err=err)) from None


def _check_patterns(dict rules, where):
    """E644 for the first pattern of loaded rules that could backtrack exponentially: a
    tokenizer from a pipeline folder must not be able to hang the process. Checked once per
    pattern when the rules are read (cached), never while tokenizing."""
    for name in ("prefixes", "suffixes", "infixes", "token_match", "url_match"):
        pieces = rules[name] if isinstance(rules[name], list) else [rules[name]]
        for pattern in pieces:
            reason = unsafe_reason(pattern) if pattern else None
            if reason is not None:
                raise ValueError(Errors.E644.format(where=where, name=name, pattern=pattern,
                                                    reason=reason))


def _compile_one(name, pattern):
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as err:
        raise ValueError(Errors.E032.format(name=name, err=err)) from None


cdef class Tokenizer:
    """Split text into a Doc by whitespace, then by prefix, suffix and infix rules.

    ``Tokenizer(vocab, prefixes=[...], suffixes=[...], infixes=[...], special_cases={...},
    token_match=..., url_match=...)`` takes the tables of a LanguageData (see fastpipe.lang).
    """

    def __init__(self, Vocab vocab, prefixes=None, suffixes=None, infixes=None,
                 special_cases=None, token_match=None, url_match=None):
        if not isinstance(vocab, Vocab):
            raise TypeError(Errors.E034.format(type=type(vocab).__name__))
        self.vocab = vocab
        self._buf = NULL
        self._buf_len = 0
        self._set_rules({
            "prefixes": list(prefixes or []),
            "suffixes": list(suffixes or []),
            "infixes": list(infixes or []),
            "token_match": token_match,
            "url_match": url_match,
            "special_cases": dict(special_cases or {}),
        })

    def __dealloc__(self):
        PyMem_Free(self._buf)

    @classmethod
    def from_lang_data(cls, Vocab vocab, data):
        return cls(vocab, prefixes=data.prefixes, suffixes=data.suffixes, infixes=data.infixes,
                   special_cases=data.special_cases, token_match=data.token_match,
                   url_match=data.url_match)

    def _set_rules(self, dict rules, where=None):
        for key in RULE_KEYS:
            if key not in rules:
                raise ValueError(Errors.E032.format(name=key, err="missing from the rules"))
        for name in ("prefixes", "suffixes", "infixes"):
            if not all(isinstance(p, str) for p in rules[name]):
                raise ValueError(Errors.E032.format(name=name, err="expected a list of regex strings"))
        prefix_re = _compile("prefixes", rules["prefixes"], "(?:{})")
        suffix_re = _compile("suffixes", rules["suffixes"], "(?:{})$")
        infix_re = _compile("infixes", rules["infixes"], "(?:{})")
        token_match = _compile_one("token_match", rules["token_match"])
        url_match = _compile_one("url_match", rules["url_match"])
        if where is not None:
            _check_patterns(rules, where)
        specials = {}
        for key, pieces in rules["special_cases"].items():
            specials[key] = _check_special(key, pieces)
        self._prefix_re = prefix_re
        self._suffix_re = suffix_re
        self._infix_re = infix_re
        self._token_match = token_match
        self._url_match = url_match
        self._specials = specials
        self._max_special = max((len(k) for k in specials), default=0)
        self._rules = {k: (list(v) if isinstance(v, list) else (dict(v) if isinstance(v, dict) else v))
                       for k, v in rules.items() if k in RULE_KEYS}
        self._flush_cache()

    def _flush_cache(self):
        self.mem = Pool()
        self._cache = PreshMap()
        if self._zone_keys is not None:
            self._zone_keys = {}
        self._n_cached = 0

    @property
    def rules(self):
        """A copy of the rule tables (pattern pieces, special cases)."""
        return {k: (list(v) if isinstance(v, list) else (dict(v) if isinstance(v, dict) else v))
                for k, v in self._rules.items()}

    @property
    def special_cases(self):
        return dict(self._rules["special_cases"])

    def add_special_case(self, str key, pieces):
        """Always split ``key`` into ``pieces`` (dicts with "ORTH" and an optional "NORM")."""
        rules = self.rules
        rules["special_cases"][key] = list(pieces)
        self._set_rules(rules)

    # -- the hot path -------------------------------------------------------------------------

    def __call__(self, text):
        """Tokenize a str into a Doc whose text equals the input exactly."""
        if not isinstance(text, str):
            raise TypeError(Errors.E030.format(type=type(text).__name__))
        cdef str string = text
        cdef Doc doc = Doc(self.vocab)
        doc._set_text(string)
        cdef Py_ssize_t n = len(string)
        if n == 0:
            return doc
        doc.reserve(<int>(n // 5 + 8))
        cdef int kind = PyUnicode_KIND(string)
        cdef void* data = PyUnicode_DATA(string)
        cdef Py_ssize_t i = 0, start, ws_end
        cdef Py_UCS4 c
        while i < n:
            c = PyUnicode_READ(kind, data, i)
            if Py_UNICODE_ISSPACE(c):
                start = i
                while i < n and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
                    i += 1
                ws_end = i
                # a final ' ' of a longer run is the whitespace token's trailing space
                if ws_end - start > 1 and PyUnicode_READ(kind, data, ws_end - 1) == u' ':
                    ws_end -= 1
                self._emit_chunk(doc, string, start, ws_end, True)
                if ws_end < i:
                    doc.c[doc.length - 1].spacy = 1
                continue
            start = i
            while i < n and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
                i += 1
            self._emit_chunk(doc, string, start, i)
            if i < n and PyUnicode_READ(kind, data, i) == u' ':
                doc.c[doc.length - 1].spacy = 1
                i += 1
        return doc

    def pipe(self, texts, int batch_size=1000):
        for text in texts:
            yield self(text)

    cdef hash_t _hash_chunk(self, str text, Py_ssize_t start, Py_ssize_t end) except? 0:
        cdef Py_ssize_t length = end - start, j
        cdef void* new_buf
        if length > self._buf_len:
            new_buf = PyMem_Realloc(self._buf, length * sizeof(uint32_t))
            if new_buf == NULL:
                raise MemoryError()
            self._buf = <uint32_t*>new_buf
            self._buf_len = length
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        for j in range(length):
            self._buf[j] = PyUnicode_READ(kind, data, start + j)
        return hash64(self._buf, <int>(length * sizeof(uint32_t)), 0)

    cdef int _emit_cached(self, Doc doc, const CachedChunk* cached) except -1:
        cdef int k
        for k in range(cached.n):
            doc.push_back(cached.tokens[k].lex, 0)
            if cached.tokens[k].norm != 0:
                doc.c[doc.length - 1].norm = cached.tokens[k].norm
        return 0

    cdef int _emit_chunk(self, Doc doc, str text, Py_ssize_t start, Py_ssize_t end, bint whole=False) except -1:
        cdef hash_t key = 0
        cdef const CachedChunk* cached
        if end - start <= MAX_CACHED_CHARS:
            key = self._hash_chunk(text, start, end)
            cached = <const CachedChunk*>self._cache.get(key)
            if cached != NULL:
                return self._emit_cached(doc, cached)
        pieces = [(text[start:end], None)] if whole else self._split(text, start, end)
        cdef Py_ssize_t first = doc.length
        strings = self.vocab.strings
        for orth, norm in pieces:
            doc.push_back(self.vocab.get(orth), 0)
            if norm is not None:
                doc.c[doc.length - 1].norm = strings.add(norm)
        cdef int n_new = <int>(doc.length - first), k
        cdef CachedChunk* entry
        if key != 0 and n_new <= MAX_CACHED_TOKENS and self._n_cached < MAX_CACHE_ENTRIES:
            entry = <CachedChunk*>self.mem.alloc(1, sizeof(CachedChunk) + n_new * sizeof(TokenSpec))
            entry.n = n_new
            entry.tokens = <TokenSpec*>(<char*>entry + sizeof(CachedChunk))
            for k in range(n_new):
                entry.tokens[k].lex = doc.c[first + k].lex
                entry.tokens[k].norm = doc.c[first + k].norm
            self._cache.set(key, entry)
            self._n_cached += 1
            if self._zone_keys is not None:
                self._zone_keys[key] = None
        return 0

    # -- memory zones -----------------------------------------------------------------------------

    def _start_zone(self):
        """Note the chunks cached from now on, until ``_end_zone`` (``Language.memory_zone``)."""
        self._zone_keys = {}

    def _end_zone(self):
        """Drop the chunks cached inside the zone that point at a lexeme or string the vocab's
        zone will release (call before ``Vocab._end_zone``); the others stay cached."""
        cdef hash_t key
        cdef CachedChunk* entry
        cdef int k
        cdef Vocab vocab = self.vocab
        keys, self._zone_keys = self._zone_keys or {}, None
        strings = vocab.strings
        for key in keys:
            entry = <CachedChunk*>self._cache.get(key)
            if entry == NULL:
                continue
            for k in range(entry.n):
                if entry.tokens[k].lex.id >= vocab._zone_start >= 0 or (
                        entry.tokens[k].norm != 0 and strings._is_transient(entry.tokens[k].norm)):
                    map_clear(self._cache.c_map, key)
                    self.mem.free(entry)
                    self._n_cached -= 1
                    break
        self._cache = compact_map(self._cache, <size_t>self._n_cached)

    # -- the rules, for chunks not yet cached ---------------------------------------------------

    def _split(self, str text, Py_ssize_t start, Py_ssize_t end):
        """The (orth, norm-or-None) pieces of text[start:end]."""
        head = []
        tail = []
        specials = self._specials
        prefix_re = self._prefix_re
        suffix_re = self._suffix_re
        token_match = self._token_match
        cdef Py_ssize_t m_start, m_end, window
        while start < end:
            if end - start <= self._max_special:
                special = specials.get(text[start:end])
                if special is not None:
                    head.extend(special)
                    start = end
                    break
            if token_match is not None and end - start <= MATCH_LIMIT and token_match.fullmatch(text, start, end):
                head.append((text[start:end], None))
                start = end
                break
            if prefix_re is not None:
                match = prefix_re.match(text, start, end)
                if match is not None and match.end() > start:
                    m_end = match.end()
                    head.append((text[start:m_end], None))
                    start = m_end
                    continue
            if suffix_re is not None:
                window = max(start, end - SUFFIX_WINDOW)
                match = suffix_re.search(text, window, end)
                # a match reaching the window's left edge may be part of a longer run: widen
                while match is not None and match.start() == window and window > start:
                    window = max(start, end - 2 * (end - window))
                    match = suffix_re.search(text, window, end)
                if match is not None and match.start() < end:
                    m_start = match.start()
                    if self._closes_inside_url(text, start, m_start, end):
                        break
                    tail.append((text[m_start:end], None))
                    end = m_start
                    continue
            break
        if start < end:
            self._split_infixes(text, start, end, head)
        tail.reverse()
        head.extend(tail)
        return head

    cdef bint _closes_inside_url(self, str text, Py_ssize_t start, Py_ssize_t m_start,
                                 Py_ssize_t end) except -1:
        """Whether the suffix text[m_start:end] is one closing bracket or quote that pairs with
        one opened inside the rest of the chunk, and the chunk is a URL or address: then the
        mark belongs to it ("wiki/Python_(language)", "?q='a'") and suffix splitting stops.
        The counts come first, so the url_match regex runs only on such rare chunks."""
        if end - m_start != 1 or self._url_match is None or end - start > MATCH_LIMIT:
            return False
        closer = text[m_start]
        opener = URL_PAIRS.get(closer)
        if opener is None:
            return False
        if opener == closer:
            if text.count(closer, start, m_start) % 2 == 0:
                return False
        elif text.count(opener, start, m_start) <= text.count(closer, start, m_start):
            return False
        return self._url_match.fullmatch(text, start, end) is not None

    def _split_infixes(self, str text, Py_ssize_t start, Py_ssize_t end, list out):
        if self._url_match is not None and end - start <= MATCH_LIMIT and self._url_match.fullmatch(text, start, end):
            out.append((text[start:end], None))
            return
        if self._infix_re is None:
            out.append((text[start:end], None))
            return
        cdef Py_ssize_t pos = start, m_start, m_end
        for match in self._infix_re.finditer(text, start, end):
            m_start, m_end = match.span()
            if m_end == m_start:
                continue
            if m_start == start:
                continue  # nothing stands before it: not an infix
            if m_start > pos:
                out.append((text[pos:m_start], None))
            out.append((text[m_start:m_end], None))
            pos = m_end
        if pos < end:
            out.append((text[pos:end], None))

    # -- serialization ----------------------------------------------------------------------------

    def __reduce__(self):
        # pickled as its vocab and rule tables; the cache refills as it runs
        return (_tokenizer_from_rules, (type(self), self.vocab, self.rules))

    def to_bytes(self):
        return srsly.msgpack_dumps(self.rules)

    def from_bytes(self, bytes_data, *, where="the tokenizer's bytes"):
        """Read rules that ``to_bytes`` wrote; patterns that could hang on some text are
        refused (E644, naming ``where``)."""
        try:
            rules = srsly.msgpack_loads(bytes_data)
        except Exception as err:
            raise ValueError(Errors.E005.format(what="Tokenizer", err=err)) from None
        if not isinstance(rules, dict):
            raise ValueError(Errors.E005.format(what="Tokenizer", err="expected a dict of rules"))
        self._set_rules(rules, where)
        return self

    def to_disk(self, path):
        with atomic_write(path) as f:  # a crash leaves the old file whole
            f.write(self.to_bytes())

    def from_disk(self, path):
        return self.from_bytes(Path(path).read_bytes(), where=path)


def _tokenizer_from_rules(cls, vocab, rules):
    tokenizer = cls(vocab)
    tokenizer._set_rules(rules)
    return tokenizer


def _check_special(key, pieces):
    if not isinstance(key, str) or not key:
        raise ValueError(Errors.E031.format(key=key, pieces=pieces))
    out = []
    for piece in pieces:
        if not isinstance(piece, dict) or not isinstance(piece.get("ORTH"), str) or not piece["ORTH"]:
            raise ValueError(Errors.E031.format(key=key, pieces=pieces))
        norm = piece.get("NORM")
        out.append((piece["ORTH"], norm if isinstance(norm, str) and norm else None))
    if "".join(orth for orth, _ in out) != key:
        raise ValueError(Errors.E031.format(key=key, pieces=pieces))
    return out
