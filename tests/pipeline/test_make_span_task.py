"""bin/make_span_task.py: entities and the base noun phrases around them as overlapping spans,
written as .fastpipe and .spacy, on the EWT sample in examples/data."""
import importlib.util
from pathlib import Path

import fastpipe
from fastpipe.tokens import Doc, DocBin

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "make_span_task.py"
SAMPLE = ROOT / "examples" / "data" / "en_ewt-dev-sample.conllu"


def load_script():
    spec = importlib.util.spec_from_file_location("make_span_task", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_noun_phrase_around_an_entity():
    script = load_script()
    nlp = fastpipe.blank("en")
    # "They praised the US army 's work ." : US (ORG) is a compound of army
    words = ["They", "praised", "the", "US", "army", "'s", "work", "."]
    heads = [1, 1, 4, 4, 6, 4, 1, 1]
    deps = ["nsubj", "ROOT", "det", "compound", "nmod:poss", "case", "obj", "punct"]
    pos = ["PRON", "VERB", "DET", "PROPN", "NOUN", "PART", "NOUN", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos,
              ents=["O", "O", "O", "B-ORG", "O", "O", "O", "O"])
    counts = script.Counter()
    script.add_spans(doc, counts)
    # US -> army (compound) -> work (possessive): "the US army 's work", not the verb or "."
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == [("US", "ORG"),
                                                             ("the US army 's work", "NP")]
    assert counts == {"ORG": 1, "NP": 1}


def test_the_sample_gives_overlapping_spans_in_both_formats(tmp_path):
    script = load_script()
    line = script.make_split(SAMPLE, tmp_path)
    assert "NP" in line and "PER" in line
    nlp = fastpipe.blank("en")
    docs = list(DocBin().from_disk(tmp_path / f"{SAMPLE.stem}.fastpipe").get_docs(nlp.vocab))
    spacy_docs = list(DocBin().from_disk(tmp_path / f"{SAMPLE.stem}.spacy").get_docs(nlp.vocab))
    n_np = 0
    for doc, other in zip(docs, spacy_docs):
        group = [(s.start, s.end, s.label_) for s in doc.spans["sc"]]
        assert group == [(s.start, s.end, s.label_) for s in other.spans["sc"]]
        ents = {(e.start, e.end, e.label_) for e in doc.ents}
        assert ents == {s for s in group if s[2] != "NP"}
        for start, end, label in group:
            if label == "NP":  # each phrase holds an entity and is longer than it
                n_np += 1
                assert any(start <= s and e <= end and (s, e) != (start, end) for s, e, _ in ents)
    assert n_np > 5
