"""parser and ner components: learning, bad input, preset entities, unseen labels, saving."""
import pytest
from thinc.api import fix_random_seed

import fastpipe
from fastpipe.gold.example import Example
from fastpipe.language import Language
from tests.helpers.data import EWT_DEV_SAMPLE, EWT_TRAIN_SAMPLE, conllu_examples
SMALL = {"tok2vec": {"width": 32, "depth": 2, "embed_size": 1000}, "hidden_width": 32}

TOY = [
    ("I like green apples .", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"],
     [(0, 1, "PER")]),
    ("She eats red cherries .", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"],
     [(0, 3, "PER")]),
    ("Paris loves big dogs .", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"],
     [(0, 5, "LOC")]),
]


def toy_examples(nlp):
    out = []
    for text, heads, deps, ents in TOY:
        doc = nlp.make_doc(text)
        out.append(Example.from_dict(doc, {"heads": heads, "deps": deps, "entities": ents}))
    return out


def make_nlp(**kwargs):
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    nlp.add_pipe("parser", config={"model": SMALL, "min_action_freq": 1})
    nlp.add_pipe("ner", config={"model": SMALL})
    return nlp


def test_learns_toy_parses_and_entities(tmp_path):
    nlp = make_nlp()
    examples = toy_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer)
    doc = nlp("She likes big apples .")
    assert [t.head.i for t in doc] == [1, 1, 3, 1, 1]
    assert [t.dep_ for t in doc] == ["nsubj", "ROOT", "amod", "obj", "punct"]
    assert len(list(doc.sents)) == 1
    scores = nlp.evaluate(examples)
    assert scores["dep_uas"] == 1.0 and scores["dep_las"] == 1.0
    assert scores["ents_f"] == 1.0
    nlp.to_disk(tmp_path / "pipe")
    loaded = fastpipe.load(tmp_path / "pipe")
    again = loaded("She likes big apples .")
    assert [(t.head.i, t.dep_, t.ent_iob_, t.ent_type_) for t in again] == \
        [(t.head.i, t.dep_, t.ent_iob_, t.ent_type_) for t in doc]


@pytest.mark.parametrize("text", ["Hello", "!!! ... ???", "   \n\n  ", "", "word " * 10_000],
                         ids=["one-token", "punctuation", "whitespace", "empty", "10k-tokens"])
def test_odd_documents_parse_to_well_formed_trees(text):
    nlp = make_nlp()
    examples = toy_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    nlp.update(examples, sgd=optimizer)
    doc = nlp(text)
    assert doc.text == text
    # a cycle would have made Doc.set_heads raise; each sentence has exactly one root, and
    # every head lies inside the sentence
    for sent in doc.sents:
        roots = [t for t in sent if t.head.i == t.i]
        assert len(roots) == 1
        assert all(sent.start <= t.head.i < sent.end for t in sent)
    if len(doc):
        assert sum(1 for _ in doc.sents) >= 1


def test_preset_sentence_starts_are_kept_and_no_arc_crosses_them():
    nlp = make_nlp()
    examples = toy_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer)
    parser = nlp.get_pipe("parser")
    # unset, the parser makes one sentence of it, with arcs across "green"
    free = parser(nlp.make_doc("She likes green apples ."))
    assert len(list(free.sents)) == 1
    assert free[2].head.i == 3 and free[3].head.i == 1
    for cut in (2, 3, 4):
        doc = nlp.make_doc("She likes green apples .")
        doc[cut].is_sent_start = True
        doc = parser(doc)
        assert doc[cut].is_sent_start
        for token in doc:
            assert (token.i < cut) == (token.head.i < cut), (cut, token.i, token.head.i)
        assert cut in [sent.start for sent in doc.sents]
    # two texts joined keep their own trees where a sentencizer put the boundary
    doc = nlp.make_doc("She likes green apples . Paris loves big dogs .")
    doc[5].is_sent_start = True
    doc = parser(doc)
    assert [t.head.i for t in doc] == [1, 1, 3, 1, 1, 6, 6, 8, 6, 6]


def test_preset_entities_are_kept():
    nlp = make_nlp()
    ruler = nlp.add_pipe("entity_ruler", before="parser")
    ruler.add_patterns([{"label": "FRUIT", "pattern": "apples"}])
    examples = toy_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(20):
        nlp.update(examples, sgd=optimizer)
    doc = nlp("I like green apples .")
    assert ("apples", "FRUIT") in [(e.text, e.label_) for e in doc.ents]


def test_unseen_entity_label_in_gold_does_not_break_training():
    nlp = make_nlp()
    examples = toy_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    odd = Example.from_dict(nlp.make_doc("Bob sells cars ."), {"entities": [(10, 14, "PRODUCT")]})
    losses = nlp.update(examples + [odd], sgd=optimizer)
    assert losses["ner"] >= 0
    assert "PRODUCT" not in nlp.get_pipe("ner").labels


def test_gold_with_a_cycle_names_the_example():
    nlp = fastpipe.blank("en")
    with pytest.raises(ValueError, match=r"E341\] Example 'bad-7': .*cycle"):
        Example.from_dict(nlp.make_doc("a b c"), {"heads": [1, 2, 0], "deps": ["x", "y", "z"]}, id="bad-7")
    with pytest.raises(ValueError, match=r"E341\] Example 'bad-8': .*outside"):
        Example.from_dict(nlp.make_doc("a b c"), {"heads": [1, 5, 1], "deps": ["x", "y", "z"]}, id="bad-8")


def test_parser_needs_parses_to_initialize():
    nlp = fastpipe.blank("en")
    nlp.add_pipe("parser", config={"model": SMALL})
    with pytest.raises(ValueError, match="E095"):
        nlp.initialize(lambda: [Example.from_dict(nlp.make_doc("no parse"), {})])


def test_parser_refuses_learn_tokens():
    """E079: the parser works on the tokenizer's tokens; learn_tokens = true is refused when
    the component is made, from add_pipe or from a config, and false is accepted."""
    nlp = fastpipe.blank("en")
    with pytest.raises(ValueError, match="E079") as info:
        nlp.add_pipe("parser", config={"model": SMALL, "learn_tokens": True})
    message = str(info.value)
    assert "[components.parser] learn_tokens = true is not supported" in message
    assert "Set learn_tokens = false" in message
    assert "parser" not in nlp.component_names
    nlp.add_pipe("parser", config={"model": SMALL, "learn_tokens": False})
    assert nlp.pipe_names == ["parser"]
    config = nlp.config
    config["components"]["parser"]["learn_tokens"] = True
    with pytest.raises(ValueError, match="E079"):
        Language.from_config(config)


def _ewt_examples(nlp, path, n_sents=1):
    """Examples of the CoNLL-U file, tokenized by nlp."""
    return conllu_examples(nlp, path, n_sents, gold_tokens=False)


@pytest.mark.slow
def test_parser_beats_the_left_neighbour_baseline_on_held_out_ewt():
    fix_random_seed(0)
    nlp = fastpipe.blank("en")
    nlp.add_pipe("parser", config={"min_action_freq": 1,
                                   "model": {"tok2vec": {"width": 64, "depth": 2, "embed_size": 2000}}})
    train = _ewt_examples(nlp, EWT_TRAIN_SAMPLE)
    dev = _ewt_examples(nlp, EWT_DEV_SAMPLE)
    optimizer = nlp.initialize(lambda: train)
    import random

    rng = random.Random(0)
    for _ in range(6):
        rng.shuffle(train)
        for i in range(0, len(train), 16):
            nlp.update(train[i:i + 16], sgd=optimizer, drop=0.1)
    # baseline: every word attached to its left neighbour (the first word of a sentence is root)
    correct = total = 0
    for eg in dev:
        for token in eg.reference:
            if token.dep_ in ("punct", ""):
                continue
            total += 1
            guess = token.i if token.is_sent_start else token.i - 1
            correct += token.head.i == guess
    baseline = correct / total
    uas = nlp.evaluate(dev)["dep_uas"]
    assert uas > baseline + 0.2, (uas, baseline)


def test_oracle_cut_splits_long_documents_into_covering_pieces():
    import random as random_module

    from fastpipe.pipeline._parser_steps import split_by_oracle

    nlp = fastpipe.blank("en")
    parser = nlp.add_pipe("parser", config={"model": SMALL, "min_action_freq": 1})
    examples = _ewt_examples(nlp, EWT_DEV_SAMPLE, n_sents=10)[:3]
    parser.initialize(lambda: examples)
    eg = examples[0]
    n_moves = 2 * len(eg.predicted)
    gold = parser.moves.init_gold(eg)
    pieces = split_by_oracle(parser.moves, parser.moves.init_state(eg.predicted), gold, 20,
                             random_module.Random(0))
    assert n_moves / 20 <= len(pieces) <= n_moves / 10 + 1
    # every piece is a state on the oracle's path: following the oracle from it ends in the gold
    last = pieces[-1].copy()
    parser.moves.follow_oracle([last], [gold])
    assert parser.moves.is_final_state(last)
    # training with the cut runs and learns
    parser.cfg["update_with_oracle_cut_size"] = 20
    optimizer = nlp.create_optimizer()
    first = nlp.update(examples, sgd=optimizer)["parser"]
    for _ in range(5):
        last_loss = nlp.update(examples, sgd=optimizer)["parser"]
    assert last_loss < first
