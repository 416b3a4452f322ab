from cymem.cymem cimport Pool
from preshed.maps cimport PreshMap

from .typedefs cimport hash_t


cdef hash_t hash_utf8(const char* utf8, Py_ssize_t length) noexcept nogil
cdef PreshMap compact_map(PreshMap table, size_t live)


cdef class StringStore:
    cdef Pool mem            # owns every stored string buffer
    cdef PreshMap _map       # key -> length-prefixed UTF-8 buffer (borrowed from mem)
    cdef list _keys          # keys in insertion order, for iteration and serialization

    cdef hash_t intern_utf8(self, const char* utf8, Py_ssize_t length) except? 0
    cdef const unsigned char* _get(self, hash_t key) noexcept nogil
    cdef str decode(self, hash_t key)
    # added for memory zones (kept last: the fields and methods above are the C API)
    cdef dict _zone_keys     # keys added inside the open memory zone, in order (None: no zone)
