# cython: language_level=3
"""The per-token C loops of Example (example.py): BILUO tags written into a reference Doc's
TokenC array, and gold values read from it through an alignment onto the predicted tokens.

A predicted (x) token gets a value only when it corresponds one-to-one to a reference (y)
token; everywhere else the value is None (missing).
"""
from libcpp.vector cimport vector

from ..attrs cimport attr_id_t, TAG, POS, LEMMA, MORPH, DEP, SENT_START, intify_attr
from ..structs cimport FP_IOB_MISSING, FP_IOB_O, FP_IOB_B, FP_IOB_I
from ..typedefs cimport attr_t
from ..tokens.doc cimport Doc
from ..tokens.token cimport token_get_attr
from .alignment cimport Alignment, AlignmentArray

from ..errors import Errors
from .nonproj import projectivize as projectivize_tree


cdef vector[int] _one_to_one(Alignment align) except *:
    """For each x token, the y token it matches one-to-one, or -1."""
    cdef AlignmentArray x2y = align.x2y
    cdef const int[:] x_len = x2y.lengths
    cdef const int[:] x_start = x2y.starts
    cdef const int[:] x_data = x2y.data
    cdef const int[:] y_len = align.y2x.lengths
    cdef int i, j, n = x_len.shape[0]
    cdef vector[int] out = vector[int](n, -1)
    for i in range(n):
        if x_len[i] == 1:
            j = x_data[x_start[i]]
            if y_len[j] == 1:
                out[i] = j
    return out


def aligned_values(Doc y, Alignment align, attr, bint as_string):
    """Values of attribute ``attr`` (a name or id) of y on the x tokens: None where there is no
    one-to-one y token or the value is unset (0 for TAG, POS, LEMMA, MORPH, DEP; for
    SENT_START, True, False or None), string keys decoded with ``as_string``."""
    cdef int attr_id = intify_attr(attr)
    cdef vector[int] one_to_one = _one_to_one(align)
    cdef int j
    cdef attr_t value
    cdef signed char sent_start
    cdef bint unset_is_missing = attr_id in (TAG, POS, LEMMA, MORPH, DEP)
    strings = y.vocab.strings
    values = []
    for j in one_to_one:
        if j == -1:
            values.append(None)
        elif attr_id == SENT_START:
            sent_start = <signed char>y.c[j].sent_start
            values.append(None if sent_start == 0 else sent_start == 1)
        else:
            value = token_get_attr(&y.c[j], <attr_id_t>attr_id)
            if value == 0 and unset_is_missing:
                values.append(None)
            else:
                values.append(strings.decode(value) if as_string else value)
    return values


def aligned_parse(Doc y, Alignment align, bint projectivize):
    """(heads, deps) of y's tree on the x tokens: head positions among the x tokens and label
    strings, None where y has no label, the tokenizations disagree or the head has no x token.
    With ``projectivize`` a complete y tree is made projective first (nonproj.projectivize)."""
    cdef int i, j, n_y = y.length
    strings = y.vocab.strings
    y_heads = [j + y.c[j].head if y.c[j].dep != 0 else None for j in range(n_y)]
    y_deps = [strings.decode(y.c[j].dep) if y.c[j].dep != 0 else None for j in range(n_y)]
    if projectivize and n_y and None not in y_heads:
        y_heads, y_deps = projectivize_tree(y_heads, y_deps)
    cdef vector[int] one_to_one = _one_to_one(align)
    cdef vector[int] x_of_y = vector[int](n_y, -1)
    for i in range(<int>one_to_one.size()):
        if one_to_one[i] != -1:
            x_of_y[one_to_one[i]] = i
    heads = []
    deps = []
    for j in one_to_one:
        head = y_heads[j] if j != -1 else None
        if head is None or x_of_y[<int>head] == -1:
            heads.append(None)
            deps.append(None)
        else:
            heads.append(x_of_y[<int>head])
            deps.append(y_deps[j])
    return heads, deps


def has_entity_annotation(Doc doc):
    """Whether any token of the Doc has an entity IOB code (B, I or O, not missing)."""
    cdef int i
    for i in range(doc.length):
        if doc.c[i].ent_iob != FP_IOB_MISSING:
            return True
    return False


def mark_missing_entities(Doc y, Alignment align, list tags):
    """Set ``tags[i]`` to "-" for each x token aligned to a y token whose entity annotation is
    missing; ``tags`` has one entry per x token and is changed in place."""
    cdef AlignmentArray x2y = align.x2y
    cdef const int[:] x_len = x2y.lengths
    cdef const int[:] x_start = x2y.starts
    cdef const int[:] x_data = x2y.data
    cdef int i, k, n = len(tags)
    if n > x_len.shape[0]:
        # Internal invariant, no user input: get_aligned_ner passes one tag per predicted token.
        raise IndexError(f"{n} entity tags for an alignment of {x_len.shape[0]} tokens")
    for i in range(n):
        for k in range(x_start[i], x_start[i] + x_len[i]):
            if y.c[x_data[k]].ent_iob == FP_IOB_MISSING:
                tags[i] = "-"
                break


def is_tag_list(list entities):
    """Whether ``entities`` is non-empty and holds only str and None: BILUO tags, not offsets."""
    if not entities:
        return False
    for entity in entities:
        if not (entity is None or isinstance(entity, str)):
            return False
    return True


def set_biluo(Doc doc, list tags, example_id):
    """Write BILUO tags ("-", "" or None = missing), one per token, into the Doc's IOB codes
    and entity types. ValueError naming the example for a wrong number of tags (E074), an
    invalid tag (E065) or an entity continued without being open (E067) or not closed (E068)."""
    cdef int i, n = doc.length
    cdef attr_t label = 0
    cdef bint open_ = False
    if len(tags) != n:
        raise ValueError(Errors.E074.format(n_tags=len(tags), n_words=n, id=example_id))
    strings = doc.vocab.strings
    where = f" of example {example_id!r}"
    for i in range(n):
        tag = tags[i]
        if tag is None or tag == "-" or tag == "":
            doc.c[i].ent_iob = FP_IOB_MISSING
            doc.c[i].ent_type = 0
            move = "-"
        elif tag == "O":
            doc.c[i].ent_iob = FP_IOB_O
            doc.c[i].ent_type = 0
            move = "O"
        else:
            if not isinstance(tag, str) or len(tag) < 3 or tag[1] != "-" or tag[0] not in "BILU":
                raise ValueError(Errors.E065.format(tag=tag, i=i, where=where))
            move = tag[0]
            if move in "BU":
                if open_:
                    raise ValueError(Errors.E068.format(i=i, where=where, context=""))
                label = strings.add(tag[2:])
                doc.c[i].ent_iob = FP_IOB_B
            else:
                if not open_ or strings[tag[2:]] != label:
                    raise ValueError(Errors.E067.format(tag=tag, i=i, where=where, context=""))
                doc.c[i].ent_iob = FP_IOB_I
            doc.c[i].ent_type = label
        if move in "BI":
            open_ = True
        elif open_ and move != "L":
            raise ValueError(Errors.E068.format(i=i, where=where, context=""))
        else:
            open_ = False
    if open_:
        raise ValueError(Errors.E068.format(i=n, where=where, context=""))
