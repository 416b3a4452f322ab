# cython: language_level=3
"""Vocab: the lexemes (context-independent word types) of a pipeline, and its StringStore."""
from pathlib import Path

import srsly

from preshed.maps cimport map_clear

from .attrs cimport ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX
from .lexeme cimport Lexeme
from .strings cimport StringStore, compact_map, hash_utf8
from .typedefs cimport flags_t
from .attrs import FLAG_IDS, intify_attr
from .errors import Errors
from .util import atomic_write
from .vectors import Vectors


cdef class Vocab:
    """Owns the lexemes of a pipeline and the StringStore their attributes point into.

    ``lex_attr_getters`` maps attribute ids (or names) to functions ``str -> value`` that fill a
    new lexeme; flags take booleans, the others strings. They come from the language data.
    """

    def __cinit__(self, *args, **kwargs):
        self.mem = Pool()
        self.strings = StringStore()
        self._by_orth = PreshMap()
        self.lang = "xx"
        self.lex_attr_getters = {}
        self._zone_start = -1

    def __init__(self, strings=None, lang="xx", lex_attr_getters=None):
        if strings is not None and not isinstance(strings, StringStore):
            strings = StringStore(strings)
        if not isinstance(lang, str):
            raise TypeError(Errors.E026.format(type=type(lang).__name__))
        if strings is not None:
            self.strings = strings
        self.lang = lang
        self._lang_key = self.strings.add(lang)
        if lex_attr_getters is None:
            from .lang.lex_attrs import LEX_ATTRS
            lex_attr_getters = LEX_ATTRS
        self.lex_attr_getters = {intify_attr(k): v for k, v in dict(lex_attr_getters).items()}
        self.vectors = Vectors(strings=self.strings)

    def __len__(self):
        return self._lexemes.size()

    def __contains__(self, key):
        cdef attr_t orth
        if isinstance(key, str):
            orth = self.strings[key]
        elif isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 0xFFFFFFFFFFFFFFFF:
            orth = key
        else:
            return False
        return self._by_orth.get(orth) != NULL

    def __getitem__(self, key):
        """Lexeme for a string (created if new) or for the key of a stored string."""
        if isinstance(key, str):
            return Lexeme.from_ptr(self, self.get(key))
        if isinstance(key, int) and not isinstance(key, bool):
            if key < 0 or key > 0xFFFFFFFFFFFFFFFF:
                raise KeyError(Errors.E001.format(key=key))
            return Lexeme.from_ptr(self, self.get_by_orth(key))
        raise TypeError(Errors.E006.format(type=type(key).__name__))

    def __iter__(self):
        cdef size_t i
        for i in range(self._lexemes.size()):
            yield Lexeme.from_ptr(self, self._lexemes[i])

    cdef const LexemeC* get(self, str string) except NULL:
        cdef bytes utf8 = string.encode("utf-8", "surrogatepass")
        cdef attr_t orth = hash_utf8(utf8, len(utf8))
        cdef const LexemeC* lex = <const LexemeC*>self._by_orth.get(orth)
        if lex != NULL:
            return lex
        self.strings.intern_utf8(utf8, len(utf8))
        return self._new_lexeme(string, orth)

    cdef const LexemeC* get_by_orth(self, attr_t orth) except NULL:
        if orth == 0:
            raise KeyError(Errors.E008)
        cdef const LexemeC* lex = <const LexemeC*>self._by_orth.get(orth)
        if lex != NULL:
            return lex
        return self._new_lexeme(self.strings.decode(orth), orth)

    cdef const LexemeC* _new_lexeme(self, str string, attr_t orth) except NULL:
        cdef LexemeC* lex = <LexemeC*>self.mem.alloc(1, sizeof(LexemeC))
        lex.orth = orth
        lex.length = len(string)
        lex.lang = self._lang_key
        lex.id = <int>self._lexemes.size()
        getters = self.lex_attr_getters
        strings = self.strings
        lex.lower = strings.add(getters[LOWER](string)) if LOWER in getters else orth
        lex.norm = strings.add(getters[NORM](string)) if NORM in getters else lex.lower
        lex.shape = strings.add(getters[SHAPE](string)) if SHAPE in getters else 0
        lex.prefix = strings.add(getters[PREFIX](string)) if PREFIX in getters else 0
        lex.suffix = strings.add(getters[SUFFIX](string)) if SUFFIX in getters else 0
        cdef int flag_id
        lex.flags = 0
        for flag_id in FLAG_IDS:
            getter = getters.get(flag_id)
            if getter is not None and getter(string):
                lex.flags |= (<flags_t>1) << flag_id
        self._by_orth.set(orth, lex)
        self._lexemes.push_back(lex)
        return lex

    # -- memory zones: lexemes and strings made inside one are released when it ends -------------

    @property
    def in_memory_zone(self) -> bool:
        """Whether a memory zone is open (``Language.memory_zone``)."""
        return self._zone_start >= 0

    def _start_zone(self):
        """From now on new lexemes and strings are transient, until ``_end_zone``."""
        self.strings._start_zone()
        self._zone_start = <Py_ssize_t>self._lexemes.size()

    def _end_zone(self):
        """Free the lexemes and strings made since ``_start_zone`` (the tokenizer's cache
        entries pointing at them must be gone first: ``Tokenizer._end_zone``)."""
        cdef size_t i
        cdef const LexemeC* lex
        if self._zone_start < 0:
            return
        for i in range(<size_t>self._zone_start, self._lexemes.size()):
            lex = self._lexemes[i]
            map_clear(self._by_orth.c_map, lex.orth)
            self.mem.free(<void*>lex)
        self._lexemes.resize(<size_t>self._zone_start)
        self._by_orth = compact_map(self._by_orth, self._lexemes.size())
        self._zone_start = -1
        self.strings._end_zone()

    def __reduce__(self):
        return (_vocab_from_state, (self.lang, self.strings.to_bytes(), self.lex_attr_getters))

    # -- static word vectors (the table is ``self.vectors``) -------------------------------------

    @property
    def vectors_length(self):
        """The width of the word vectors (0 without any)."""
        return self.vectors.shape[1]

    def has_vector(self, orth):
        """Whether the word (a string or its key) has a vector."""
        return orth in self.vectors

    def get_vector(self, orth):
        """The word's vector (a string or its key), zeros when it has none."""
        return self.vectors.vector_of(orth)

    def set_vector(self, orth, vector):
        """Give the word (a string or its key) this vector, in a row of its own."""
        self.vectors.add(orth, vector=vector)

    def prune_vectors(self, nr_row, batch_size=1024):
        """Keep the first ``nr_row`` rows of the vectors; every other word takes the row of its
        nearest kept word. Returns ``{dropped word: (kept word, cosine)}``."""
        remap = self.vectors.prune(nr_row, batch_size=batch_size)
        strings = self.strings
        return {strings[key]: (strings[kept], score) for key, (kept, score) in remap.items()}

    def to_bytes(self):
        msg = {"lang": self.lang, "strings": self.strings.to_bytes()}
        if self.vectors.n_keys or self.vectors.size:
            msg["vectors"] = self.vectors.to_bytes()
        return srsly.msgpack_dumps(msg)

    def from_bytes(self, bytes_data):
        try:
            msg = srsly.msgpack_loads(bytes_data)
            strings = msg["strings"]
            lang = msg["lang"]
            vectors = msg.get("vectors")
        except Exception as err:
            raise ValueError(Errors.E005.format(what="Vocab", err=err)) from None
        self.strings.from_bytes(strings)
        self.vectors = Vectors(strings=self.strings)
        if vectors is not None:
            self.vectors.from_bytes(vectors)
        if lang != self.lang:
            self.lang = lang
            self._lang_key = self.strings.add(lang)
        return self

    def to_disk(self, path):
        with atomic_write(path) as f:  # a crash leaves the old file whole
            f.write(self.to_bytes())

    def from_disk(self, path):
        return self.from_bytes(Path(path).read_bytes())


def _vocab_from_state(lang, strings_bytes, lex_attr_getters):
    return Vocab(StringStore().from_bytes(strings_bytes), lang=lang, lex_attr_getters=lex_attr_getters)
