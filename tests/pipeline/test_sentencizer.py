import fastpipe
from fastpipe.gold.example import Example


def test_sentencizer_splits_after_final_punctuation():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp('Hello there! "Is it you?" she asked. Yes... it is')
    assert [s.text for s in doc.sents] == ["Hello there!", '"Is it you?"', "she asked.", "Yes...", "it is"]


def test_sentencizer_keeps_existing_boundaries_and_scores():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp.make_doc("One. Two")
    doc[1].is_sent_start = False
    doc[2].is_sent_start = False
    nlp.get_pipe("sentencizer")(doc)
    assert len(list(doc.sents)) == 1
    eg = Example.from_dict(nlp.make_doc("One. Two."), {"sent_starts": [True, False, True, False]})
    assert nlp.evaluate([eg])["sents_f"] == 1.0
