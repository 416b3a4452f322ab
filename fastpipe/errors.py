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
    # gold: examples, alignment, entity tags (E060-E077)
    E060 = ("Cannot align the predicted and reference tokens{where}: their texts differ (ignoring "
            "whitespace) at character {i}: {a!r} vs {b!r}. The reference words must spell the same text.")
    E061 = ("Overlapping entities{where}: {first!r} and {second!r}. Each token can belong to one "
            "entity only: remove or merge one of them.")
    E062 = "Entity {ent!r}{where} is not (start_char, end_char, label)."
    E063 = "Entity {ent!r}{where} has offsets outside the text (0 to {n_chars}) or an empty span."
    E064 = "Entity {ent!r}{where} needs a non-empty str label."
    E065 = ("Invalid BILUO tag {tag!r} at token {i}{where}: expected B-, I-, L-, U- followed by a "
            "label, or O, or - for missing.")
    E066 = "{n_tags} BILUO tags for a Doc of {n} tokens."
    E067 = "BILUO tag {tag!r} at token {i}{where} continues no open entity of that label{context}."
    E068 = "An entity opened before token {i}{where} is not closed with an L- tag{context}."
    E069 = "Invalid IOB tag {tag!r} at token {i}: expected B- or I- followed by a label, or O."
    E070 = "Example needs two Docs: Example(predicted, reference)."
    E071 = "Example.from_dict needs a Doc first, got {type}."
    E072 = "Unknown annotation key(s) {keys} for example {id!r}. Known keys: {known}."
    E073 = ("Span ({start_char}, {end_char}, {label!r}) of group {name!r} in example {id!r} does "
            "not fall on token boundaries.")
    E074 = "{n_tags} entity tags for {n_words} reference words in example {id!r}."
    E078 = "Component {name!r}: update_with_oracle_cut_size must be 0 or more, got {value}."
    E079 = ("[components.parser] learn_tokens = true is not supported: the parser works on the "
            "tokenizer's tokens. Set learn_tokens = false.")
    # language and pipeline (E080-E099)
    E080 = "{where} takes Example objects, got {type}. Build them with Example(predicted, reference) or Example.from_dict."
    E081 = "Component {name!r}: labels are non-empty strings, got {label!r}."
    E082 = ("Component {name!r} has no labels: initialize it with examples that carry its annotation "
            "(nlp.initialize(get_examples)) or add labels with add_label.")
    E083 = "No component factory {name!r}. Available factories: {known}."
    E084 = "The config has no [{section}] section; every pipeline config needs [nlp] and [components]."
    E085 = "The config's [nlp] section needs a language code: lang = \"en\" (or any code; unknown ones use the generic rules)."
    E086 = ("[nlp] pipeline lists {name!r} but the config has no [components.{name}] section: add it, "
            "or remove the name from the pipeline.")
    E087 = ("[components.{name}] needs either factory = \"...\" (a component to create) or source = "
            "\"path\" (a trained pipeline to copy it from).")
    E088 = ("[training] {key} names {name!r}, which is not a component of the pipeline {names}.")
    E089 = "No component {name!r} in this pipeline; its components are {names}."
    E090 = "The pipeline already has a component {name!r} ({names}); pass a different name=."
    E091 = "source= must be a Language or the path of a saved pipeline, got {type}."
    E092 = "Give at most one of before=, after=, first=True, last=True."
    E093 = "No pipeline at {path}: it has no config.cfg (save one with nlp.to_disk or fastpipe train)."
    E094 = "Component {name!r}: example {id!r} has a label {label!r} that is not one of its labels {labels}."
    E099 = ("Text of {length:,} characters is longer than nlp.max_length ({max_length:,}): split it, "
            "or raise nlp.max_length if you have the memory for it.")
    E098 = "The [nlp] {hook} callback must return {expected}, got {got!r}."
    E095 = "Component {name!r} found no examples with its annotation ({what}) to initialize from."
    # corpus readers (E300-E309)
    E300 = "No corpus path given (it is None). {hint}"
    E301 = "Corpus path {path!r} does not exist. {hint}"
    E302 = "shuffle_buffer must be at least 1, got {value!r}."
    E303 = ("The corpus at {where} gave no training examples{why}. A training loop needs at least "
            "one: check that the files hold documents (folders are searched for *{suffix} files).")
    E304 = "{where}: not a JSON object ({err}). Each line of a JSONL corpus is one object like {{\"text\": \"...\"}}."
    E305 = "{where}: expected an object with a \"text\" string, got {line!r}."
    E306 = ("The JSONL corpus at {path!r} gave no examples (min_length = {min_length}, max_length = "
            "{max_length}). Check that its lines hold texts of a suitable length.")
    # config, training loop and CLI (E100-E199)
    E100 = "Config file not found: {path}. Pass the path of a config.cfg (`fastpipe init config` writes one)."
    E101 = "Could not parse the config {where}: {err}"
    E102 = "The config has problems ({n} in all):"
    E103 = ("Config overrides can only change settings that are already in the config; "
            "{n} of them name no setting:")
    E104 = ("Config overrides are given as `--section.key value`, got {arg!r} ({where}). "
            "Settings are dotted paths such as --training.max_steps or --paths.train.")
    E105 = "The --code file {path} does not exist."
    E106 = "Could not import the --code file {path}: {err}"
    E107 = ("Circular interpolation in the config: {chain}. A ${{...}} reference must not lead back "
            "to the setting that uses it.")
    E108 = "[{section}] {key}: {err}"
    E109 = ("Corpus {name!r} ([{section}]) yielded no examples. Check the path ({path}) and that the "
            "file holds documents (`fastpipe debug data` reports what it finds).")
    E110 = ("Component {name!r} in [training] {setting} is not in the pipeline; the pipeline is "
            "{pipeline}.")
    E111 = ("Component {name!r} is not available yet: it arrives with its own issue. Available "
            "components: {available}.")
    E112 = "Unknown component {name!r} in --pipeline. Available components: {available}."
    E113 = "Could not write {path}: {err}"
    E114 = "The corpus setting [training] {setting} = {value!r} does not name a section of the config{suggest}."
    E115 = "Data path not found: {path}"
    E116 = "Training was given no {what}; set {setting} in the config or on the command line."


class ConfigError(ValueError):
    """A config, its overrides or the code it relies on is invalid.

    ``errors`` lists every problem found, each a dict with ``loc`` (the path of the setting:
    ``["training", "optimizer", "learn_rate"]``), ``value`` (the value given, or absent when the
    setting is missing) and ``msg`` (what was wrong or what was expected). ``str(err)`` is the
    title followed by one line per problem: ``[section] key = value: msg``.
    """

    def __init__(self, title: str, errors=(), *, where: str = ""):
        self.title = title
        self.errors = [dict(e) for e in errors]
        self.where = where
        ValueError.__init__(self, self._format())

    def _format(self) -> str:
        where = f" (in {self.where})" if self.where else ""
        if self.title.endswith(":"):
            lines = [self.title[:-1] + where + ":"]
        else:
            lines = [self.title + where]
        for error in self.errors:
            lines.append("  " + format_config_location(error))
        return "\n".join(lines)


def format_config_location(error: dict) -> str:
    """One problem as ``[section] key = value: msg`` (``value`` only when one was given)."""
    import json

    loc = [str(part) for part in error.get("loc", ())]
    if len(loc) >= 2:
        text = f"[{'.'.join(loc[:-1])}] {loc[-1]}"
    elif loc:
        text = f"[{loc[0]}]"
    else:
        text = "(config)"
    if "value" in error:
        try:
            value = json.dumps(error["value"])
        except (TypeError, ValueError):
            value = repr(error["value"])
        if len(value) > 80:
            value = value[:77] + "..."
        text += f" = {value}"
    return f"{text}: {error.get('msg', 'invalid')}"
