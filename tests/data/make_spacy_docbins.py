"""Make the `.spacy` fixtures of tests/tokens/test_spacy_docbin.py and tests/gold/test_corpus.py
with spaCy, once, and the JSON of what spaCy's own Docs hold, which the tests compare with what
fastpipe reads. Not a test (pytest does not collect it) and the only file under tests/ that
imports spaCy: run it by hand, in an environment with spaCy 3.x, from the repository root:

    python tests/data/make_spacy_docbins.py

It rewrites the files below, next to itself. See tests/data/README.md.
"""
import json
import zlib
from pathlib import Path

import numpy
import spacy
import srsly
from spacy.attrs import ENT_IOB, HEAD, NORM, SENT_START
from spacy.symbols import IDS as SYMBOL_IDS
from spacy.tokens import Doc, DocBin, Span
from spacy.training.converters import conllu_to_docs

HERE = Path(__file__).resolve().parent
EWT = HERE.parent.parent / "examples" / "data" / "en_ewt-dev-sample.conllu"


def annotated(vocab):
    """Every token annotation, two sentences, entities with kb ids, missing and outside."""
    words = ["Mira", "Okafor", "repaired", "the", "old", "tram", "in", "Lisbon", ".",
             "Then", "she", "left", "!"]
    doc = Doc(
        vocab, words=words,
        spaces=[True, True, True, True, True, True, True, False, True, True, True, False, False],
        tags=["NNP", "NNP", "VBD", "DT", "JJ", "NN", "IN", "NNP", ".", "RB", "PRP", "VBD", "_"],
        pos=["PROPN", "PROPN", "VERB", "DET", "ADJ", "NOUN", "ADP", "PROPN", "PUNCT", "ADV",
             "PRON", "VERB", "PUNCT"],
        morphs=["Number=Sing", "Number=Sing", "Tense=Past|VerbForm=Fin", "Definite=Def|PronType=Art",
                "Degree=Pos", "Number=Sing", "", "Number=Sing", "PunctType=Peri", "",
                "Case=Nom|Gender=Fem|Number=Sing|Person=3|PronType=Prs", "Mood=Ind|Tense=Past",
                ""],
        lemmas=["Mira", "Okafor", "repair", "the", "old", "tram", "in", "Lisbon", ".", "then",
                "she", "leave", "!"],
        heads=[1, 2, 2, 5, 5, 2, 7, 5, 2, 11, 11, 11, 11],
        deps=["compound", "nsubj", "ROOT", "det", "amod", "dobj", "prep", "pobj", "punct",
              "advmod", "nsubj", "ROOT", "punct"],
        ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "B-GPE", "O", "", "", "O", "O"],
    )
    doc.ents = [Span(doc, 0, 2, "PERSON", kb_id="Q_MIRA"), Span(doc, 7, 8, "GPE", kb_id="Q597")]
    doc.set_ents([], missing=[doc[9:11]], default="unmodified")
    doc[5].norm_ = "streetcar"
    doc.cats = {"TRAVEL": 1.0, "SPORT": 0.0, "MAYBE": 0.25}
    doc.spans["people"] = [Span(doc, 0, 2, "PERSON", kb_id="Q_MIRA"), Span(doc, 10, 11, "PERSON")]
    doc.spans["chunks"] = [Span(doc, 3, 6, "NP"), Span(doc, 4, 6, "NP"), Span(doc, 3, 8, "X"),
                           Span(doc, 12, 13, "PUNCT")]
    doc.user_data["source"] = "invented"
    doc.user_data[("._.", "rating", None, None)] = 4
    return doc


def entities_only(vocab):
    """Entity annotation with missing and outside tokens and nothing else."""
    doc = Doc(vocab, words=["Omar", "flew", "to", "Quito", "on", "Friday", "."],
              ents=["B-PERSON", "", "", "B-GPE", "O", "B-DATE", "O"])
    return doc


def plain(vocab):
    """Words only: no annotation at all."""
    return Doc(vocab, words=["no", "annotations", "here"], spaces=[True, True, False])


def symbols(vocab):
    """Tags and lemmas that are spaCy's symbol names, which its files store as symbol ids."""
    names = [name for name, _ in sorted(SYMBOL_IDS.items(), key=lambda kv: kv[1]) if name]
    return Doc(vocab, words=[f"w{i}" for i in range(len(names))], tags=names, lemmas=names)


def stored_norms(path):
    """Each document's NORM column as the file stores it: 0 where a token has no norm of its
    own (spaCy's Doc then reports its lexeme's norm, so the Doc cannot tell)."""
    msg = srsly.msgpack_loads(zlib.decompress(path.read_bytes()))
    if NORM not in msg["attrs"]:
        return None
    tokens = numpy.frombuffer(msg["tokens"], dtype="<u8").reshape((-1, len(msg["attrs"])))
    column = tokens[:, msg["attrs"].index(NORM)].tolist()
    ends = numpy.cumsum(numpy.frombuffer(msg["lengths"], dtype="<i4")).tolist()
    return [column[end - n:end] for end, n in zip(ends, numpy.diff([0] + ends).tolist())]


def expected(doc, norms):
    """What the spaCy Doc holds, in plain JSON."""
    n = len(doc)
    return {
        "text": doc.text,
        "words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc],
        "tags": [t.tag_ for t in doc], "pos": [t.pos_ for t in doc],
        "morphs": [str(t.morph) for t in doc], "lemmas": [t.lemma_ for t in doc],
        # a token's own norm, None where it has none (the reader's vocab gives it then)
        "norms": [doc.vocab.strings[v] if v else None for v in norms] if norms is not None
        else [None] * n,
        "deps": [t.dep_ for t in doc],
        "heads": [int(v) for v in doc.to_array([HEAD]).reshape(n).astype("int64")] if n else [],
        "sent_starts": [int(v) for v in doc.to_array([SENT_START]).reshape(n).astype("int64")]
        if n else [],
        "ent_iob": [int(v) for v in doc.to_array([ENT_IOB]).reshape(n)] if n else [],
        "ent_types": [t.ent_type_ for t in doc], "ent_kb_ids": [t.ent_kb_id_ for t in doc],
        "ents": [[e.start, e.end, e.label_, e.kb_id_] for e in doc.ents],
        "cats": dict(doc.cats),
        "spans": {name: [[s.start, s.end, s.label_, s.kb_id_] for s in group]
                  for name, group in doc.spans.items()},
        "user_data": [[list(k) if isinstance(k, tuple) else k, v]
                      for k, v in doc.user_data.items()],
    }


def write(name, docs, **docbin_args):
    path = HERE / f"{name}.spacy"
    DocBin(docs=docs, **docbin_args).to_disk(path)
    # The expectations come from the Docs spaCy reads back from its own file.
    read = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    norms = stored_norms(path)
    meta = {"made_with": f"spaCy {spacy.__version__}", "docbin": dict(docbin_args),
            "docs": [expected(doc, norms[i] if norms else None) for i, doc in enumerate(read)]}
    rows = ",\n".join(json.dumps(doc, ensure_ascii=False) for doc in meta.pop("docs"))
    head = json.dumps(meta, ensure_ascii=False)[:-1]  # one line per doc, for readable diffs
    (HERE / f"{name}.json").write_text(f'{head}, "docs": [\n{rows}\n]}}\n', encoding="utf8")
    print(f"{path.name}: {len(read)} docs")


def main():
    nlp = spacy.blank("en")
    vocab = nlp.vocab
    write("spacy_annotated", [annotated(vocab), entities_only(vocab), plain(vocab),
                              Doc(vocab, words=[])], store_user_data=True)
    write("spacy_symbols", [symbols(vocab)])
    write("spacy_subset", [annotated(vocab), plain(vocab)],
          attrs=["LEMMA", "LOWER", "SHAPE", "ENT_IOB", "ENT_TYPE"])
    # The first 20 sentences of the EWT dev sample, as `spacy convert -n 10` makes them.
    lines = EWT.read_text(encoding="utf8").split("\n\n")[:20]
    ewt = list(conllu_to_docs("\n\n".join(lines) + "\n\n", n_sents=10, no_print=True))
    write("spacy_ewt", ewt)


if __name__ == "__main__":
    main()
