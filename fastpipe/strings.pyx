# cython: language_level=3
"""StringStore: every string of a pipeline, interned once and addressed by a 64-bit key.

Keys are murmurhash64 of the UTF-8 bytes (lone surrogates are kept with 'surrogatepass', so
every Python str can be stored). The empty string has key 0, which everywhere else means
"missing".
"""
from libc.string cimport memcpy
from libc.stdint cimport uint32_t
from murmurhash.mrmr cimport hash64
from preshed.maps cimport key_t, map_clear, map_iter
import srsly

from .errors import Errors
from .util import atomic_write

cdef enum:
    HASH_SEED = 1


cdef hash_t hash_utf8(const char* utf8, Py_ssize_t length) noexcept nogil:
    if length == 0:
        return 0
    cdef hash_t key = hash64(<void*>utf8, <int>length, HASH_SEED)
    return key if key != 0 else 1


cdef PreshMap compact_map(PreshMap table, size_t live):
    """``table``, or when removals left it mostly empty slots, a new table with the same
    entries. preshed marks a removed entry's slot deleted and counts it as filled until the
    table grows, so a table that memory zones keep adding to and removing from would double
    again and again; rebuilt once the dead slots outnumber the live entries, it stays near
    twice its live size."""
    if table.c_map.filled <= 2 * live + 1024:
        return table
    cdef PreshMap fresh = PreshMap(2 * live + 8)
    cdef int i = 0
    cdef key_t key
    cdef void* value
    while map_iter(table.c_map, &i, &key, &value):
        fresh.set(key, value)
    return fresh


cdef inline bytes _encode(str string):
    return string.encode("utf-8", "surrogatepass")


def hash_string(str string):
    """Return the 64-bit key of a string (0 for the empty string)."""
    cdef bytes utf8 = _encode(string)
    return hash_utf8(utf8, len(utf8))


cdef class StringStore:
    """Map strings to 64-bit keys and back.

    >>> strings = StringStore(["apple"])
    >>> key = strings.add("pear")
    >>> strings[key]
    'pear'
    """

    def __init__(self, strings=None):
        self.mem = Pool()
        self._map = PreshMap()
        self._keys = []
        if strings is not None:
            if isinstance(strings, (str, bytes)):
                raise TypeError(Errors.E009)
            for string in strings:
                self.add(string)

    cdef hash_t intern_utf8(self, const char* utf8, Py_ssize_t length) except? 0:
        cdef hash_t key = hash_utf8(utf8, length)
        if key == 0 or self._map.get(key) != NULL:
            return key
        if length > 0x7FFFFFFF:
            raise ValueError(Errors.E002.format(length=length))
        cdef unsigned char* buf = <unsigned char*>self.mem.alloc(length + 4, 1)
        cdef uint32_t n = <uint32_t>length
        memcpy(buf, &n, 4)
        memcpy(buf + 4, utf8, length)
        self._map.set(key, buf)
        if self._zone_keys is not None:
            self._zone_keys[key] = None
        else:
            self._keys.append(key)
        return key

    cdef const unsigned char* _get(self, hash_t key) noexcept nogil:
        return <const unsigned char*>self._map.get(key)

    cdef str decode(self, hash_t key):
        if key == 0:
            return ""
        cdef const unsigned char* buf = self._get(key)
        if buf == NULL:
            raise KeyError(Errors.E001.format(key=key))
        cdef uint32_t n
        memcpy(&n, buf, 4)
        return (<const char*>(buf + 4))[:n].decode("utf-8", "surrogatepass")

    def add(self, string):
        """Store a string and return its key."""
        if not isinstance(string, str):
            raise TypeError(Errors.E003.format(type=type(string).__name__))
        cdef bytes utf8 = _encode(string)
        return self.intern_utf8(utf8, len(utf8))

    def as_int(self, key):
        """Key of a string, or the key itself: accepts both str and int."""
        if isinstance(key, str):
            return hash_string(key)
        return int(key)

    def as_string(self, key):
        if isinstance(key, str):
            return key
        return self[key]

    def __getitem__(self, key):
        """str -> key (the string need not be stored); int -> stored str (KeyError if unknown)."""
        if isinstance(key, str):
            return hash_string(key)
        if isinstance(key, bool) or not isinstance(key, int):
            raise TypeError(Errors.E004.format(type=type(key).__name__))
        if key < 0 or key > 0xFFFFFFFFFFFFFFFF:
            raise KeyError(Errors.E001.format(key=key))
        return self.decode(<hash_t>key)

    def __contains__(self, key):
        cdef bytes utf8
        if isinstance(key, str):
            utf8 = _encode(key)
            key = hash_utf8(utf8, len(utf8))
        elif isinstance(key, bool) or not isinstance(key, int):
            return False
        if key == 0:
            return True
        if key < 0 or key > 0xFFFFFFFFFFFFFFFF:
            return False
        return self._get(<hash_t>key) != NULL

    def __len__(self):
        return len(self._keys) + (len(self._zone_keys) if self._zone_keys is not None else 0)

    def __iter__(self):
        for key in self.keys():
            yield self.decode(key)

    def keys(self):
        return list(self._keys) + (list(self._zone_keys) if self._zone_keys is not None else [])

    # -- memory zones: strings added inside one are released when it ends --------------------

    def _start_zone(self):
        """From now on new strings are transient, until ``_end_zone`` releases them (see
        ``Language.memory_zone``)."""
        if self._zone_keys is not None:
            raise RuntimeError(Errors.E645)
        self._zone_keys = {}

    def _end_zone(self):
        """Forget and free every string added since ``_start_zone``; the keys of the other
        strings stay as they were."""
        cdef hash_t key
        cdef void* buf
        keys, self._zone_keys = self._zone_keys or {}, None
        for key in keys:
            buf = map_clear(self._map.c_map, key)
            if buf != NULL:
                self.mem.free(buf)
        self._map = compact_map(self._map, len(self._keys))

    def _is_transient(self, hash_t key):
        """Whether ``key`` is a string the open memory zone will release."""
        return self._zone_keys is not None and key in self._zone_keys

    def __reduce__(self):
        return (StringStore, (list(self),))

    def to_bytes(self):
        """The strings as bytes; those of an open memory zone are left out, as they are about
        to be released."""
        return srsly.msgpack_dumps([_encode(self.decode(key)) for key in self._keys])

    def from_bytes(self, bytes_data):
        try:
            items = srsly.msgpack_loads(bytes_data)
        except Exception as err:
            raise ValueError(Errors.E005.format(what="StringStore", err=err)) from None
        if not isinstance(items, list) or not all(isinstance(s, bytes) for s in items):
            raise ValueError(Errors.E005.format(what="StringStore", err="expected a list of strings"))
        for utf8 in items:
            try:
                utf8.decode("utf-8", "surrogatepass")
            except UnicodeDecodeError as err:
                raise ValueError(Errors.E005.format(what="StringStore", err=err)) from None
            self.intern_utf8(utf8, len(utf8))
        return self

    def to_disk(self, path):
        with atomic_write(path) as f:  # a crash leaves the old file whole
            f.write(self.to_bytes())

    def from_disk(self, path):
        from pathlib import Path
        return self.from_bytes(Path(path).read_bytes())
