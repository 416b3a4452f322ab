"""Token.morph as a MorphAnalysis: canonical order, access, setting, and what carries it."""
import pytest

from fastpipe.tokens import Doc, DocBin
from fastpipe.tokens.morphanalysis import MorphAnalysis, canonical_string
from tests.helpers.data import EWT_DEV_SAMPLE, conllu_examples


@pytest.fixture
def doc(vocab):
    return Doc(vocab, words=["She", "was", "here"])


def test_features_are_kept_in_uds_canonical_order(doc):
    doc[0].set_morph("PronType=Prs|Case=Nom|Number=Sing|Gender=Fem,Masc,Fem")
    assert str(doc[0].morph) == "Case=Nom|Gender=Fem,Masc|Number=Sing|PronType=Prs"
    assert doc[0].morph_ == str(doc[0].morph)  # the stored string is the canonical one
    # fields sort without regard to case, as UD does (code point order would put NumType first)
    doc[1].set_morph("NumType=Card|Number=Sing|abbr=Yes")
    assert str(doc[1].morph) == "abbr=Yes|Number=Sing|NumType=Card"
    assert canonical_string("Tense=Past|Mood=Ind") == "Mood=Ind|Tense=Past"


def test_get_to_dict_contains_iteration_and_length(doc):
    doc[0].set_morph("PronType=Prs|Case=Nom,Acc")
    morph = doc[0].morph
    assert isinstance(morph, MorphAnalysis)
    assert morph.get("Case") == ["Acc", "Nom"] and morph.get("Tense") == []
    assert morph.get("Tense", ["none"]) == ["none"]
    assert morph.to_dict() == {"Case": "Acc,Nom", "PronType": "Prs"}
    assert list(morph) == ["Case=Acc", "Case=Nom", "PronType=Prs"] and len(morph) == 3
    assert "Case=Nom" in morph and "Case=Acc,Nom" in morph and "PronType=Prs" in morph
    assert "Case=Dat" not in morph and "Tense=Past" not in morph and 5 not in morph
    empty = doc[2].morph
    assert str(empty) == "" and len(empty) == 0 and list(empty) == [] and empty.key == 0


def test_equality_and_hash_follow_the_features(vocab, doc):
    doc[0].set_morph("Case=Nom|Number=Sing")
    same = MorphAnalysis(vocab, {"Number": "Sing", "Case": "Nom"})
    assert doc[0].morph == same and hash(doc[0].morph) == hash(same)
    assert doc[0].morph.key == same.key == vocab.strings["Case=Nom|Number=Sing"]
    assert doc[0].morph != MorphAnalysis(vocab, "Case=Acc|Number=Sing")
    assert doc[0].morph != "Case=Nom|Number=Sing"  # a string is not an analysis


def test_set_morph_from_dict_analysis_key_and_none(vocab, doc):
    doc[0].set_morph({"PronType": ["Prs", "Int"], "Case": "Nom"})
    assert str(doc[0].morph) == "Case=Nom|PronType=Int,Prs"
    doc[1].morph = doc[0].morph  # the setter takes an analysis
    assert doc[1].morph == doc[0].morph
    doc[2].morph = vocab.strings.add("Tense=Past")  # a key is taken as it is
    assert doc[2].morph_ == "Tense=Past"
    doc[2].set_morph(None)
    assert doc[2].morph_ == "" and doc[2].morph.key == 0


@pytest.mark.parametrize("bad", ["Case", "Case=", "=Nom", "Case=Nom|", "Case=Nom,,Acc",
                                 {"Case": ""}, {"Case": 3}, {"": "Nom"}])
def test_malformed_features_are_refused(doc, bad):
    with pytest.raises(ValueError, match=r"\[E700\].*Field=Value"):
        doc[0].set_morph(bad)
    assert doc[0].morph_ == ""


def test_other_types_are_refused(doc):
    with pytest.raises(TypeError, match=r"\[E701\].*list"):
        doc[0].set_morph(["Case=Nom"])


def test_a_raw_stored_string_reads_canonically(vocab):
    doc = Doc(vocab, words=["a"], morphs=["Tense=Past|Mood=Ind"])
    assert doc[0].morph_ == "Tense=Past|Mood=Ind"  # what the constructor was given
    assert str(doc[0].morph) == "Mood=Ind|Tense=Past"
    assert doc[0].morph == MorphAnalysis(vocab, "Mood=Ind|Tense=Past")
    doc[0].morph_ = "Tense=Pres|Mood=Ind"  # morph_ stores the string it is given
    assert doc[0].morph_ == "Tense=Pres|Mood=Ind" and doc[0].morph.get("Tense") == ["Pres"]


@pytest.mark.parametrize("fmt", ["fastpipe", "spacy"])
def test_both_corpus_formats_carry_the_features(vocab, doc, fmt):
    doc[0].set_morph("Case=Nom|Number=Sing|PronType=Prs")
    doc[1].set_morph("Mood=Ind|Tense=Past|VerbForm=Fin")
    data = DocBin(docs=[doc]).to_bytes(format=fmt)
    back = list(DocBin().from_bytes(data).get_docs(vocab))[0]
    assert [t.morph for t in back] == [t.morph for t in doc]
    assert back[1].morph.get("Tense") == ["Past"] and back[2].morph_ == ""


def test_the_conllu_converter_carries_the_features(vocab):
    example = conllu_examples(vocab, EWT_DEV_SAMPLE, n_sents=1)[0]
    ref = example.reference
    assert ref.has_annotation("MORPH")
    featured = [t for t in ref if len(t.morph)]
    assert featured and all(t.morph_ == str(t.morph) for t in featured)  # UD's order already
    assert any(t.pos_ == "PROPN" and t.morph.get("Number") == ["Sing"] for t in ref)


def test_the_package_exports_the_analysis_class(doc):
    import fastpipe.tokens

    assert fastpipe.tokens.MorphAnalysis is MorphAnalysis
    assert "MorphAnalysis" in fastpipe.tokens.__all__
    assert isinstance(doc[0].morph, fastpipe.tokens.MorphAnalysis)
