"""Entity and character-offset helpers of Doc, in plain Python over Doc.to_array/from_array.

Doc's methods (set_ents, the ``ents=`` constructor argument, char_span) delegate here: the work
is a few vectorized array operations, so it needs no compiled code.
"""
import numpy

from ..attrs import IDS, NAMES
from ..errors import Errors

IOB_MISSING, IOB_I, IOB_O, IOB_B = 0, 1, 2, 3
ALIGNMENT_MODES = ("strict", "contract", "expand")
DEFAULTS = ("outside", "missing", "unmodified")
# What Doc.from_array can set (lexical attributes come from the vocab), and which are string keys.
STRING_VALUED = frozenset(IDS[n] for n in ("ORTH", "NORM", "LEMMA", "TAG", "POS", "MORPH", "DEP",
                                           "ENT_TYPE", "ENT_KB_ID"))
SETTABLE = STRING_VALUED | {IDS[n] for n in ("ENT_IOB", "HEAD", "SENT_START", "SPACY")}


def as_span(doc, item):
    """An entity given as a Span of ``doc`` or a (label, start, end) tuple, as a non-empty Span."""
    from .span import Span

    if isinstance(item, Span):
        if item.doc is not doc:
            raise ValueError(Errors.E051.format(what=f"Entity span {item!r}"))
        span = item
    elif isinstance(item, tuple) and len(item) == 3:
        label, start, end = item
        span = Span(doc, start, end, label=label)
    else:
        raise TypeError(Errors.E052.format(item=item))
    if not len(span):
        raise ValueError(Errors.E053.format(item=item))
    return span


def set_ents(doc, entities, missing=None, outside=None, default="outside"):
    """See Doc.set_ents. Validates everything before writing anything."""
    if default not in DEFAULTS:
        raise ValueError(Errors.E022.format(value=default, attr="default",
                                            reason="expected 'outside', 'missing' or 'unmodified'"))
    spans = sorted((as_span(doc, e) for e in entities), key=lambda s: (s.start, s.end))
    for a, b in zip(spans, spans[1:]):
        if b.start < a.end:
            raise ValueError(Errors.E018.format(span1=a, span2=b))
    groups = [(as_span(doc, item), iob) for group, iob in ((missing, IOB_MISSING), (outside, IOB_O))
              for item in group or ()]
    array = doc.to_array(["ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]).reshape((len(doc), 3))
    if default != "unmodified":
        array[:, 0] = IOB_O if default == "outside" else IOB_MISSING
        array[:, 1:] = 0
    for span, iob in groups:
        array[span.start:span.end] = (iob, 0, 0)
    for span in spans:
        array[span.start:span.end] = (IOB_I, span.label, span.kb_id)
        array[span.start, 0] = IOB_B
    doc.from_array(["ENT_IOB", "ENT_TYPE", "ENT_KB_ID"], array)


def set_iob_strings(doc, tags):
    """Entities from one IOB string per token: "B-LABEL", "I-LABEL", "O", or ""/None (missing)."""
    strings = doc.vocab.strings
    array = numpy.zeros((len(doc), 2), dtype=numpy.uint64)
    open_label = None
    for i, tag in enumerate(tags):
        if tag is None or tag == "":
            open_label = None
            continue
        if not isinstance(tag, str):
            raise TypeError(Errors.E024.format(tag=tag))
        prefix, _, label = tag.partition("-")
        if prefix == "O" and not label:
            array[i, 0] = IOB_O
            open_label = None
        elif prefix in ("B", "I") and label:
            if prefix == "I" and label != open_label:
                raise ValueError(Errors.E025.format(i=i, tag=tag))
            array[i] = (IOB_B if prefix == "B" else IOB_I, strings.add(label))
            open_label = label
        else:
            raise ValueError(Errors.E024.format(tag=tag))
    doc.from_array(["ENT_IOB", "ENT_TYPE"], array)


def char_span(doc, start_char, end_char, label=0, kb_id=0, alignment_mode="strict"):
    """See Doc.char_span."""
    from .span import Span

    if alignment_mode not in ALIGNMENT_MODES:
        raise ValueError(Errors.E022.format(value=alignment_mode, attr="alignment_mode",
                                            reason="expected 'strict', 'contract' or 'expand'"))
    for value in (start_char, end_char):
        if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
            reason = f"expected an int, got {type(value).__name__}"
            raise TypeError(Errors.E022.format(value=value, attr="char_span offsets",
                                               reason=reason))
    if start_char > end_char or not len(doc):
        return None
    starts = doc.to_array("IDX").astype(numpy.int64)
    ends = starts + doc.to_array("LENGTH").astype(numpy.int64)
    if alignment_mode == "strict":
        first = int(numpy.searchsorted(starts, start_char))
        last = int(numpy.searchsorted(ends, end_char))
        if first >= len(doc) or last >= len(doc) or starts[first] != start_char or ends[last] != end_char:
            return None
    elif alignment_mode == "expand":  # every token the range touches
        first = int(numpy.searchsorted(ends, start_char, side="right"))
        last = max(int(numpy.searchsorted(starts, end_char, side="left")) - 1, first)
        if first >= len(doc) or (start_char < end_char and starts[last] >= end_char):
            return None
    else:  # contract: only the tokens wholly inside the range
        first = int(numpy.searchsorted(starts, start_char, side="left"))
        last = int(numpy.searchsorted(ends, end_char, side="right")) - 1
    if last < first:
        return None
    return Span(doc, first, last + 1, label=label, kb_id=kb_id)


def check_array(doc, ids, values):
    """Raise ValueError unless Doc.from_array can store ``values`` (uint64, tokens x ids)."""
    n = len(doc)
    for j, attr in enumerate(ids):
        if attr not in SETTABLE:
            raise ValueError(Errors.E022.format(value=NAMES[attr], attr="from_array",
                                                reason="this attribute comes from the vocab and cannot be set"))
        if n:
            _check_column(attr, values[:, j])
    string_cols = [j for j, attr in enumerate(ids) if attr in STRING_VALUED]
    if not string_cols or not n:
        return
    block = values[:, string_cols]
    strings = doc.vocab.strings
    for value in numpy.unique(block).tolist():
        if value != 0 and value not in strings:
            i, j = numpy.argwhere(block == value)[0].tolist()
            raise ValueError(Errors.E022.format(value=value, attr=NAMES[ids[string_cols[j]]],
                                                reason=f"token {i}: key not in the StringStore"))


def _check_column(attr, column):
    name = NAMES[attr]
    if name == "ORTH" and (column == 0).any():
        raise ValueError(Errors.E058.format(i=int(numpy.argmax(column == 0))))
    if attr in STRING_VALUED:
        return
    n = len(column)
    signed = column.view(numpy.int64)
    low, high = 0, 1
    if name == "HEAD":
        heads = signed + numpy.arange(n, dtype=numpy.int64)
        bad = (signed < -n) | (signed > n) | (heads < 0) | (heads >= n)
    elif name == "SENT_START":
        bad = (signed < -1) | (signed > 1)
        low, high = -1, 1
    else:
        high = 3 if name == "ENT_IOB" else 1
        bad = column > high
    if bad.any():
        i = int(numpy.argmax(bad))
        if name == "HEAD":
            raise ValueError(Errors.E016.format(head=int(signed[i]) + i, i=i, length=n - 1))
        value = int(signed[i]) if name == "SENT_START" else int(column[i])
        raise ValueError(Errors.E022.format(value=value, attr=name,
                                            reason=f"token {i}: expected {low} to {high}"))
