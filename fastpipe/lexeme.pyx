# cython: language_level=3
"""Lexeme: a Python view of one LexemeC entry of a Vocab."""
from .attrs cimport *  # the flag ids
from .attrs import intify_attr, IDS, FLAG_IDS, NAMES
from .errors import Errors


cdef class LexemeAttrs:
    """The attributes every word form has, shared by Lexeme and Token."""

    cdef const LexemeC* lex_c(self) except NULL:
        raise TypeError(Errors.E028)

    cdef StringStore lex_strings(self):
        return None

    def check_flag(self, flag):
        """Value of a lexical flag given by name or id."""
        cdef int flag_id = intify_attr(flag)
        if not 0 < flag_id < 64:
            flags = ", ".join(NAMES[i] for i in FLAG_IDS)
            raise KeyError(Errors.E027.format(flag=flag, flags=flags))
        return bool(lex_check_flag(self.lex_c(), <attr_id_t>flag_id))

    @property
    def orth(self): return self.lex_c().orth
    @property
    def orth_(self): return self.lex_strings().decode(self.lex_c().orth)
    @property
    def text(self): return self.lex_strings().decode(self.lex_c().orth)
    @property
    def lower(self): return self.lex_c().lower
    @property
    def lower_(self): return self.lex_strings().decode(self.lex_c().lower)
    @property
    def norm(self): return self.lex_c().norm
    @property
    def norm_(self): return self.lex_strings().decode(self.lex_c().norm)
    @property
    def shape(self): return self.lex_c().shape
    @property
    def shape_(self): return self.lex_strings().decode(self.lex_c().shape)
    @property
    def prefix(self): return self.lex_c().prefix
    @property
    def prefix_(self): return self.lex_strings().decode(self.lex_c().prefix)
    @property
    def suffix(self): return self.lex_c().suffix
    @property
    def suffix_(self): return self.lex_strings().decode(self.lex_c().suffix)
    @property
    def lang_(self): return self.lex_strings().decode(self.lex_c().lang)
    @property
    def length(self): return self.lex_c().length
    @property
    def rank(self): return self.lex_c().id

    @property
    def is_alpha(self): return bool(lex_check_flag(self.lex_c(), IS_ALPHA))
    @property
    def is_ascii(self): return bool(lex_check_flag(self.lex_c(), IS_ASCII))
    @property
    def is_digit(self): return bool(lex_check_flag(self.lex_c(), IS_DIGIT))
    @property
    def is_lower(self): return bool(lex_check_flag(self.lex_c(), IS_LOWER))
    @property
    def is_upper(self): return bool(lex_check_flag(self.lex_c(), IS_UPPER))
    @property
    def is_title(self): return bool(lex_check_flag(self.lex_c(), IS_TITLE))
    @property
    def is_punct(self): return bool(lex_check_flag(self.lex_c(), IS_PUNCT))
    @property
    def is_space(self): return bool(lex_check_flag(self.lex_c(), IS_SPACE))
    @property
    def is_bracket(self): return bool(lex_check_flag(self.lex_c(), IS_BRACKET))
    @property
    def is_quote(self): return bool(lex_check_flag(self.lex_c(), IS_QUOTE))
    @property
    def is_left_punct(self): return bool(lex_check_flag(self.lex_c(), IS_LEFT_PUNCT))
    @property
    def is_right_punct(self): return bool(lex_check_flag(self.lex_c(), IS_RIGHT_PUNCT))
    @property
    def is_currency(self): return bool(lex_check_flag(self.lex_c(), IS_CURRENCY))
    @property
    def like_url(self): return bool(lex_check_flag(self.lex_c(), LIKE_URL))
    @property
    def like_num(self): return bool(lex_check_flag(self.lex_c(), LIKE_NUM))
    @property
    def like_email(self): return bool(lex_check_flag(self.lex_c(), LIKE_EMAIL))
    @property
    def is_stop(self): return bool(lex_check_flag(self.lex_c(), IS_STOP))


cdef class Lexeme(LexemeAttrs):
    """A word type: its text and context-independent attributes. Get one with ``vocab[text]``."""

    def __init__(self, Vocab vocab, key):
        self.vocab = vocab
        if isinstance(key, str):
            self.c = vocab.get(key)
        elif isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 0xFFFFFFFFFFFFFFFF:
            if key not in vocab.strings:
                raise KeyError(Errors.E007.format(key=key))
            self.c = vocab.get_by_orth(key)
        else:
            raise TypeError(Errors.E006.format(type=type(key).__name__))

    cdef const LexemeC* lex_c(self) except NULL:
        if self.c == NULL:
            raise TypeError(Errors.E029)
        return self.c

    cdef StringStore lex_strings(self):
        return self.vocab.strings

    @staticmethod
    cdef Lexeme from_ptr(Vocab vocab, const LexemeC* lex):
        cdef Lexeme self = Lexeme.__new__(Lexeme)
        self.vocab = vocab
        self.c = lex
        return self

    def __repr__(self):
        return f"Lexeme({self.orth_!r})"

    def __eq__(self, other):
        return isinstance(other, Lexeme) and (<Lexeme>other).c == self.c

    def __hash__(self):
        return hash(self.lex_c().orth)

    def get_attr(self, attr):
        return lex_get_attr(self.lex_c(), <attr_id_t><int>intify_attr(attr))

