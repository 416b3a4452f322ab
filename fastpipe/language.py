"""The nlp object: a vocab, a tokenizer and (in later rooms) a pipeline of components."""
from .lang import get_lang_data
from .tokenizer import Tokenizer
from .vocab import Vocab


class Language:
    """A language's vocab and tokenizer; calling it on a text returns a Doc."""

    def __init__(self, vocab, tokenizer, lang_data=None):
        self.vocab = vocab
        self.tokenizer = tokenizer
        self.lang_data = lang_data

    @classmethod
    def blank(cls, lang: str) -> "Language":
        data = get_lang_data(lang)
        getters = dict(data.lex_attr_getters)
        if data.stop_words:
            getters["IS_STOP"] = _StopWords(data.stop_words)
        vocab = Vocab(lang=data.lang, lex_attr_getters=getters)
        tokenizer = Tokenizer.from_lang_data(vocab, data)
        return cls(vocab, tokenizer, lang_data=data)

    @property
    def lang(self) -> str:
        return self.vocab.lang

    def make_doc(self, text: str):
        return self.tokenizer(text)

    def __call__(self, text: str):
        return self.make_doc(text)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self.make_doc(text)


class _StopWords:
    """IS_STOP getter: case-insensitive membership in a language's stop list."""

    def __init__(self, words):
        self.words = frozenset(words)

    def __call__(self, text: str) -> bool:
        return text.lower() in self.words
