"""The ner's incorrect_spans_key (spaCy's meaning): the spans of the reference's
doc.spans[key] are known not to be entities with their label, so the oracle charges the moves
that would complete one of them, and a trained recognizer learns not to predict them."""
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.pipeline._parser_internals.ner import BiluoPushDown

SMALL = {"tok2vec": {"width": 32, "depth": 2, "embed_size": 1000}, "hidden_width": 32}
KEY = "incorrect"


@pytest.fixture(scope="module")
def vocab(en):
    return en.vocab


def example(nlp_or_vocab, words, *, entities=None, negs=()):
    """An Example over ``words``; ``negs`` are (start, end, label) token spans for KEY."""
    from fastpipe.tokens.doc import Doc

    vocab = getattr(nlp_or_vocab, "vocab", nlp_or_vocab)
    predicted = Doc(vocab, words=words)
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    spans = [(starts[s], starts[e - 1] + len(words[e - 1]), label) for s, e, label in negs]
    annotations = {"spans": {KEY: spans}}
    if entities is not None:
        annotations["entities"] = entities
    return Example.from_dict(predicted, annotations)


def costs_by_name(moves, state, gold):
    is_valid, costs = moves.get_costs(state, gold)
    return {moves.move_name(i): float(costs[i]) for i in range(moves.n_moves) if is_valid[i]}


def test_the_moves_that_complete_an_incorrect_span_cost_one(vocab):
    moves = BiluoPushDown(vocab, labels=["LOC", "PER"])
    eg = example(vocab, ["Paris", "Hilton", "sings"], entities=["-", "-", "O"],
                 negs=[(0, 1, "LOC"), (0, 2, "LOC")])
    gold = moves.init_gold(eg, neg_key=KEY)
    assert gold.negs == [(0, 1, vocab.strings["LOC"]), (0, 2, vocab.strings["LOC"])]
    state = moves.init_state(eg.predicted)
    costs = costs_by_name(moves, state, gold)
    # U-LOC over "Paris" is known wrong; B-LOC can still end elsewhere, and PER is free
    assert costs["U-LOC"] == 1 and costs["U-PER"] == 0 and costs["O"] == 0
    assert costs["B-LOC"] == 0
    assert moves.oracle(state, gold) == moves.move_id("O")
    moves.apply_move(state, "B-LOC")
    costs = costs_by_name(moves, state, gold)
    # closing "Paris Hilton" as LOC is known wrong; going on would swallow the gold O
    assert costs["L-LOC"] == 1
    # without the key, nothing is charged
    plain = moves.init_gold(eg)
    assert plain.negs == []
    assert costs_by_name(moves, moves.init_state(eg.predicted), plain)["U-LOC"] == 0


def test_begin_and_in_cost_one_when_the_entity_can_only_close_on_a_known_wrong_span(vocab):
    moves = BiluoPushDown(vocab, labels=["ORG"])
    eg = example(vocab, ["Big", "Bank", "Corp"], entities=["-", "-", "-"],
                 negs=[(1, 3, "ORG"), (0, 3, "ORG")])
    gold = moves.init_gold(eg, neg_key=KEY)
    state = moves.init_state(eg.predicted)
    assert costs_by_name(moves, state, gold)["B-ORG"] == 0   # may still close on "Big Bank"
    moves.apply_move(state, "O")
    # B-ORG on "Bank": the entity can only close on "Corp", making (1, 3, ORG)
    assert costs_by_name(moves, state, gold)["B-ORG"] == 1
    state = moves.init_state(eg.predicted)
    moves.apply_move(state, "B-ORG")
    # I-ORG on "Bank": the entity can only close on "Corp", making (0, 3, ORG)
    assert costs_by_name(moves, state, gold)["I-ORG"] == 1
    assert costs_by_name(moves, state, gold)["L-ORG"] == 0


def test_a_span_without_a_label_is_no_entity_of_any_label(vocab):
    moves = BiluoPushDown(vocab, labels=["LOC", "PER"])
    eg = example(vocab, ["Paris", "sings"], entities=["-", "O"], negs=[(0, 1, "")])
    gold = moves.init_gold(eg, neg_key=KEY)
    costs = costs_by_name(moves, moves.init_state(eg.predicted), gold)
    assert costs["U-LOC"] == 1 and costs["U-PER"] == 1 and costs["O"] == 0


def test_a_known_wrong_span_that_is_a_gold_entity_is_a_coded_error(vocab):
    moves = BiluoPushDown(vocab, labels=["LOC"])
    eg = example(vocab, ["New", "York", "is", "big"], entities=["B-LOC", "L-LOC", "O", "O"],
                 negs=[(0, 2, "LOC")])
    with pytest.raises(ValueError, match=r"E550.*\(0, 2, 'LOC'\) of doc.spans\['incorrect'\]"):
        moves.init_gold(eg, neg_key=KEY)
    # the same offsets with another label are no contradiction
    ok = example(vocab, ["New", "York", "is", "big"], entities=["B-LOC", "L-LOC", "O", "O"],
                 negs=[(0, 2, "PER")])
    assert len(moves.init_gold(ok, neg_key=KEY).negs) == 1


def test_spans_that_miss_the_predicted_tokens_are_left_out(vocab):
    from fastpipe.tokens.doc import Doc

    moves = BiluoPushDown(vocab, labels=["LOC"])
    predicted = Doc(vocab, words=["NewYork", "is", "big"], spaces=[True, True, False])
    reference = Doc(vocab, words=["New", "York", "is", "big"])
    reference.spans[KEY] = [reference[1:2]]
    eg = Example(predicted, reference)
    assert moves.init_gold(eg, neg_key=KEY).negs == []


def train(key, steps=40):
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    nlp.add_pipe("ner", config={"model": SMALL, "incorrect_spans_key": key})
    examples = [
        example(nlp, ["Paris", "is", "big", "."], entities=["U-LOC", "O", "O", "O"]),
        example(nlp, ["I", "saw", "Paris", "."], entities=["O", "O", "U-LOC", "O"]),
        example(nlp, ["Paris", "sings", "well", "."], entities=["-", "O", "O", "O"],
                negs=[(0, 1, "LOC")]),
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer)
    return nlp


@pytest.mark.slow
def test_a_trained_ner_does_not_predict_its_known_wrong_span():
    without = train(None)
    assert [(e.text, e.label_) for e in without("Paris sings well .").ents] == [("Paris", "LOC")]
    nlp = train(KEY)
    assert nlp.get_pipe("ner").cfg["incorrect_spans_key"] == KEY
    assert nlp.config["components"]["ner"]["incorrect_spans_key"] == KEY
    assert [(e.text, e.label_) for e in nlp("Paris sings well .").ents] == []
    assert [(e.text, e.label_) for e in nlp("Paris is big .").ents] == [("Paris", "LOC")]


@pytest.mark.parametrize("key,trained", [(KEY, True), (None, False)])
def test_an_example_with_only_known_wrong_spans_is_training_data(key, trained):
    nlp = fastpipe.blank("en")
    ner = nlp.add_pipe("ner", config={"model": SMALL, "incorrect_spans_key": key})
    nlp.initialize(lambda: [example(nlp, ["Rome"], entities=["U-LOC"])])
    eg = example(nlp, ["Paris", "sings"], negs=[(0, 1, "LOC")])
    assert not eg.reference.has_annotation("ENT_IOB")
    assert (ner.update([eg], sgd=False)["ner"] > 0) is trained
