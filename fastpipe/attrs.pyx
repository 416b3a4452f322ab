# cython: language_level=3
"""Attribute ids from Python.

The ids are declared once, as the ``attr_id_t`` enum in attrs.pxd; Cython exposes that enum to
Python and the tables below are derived from it, never typed out a second time. intify_attr
is also callable from Cython (declared in attrs.pxd).
"""
from .errors import Errors

#: Name -> id, e.g. ``IDS["ORTH"]``.
IDS = {member.name: int(member.value) for member in attr_id_t}
#: Id -> name.
NAMES = {value: name for name, value in IDS.items()}
#: The ids that are lexical flags (stored as bits of LexemeC.flags).
FLAG_IDS = tuple(sorted(v for v in IDS.values() if 0 < v < 64))


cpdef int intify_attr(object attr) except -1:
    """Return the integer id of an attribute given by id or by (case-insensitive) name.

    Names may carry spaCy-style trailing underscores ("tag_" is TAG). Raises KeyError with the
    list of known names for anything else.
    """
    if isinstance(attr, bool):
        raise TypeError(Errors.E046.format(what=repr(attr)))
    if isinstance(attr, int):
        if attr not in NAMES:
            raise KeyError(Errors.E047.format(attr=attr, known=", ".join(sorted(IDS))))
        return attr
    if isinstance(attr, str):
        key = attr.upper().rstrip("_")
        if key not in IDS:
            raise KeyError(Errors.E048.format(attr=attr, known=", ".join(sorted(IDS))))
        return IDS[key]
    raise TypeError(Errors.E046.format(what=type(attr).__name__))


def intify_attrs(attrs):
    """Map a sequence of attribute names or ids to a tuple of ids."""
    if isinstance(attrs, (str, int)):
        return (intify_attr(attrs),)
    return tuple(intify_attr(a) for a in attrs)
