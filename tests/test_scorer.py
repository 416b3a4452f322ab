"""The scorer against figures worked out by hand.

Every case pairs a predicted Doc with a reference Doc that disagree on purpose (wrong tags,
heads, labels, entities, sentence boundaries, categories; split and merged tokens), and every
expected figure is counted out in the test itself from the annotations written next to it.
A scorer that returned 1.0, swapped precision and recall, scored punctuation, or ignored a
threshold fails here.
"""
import numpy
import pytest

import fastpipe
from fastpipe import scorer
from fastpipe.gold.example import Example
from fastpipe.tokens import Doc, Span


@pytest.fixture(scope="module")
def vocab():
    return fastpipe.blank("en").vocab


def f1(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def approx(value):
    return pytest.approx(value, abs=1e-9)


def eg(vocab, pred, ref):
    """An Example from two dicts of Doc arguments (``words`` and ``spaces`` required, plus any
    of tags/pos/heads/deps/ents/sent_starts; ``cats`` is set on the Doc afterwards)."""

    def make(spec):
        spec = dict(spec)
        cats = spec.pop("cats", None)
        doc = Doc(vocab, **spec)
        if cats is not None:
            doc.cats.update(cats)
        return doc

    return Example(make(pred), make(ref))


# -- tokenization ------------------------------------------------------------------------------

# "I can't go to New York." as the reference tokenizes it: 7 tokens
REF_WORDS = ["I", "can't", "go", "to", "New", "York", "."]
REF_SPACES = [True, True, True, True, True, False, False]


def test_split_token_lowers_precision_more_than_recall(vocab):
    # the tokenizer splits "can't" into "ca" + "n't": 8 predicted tokens, 6 of them exact
    example = eg(vocab,
                 {"words": ["I", "ca", "n't", "go", "to", "New", "York", "."],
                  "spaces": [True, False, True, True, True, True, False, False]},
                 {"words": REF_WORDS, "spaces": REF_SPACES})
    scores = scorer.score_tokenization([example])
    p = 6 / 8  # predicted spans that are reference spans: all but "ca" and "n't"
    r = 6 / 7  # reference spans found: all but "can't"
    # token_acc (spaCy's definition): predicted tokens that lie within one reference token;
    # both pieces of "can't" do
    assert scores["token_acc"] == approx(8 / 8)
    assert scores["token_p"] == approx(p)
    assert scores["token_r"] == approx(r)
    assert scores["token_f"] == approx(f1(p, r))


def test_merged_tokens_lower_token_acc_and_recall_more_than_precision(vocab):
    # the tokenizer keeps "New York" as one token: 6 predicted tokens, 5 of them exact
    example = eg(vocab,
                 {"words": ["I", "can't", "go", "to", "New York", "."],
                  "spaces": [True, True, True, True, False, False]},
                 {"words": REF_WORDS, "spaces": REF_SPACES})
    scores = scorer.score_tokenization([example])
    assert scores["token_acc"] == approx(5 / 6)  # "New York" lies over two reference tokens
    assert scores["token_p"] == approx(5 / 6)
    assert scores["token_r"] == approx(5 / 7)
    assert scores["token_f"] == approx(f1(5 / 6, 5 / 7))


def test_token_scores_pool_counts_over_examples(vocab):
    split = eg(vocab, {"words": ["I", "ca", "n't", "go", "to", "New", "York", "."],
                       "spaces": [True, False, True, True, True, True, False, False]},
               {"words": REF_WORDS, "spaces": REF_SPACES})
    merged = eg(vocab, {"words": ["New York"], "spaces": [False]},
                {"words": ["New", "York"], "spaces": [True, False]})
    scores = scorer.score_tokenization([split, merged])
    # within one reference token: 8 of 8 predicted tokens, then 0 of 1; predicted spans right:
    # 6 of 8, then 0 of 1. Pooled counts, not the mean of the examples' figures
    assert scores["token_acc"] == approx(8 / 9)
    assert scores["token_p"] == approx(6 / 9)
    assert scores["token_r"] == approx(6 / 9)
    assert scores["token_acc"] != approx((8 / 8 + 0 / 1) / 2)


def test_same_tokenization_scores_one(vocab):
    example = eg(vocab, {"words": REF_WORDS, "spaces": REF_SPACES},
                 {"words": REF_WORDS, "spaces": REF_SPACES})
    assert scorer.score_tokenization([example]) == {"token_acc": 1.0, "token_p": 1.0,
                                                    "token_r": 1.0, "token_f": 1.0}


# -- token attributes --------------------------------------------------------------------------

SENT = ["The", "old", "man", "saw", "a", "dog", "."]
SENT_SPACES = [True, True, True, True, True, False, False]
GOLD_TAGS = ["DT", "JJ", "NN", "VBD", "DT", "NN", "."]


def test_tag_acc_counts_wrong_and_untagged_predictions(vocab):
    pred_tags = ["DT", "JJ", "NN", "VBZ", "DT", "NNS", None]
    example = eg(vocab, {"words": SENT, "spaces": SENT_SPACES, "tags": pred_tags},
                 {"words": SENT, "spaces": SENT_SPACES, "tags": GOLD_TAGS})
    # 7 gold tags; wrong: "saw" (VBZ), "dog" (NNS), "." (no tag predicted)
    assert scorer.score_token_attr([example], "tag") == {"tag_acc": approx(4 / 7)}


def test_tag_acc_leaves_out_reference_tokens_without_a_tag(vocab):
    gold = ["DT", None, "NN", "VBD", "DT", "NN", None]
    pred = ["DT", "NN", "NN", "VBZ", "DT", "NN", "."]
    example = eg(vocab, {"words": SENT, "spaces": SENT_SPACES, "tags": pred},
                 {"words": SENT, "spaces": SENT_SPACES, "tags": gold})
    # 5 gold tags ("old" and "." have none, so "old"->NN is not an error); wrong: "saw"
    assert scorer.score_token_attr([example], "tag")["tag_acc"] == approx(4 / 5)


def test_tag_acc_reads_each_piece_of_a_split_reference_token(vocab):
    example = eg(vocab,
                 {"words": ["I", "ca", "n't", "go"], "spaces": [True, False, True, False],
                  "tags": ["PRP", "MD", "RB", "VB"]},
                 {"words": ["I", "can't", "go"], "spaces": [True, True, False],
                  "tags": ["PRP", "MD", "VB"]})
    # spaCy's definition: the F-score of (reference token, tag) pairs. Both pieces of "can't"
    # give a tag for it: MD right, RB a false positive. 3 right of 4 predicted and 3 gold
    assert scorer.score_token_attr([example], "tag")["tag_acc"] == approx(f1(3 / 4, 3 / 3))


def test_tag_acc_counts_merged_reference_tokens_as_missed(vocab):
    example = eg(vocab,
                 {"words": ["New York", "is", "big"], "spaces": [True, True, False],
                  "tags": ["NNP", "VBZ", "JJ"]},
                 {"words": ["New", "York", "is", "big"], "spaces": [True, True, True, False],
                  "tags": ["NNP", "NNP", "VBZ", "JJ"]})
    # 4 gold tags; "New" and "York" were merged: the merged token gives neither a tag (both
    # missed though the merged tag is NNP); 2 right of 2 predicted
    assert scorer.score_token_attr([example], "tag")["tag_acc"] == approx(f1(2 / 2, 2 / 4))


def test_tag_acc_is_none_without_gold_tags(vocab):
    example = eg(vocab, {"words": SENT, "spaces": SENT_SPACES, "tags": GOLD_TAGS},
                 {"words": SENT, "spaces": SENT_SPACES})
    assert scorer.score_token_attr([example], "tag") == {"tag_acc": None}


def test_pos_acc_reads_the_pos_attribute(vocab):
    gold_pos = ["DET", "ADJ", "NOUN", "VERB", "DET", "NOUN", "PUNCT"]
    pred_pos = ["DET", "ADJ", "NOUN", "AUX", "DET", "NOUN", "PUNCT"]
    wrong_tags = ["XX"] * 7  # every tag wrong: pos_acc must not look at them
    example = eg(vocab, {"words": SENT, "spaces": SENT_SPACES, "pos": pred_pos, "tags": wrong_tags},
                 {"words": SENT, "spaces": SENT_SPACES, "pos": gold_pos, "tags": GOLD_TAGS})
    # 7 gold POS, one wrong: "saw" AUX for VERB
    assert scorer.score_token_attr([example], "pos") == {"pos_acc": approx(6 / 7)}
    assert scorer.score_token_attr([example], "tag")["tag_acc"] == 0.0


def test_tagger_score_method_reports_tag_acc():
    nlp = fastpipe.blank("en")
    tagger = nlp.add_pipe("tagger")
    pred_tags = ["DT", "JJ", "NN", "VBZ", "DT", "NNS", "."]
    example = Example(Doc(nlp.vocab, words=SENT, spaces=SENT_SPACES, tags=pred_tags),
                      Doc(nlp.vocab, words=SENT, spaces=SENT_SPACES, tags=GOLD_TAGS))
    assert tagger.score([example]) == {"tag_acc": approx(5 / 7)}  # "saw", "dog" wrong


# -- dependencies ------------------------------------------------------------------------------

# "The cat saw the dog ." with gold arcs
#   The -det-> cat, cat -nsubj-> saw, saw ROOT, the -det-> dog, dog -obj-> saw, . -punct-> saw
PARSE_WORDS = ["The", "cat", "saw", "the", "dog", "."]
PARSE_SPACES = [True, True, True, True, False, False]
GOLD_HEADS = [1, 2, 2, 4, 2, 2]
GOLD_DEPS = ["det", "nsubj", "ROOT", "det", "obj", "punct"]
# predicted: "the" gets the right head but label nsubj; "dog" the right label but head "cat";
# "." the wrong head (punctuation: not scored)
PRED_HEADS = [1, 2, 2, 4, 1, 3]
PRED_DEPS = ["det", "nsubj", "ROOT", "nsubj", "obj", "punct"]


def parse_example(vocab, pred_heads=PRED_HEADS, pred_deps=PRED_DEPS, gold_deps=GOLD_DEPS):
    return eg(vocab, {"words": PARSE_WORDS, "spaces": PARSE_SPACES, "heads": pred_heads,
                      "deps": pred_deps},
              {"words": PARSE_WORDS, "spaces": PARSE_SPACES, "heads": GOLD_HEADS,
               "deps": gold_deps})


def test_uas_and_las_count_wrong_heads_and_labels(vocab):
    scores = scorer.score_deps([parse_example(vocab)])
    # 5 scored tokens (the punct "." is left out); heads right: The, cat, saw, the -> 4;
    # head and label right: The, cat, saw -> 3 ("the" has label nsubj, "dog" head "cat")
    assert scores["dep_uas"] == approx(4 / 5)
    assert scores["dep_las"] == approx(3 / 5)


def test_punctuation_is_left_out_of_attachment_scores(vocab):
    # only the punctuation attaches wrongly: a perfect score
    heads = list(GOLD_HEADS)
    heads[5] = 3
    scores = scorer.score_deps([parse_example(vocab, heads, GOLD_DEPS)])
    assert scores["dep_uas"] == 1.0
    assert scores["dep_las"] == 1.0
    assert "punct" not in scores["dep_las_per_type"]


def test_punctuation_label_p_is_left_out_whatever_its_case(vocab):
    # CoNLL-2008 style "P" for punctuation, the same wrong "." head
    gold = GOLD_DEPS[:5] + ["P"]
    pred = PRED_DEPS[:5] + ["P"]
    scores = scorer.score_deps([parse_example(vocab, PRED_HEADS, pred, gold)])
    assert scores["dep_uas"] == approx(4 / 5)
    assert scores["dep_las"] == approx(3 / 5)


def test_empty_ignore_labels_scores_punctuation_too(vocab):
    scores = scorer.score_deps([parse_example(vocab)], ignore_labels=())
    # 6 scored tokens now; "." has the wrong head, so it adds to neither figure
    assert scores["dep_uas"] == approx(4 / 6)
    assert scores["dep_las"] == approx(3 / 6)


def test_gold_punctuation_predicted_with_another_label_is_a_false_positive(vocab):
    pred = PRED_DEPS[:5] + ["obj"]  # "." predicted as obj of "the"
    scores = scorer.score_deps([parse_example(vocab, PRED_HEADS, pred)])
    # spaCy's definition: each side leaves out the arcs it labels punct, and the scores are
    # F-scores of the arc sets: 5 gold arcs, 6 predicted, 4 (3) right
    assert scores["dep_uas"] == approx(f1(4 / 6, 4 / 5))
    assert scores["dep_las"] == approx(f1(3 / 6, 3 / 5))


def test_las_per_type_is_precision_and_recall_over_labelled_arcs(vocab):
    per_type = scorer.score_deps([parse_example(vocab)])["dep_las_per_type"]
    assert set(per_type) == {"det", "nsubj", "root", "obj"}  # no punct; lower case
    # det: gold arcs The->cat, the->dog; predicted only The->cat
    assert per_type["det"]["p"] == approx(1 / 1)
    assert per_type["det"]["r"] == approx(1 / 2)
    assert per_type["det"]["f"] == approx(f1(1, 1 / 2))
    # nsubj: gold cat->saw; predicted cat->saw and the->dog
    assert per_type["nsubj"]["p"] == approx(1 / 2)
    assert per_type["nsubj"]["r"] == approx(1 / 1)
    # obj: gold dog->saw, predicted dog->cat: nothing right
    assert per_type["obj"] == {"p": 0.0, "r": 0.0, "f": 0.0}
    assert per_type["root"] == {"p": 1.0, "r": 1.0, "f": 1.0}


def test_attachment_reads_each_piece_of_a_split_reference_token(vocab):
    # gold: I -nsubj-> go, can't -aux-> go, go ROOT; the tokenizer split "can't"
    example = eg(vocab,
                 {"words": ["I", "ca", "n't", "go"], "spaces": [True, False, True, False],
                  "heads": [3, 3, 3, 3], "deps": ["nsubj", "aux", "neg", "ROOT"]},
                 {"words": ["I", "can't", "go"], "spaces": [True, True, False],
                  "heads": [2, 2, 2], "deps": ["nsubj", "aux", "ROOT"]})
    scores = scorer.score_deps([example])
    # "ca" and "n't" both give an arc for "can't" -> go: the same unlabelled arc, so UAS is
    # perfect; labelled, "neg" is a fourth predicted arc, a false positive
    assert scores["dep_uas"] == approx(1.0)
    assert scores["dep_las"] == approx(f1(3 / 4, 3 / 3))


def test_attachment_counts_merged_reference_tokens_and_their_dependents_as_wrong(vocab):
    # gold: New -compound-> York, York -nsubj-> is, is ROOT, big -acomp-> is
    example = eg(vocab,
                 {"words": ["New York", "is", "big"], "spaces": [True, True, False],
                  "heads": [1, 1, 1], "deps": ["nsubj", "ROOT", "acomp"]},
                 {"words": ["New", "York", "is", "big"], "spaces": [True, True, True, False],
                  "heads": [1, 2, 2, 2], "deps": ["compound", "nsubj", "ROOT", "acomp"]})
    scores = scorer.score_deps([example])
    # "New York" lies over two reference tokens: its arc is a false positive; "is" and "big"
    # right: 2 right of 3 predicted, of 4 gold
    assert scores["dep_uas"] == approx(f1(2 / 3, 2 / 4))
    assert scores["dep_las"] == approx(f1(2 / 3, 2 / 4))
    assert "nsubj" in scores["dep_las_per_type"]   # the gold arc York -> is, missed
    assert scores["dep_las_per_type"]["nsubj"]["r"] == 0.0


def test_reference_without_a_parse_is_skipped(vocab):
    unparsed = eg(vocab, {"words": PARSE_WORDS, "spaces": PARSE_SPACES, "heads": [0] * 6,
                          "deps": ["x"] * 6},
                  {"words": PARSE_WORDS, "spaces": PARSE_SPACES})
    scores = scorer.score_deps([parse_example(vocab), unparsed])
    assert scores["dep_uas"] == approx(4 / 5)  # as for the parsed example alone
    assert scores["dep_las"] == approx(3 / 5)
    assert scorer.score_deps([unparsed]) == {"dep_uas": None, "dep_las": None,
                                             "dep_las_per_type": None}


def test_token_without_a_gold_label_is_not_scored(vocab):
    gold = ["det", "nsubj", "ROOT", None, "obj", "punct"]  # "the" left unannotated
    pred = ["det", "nsubj", "ROOT", "amod", "obj", "punct"]
    scores = scorer.score_deps([parse_example(vocab, PRED_HEADS, pred, gold)])
    # 4 scored tokens: The, cat, saw right; dog's head wrong
    assert scores["dep_uas"] == approx(3 / 4)
    assert scores["dep_las"] == approx(3 / 4)
    # the amod arc on the unannotated token is neither right nor wrong
    assert "amod" not in scores["dep_las_per_type"]
    assert scores["dep_las_per_type"]["det"] == {"p": 1.0, "r": 1.0, "f": 1.0}


def test_parser_score_method_reports_deps_and_sents():
    nlp = fastpipe.blank("en")
    parser = nlp.add_pipe("parser")
    example = Example(Doc(nlp.vocab, words=PARSE_WORDS, spaces=PARSE_SPACES, heads=PRED_HEADS,
                          deps=PRED_DEPS),
                      Doc(nlp.vocab, words=PARSE_WORDS, spaces=PARSE_SPACES, heads=GOLD_HEADS,
                          deps=GOLD_DEPS))
    scores = parser.score([example])
    assert scores["dep_uas"] == approx(4 / 5)
    assert scores["dep_las"] == approx(3 / 5)
    # both parses are one tree: one sentence each, the same one
    assert (scores["sents_p"], scores["sents_r"]) == (1.0, 1.0)


# -- entities ----------------------------------------------------------------------------------

ENT_WORDS = ["Ada", "Lovelace", "and", "Mary", "Somerville", "met", "Charles", "Babbage", "in",
             "London", "."]
ENT_SPACES = [True] * 9 + [False, False]
# gold: PER "Ada Lovelace", PER "Mary Somerville", PER "Charles Babbage", GPE "London"
GOLD_ENTS = ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "B-GPE", "O"]
# predicted: "Ada Lovelace" exact; "Mary Somerville" missed; "Babbage" alone (overlaps the
# gold "Charles Babbage": wrong); "London" as ORG (wrong label)
PRED_ENTS = ["B-PER", "I-PER", "O", "O", "O", "O", "O", "B-PER", "O", "B-ORG", "O"]


def ent_example(vocab, pred=PRED_ENTS, gold=GOLD_ENTS):
    ref = {"words": ENT_WORDS, "spaces": ENT_SPACES}
    if gold is not None:
        ref["ents"] = gold
    return eg(vocab, {"words": ENT_WORDS, "spaces": ENT_SPACES, "ents": pred}, ref)


def test_ents_count_exact_partial_and_wrong_label(vocab):
    scores = scorer.score_spans([ent_example(vocab)], "ents")
    # 3 predicted, 4 gold, 1 right (Ada Lovelace)
    p, r = 1 / 3, 1 / 4
    assert scores["ents_p"] == approx(p)
    assert scores["ents_r"] == approx(r)
    assert scores["ents_f"] == approx(f1(p, r))  # 2/7


def test_ents_per_type(vocab):
    per_type = scorer.score_spans([ent_example(vocab)], "ents")["ents_per_type"]
    assert set(per_type) == {"PER", "GPE", "ORG"}
    # PER: predicted Ada Lovelace (right) and Babbage (wrong); gold three PER
    assert per_type["PER"]["p"] == approx(1 / 2)
    assert per_type["PER"]["r"] == approx(1 / 3)
    assert per_type["PER"]["f"] == approx(f1(1 / 2, 1 / 3))
    assert per_type["GPE"] == {"p": 0.0, "r": 0.0, "f": 0.0}  # London not found as GPE
    assert per_type["ORG"] == {"p": 0.0, "r": 0.0, "f": 0.0}  # London wrongly ORG


def test_reference_without_entity_annotation_is_skipped(vocab):
    guessed = ["B-PER"] + ["O"] * 10
    unannotated = ent_example(vocab, pred=guessed, gold=None)
    scores = scorer.score_spans([ent_example(vocab), unannotated], "ents")
    assert scores["ents_p"] == approx(1 / 3)  # as for the annotated example alone
    assert scores["ents_r"] == approx(1 / 4)
    assert scorer.score_spans([unannotated], "ents") == {
        "ents_p": None, "ents_r": None, "ents_f": None, "ents_per_type": None}


def test_outside_annotation_makes_predicted_entities_false_positives(vocab):
    guessed = ["B-PER"] + ["O"] * 10
    all_outside = ent_example(vocab, pred=guessed, gold=["O"] * 11)
    scores = scorer.score_spans([ent_example(vocab), all_outside], "ents")
    assert scores["ents_p"] == approx(1 / 4)  # one more wrong prediction: 1 right of 4
    assert scores["ents_r"] == approx(1 / 4)  # no more gold entities
    assert scores["ents_per_type"]["PER"]["p"] == approx(1 / 3)


def test_predicted_entity_over_unannotated_tokens_is_ignored(vocab):
    # gold knows "Ada Lovelace" is PER and "and"/"met" are O, but says nothing about "Mary
    # Somerville", "Charles Babbage", "in", "London" or "."
    gold = ["B-PER", "I-PER", "O", None, None, "O", None, None, None, None, None]
    # predicted: Ada Lovelace (right); Mary Somerville (unannotated: ignored); "met Charles"
    # (half outside, half unannotated: ignored); London (unannotated: ignored)
    pred = ["B-PER", "I-PER", "O", "B-PER", "I-PER", "B-MISC", "I-MISC", "O", "O", "B-GPE", "O"]
    scores = scorer.score_spans([ent_example(vocab, pred, gold)], "ents")
    assert (scores["ents_p"], scores["ents_r"]) == (1.0, 1.0)
    # a prediction that lies wholly on tokens annotated "O" is still wrong
    pred = ["B-PER", "I-PER", "B-MISC"] + ["O"] * 8  # "and" is annotated O
    scores = scorer.score_spans([ent_example(vocab, pred, gold)], "ents")
    assert scores["ents_p"] == approx(1 / 2)
    assert scores["ents_r"] == approx(1 / 1)


# -- sentences ---------------------------------------------------------------------------------

SENT_WORDS = ["Hello", "there", ".", "How", "are", "you", "?", "Fine", "."]
SENT_WORD_SPACES = [True, False, True, True, True, False, True, False, False]
# gold sentences: "Hello there ." / "How are you ?" / "Fine ."
GOLD_STARTS = [True, False, False, True, False, False, False, True, False]
# predicted: "Hello there ." / "How are you ? Fine ."
PRED_STARTS = [True, False, False, True, False, False, False, False, False]


def sent_example(vocab, pred=PRED_STARTS, gold=GOLD_STARTS):
    pred_doc = {"words": SENT_WORDS, "spaces": SENT_WORD_SPACES}
    if pred is not None:
        pred_doc["sent_starts"] = pred
    ref_doc = {"words": SENT_WORDS, "spaces": SENT_WORD_SPACES}
    if gold is not None:
        ref_doc["sent_starts"] = gold
    return eg(vocab, pred_doc, ref_doc)


def test_sentence_boundaries_are_scored_over_sentence_spans(vocab):
    scores = scorer.score_sents([sent_example(vocab)])
    # 2 predicted sentences, 3 gold, 1 the same ("Hello there ."); the second predicted one
    # holds two gold sentences, so it is wrong and both are missed
    p, r = 1 / 2, 1 / 3
    assert scores["sents_p"] == approx(p)
    assert scores["sents_r"] == approx(r)
    assert scores["sents_f"] == approx(f1(p, r))  # 2/5


def test_reference_without_sentence_boundaries_is_skipped(vocab):
    unannotated = sent_example(vocab, pred=[True] * 9, gold=None)
    scores = scorer.score_sents([sent_example(vocab), unannotated])
    assert scores["sents_p"] == approx(1 / 2)
    assert scores["sents_r"] == approx(1 / 3)
    assert scorer.score_sents([unannotated]) == {"sents_p": None, "sents_r": None,
                                                 "sents_f": None}


def test_prediction_without_sentence_boundaries_finds_nothing(vocab):
    scores = scorer.score_sents([sent_example(vocab, pred=None)])
    assert (scores["sents_p"], scores["sents_r"], scores["sents_f"]) == (0.0, 0.0, 0.0)


# -- text categories ---------------------------------------------------------------------------


def cats_examples(vocab, pairs):
    """One short Example per (predicted cats, gold cats) pair."""
    return [eg(vocab, {"words": ["text", str(i)], "spaces": [True, False], "cats": pred},
               {"words": ["text", str(i)], "spaces": [True, False], "cats": gold})
            for i, (pred, gold) in enumerate(pairs)]


EXCLUSIVE = ["POS", "NEG", "NEU"]
EXCLUSIVE_PAIRS = [
    ({"POS": 0.7, "NEG": 0.2, "NEU": 0.1}, {"POS": 1.0, "NEG": 0.0, "NEU": 0.0}),  # POS right
    ({"POS": 0.6, "NEG": 0.3, "NEU": 0.1}, {"POS": 0.0, "NEG": 1.0, "NEU": 0.0}),  # POS for NEG
    ({"POS": 0.1, "NEG": 0.2, "NEU": 0.7}, {"POS": 0.0, "NEG": 0.0, "NEU": 1.0}),  # NEU right
    ({"POS": 0.2, "NEG": 0.45, "NEU": 0.35}, {"POS": 0.0, "NEG": 1.0, "NEU": 0.0}),  # NEG right
]


def test_exclusive_cats_take_the_best_label(vocab):
    scores = scorer.score_cats(cats_examples(vocab, EXCLUSIVE_PAIRS), EXCLUSIVE,
                               multi_label=False)
    per_type = scores["cats_f_per_type"]
    # POS: right once, predicted once wrongly (example 2)
    assert per_type["POS"]["p"] == approx(1 / 2)
    assert per_type["POS"]["r"] == approx(1 / 1)
    # NEG: right once, missed once (example 2)
    assert per_type["NEG"]["p"] == approx(1 / 1)
    assert per_type["NEG"]["r"] == approx(1 / 2)
    assert per_type["NEU"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    macro_f = (f1(1 / 2, 1) + f1(1, 1 / 2) + 1.0) / 3
    assert scores["cats_macro_f"] == approx(macro_f)  # 7/9
    assert scores["cats_score"] == approx(macro_f)
    # pooled: 3 right, 1 wrong prediction, 1 missed gold label
    assert scores["cats_micro_p"] == approx(3 / 4)
    assert scores["cats_micro_r"] == approx(3 / 4)
    assert scores["cats_micro_f"] == approx(3 / 4)
    assert scores["cats_acc"] == approx(3 / 4)


def test_exclusive_cats_ignore_the_threshold(vocab):
    # example 4's best score is 0.45, every best score is below 0.9: the best label still wins
    examples = cats_examples(vocab, EXCLUSIVE_PAIRS)
    high = scorer.score_cats(examples, EXCLUSIVE, multi_label=False, threshold=0.9)
    assert high["cats_macro_f"] == approx((f1(1 / 2, 1) + f1(1, 1 / 2) + 1.0) / 3)
    assert high["cats_acc"] == approx(3 / 4)


def test_exclusive_cats_read_a_label_the_reference_leaves_out_as_false(vocab):
    # the references name only their true class; the second prediction of POS is still wrong
    examples = cats_examples(vocab, [({"POS": 0.6, "NEG": 0.3, "NEU": 0.1}, {"POS": 1.0}),
                                     ({"POS": 0.6, "NEG": 0.3, "NEU": 0.1}, {"NEG": 1.0})])
    scores = scorer.score_cats(examples, EXCLUSIVE, multi_label=False)
    per_type = scores["cats_f_per_type"]
    assert per_type["POS"]["p"] == approx(1 / 2)  # predicted twice, right once
    assert per_type["POS"]["r"] == approx(1 / 1)
    assert per_type["NEG"]["r"] == approx(0 / 1)
    # pooled: tp 1, fp 1, fn 1
    assert scores["cats_micro_p"] == approx(1 / 2)
    assert scores["cats_micro_r"] == approx(1 / 2)
    # and the left-out labels are negatives for the AUC: POS scored 0.6 for its positive and
    # 0.6 for its negative, a tie
    assert scores["cats_auc_per_type"]["POS"] == approx(1 / 2)


MULTI = ["A", "B"]
# threshold 0.5; comments say what each score means at that threshold
MULTI_PAIRS = [
    ({"A": 0.9, "B": 0.5}, {"A": 1.0, "B": 0.0}),    # A right; B exactly at threshold: false pos
    ({"A": 0.49, "B": 0.8}, {"A": 0.0, "B": 1.0}),   # A just below: right negative; B right
    ({"A": 0.51, "B": 0.2}, {"A": 1.0, "B": 1.0}),   # A just above: right; B missed
    ({"A": 0.6, "B": 0.2}, {"A": 0.0, "B": 0.0}),    # A false pos; B right negative
]


def test_multilabel_cats_at_and_around_the_threshold(vocab):
    scores = scorer.score_cats(cats_examples(vocab, MULTI_PAIRS), MULTI, multi_label=True,
                               threshold=0.5)
    per_type = scores["cats_f_per_type"]
    # A: tp 2 (examples 1, 3), fp 1 (example 4), fn 0
    assert per_type["A"]["p"] == approx(2 / 3)
    assert per_type["A"]["r"] == approx(1.0)
    # B: tp 1 (example 2), fp 1 (example 1, at the threshold), fn 1 (example 3)
    assert per_type["B"]["p"] == approx(1 / 2)
    assert per_type["B"]["r"] == approx(1 / 2)
    # pooled: tp 3, fp 2, fn 1
    assert scores["cats_micro_p"] == approx(3 / 5)
    assert scores["cats_micro_r"] == approx(3 / 4)
    assert scores["cats_micro_f"] == approx(f1(3 / 5, 3 / 4))
    assert scores["cats_macro_p"] == approx((2 / 3 + 1 / 2) / 2)
    assert scores["cats_macro_r"] == approx((1 + 1 / 2) / 2)
    assert scores["cats_macro_f"] == approx((f1(2 / 3, 1) + f1(1 / 2, 1 / 2)) / 2)


def test_multilabel_threshold_moves_the_decisions(vocab):
    scores = scorer.score_cats(cats_examples(vocab, MULTI_PAIRS), MULTI, multi_label=True,
                               threshold=0.55)
    per_type = scores["cats_f_per_type"]
    # A at 0.55: example 1 tp, 2 tn, 3 (0.51) now fn, 4 (0.6) fp -> tp 1, fp 1, fn 1
    assert (per_type["A"]["p"], per_type["A"]["r"]) == (approx(1 / 2), approx(1 / 2))
    # B at 0.55: example 1 (0.5) now tn, 2 tp, 3 fn, 4 tn -> tp 1, fp 0, fn 1
    assert (per_type["B"]["p"], per_type["B"]["r"]) == (approx(1.0), approx(1 / 2))
    assert scores["cats_micro_p"] == approx(2 / 3)
    assert scores["cats_micro_r"] == approx(2 / 4)


def test_multilabel_auc_counts_ties_half_and_is_the_cats_score(vocab):
    examples = cats_examples(vocab, MULTI_PAIRS)
    scores = scorer.score_cats(examples, MULTI, multi_label=True, threshold=0.5)
    # A: positives score 0.9, 0.51; negatives 0.49, 0.6. Ordered pairs (pos > neg):
    #    0.9>0.49, 0.9>0.6, 0.51>0.49 yes; 0.51>0.6 no -> 3 of 4
    auc_a = 3 / 4
    # B: positives 0.8, 0.2; negatives 0.5, 0.2. 0.8>0.5, 0.8>0.2 yes; 0.2<0.5 no;
    #    0.2=0.2 a tie, half -> 2.5 of 4
    auc_b = 2.5 / 4
    assert scores["cats_auc_per_type"]["A"] == approx(auc_a)
    assert scores["cats_auc_per_type"]["B"] == approx(auc_b)
    assert scores["cats_macro_auc"] == approx((auc_a + auc_b) / 2)
    assert scores["cats_score"] == approx((auc_a + auc_b) / 2)
    # the AUC does not depend on the threshold
    other = scorer.score_cats(examples, MULTI, multi_label=True, threshold=0.55)
    assert other["cats_macro_auc"] == approx((auc_a + auc_b) / 2)


def test_multilabel_label_missing_from_the_reference_is_not_scored(vocab):
    # a fifth example knows only that A is false; its B score of 0.9 is neither right nor wrong
    pairs = MULTI_PAIRS + [({"A": 0.1, "B": 0.9}, {"A": 0.0})]
    scores = scorer.score_cats(cats_examples(vocab, pairs), MULTI, multi_label=True,
                               threshold=0.5)
    per_type = scores["cats_f_per_type"]
    assert per_type["B"]["p"] == approx(1 / 2)  # unchanged: tp 1, fp 1
    assert scores["cats_auc_per_type"]["B"] == approx(2.5 / 4)
    # for A it is one more right negative (0.1): precision, recall unchanged, AUC gains a
    # pair won by both positives: (3 + 2) / (2 * 3)
    assert per_type["A"]["p"] == approx(2 / 3)
    assert scores["cats_auc_per_type"]["A"] == approx(5 / 6)


def test_auc_is_undefined_for_a_label_with_one_class(vocab):
    pairs = [({"A": 0.9, "B": 0.3}, {"A": 1.0, "B": 0.0}),
             ({"A": 0.2, "B": 0.4}, {"A": 1.0, "B": 1.0})]  # A is always true
    scores = scorer.score_cats(cats_examples(vocab, pairs), MULTI, multi_label=True)
    assert scores["cats_auc_per_type"]["A"] is None
    assert scores["cats_auc_per_type"]["B"] == approx(1.0)  # 0.4 (pos) > 0.3 (neg)


def test_references_without_cats_are_skipped(vocab):
    examples = cats_examples(vocab, [({"A": 0.9, "B": 0.9}, {})])
    scores = scorer.score_cats(examples, MULTI, multi_label=True)
    assert scores["cats_score"] is None
    assert scores["cats_micro_f"] is None


# -- spaCy's definitions where they are not the obvious ones ------------------------------------
# (tests/test_scorer_one_ruler.py checks every figure against spaCy's Scorer on a sample)


def test_prediction_without_a_parse_counts_each_token_as_its_own_root_labelled_empty(vocab):
    example = eg(vocab, {"words": PARSE_WORDS, "spaces": PARSE_SPACES},
                 {"words": PARSE_WORDS, "spaces": PARSE_SPACES, "heads": GOLD_HEADS,
                  "deps": GOLD_DEPS})
    scores = scorer.score_deps([example])
    # 6 predicted self-arcs (the "." too: its predicted label "" is not punct), 5 gold arcs;
    # only "saw" -> "saw" has the right head, and no label is right
    assert scores["dep_uas"] == approx(f1(1 / 6, 1 / 5))
    assert scores["dep_las"] == 0.0
    assert scores["dep_las_per_type"][""] == {"p": 0.0, "r": 0.0, "f": 0.0}


def test_a_span_that_cuts_a_reference_token_is_left_out(vocab):
    pred = Doc(vocab, words=["a", "b1", "b2", "c"], spaces=[True, False, True, False])
    gold = Doc(vocab, words=["a", "b1b2", "c"], spaces=[True, True, False])
    pred.spans["sc"] = [pred[0:1], pred[1:2]]   # "a", and half of "b1b2"
    gold.spans["sc"] = [gold[0:1], gold[1:2]]
    scores = scorer.spancat_score([Example(pred, gold)])
    # "b1" is neither right nor wrong: 1 right of 1 predicted, of 2 gold
    assert (scores["spans_sc_p"], scores["spans_sc_r"]) == (approx(1.0), approx(1 / 2))


def test_an_entity_over_part_of_a_reference_token_stands_for_the_whole_token(vocab):
    pred = Doc(vocab, words=["a", "b1", "b2", "c"], spaces=[True, False, True, False],
               ents=["B-L", "B-L", "O", "O"])
    gold = Doc(vocab, words=["a", "b1b2", "c"], spaces=[True, True, False],
               ents=["B-L", "B-L", "O"])
    scores = scorer.score_spans([Example(pred, gold)], "ents")
    # "b1" reads as "b1b2": both entities right (spaCy's entity scores; other spans drop it)
    assert (scores["ents_p"], scores["ents_r"]) == (1.0, 1.0)


def test_spans_are_compared_in_reference_tokens_not_characters(vocab):
    # a doubled space shifts every character offset after it, not the tokens
    pred = Doc(vocab, words=["a", " ", "b", "c"], spaces=[True, False, True, False],
               ents=["O", "O", "B-L", "O"])
    gold = Doc(vocab, words=["a", "b", "c"], spaces=[True, True, False], ents=["O", "B-L", "O"])
    example = Example(pred, gold)
    assert scorer.score_spans([example], "ents")["ents_f"] == 1.0
    # the token spans are compared by offsets, each in its own text: only "a" (0, 1) matches
    tokens = scorer.score_tokenization([example])
    assert (tokens["token_p"], tokens["token_r"]) == (approx(1 / 3), approx(1 / 3))


def test_unlabelled_span_scores_ignore_the_labels_and_still_leave_out_cut_tokens(vocab):
    # what spaCy 3.8's span_finder scorer reports for the same Docs: p 1.0, r 0.5
    pred = Doc(vocab, words=["a", "b1", "b2", "c"], spaces=[True, False, True, False])
    gold = Doc(vocab, words=["a", "b1b2", "c"], spaces=[True, True, False])
    pred.spans["sc"] = [Span(pred, 0, 1, label="X"), Span(pred, 1, 2)]
    gold.spans["sc"] = [Span(gold, 0, 1, label="L"), Span(gold, 1, 2, label="L")]
    scores = scorer.score_spans([Example(pred, gold)], "spans_sc", labeled=False,
                                getter=lambda doc: doc.spans["sc"],
                                has_annotation=lambda doc: "sc" in doc.spans)
    assert (scores["spans_sc_p"], scores["spans_sc_r"]) == (1.0, 0.5)


def test_span_finder_scores_its_candidates_in_reference_tokens(vocab):
    # a doubled space moves the predicted spans' characters, not the tokens they stand for
    pred = Doc(vocab, words=["a", " ", "b", "c"], spaces=[True, False, True, False])
    gold = Doc(vocab, words=["a", "b", "c"], spaces=[True, True, False])
    pred.spans["sc"] = [Span(pred, 2, 4), Span(pred, 0, 1)]
    gold.spans["sc"] = [Span(gold, 1, 3, label="L"), Span(gold, 2, 3, label="L")]
    scores = scorer.span_finder_score([Example(pred, gold)], spans_key="sc")
    assert (scores["spans_sc_p"], scores["spans_sc_r"]) == (0.5, 0.5)
    assert "spans_sc_per_type" not in scores


def test_span_scores_are_none_when_nothing_was_counted(vocab):
    pred = Doc(vocab, words=["a", "b"], ents=["O", "O"])
    gold = Doc(vocab, words=["a", "b"], ents=["O", "O"])
    assert scorer.score_spans([Example(pred, gold)], "ents")["ents_f"] is None
    pred.ents = [Span(pred, 0, 1, label="X")]
    assert scorer.score_spans([Example(pred, gold)], "ents")["ents_f"] == 0.0


def test_a_predicted_whitespace_token_stands_for_nothing(vocab):
    # spaCy aligns texts without their whitespace: the predicted " " answers for no reference
    # token, even when both tokenizations are the same; the reference's " " is still counted
    words, spaces = ["a", " ", "b"], [True, False, False]
    doc = {"words": words, "spaces": spaces, "tags": ["X", "_SP", "Y"], "heads": [2, 0, 2],
           "deps": ["x", "dep", "ROOT"]}
    example = eg(vocab, doc, doc)
    # 2 of 2 predicted values right, of 3 reference values
    assert scorer.score_token_attr([example], "tag")["tag_acc"] == approx(f1(1, 2 / 3))
    scores = scorer.score_deps([example])
    assert (scores["dep_uas"], scores["dep_las"]) == (approx(f1(1, 2 / 3)), approx(f1(1, 2 / 3)))


def test_exclusive_cats_count_a_reference_without_cats_and_average_auc_over_all_labels(vocab):
    pairs = [({"A": 0.6, "B": 0.3, "C": 0.1}, {"A": 1.0, "B": 0.0, "C": 0.0}),
             ({"A": 0.2, "B": 0.5, "C": 0.3}, {"A": 0.0, "B": 0.0, "C": 1.0}),
             ({"A": 0.7, "B": 0.2, "C": 0.1}, {})]   # no gold cats: every label false
    scores = scorer.score_cats(cats_examples(vocab, pairs), ["A", "B", "C"], multi_label=False)
    # A predicted twice, right once; B predicted once, wrong; C missed once
    assert scores["cats_f_per_type"]["A"]["p"] == approx(1 / 2)
    assert scores["cats_micro_p"] == approx(1 / 3)
    assert scores["cats_micro_r"] == approx(1 / 2)
    # AUC: A 0.6 (pos) above 0.2 but below 0.7 (negatives): 1/2; B has no positive: undefined,
    # adding 0 to the macro average; C 0.3 (pos) above 0.1 and 0.1: 1
    assert scores["cats_auc_per_type"]["B"] is None
    assert scores["cats_macro_auc"] == approx((1 / 2 + 0 + 1) / 3)


def test_multilabel_cats_report_no_accuracy(vocab):
    scores = scorer.score_cats(cats_examples(vocab, MULTI_PAIRS), MULTI, multi_label=True)
    assert "cats_acc" not in scores


# -- components and Language.evaluate ----------------------------------------------------------


def test_evaluate_scores_a_pipeline_whose_output_is_fixed():
    """nlp.evaluate re-tokenizes the reference texts, runs the pipeline and merges the
    components' scores; the tagger and text classifier here answer from fixed tables."""
    nlp = fastpipe.blank("en")
    tagger = nlp.add_pipe("tagger")
    ruler = nlp.add_pipe("entity_ruler")
    textcat = nlp.add_pipe("textcat_multilabel", config={"threshold": 0.55})
    tags = {"I": "PRP", "ca": "MD", "n't": "RB", "see": "VBP", "Paris": "NNP", ".": ".",
            "We": "PRP", "ate": "VBD", "soup": "NNS"}
    for tag in sorted(set(tags.values())):
        tagger.add_label(tag)

    def predict_tags(docs):
        index = {label: i for i, label in enumerate(tagger.labels)}
        out = []
        for doc in docs:
            scores = numpy.zeros((len(doc), len(index)), dtype="f")
            for i, token in enumerate(doc):
                scores[i, index[tags[token.text]]] = 1.0
            out.append(scores)
        return out

    tagger.predict = predict_tags
    ruler.add_patterns([{"label": "GPE", "pattern": "Paris"}, {"label": "PERSON", "pattern": "I"}])
    textcat.add_label("TRAVEL")
    textcat.add_label("FOOD")
    cats = {"I can't see Paris.": [0.55, 0.54], "We ate soup.": [0.6, 0.9]}
    textcat.predict = lambda docs: numpy.asarray([cats[doc.text] for doc in docs], dtype="f")

    paris = Doc(nlp.vocab, words=["I", "can't", "see", "Paris", "."],
                spaces=[True, True, True, False, False], tags=["PRP", "MD", "VB", "NNP", "."],
                ents=["O", "O", "O", "B-GPE", "O"])
    paris.cats.update({"TRAVEL": 1.0, "FOOD": 0.0})
    soup = Doc(nlp.vocab, words=["We", "ate", "soup", "."], spaces=[True, True, False, False],
               tags=["PRP", "VBD", "NN", "."], ents=["O", "O", "O", "O"])
    soup.cats.update({"TRAVEL": 0.0, "FOOD": 1.0})
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in (paris, soup)]
    scores = nlp.evaluate(examples)

    # the tokenizer splits "can't" (6 tokens for 5) and agrees on "We ate soup." (4 for 4);
    # every predicted token lies within one reference token
    assert scores["token_acc"] == approx(10 / 10)
    assert scores["token_p"] == approx(8 / 10)
    assert scores["token_r"] == approx(8 / 9)
    # 9 gold tags, 10 predicted (token, tag) pairs: "ca" MD and "n't" RB both for "can't";
    # wrong: RB, "see" (VBP), "soup" (NNS); missed: see VB, soup NN. 7 right
    assert scores["tag_acc"] == approx(f1(7 / 10, 7 / 9))
    # entities: Paris right, "I" as PERSON wrong; the one gold entity found
    assert scores["ents_p"] == approx(1 / 2)
    assert scores["ents_r"] == approx(1.0)
    # cats at threshold 0.55: TRAVEL 0.55 right (at the threshold), 0.6 a false positive;
    # FOOD 0.54 right negative (below), 0.9 right. AUC: TRAVEL's positive 0.55 is below its
    # negative 0.6 (0), FOOD's positive 0.9 above its negative 0.54 (1)
    assert scores["cats_f_per_type"]["TRAVEL"]["p"] == approx(1 / 2)
    assert scores["cats_micro_p"] == approx(2 / 3)
    assert scores["cats_micro_r"] == approx(2 / 2)
    assert scores["cats_score"] == approx((0.0 + 1.0) / 2)
