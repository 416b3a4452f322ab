"""Error messages of strings, vocab, lexemes, Docs and their attributes, the tokenizer and language
data, DocBin, static and floret vectors."""


class CoreErrors:
    # strings, vocab and lexemes (E001-E009, E026-E029)
    E001 = ("Unknown string key {key}: it was never added to this StringStore. Add the string "
            "first (strings.add(text)) or use a key this store gave out.")
    E002 = "String of {length} bytes is too long to store (the limit is 2 GiB): split it."
    E003 = "Only str can be added to a StringStore, not {type}: convert the value to str first."
    E004 = "StringStore keys are str or int, not {type}."
    E005 = "Could not read {what} from bytes: {err}. The data is truncated or not {what} data."
    E006 = "Vocab lookups take a str (the form) or an int (its key), not {type}."
    E007 = "Lexeme({key}) is not in the vocab: look it up with vocab[string] first."
    E008 = "Key 0 is the empty string: a lexeme needs at least one character."
    E009 = ("StringStore(strings) takes an iterable of str, not a single string: wrap it in a "
            "list, StringStore([text]).")
    E026 = "Vocab(lang=...) takes a language code str such as \"en\", got {type}."
    E027 = ("{flag!r} is not a lexical flag: check_flag takes one of the IS_*/LIKE_* "
            "attributes ({flags}).")
    E028 = "LexemeAttrs is a base class: get a Lexeme with vocab[text] or a Token with doc[i]."
    E029 = "This Lexeme was not made from a Vocab: get one with vocab[text]."
    # doc, token, span (E010-E025, E050-E059)
    E010 = "Doc(vocab, words=...) takes a list of str as words, got {type}."
    E011 = ("Doc(words=..., spaces=...): spaces has {n_spaces} entries but there are {n_words} "
            "words.")
    E012 = "Doc(words=...): word {i} is empty; every token must have at least one character."
    E013 = "Token index {i} is out of range for a Doc of {length} tokens."
    E014 = "Span [{start}:{end}] is out of range for a Doc of {length} tokens."
    E015 = ("Doc(..., {name}=...) has {n_values} values but there are {n_words} words: give one "
            "per word.")
    E016 = "Head {head} of token {i} is outside the Doc (0 to {length})."
    E017 = "Slices of a Doc or Span take no step; got step {step}."
    E018 = "doc.ents: entity spans overlap: {span1!r} and {span2!r}. Remove or merge one of them."
    E019 = ("Sentence boundaries are not set on this Doc: add a parser or sentencizer, or pass "
            "sent_starts= or heads= when building it.")
    E020 = "to_array/from_array: array has {n_cols} columns but {n_attrs} attributes were given."
    E021 = "from_array: array has {n_rows} rows but the Doc has {length} tokens."
    E022 = "Invalid value {value!r} for {attr}: {reason}."
    E023 = "Doc(vocab, ...) needs a Vocab as its first argument, got {type}."
    E024 = "Unknown IOB tag {tag!r}: expected one of 'B', 'I', 'O' or ''."
    E025 = ("Token {i} has entity tag {tag!r} but no entity is open before it (an I must follow B "
            "or I).")
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
    # tokenizer and language data (E030-E035)
    E030 = "Tokenizer takes a str, got {type}."
    E031 = "Special case {key!r}: its pieces {pieces!r} do not spell the key exactly."
    E032 = "Invalid tokenizer rule {name}: {err}"
    E034 = "Tokenizer(vocab, ...) needs a Vocab, got {type}."
    E035 = ("Invalid language code {lang!r}: expected a code such as \"en\" (codes without "
            "language data of their own use the generic \"xx\" rules).")
    # docbin (E040-E045)
    E040 = "DocBin: could not read {where}: {err}. Is it a .fastpipe file written by DocBin?"
    E041 = "DocBin: document {i} of {where} is malformed: {err}."
    E042 = "DocBin.add takes a Doc, got {type}."
    E043 = "DocBin: attribute {name!r} is not one that DocBin can store."
    E044 = "DocBin: {what} of the Doc cannot be stored: {err}."
    E045 = "DocBin.{method} takes {expected}, got {type}."
    # token attributes (E046-E048)
    E046 = ("An attribute is given by name (str, such as \"ORTH\" or \"tag_\") or by id (int), "
            "not {what}.")
    E047 = "Unknown attribute id {attr}. Known attributes: {known}."
    E048 = "Unknown attribute {attr!r}. Known attributes: {known}."
    # language classes and their Defaults (E590-E599)
    E590 = ("{where}.{name} must be {expected}, got {got!r}: fix the value your code gave it "
            "(in a before_creation callback or a Defaults subclass).")
    E591 = ("{where}.{name} must be a regex string, a compiled regex or its .match/.fullmatch/"
            ".search method, got {got!r}: fastpipe keeps tokenizer rules as regexes so that a "
            "pipeline can be saved.")
    E592 = ("{cls} makes pipelines for {code!r}, not {lang!r}: use fastpipe.blank({lang!r}) or "
            "set [nlp] lang = {code!r}.")
    E593 = ("{where}.tokenizer_exceptions[{key!r}]: each token is a dict with ORTH (and "
            "optionally NORM), as in [{{\"ORTH\": \"gim\"}}, {{\"ORTH\": \"me\", \"NORM\": "
            "\"me\"}}]; got {token!r}.")
    E594 = "Language(vocab=...) takes a Vocab (or nothing, to make one), got {type}."
    # static word vectors: the table, `init vectors`, [initialize] vectors, the static
    # embedding layer (E720-E739)
    E720 = "Vectors: no vector for {key!r}; check `key in vectors` first, or add it."
    E721 = ("Vectors: a vector of width {width} does not fit this table of width {expected}; "
            "give {expected} numbers.")
    E722 = ("Vectors: row {row} is outside the table's {n_rows} rows; give a row below {n_rows} "
            "or leave row out to use a free one.")
    E724 = ("Vectors: the saved table cannot be read ({err}); it must be what Vectors.to_bytes "
            "or to_disk wrote.")
    E725 = "{what} must be at least {least}, got {value}."
    E726 = ("{path}: no such vectors file; give a word2vec (text or binary), GloVe or fastText "
            ".vec file, optionally .gz or .zip.")
    E727 = ("{path}:{line}: this row has {found} numbers but the file's rows have {expected}; "
            "every row must be a word followed by the same number of values.")
    E728 = ("{path}:{line}: {value!r} is not a number; every row must be a word followed by "
            "numbers separated by spaces.")
    E729 = "{path}: no vectors found in the file; give a file with one word and its vector per row."
    E730 = ("{path}: the word2vec binary file ends in the middle of row {row} (its header "
            "promises {n_rows} rows of {width} values); the file is truncated.")
    E731 = ("{path}: a .zip must hold exactly one vectors file, found {names}; unpack it and "
            "give the file itself.")
    E732 = ("Layer {name!r} uses static vectors (include_static_vectors = true, or a "
            "StaticVectors layer) but the vocab has none; set [initialize] vectors to a pipeline "
            "folder made by `fastpipe init vectors` (for spaCy's configs, --paths.vectors), or "
            "set include_static_vectors = false.")
    E733 = ("The static vectors are {found} wide but the model was trained with {expected}-wide "
            "vectors; load the vectors it was trained with.")
    E734 = ("[initialize] vectors = {path!r}: {problem}; give the folder of a pipeline made by "
            "`fastpipe init vectors` (or saved with vectors), or null.")
    # floret vectors: the subword table and `init vectors --mode floret` (E840-E849)
    E840 = ("Vectors in floret mode compute every word's vector from its characters, so they "
            "have no row per word and cannot {what}; use vectors[word] or get_batch, or a "
            "table in \"default\" mode.")
    E841 = ("Vectors: mode must be \"default\" (a row per word) or \"floret\" (subword "
            "hashes), not {mode!r}.")
    E842 = ("Vectors: floret setting {setting} = {value!r} is invalid; {expected}.")
    E843 = ("{path}:1: not a floret table header ({found!r}); floret's save_floret_vectors "
            "writes 'rows width minn maxn hash_count hash_seed bow eow' on the first line.")
    E844 = ("{path}:{line}: {problem}; each row of a .floret file is its row number (0 to "
            "{last}) followed by {width} numbers.")
    E845 = ("{path}: the floret table has {found} of the {n_rows} rows its header promises; "
            "the file is truncated or its header is wrong.")
    E846 = ("init vectors --mode floret: {option} does not apply to a floret table (it has no "
            "rows per word to {action}); leave it out.")
