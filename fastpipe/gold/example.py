"""Example: a predicted Doc, a reference Doc with the gold annotations, and their alignment.

Gold values are read through the alignment onto the predicted tokens. A predicted token gets a
value only when it corresponds one-to-one to a reference token; everywhere else (tokenizations
that disagree, annotations that are missing) the value is missing: None in the lists returned
here, "-" in BILUO tags. Missing is never confused with "O" or the empty string.

The loops over the Docs' token arrays are compiled, in _example.pyx.
"""
import warnings

from ..attrs import IDS
from ..errors import Errors, Warnings
from ..tokens.doc import Doc
from ._example import (
    aligned_parse,
    aligned_values,
    has_entity_annotation,
    is_tag_list,
    mark_missing_entities,
    set_biluo,
)
from .alignment import Alignment
from .biluo import iob_to_biluo, offsets_to_biluo_tags

__all__ = ["ANNOTATION_KEYS", "Example"]

ANNOTATION_KEYS = frozenset({"words", "spaces", "tags", "pos", "lemmas", "morphs", "heads", "deps",
                             "sent_starts", "entities", "cats", "spans"})
_PER_TOKEN = ("tags", "pos", "lemmas", "morphs", "deps", "heads", "sent_starts")
_SENT_START = IDS["SENT_START"]


class Example:
    """``Example(predicted, reference)``: both Docs over the same text (whitespace aside).

    ``alignment`` may be given (an Alignment of the two Docs), else it is computed on first
    use; ``id`` names where the example came from, in error messages and warnings.
    """

    __slots__ = ("_alignment", "_predicted", "_reference", "id", "misaligned")

    def __init__(self, predicted, reference, alignment=None, id=None):
        if not isinstance(predicted, Doc) or not isinstance(reference, Doc):
            raise TypeError(Errors.E070)
        self._predicted = predicted
        self._reference = reference
        self._alignment = alignment
        self.id = id
        self.misaligned = []   # entity offsets that did not fall on reference tokens

    @property
    def predicted(self):
        """The Doc the pipeline annotates (x)."""
        return self._predicted

    @property
    def reference(self):
        """The Doc holding the gold annotations (y)."""
        return self._reference

    x = predicted   # spaCy's short names
    y = reference

    @property
    def text(self):
        """The predicted Doc's text (the text the pipeline sees), as spaCy's Example.text."""
        return self._predicted.text

    def __len__(self):
        return len(self._predicted)

    def __repr__(self):
        return f"Example(id={self.id!r}, text={self._reference.text[:40]!r})"

    @property
    def alignment(self):
        """The Alignment of the predicted and reference tokens, computed on first use."""
        if self._alignment is None:
            self._alignment = Alignment.from_docs(self._predicted, self._reference, example_id=self.id)
        return self._alignment

    @classmethod
    def from_dict(cls, predicted, annotations, id=None):
        """Build the reference Doc from a dict of annotations (see ANNOTATION_KEYS).

        ``entities`` is a list of BILUO tags, or of (start_char, end_char, label) offsets;
        offsets that miss token boundaries are kept in ``example.misaligned`` and reported with
        a warning naming the example.
        """
        if not isinstance(predicted, Doc):
            raise TypeError(Errors.E071.format(type=type(predicted).__name__))
        if not isinstance(annotations, dict):
            raise TypeError(Errors.E340.format(type=type(annotations).__name__))
        if not annotations.keys() <= ANNOTATION_KEYS:
            unknown = sorted(set(annotations) - ANNOTATION_KEYS)
            raise ValueError(Errors.E072.format(keys=unknown, id=id, known=sorted(ANNOTATION_KEYS)))
        words = annotations.get("words")
        spaces = annotations.get("spaces")
        if words is None:
            words = [t.text for t in predicted]
            if spaces is None:
                spaces = [bool(t.whitespace_) for t in predicted]
        kwargs = {}
        for key in _PER_TOKEN:
            values = annotations.get(key)
            if values is not None:
                kwargs[key] = values if type(values) is list else list(values)
        try:
            reference = Doc(predicted.vocab, words=words if type(words) is list else list(words),
                            spaces=spaces, **kwargs)
        except (ValueError, TypeError) as err:
            raise type(err)(Errors.E341.format(id=id, err=err)) from None
        example = cls(predicted, reference, id=id)
        entities = annotations.get("entities")
        if entities is not None:
            example._set_entities(entities if type(entities) is list else list(entities))
        if annotations.get("cats"):
            reference.cats = dict(annotations["cats"])
        spans = annotations.get("spans")
        if spans:
            _set_span_groups(reference, spans, id)
        return example

    def _set_entities(self, entities):
        """Write ``entities`` (a list of BILUO tags or of character offsets) into the reference."""
        reference = self._reference
        if is_tag_list(entities):
            tags = entities
            if len(tags) != len(reference):
                raise ValueError(Errors.E074.format(n_tags=len(tags), n_words=len(reference), id=self.id))
        else:
            tags = offsets_to_biluo_tags(reference, entities, missing="O", example_id=self.id,
                                         misaligned=self.misaligned)
            if self.misaligned:
                warnings.warn(Warnings.W001.format(id=self.id, n=len(self.misaligned),
                                                   spans=list(self.misaligned)[:5]), stacklevel=3)
        set_biluo(reference, tags, self.id)

    # -- gold values on the predicted tokens ----------------------------------------------------
    # These run for every example of every training step: ``self._alignment or self.alignment``
    # reads the cached alignment without the property's call.

    def get_aligned(self, attr, as_string=False):
        """Reference values of an attribute on the predicted tokens; None where missing."""
        return aligned_values(self._reference, self._alignment or self.alignment, attr, as_string)

    def get_aligned_sent_starts(self):
        """Gold sentence starts on the predicted tokens: True, False, or None where missing."""
        return aligned_values(self._reference, self._alignment or self.alignment, _SENT_START, False)

    def get_aligned_parse(self, projectivize=True):
        """(heads, deps) of the reference on the predicted tokens: head positions in the
        predicted Doc and label strings; None where the reference has no parse or the
        tokenizations disagree. With ``projectivize`` the reference tree is made projective
        first, lifted arcs carrying "label||headlabel" labels."""
        return aligned_parse(self._reference, self._alignment or self.alignment, projectivize)

    def get_aligned_ner(self):
        """BILUO tags of the reference entities on the predicted tokens ("-" = missing), or None
        when the reference has no entity annotation at all."""
        y = self._reference
        if not has_entity_annotation(y):
            return None
        offsets = [(span.start_char, span.end_char, span.label_) for span in y.ents]
        tags = offsets_to_biluo_tags(self._predicted, offsets, missing="O", example_id=self.id)
        mark_missing_entities(y, self._alignment or self.alignment, tags)
        return tags

    # -- conversions ----------------------------------------------------------------------------

    def to_dict(self):
        """The reference's annotations as a dict that from_dict reads back (entities as BILUO
        tags, None where missing)."""
        y = self._reference
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
        """An Example over copies of both Docs, with the same id."""
        return Example(self._predicted.copy(), self._reference.copy(), id=self.id)


def _set_span_groups(reference, groups, example_id):
    """Set ``reference.spans[name]`` for each name: [(start_char, end_char, label)] in ``groups``;
    E073 for a span whose offsets miss token boundaries."""
    for name, spans in groups.items():
        group = []
        for start_char, end_char, label in spans:
            span = reference.char_span(start_char, end_char, label=label)
            if span is None:
                raise ValueError(Errors.E073.format(start_char=start_char, end_char=end_char,
                                                    label=label, name=name, id=example_id))
            group.append(span)
        reference.spans[name] = group
