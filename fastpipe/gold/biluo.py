"""Entity tag schemes: BILUO tags, IOB tags and character offsets, converted over a Doc.

BILUO: B(egin), I(nside), L(ast), U(nit, a one-token entity), O(utside), and "-" for a token
whose entity annotation is missing (for instance because an entity's offsets cut through it).
"""
from ..attrs import IDS
from ..errors import Errors
from ..tokens.span import Span

__all__ = ["MisalignedEntity", "biluo_tags_to_offsets", "biluo_tags_to_spans", "biluo_to_iob",
           "biluo_to_token_spans", "iob_to_biluo", "offsets_to_biluo_tags"]


_OFFSET_ATTRS = (IDS["IDX"], IDS["LENGTH"])


class MisalignedEntity(tuple):
    """An entity (start_char, end_char, label) whose offsets do not fall on token boundaries."""


def _example_where(example_id):
    return f" in example {example_id!r}" if example_id is not None else ""


def offsets_to_biluo_tags(doc, entities, missing="O", example_id=None, misaligned=None):
    """BILUO tags for ``entities``, a list of (start_char, end_char, label), over the Doc.

    Tokens not covered by any entity get ``missing`` ("O", or "-" when the annotation is
    partial). An entity whose offsets do not fall on token boundaries marks the tokens it
    touches "-"; if ``misaligned`` is a list, the entity is appended to it so callers can count
    and report it. Invalid entities raise ValueError (E062-E064), overlapping ones E061 naming
    both (and ``example_id``).
    """
    n_chars = len(doc.text)
    tags = [missing] * len(doc)
    ordered = sorted([_check_entity(ent, n_chars, example_id) for ent in entities])
    if not ordered:
        return tags
    for prev, ent in zip(ordered, ordered[1:]):
        if ent[0] < prev[1]:
            raise ValueError(Errors.E061.format(where=_example_where(example_id), first=prev, second=ent))
    bounds = doc.to_array(_OFFSET_ATTRS)
    starts = bounds[:, 0].tolist()
    ends = (bounds[:, 0] + bounds[:, 1]).tolist()
    token_at_start = {s: i for i, s in enumerate(starts)}
    token_at_end = {e: i for i, e in enumerate(ends)}
    for start_char, end_char, label in ordered:
        first = token_at_start.get(start_char, -1)
        last = token_at_end.get(end_char, -1)
        if first >= 0 and last >= 0 and first <= last:
            if first == last:
                tags[first] = f"U-{label}"
            else:
                tags[first] = f"B-{label}"
                for i in range(first + 1, last):
                    tags[i] = f"I-{label}"
                tags[last] = f"L-{label}"
        else:
            for i, (s, e) in enumerate(zip(starts, ends)):
                if s < end_char and e > start_char:
                    tags[i] = "-"
            if misaligned is not None:
                misaligned.append(MisalignedEntity((start_char, end_char, label)))
    return tags


def _check_entity(ent, n_chars, example_id):
    """The entity as a (start_char, end_char, label) tuple; ValueError if it is not a valid one
    for a text of ``n_chars`` characters."""
    try:
        start_char, end_char, label = ent
    except (TypeError, ValueError):
        raise ValueError(Errors.E062.format(ent=ent, where=_example_where(example_id))) from None
    if not isinstance(start_char, int) or not isinstance(end_char, int) or not (0 <= start_char < end_char <= n_chars):
        raise ValueError(Errors.E063.format(ent=ent, where=_example_where(example_id), n_chars=n_chars))
    if not isinstance(label, str) or not label:
        raise ValueError(Errors.E064.format(ent=ent, where=_example_where(example_id)))
    return (start_char, end_char, label)


def _parse_tag(tag, i):
    """(move, label) of a BILUO tag: ("O", None) or ("-", None) for outside and missing."""
    if tag == "O" or tag == "-" or tag == "" or tag is None:
        return tag or "-", None
    if not isinstance(tag, str) or len(tag) < 3 or tag[1] != "-" or tag[0] not in "BILU":
        raise ValueError(Errors.E065.format(tag=tag, i=i, where=""))
    return tag[0], tag[2:]


def biluo_tags_to_offsets(doc, tags):
    """(start_char, end_char, label) of each entity in a BILUO tag sequence over the Doc."""
    offsets = []
    for start, end, label in biluo_to_token_spans(tags, len(doc)):
        span = Span(doc, start, end)
        offsets.append((span.start_char, span.end_char, label))
    return offsets


def biluo_tags_to_spans(doc, tags):
    """Span objects (with labels) of the entities in a BILUO tag sequence over the Doc."""
    return [Span(doc, s, e, label=label) for s, e, label in biluo_to_token_spans(tags, len(doc))]


def biluo_to_token_spans(tags, n=None):
    """(start, end, label) token spans of the entities in BILUO tags; validates the tags
    (E065-E068) and their number (E066, when ``n`` is given)."""
    if n is None:
        n = len(tags)
    if len(tags) != n:
        raise ValueError(Errors.E066.format(n_tags=len(tags), n=n))
    start = -1
    spans = []
    label = None
    for i, tag in enumerate(tags):
        move, tag_label = _parse_tag(tag, i)
        if move == "U":
            _close_unexpected(start, i, tags)
            spans.append((i, i + 1, tag_label))
        elif move == "B":
            _close_unexpected(start, i, tags)
            start = i
            label = tag_label
        elif move in ("I", "L"):
            if start == -1 or tag_label != label:
                raise ValueError(Errors.E067.format(tag=tag, i=i, where="",
                                                    context=f": tags {list(tags[max(0, i - 3):i + 1])}"))
            if move == "L":
                spans.append((start, i + 1, label))
                start = -1
        else:
            _close_unexpected(start, i, tags)
    _close_unexpected(start, n, tags)
    return spans


def _close_unexpected(start, i, tags):
    """E068 if an entity opened at ``start`` is still open at token ``i``."""
    if start != -1:
        raise ValueError(Errors.E068.format(i=i, where="", context=f": tags {list(tags[start:i + 1])}"))


def iob_to_biluo(tags):
    """Convert IOB2 (or IOB1) tags to BILUO; "O", "-", "" and None pass through ("-" for the
    last two)."""
    out = []
    n = len(tags)
    for i in range(n):
        tag = tags[i]
        if tag in ("O", "-", "", None):
            out.append(tag or "-")
            continue
        if not isinstance(tag, str) or len(tag) < 3 or tag[1] != "-" or tag[0] not in "BI":
            raise ValueError(Errors.E069.format(tag=tag, i=i))
        label = tag[2:]
        prev = tags[i - 1] if i > 0 else "O"
        begins = tag[0] == "B" or not (isinstance(prev, str) and len(prev) > 2 and prev[2:] == label and prev[0] in "BI")
        nxt = tags[i + 1] if i + 1 < n else "O"
        continues = isinstance(nxt, str) and nxt == f"I-{label}"
        if begins:
            out.append(f"{'B' if continues else 'U'}-{label}")
        else:
            out.append(f"{'I' if continues else 'L'}-{label}")
    return out


def biluo_to_iob(tags):
    """Convert BILUO tags to IOB2; validates each tag (E065)."""
    out = []
    for i, tag in enumerate(tags):
        move, label = _parse_tag(tag, i)
        if label is None:
            out.append(move)
        elif move in ("B", "U"):
            out.append(f"B-{label}")
        else:
            out.append(f"I-{label}")
    return out
