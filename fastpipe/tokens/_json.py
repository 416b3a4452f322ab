"""``Doc.to_json``: a Doc as the JSON-ready dict spaCy documents for its ``Doc.to_json``.

The keys: ``text``; ``ents`` (character offsets and label of each entity) when the Doc has
entity annotation; ``sents`` (character offsets) when sentence boundaries are set; ``cats``
when there are any; ``tokens``, each with ``id``, ``start`` and ``end`` (character offsets)
and, for each annotation the Doc has, ``tag``, ``pos``, ``morph``, ``lemma``, ``dep`` and
``head`` (the head's token index); ``spans`` (each group's spans with offsets, label and
kb_id) when the Doc has span groups.
"""
from ..errors import Errors

#: Token annotations written when the Doc has them: (annotation, keys written).
_TOKEN_FIELDS = (("TAG", ("tag",)), ("POS", ("pos",)), ("MORPH", ("morph",)),
                 ("LEMMA", ("lemma",)), ("DEP", ("dep", "head")))


def doc_to_json(doc, underscore=None) -> dict:
    if underscore:
        raise ValueError(Errors.E582)
    data = {"text": doc.text}
    if doc.has_annotation("ENT_IOB"):
        data["ents"] = [{"start": ent.start_char, "end": ent.end_char, "label": ent.label_}
                        for ent in doc.ents]
    if doc.has_sents:
        data["sents"] = [{"start": sent.start_char, "end": sent.end_char} for sent in doc.sents]
    if doc.cats:
        data["cats"] = dict(doc.cats)
    fields = [key for attr, keys in _TOKEN_FIELDS if doc.has_annotation(attr) for key in keys]
    data["tokens"] = [_token_json(token, fields) for token in doc]
    if doc.spans:
        data["spans"] = {key: [{"start": span.start_char, "end": span.end_char,
                                "label": span.label_, "kb_id": span.kb_id_} for span in group]
                         for key, group in doc.spans.items()}
    return data


def _token_json(token, fields) -> dict:
    item = {"id": token.i, "start": token.idx, "end": token.idx + len(token)}
    for key in fields:
        if key == "head":
            item["head"] = token.head.i
        else:
            item[key] = getattr(token, key + "_")
    return item
