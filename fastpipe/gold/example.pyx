# cython: language_level=3
"""Example: a predicted Doc, a reference Doc with the gold annotations, and their alignment.

Gold values are read through the alignment onto the predicted tokens. A predicted token gets a
value only when it corresponds one-to-one to a reference token; everywhere else (tokenizations
that disagree, annotations that are missing) the value is missing: None in the lists returned
here, "-" in BILUO tags. Missing is never confused with "O" or the empty string.
"""
import warnings

from ..attrs cimport attr_id_t, TAG, POS, LEMMA, MORPH, DEP, SENT_START
from ..structs cimport FP_IOB_MISSING, FP_IOB_O, FP_IOB_B, FP_IOB_I
from ..typedefs cimport attr_t
from ..tokens.token cimport token_get_attr
from .alignment cimport Alignment, AlignmentArray

from ..attrs import intify_attr
from ..errors import Errors
from ..tokens.doc import Doc as PyDoc
from .biluo import offsets_to_biluo_tags, iob_to_biluo
from .nonproj import projectivize as projectivize_tree

ANNOTATION_KEYS = frozenset({"words", "spaces", "tags", "pos", "lemmas", "morphs", "heads", "deps",
                             "sent_starts", "entities", "cats", "spans"})
_PER_TOKEN = (("tags", "tags"), ("pos", "pos"), ("lemmas", "lemmas"), ("morphs", "morphs"),
              ("deps", "deps"), ("heads", "heads"), ("sent_starts", "sent_starts"))


cdef class Example:
    """``Example(predicted, reference)``: both Docs over the same text (whitespace aside)."""

    def __init__(self, Doc predicted, Doc reference, alignment=None, id=None):
        if predicted is None or reference is None:
            raise TypeError(Errors.E070)
        self.predicted = predicted
        self.reference = reference
        self._alignment = alignment
        self.id = id
        self.misaligned = []

    @property
    def x(self):
        return self.predicted

    @property
    def y(self):
        return self.reference

    @property
    def text(self):
        return self.reference.text

    def __len__(self):
        return len(self.predicted)

    def __repr__(self):
        return f"Example(id={self.id!r}, text={self.reference.text[:40]!r})"

    @property
    def alignment(self):
        if self._alignment is None:
            self._alignment = Alignment.from_docs(self.predicted, self.reference, example_id=self.id)
        return self._alignment

    @classmethod
    def from_dict(cls, Doc predicted, dict annotations, id=None):
        """Build the reference Doc from a dict of annotations (see ANNOTATION_KEYS).

        ``entities`` is a list of BILUO tags, or of (start_char, end_char, label) offsets;
        offsets that miss token boundaries are kept in ``example.misaligned`` and reported with
        a warning naming the example.
        """
        if not isinstance(predicted, Doc):
            raise TypeError(Errors.E071.format(type=type(predicted).__name__))
        unknown = set(annotations) - ANNOTATION_KEYS
        if unknown:
            raise ValueError(Errors.E072.format(keys=sorted(unknown), id=id, known=sorted(ANNOTATION_KEYS)))
        words = annotations.get("words")
        spaces = annotations.get("spaces")
        if words is None:
            words = [t.text for t in predicted]
            if spaces is None:
                spaces = [bool(t.whitespace_) for t in predicted]
        kwargs = {}
        for key, arg in _PER_TOKEN:
            if annotations.get(key) is not None:
                kwargs[arg] = list(annotations[key])
        try:
            reference = PyDoc(predicted.vocab, words=list(words), spaces=spaces, **kwargs)
        except (ValueError, TypeError) as err:
            raise type(err)(f"{err} (example {id!r})") from None
        example = cls(predicted, reference, id=id)
        entities = annotations.get("entities")
        if entities is not None:
            example._set_entities(list(entities))
        if annotations.get("cats"):
            reference.cats = dict(annotations["cats"])
        for name, spans in (annotations.get("spans") or {}).items():
            group = []
            for start_char, end_char, label in spans:
                span = reference.char_span(start_char, end_char, label=label)
                if span is None:
                    raise ValueError(Errors.E073.format(start_char=start_char, end_char=end_char,
                                                        label=label, name=name, id=id))
                group.append(span)
            reference.spans[name] = group
        return example

    def _set_entities(self, list entities):
        reference = self.reference
        if entities and all(isinstance(e, str) or e is None for e in entities):
            tags = entities
            if len(tags) != len(reference):
                raise ValueError(Errors.E074.format(n_tags=len(tags), n_words=len(reference), id=self.id))
        else:
            tags = offsets_to_biluo_tags(reference, entities, missing="O", example_id=self.id,
                                         misaligned=self.misaligned)
            if self.misaligned:
                warnings.warn(f"[W001] Example {self.id!r}: {len(self.misaligned)} entity span(s) "
                              f"do not fall on token boundaries and are treated as missing: "
                              f"{list(self.misaligned)[:5]}", stacklevel=3)
        _set_biluo(reference, tags, self.id)

    # -- gold values on the predicted tokens ----------------------------------------------------

    def _one_to_one(self):
        """For each predicted token, the reference token it matches one-to-one, or -1."""
        align = self.alignment
        cdef AlignmentArray x2y = align.x2y
        cdef AlignmentArray y2x = align.y2x
        cdef int[:] x_len = x2y.lengths
        cdef int[:] x_start = x2y.starts
        cdef int[:] x_data = x2y.data
        cdef int[:] y_len = y2x.lengths
        cdef int i, j, n = len(self.predicted)
        out = [-1] * n
        for i in range(n):
            if x_len[i] == 1:
                j = x_data[x_start[i]]
                if y_len[j] == 1:
                    out[i] = j
        return out

    def get_aligned(self, attr, as_string=False):
        """Reference values of an attribute on the predicted tokens; None where missing."""
        cdef int attr_id = intify_attr(attr)
        cdef Doc y = self.reference
        strings = y.vocab.strings
        values = []
        for j in self._one_to_one():
            if j == -1:
                values.append(None)
                continue
            value = token_get_attr(&y.c[j], <attr_id_t>attr_id)
            if attr_id == SENT_START:
                signed = <signed char>y.c[j].sent_start
                values.append(None if signed == 0 else signed == 1)
            elif value == 0 and attr_id in (TAG, POS, LEMMA, MORPH, DEP):
                values.append(None)
            else:
                values.append(strings.decode(value) if as_string else value)
        return values

    def get_aligned_sent_starts(self):
        return self.get_aligned(SENT_START)

    def get_aligned_parse(self, projectivize=True):
        """(heads, deps) of the reference on the predicted tokens: head positions in the
        predicted Doc and label strings; None where the reference has no parse or the
        tokenizations disagree. With ``projectivize`` the reference tree is made projective
        first, lifted arcs carrying "label||headlabel" labels."""
        cdef Doc y = self.reference
        cdef int j, n_y = y.length
        strings = y.vocab.strings
        y_heads = [j + y.c[j].head if y.c[j].dep != 0 else None for j in range(n_y)]
        y_deps = [strings.decode(y.c[j].dep) if y.c[j].dep != 0 else None for j in range(n_y)]
        if projectivize and n_y and all(h is not None for h in y_heads):
            y_heads, y_deps = projectivize_tree(y_heads, y_deps)
        x_of_y = [-1] * n_y
        one_to_one = self._one_to_one()
        for i, j in enumerate(one_to_one):
            if j != -1:
                x_of_y[j] = i
        heads = []
        deps = []
        for i, j in enumerate(one_to_one):
            if j == -1 or y_heads[j] is None or x_of_y[y_heads[j]] == -1:
                heads.append(None)
                deps.append(None)
            else:
                heads.append(x_of_y[y_heads[j]])
                deps.append(y_deps[j])
        return heads, deps

    def get_aligned_ner(self):
        """BILUO tags of the reference entities on the predicted tokens ("-" = missing), or None
        when the reference has no entity annotation at all."""
        cdef Doc y = self.reference
        cdef int j
        if not any(y.c[j].ent_iob != FP_IOB_MISSING for j in range(y.length)):
            return None
        offsets = [(span.start_char, span.end_char, span.label_) for span in y.ents]
        tags = offsets_to_biluo_tags(self.predicted, offsets, missing="O", example_id=self.id)
        align = self.alignment
        for i in range(len(tags)):
            for j in align.x2y[i]:
                if y.c[j].ent_iob == FP_IOB_MISSING:
                    tags[i] = "-"
                    break
        return tags

    # -- conversions ----------------------------------------------------------------------------

    def to_dict(self):
        y = self.reference
        heads, deps = [], []
        for t in y:
            heads.append(t.head.i if t.dep else None)
            deps.append(t.dep_ or None)
        ent_tags = None
        if y.has_annotation("ENT_IOB"):
            ent_tags = iob_to_biluo([f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I")
                                     else (t.ent_iob_ or "-") for t in y])
        return {
            "words": [t.text for t in y],
            "spaces": [bool(t.whitespace_) for t in y],
            "tags": [t.tag_ or None for t in y],
            "pos": [t.pos_ or None for t in y],
            "lemmas": [t.lemma_ or None for t in y],
            "morphs": [t.morph_ or None for t in y],
            "heads": heads,
            "deps": deps,
            "sent_starts": [t.is_sent_start for t in y],
            "entities": ent_tags,
            "cats": dict(y.cats),
            "spans": {name: [(s.start_char, s.end_char, s.label_) for s in group]
                      for name, group in y.spans.items()},
        }

    def copy(self):
        return Example(self.predicted.copy(), self.reference.copy(), id=self.id)


cdef int _set_biluo(Doc doc, list tags, example_id) except -1:
    """Write BILUO tags ("-" or None = missing) into the Doc's IOB codes and entity types."""
    cdef int i, n = doc.length
    cdef attr_t label = 0
    cdef bint open_ = False
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
    return 0
