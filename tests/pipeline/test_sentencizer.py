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


def test_punct_chars_replace_the_default_sentence_ends():
    text = "First part; second part. Still the second! Third part"
    default = fastpipe.blank("en")
    default.add_pipe("sentencizer")
    assert [s.text for s in default(text).sents] == [
        "First part; second part.", "Still the second!", "Third part"]
    nlp = fastpipe.blank("en")
    sentencizer = nlp.add_pipe("sentencizer", config={"punct_chars": [";"]})
    assert [s.text for s in nlp(text).sents] == [
        "First part;", "second part. Still the second! Third part"]
    assert sentencizer.get_state()["punct_chars"] == [";"]
    assert nlp.config["components"]["sentencizer"]["punct_chars"] == [";"]


def test_punct_chars_survive_saving_and_loading(tmp_path):
    nlp = fastpipe.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["|", ";"]})
    nlp.to_disk(tmp_path / "pipeline")
    loaded = fastpipe.load(tmp_path / "pipeline")
    doc = loaded("one | two ; three . four")
    assert [s.text for s in doc.sents] == ["one |", "two ;", "three . four"]
