"""Typed use of fastpipe's compiled classes, for tests/test_packaging.py.

mypy checks this file against the .pyi stubs (``assert_type`` fails the check when a stub
gives another type), and the test also runs it, so what the stubs claim is what runs.
"""
from typing import Iterator, Optional

from typing_extensions import assert_type

from fastpipe.gold.example import Example
from fastpipe.lexeme import Lexeme
from fastpipe.strings import StringStore, hash_string
from fastpipe.tokenizer import Tokenizer
from fastpipe.tokens import Doc, Span, Token
from fastpipe.vocab import Vocab


def strings_and_vocab() -> Vocab:
    strings = StringStore(["apple"])
    key = strings.add("pear")
    assert_type(key, int)
    assert_type(strings[key], str)
    assert_type(strings["pear"], int)
    assert key == hash_string("pear") and strings[key] == "pear"
    vocab = Vocab(strings, lang="en")
    lexeme = vocab["apple"]
    assert_type(lexeme, Lexeme)
    assert_type(lexeme.is_alpha, bool)
    assert_type(vocab.strings, StringStore)
    assert lexeme.text == "apple" and lexeme.is_alpha and "apple" in vocab
    return vocab


def doc_token_span(vocab: Vocab) -> Doc:
    doc = Doc(vocab, words=["Anna", "eats", "pears", "."], spaces=[True, True, False, False],
              heads=[1, 1, 1, 1], deps=["nsubj", "ROOT", "obj", "punct"],
              ents=["B-PER", "O", "O", "O"])
    token = doc[0]
    assert_type(token, Token)
    assert_type(doc[1:3], Span)
    assert_type(token.head, Token)
    assert_type(token.dep_, str)
    assert_type(token.is_sent_start, Optional[bool])
    assert_type(doc.ents, tuple[Span, ...])
    assert_type(doc.sents, Iterator[Span])
    assert_type(doc.char_span(0, 4), Optional[Span])
    token.tag_ = "NNP"
    assert token.head.text == "eats" and token.tag_ == "NNP" and doc[1:3].text == "eats pears"
    assert [e.label_ for e in doc.ents] == ["PER"] and len(list(doc.sents)) == 1
    vocab.set_vector("pears", [1.0, 2.0, 2.0])
    assert_type(doc[2].vector_norm, float)
    assert_type(doc.similarity(doc[2]), float)
    assert doc[2].vector_norm == 3.0 and doc.similarity(doc[2]) > 0.99 and not doc[0].has_vector
    root = doc[0:4].root
    assert_type(root, Token)
    assert root.i == 1 and [t.i for t in root.children] == [0, 2, 3]
    return doc


def tokenizer_and_example(vocab: Vocab, gold: Doc) -> None:
    tokenizer = Tokenizer(vocab, suffixes=[r"\."])
    predicted = tokenizer("Anna eats pears.")
    assert_type(predicted, Doc)
    assert [t.text for t in predicted] == ["Anna", "eats", "pears", "."]
    example = Example(predicted, gold)
    assert_type(example.reference, Doc)
    heads, deps = example.get_aligned_parse(projectivize=False)
    assert_type(heads, list[Optional[int]])
    assert heads == [1, 1, 1, 1] and deps == ["nsubj", "ROOT", "obj", "punct"]
    again = Example.from_dict(tokenizer("Anna eats pears."), example.to_dict())
    assert_type(again, Example)
    assert again.get_aligned_ner() == ["U-PER", "O", "O", "O"]


def main() -> None:
    vocab = strings_and_vocab()
    tokenizer_and_example(vocab, doc_token_span(vocab))


if __name__ == "__main__":
    main()
