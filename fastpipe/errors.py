"""fastpipe's error messages, in one place, each with a code that tests and users can grep for.

A message names what was wrong (the value, the file, the attribute) and says what to do.
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code):
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # strings and vocab
    E001 = "Unknown string key {key}: it was never added to this StringStore."
    E002 = "String of {length} bytes is too long to store (the limit is 2 GiB)."
    E003 = "Only str can be added to a StringStore, not {type}."
    E004 = "StringStore keys are str or int, not {type}."
    E005 = "Could not read {what} from bytes: {err}. The data is truncated or not {what} data."
    E006 = "Vocab lookups take a str (the form) or an int (its key), not {type}."
    E007 = "Lexeme({key}) is not in the vocab: look it up with vocab[string] first."
    # doc, token, span
    E010 = "Doc(vocab, words=...) takes a list of str as words, got {type}."
    E011 = "Doc(words=..., spaces=...): spaces has {n_spaces} entries but there are {n_words} words."
    E012 = "Doc(words=...): word {i} is empty; every token must have at least one character."
    E013 = "Token index {i} is out of range for a Doc of {length} tokens."
    E014 = "Span [{start}:{end}] is out of range for a Doc of {length} tokens."
    E015 = "Doc(..., {name}=...) has {n_values} values but there are {n_words} words."
    E016 = "Head {head} of token {i} is outside the Doc (0 to {length})."
    E017 = "Slices of a Doc or Span take no step; got step {step}."
    E018 = "doc.ents: entity spans overlap: {span1!r} and {span2!r}."
    E019 = ("Sentence boundaries are not set on this Doc: add a parser or sentencizer, or pass "
            "sent_starts= or heads= when building it.")
    E020 = "to_array/from_array: array has {n_cols} columns but {n_attrs} attributes were given."
    E021 = "from_array: array has {n_rows} rows but the Doc has {length} tokens."
    E022 = "Invalid value {value!r} for {attr}: {reason}."
    E023 = "Doc(vocab, ...) needs a Vocab as its first argument, got {type}."
    E024 = "Unknown IOB tag {tag!r}: expected one of 'B', 'I', 'O' or ''."
    E025 = "Token {i} has entity tag {tag!r} but no entity is open before it (an I must follow B or I)."
    # tokenizer and language data
    E030 = "Tokenizer takes a str, got {type}."
    E031 = "Special case {key!r}: its pieces {pieces!r} do not spell the key exactly."
    E032 = "Invalid tokenizer rule {name}: {err}"
    E033 = "No language data for {lang!r} and no generic fallback asked for."
    # docbin
    E040 = "DocBin: could not read {where}: {err}. Is it a .fastpipe file written by DocBin?"
    E041 = "DocBin: document {i} of {where} is malformed: {err}."
    E042 = "DocBin.add takes a Doc, got {type}."
    E043 = "DocBin: attribute {name!r} is not one that DocBin can store."
    E044 = "DocBin: {what} of the Doc cannot be stored: {err}."
    E045 = "DocBin.{method} takes {expected}, got {type}."
    # doc, token, span (continued)
    E050 = ("The heads of this Doc contain a cycle through token {i}: every chain of heads must "
            "end at a root (a token whose head is itself).")
    E051 = "{what} belongs to a different Doc; use a Span or Token of this Doc."
    E052 = "Entities are Spans or (label, start, end) tuples, got {item!r}."
    E053 = "Entity {item!r} is empty (start == end): an entity holds at least one token."
    E054 = "An empty Span has no root."
    E055 = "{cls} indices must be int or slice, not {type}."
    E056 = "{cls}(...) needs a Doc as its first argument, got {type}."
    E057 = "Span labels and kb_ids are str or StringStore keys, not {type}."
    E058 = "from_array: ORTH of token {i} is 0 (the empty string); every token needs text."
    E059 = "{what} refers to tokens [{start}:{end}] but its Doc now has {length} tokens."
