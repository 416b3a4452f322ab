"""fastpipe's messages, in one place, each with a code that tests and users can grep for.

Every message a user can see is raised as ``SomeError(Errors.E0xx.format(...))`` (or warned with
``Warnings.W0xx``); reading the attribute renders it as ``"[E0xx] ..."``. A message names what
was wrong (the value, file and line, setting, component or example) and says what to do. Where a
message points at a place (a file and line, a config setting, a pattern), the place comes first,
right after the code: ``[E314] train.conllu:12: expected 10 tab-separated columns ...``. Codes are
grouped by room (the comments give their ranges); a code that is retired is not reused.
Only checks that no call through the public API can trigger (a kernel's shapes on arrays
fastpipe built itself) raise plain inline messages.
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code):
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
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
    # gold: examples, alignment, entity tags (E060-E077)
    E060 = ("Cannot align the predicted and reference tokens{where}: their texts differ (ignoring "
            "whitespace) at character {i}: {a!r} vs {b!r}. The reference words must spell the same "
            "text.")
    E061 = ("Overlapping entities{where}: {first!r} and {second!r}. Each token can belong to one "
            "entity only: remove or merge one of them.")
    E062 = "Entity {ent!r}{where} is not (start_char, end_char, label)."
    E063 = "Entity {ent!r}{where} has offsets outside the text (0 to {n_chars}) or an empty span."
    E064 = "Entity {ent!r}{where} needs a non-empty str label."
    E065 = ("Invalid BILUO tag {tag!r} at token {i}{where}: expected B-, I-, L-, U- followed by a "
            "label, or O, or - for missing.")
    E066 = "{n_tags} BILUO tags for a Doc of {n} tokens: give one tag per token."
    E067 = "BILUO tag {tag!r} at token {i}{where} continues no open entity of that label{context}."
    E068 = "An entity opened before token {i}{where} is not closed with an L- tag{context}."
    E069 = "Invalid IOB tag {tag!r} at token {i}: expected B- or I- followed by a label, or O."
    E070 = "Example needs two Docs: Example(predicted, reference)."
    E071 = "Example.from_dict needs a Doc first, got {type}."
    E072 = "Unknown annotation key(s) {keys} for example {id!r}. Known keys: {known}."
    E073 = ("Span ({start_char}, {end_char}, {label!r}) of group {name!r} in example {id!r} does "
            "not fall on token boundaries.")
    E074 = ("{n_tags} entity tags for {n_words} reference words in example {id!r}: give one tag "
            "per word.")
    E075 = ("Alignment index {i} is out of range for {n} tokens: give an index i with -{n} <= i "
            "< {n}.")
    E076 = ("rebuild_doc: token range [{start}:{end}] is out of range for a Doc of {length} "
            "tokens: give 0 <= start <= end <= {length}.")
    E077 = ("rebuild_doc: {n_words} words given for {n_tokens} tokens: give one word per token "
            "of the range.")
    # the parser component's settings (E078-E079)
    E078 = "Component {name!r}: update_with_oracle_cut_size must be 0 or more, got {value}."
    E079 = ("[components.parser] learn_tokens = true is not supported: the parser works on the "
            "tokenizer's tokens. Set learn_tokens = false.")
    # language and pipeline (E080-E099)
    E080 = ("{where} takes Example objects, got {type}. Build them with Example(predicted, "
            "reference) or Example.from_dict.")
    E081 = "Component {name!r}: labels are non-empty strings, got {label!r}."
    E082 = ("Component {name!r} has no labels: initialize it with examples that carry its "
            "annotation (nlp.initialize(get_examples)) or add labels with add_label.")
    E083 = "No component factory {name!r}. Available factories: {known}."
    E084 = ("The config has no [{section}] section; every pipeline config needs [nlp] and "
            "[components].")
    E085 = ("The config's [nlp] section needs a language code: lang = \"en\" (or any code; unknown "
            "ones use the generic rules).")
    E086 = ("[nlp] pipeline lists {name!r} but the config has no [components.{name}] section: add "
            "it, or remove the name from the pipeline.")
    E087 = ("[components.{name}] needs either factory = \"...\" (a component to create) or source "
            "= \"path\" (a trained pipeline to copy it from).")
    E088 = ("[training] {key} names {name!r}, which is not a component of the pipeline {names}.")
    E089 = "No component {name!r} in this pipeline; its components are {names}."
    E090 = "The pipeline already has a component {name!r} ({names}); pass a different name=."
    E091 = "source= must be a Language or the path of a saved pipeline, got {type}."
    E092 = "Give at most one of before=, after=, first=True, last=True."
    E093 = ("No pipeline at {path}: it has no config.cfg (save one with nlp.to_disk or fastpipe "
            "train).")
    E095 = ("Component {name!r} found no examples with its annotation ({what}) to initialize "
            "from: pass nlp.initialize(get_examples) a function returning Examples that carry it, "
            "or add the labels first with add_label.")
    E096 = ("A tok2vec listener got Docs without tok2vec output: run the tok2vec component "
            "(upstream {upstream!r}) before this component, and during training do not freeze it "
            "unless it is also an annotating component.")
    E097 = ("Component {name!r} (exclusive classes) needs at least two labels, found {labels}; use "
            "textcat_multilabel for one label.")
    E098 = "The [nlp] {hook} callback must return {expected}, got {got!r}."
    E099 = ("Text of {length:,} characters is longer than nlp.max_length ({max_length:,}): split "
            "it, or raise nlp.max_length if you have the memory for it.")
    # config, training loop and CLI (E100-E139)
    E100 = ("Config file not found: {path}. Pass the path of a config.cfg (`fastpipe init config` "
            "writes one).")
    E101 = "Could not parse the config {where}: {err}"
    E102 = "The config has problems ({n} in all):"
    E103 = ("Config overrides can only change settings that are already in the config; "
            "{n} of them name no setting:")
    E104 = ("Config overrides are given as `--section.key value`, got {arg!r} ({where}). "
            "Settings are dotted paths such as --training.max_steps or --paths.train.")
    E105 = "The --code file {path} does not exist."
    E106 = "Could not import the --code file {path}: {err}"
    E107 = ("Circular interpolation in the config: {chain}. A ${{...}} reference must not lead "
            "back to the setting that uses it.")
    E109 = ("Corpus {name!r} ([{section}]) yielded no examples. Check the path ({path}) and that "
            "the file holds documents (`fastpipe debug data` reports what it finds).")
    E110 = ("Component {name!r} in [training] {setting} is not in the pipeline; the pipeline is "
            "{pipeline}.")
    E112 = "Unknown component {name!r} in --pipeline. Available components: {available}."
    E113 = "Could not write {path}: {err}"
    E114 = ("The corpus setting [training] {setting} = {value!r} does not name a section of the "
            "config{suggest}.")
    E115 = "Data path not found: {path}"
    E117 = ("The config refers with ${{...}} to settings that do not exist; fix or remove each "
            "reference:")
    E118 = ("The config's settings do not fit the functions they are given to{desc}; fix each "
            "setting:")
    E119 = "Could not build the objects the config describes: {err}"
    E120 = ("Score weights name scores that evaluation does not produce (the scores are: "
            "{available}); fix or remove each weight in [training.score_weights]:")
    E121 = "--optimize is one of {options}, got {value!r}."
    E122 = "--pipeline needs at least one component, e.g. --pipeline tagger."
    E123 = "--pipeline names a component twice ({names}): name each component once."
    E124 = "Input file not found: {path}. Pass the path of an existing file."
    E125 = "Unknown converter {name!r}: choose one of {known}."
    E126 = "Output path {path} is not a folder: pass a folder (it is created if missing)."
    E127 = "{path}: not valid UTF-8 (byte {byte}): {reason}. Save the file as UTF-8."
    E128 = ("fastpipe runs on the CPU only: --gpu-id {gpu_id} asks for a GPU; leave it out (or "
            "pass -1).")
    E129 = ("The {section} corpus has no path: set [paths] {name} (for example --{option} "
            "./corpus/{name}.fastpipe on the command line), or [{section}] path in the config.")
    # batchers (E130-E135)
    E130 = "A batch size is a number or a schedule, not {value!r}."
    E131 = "A batch size schedule given as a list needs at least one value."
    E132 = ("A batch size is a number or a schedule (an iterator of numbers or a callable taking "
            "the step), not {type}.")
    E133 = "Batch sizes must be positive numbers; the size schedule gave {value!r}."
    E134 = ("batch_by_words: tolerance must be >= 0, got {value!r}. Set it to 0 or more (0.2 is "
            "usual).")
    E135 = ("batch_by_padded: buffer must be at least 1, got {value!r}. Set it to 1 or more (256 "
            "is usual).")
    # transition systems (E200-E211)
    E200 = "A transition system needs a StringStore or a Vocab, got {type}."
    E201 = "Move {move} is out of range: this system has {n_moves} moves (0 to {last})."
    E202 = "No move named {name!r}; the moves are named like {known}..."
    E203 = "A transition system's labels are non-empty strings, got {label!r}."
    E204 = ("This state was made by another kind of transition system: use the system (ArcEager "
            "or BiluoPushDown) that made it.")
    E205 = ("The gold of example {id!r} covers {n_gold} tokens but the state {n_state}: build both "
            "from the same example.")
    E206 = "Move {name!r} is not valid in {state}: pick one of valid_moves(state)."
    E207 = ("The state covers {n_state} tokens but the Doc has {n_doc}: pass the Doc the state was "
            "made for.")
    E208 = ("Example {id!r}: token {i} has head {head}, outside the {n} tokens of the document. "
            "Fix the gold heads of this example.")
    E209 = ("Example {id!r}: the gold heads form a cycle through token {i}. Fix the gold heads of "
            "this example.")
    E210 = ("The arc-eager system has no labels: add them with add_label() or initialize(examples) "
            "before parsing.")
    E211 = "n_feats must be between 0 and 32, got {n}."
    # ml: architectures and layers (E220-E241)
    E220 = ("fastpipe.MultiHashEmbed.v1: include_static_vectors = true is not supported: fastpipe "
            "vocabs hold no static vectors. Set it to false in the config.")
    E221 = ("fastpipe.MultiHashEmbed.v1: attrs has {n_attrs} entries but rows has {n_rows}; give "
            "one row count per attribute.")
    E222 = "fastpipe.MultiHashEmbed.v1: attrs must name at least one attribute, such as [\"NORM\"]."
    E223 = "fastpipe.MultiHashEmbed.v1: width and rows must be positive, got {width} and {rows}."
    E224 = ("fastpipe.MaxoutWindowEncoder.v1: width, maxout_pieces and depth must be positive and "
            "window_size 0 or more (got {width}, {maxout_pieces}, {depth}, {window_size}).")
    E225 = ("fastpipe.MaxoutWindowEncoder.v1: maxout_pieces must be at most 255, got "
            "{maxout_pieces}.")
    E226 = ("{name}: the input has {n_in} columns but the layer expects {expected}: check the "
            "width of the layer before it.")
    E227 = "fastpipe.TransitionBasedParser.v1: state_type must be 'parser' or 'ner', got {value!r}."
    E228 = "fastpipe.TransitionBasedParser.v1: n_feats must be positive, got {value}."
    E229 = ("fastpipe.TransitionBasedParser.v1: hidden_width must be positive and maxout_pieces "
            "between 1 and 255 (got {hidden_width}, {maxout_pieces}).")
    E230 = ("{name} is a part of fastpipe.TransitionBasedParser.v1: call the parser model, not "
            "this part.")
    E231 = ("fastpipe.TransitionBasedParser.v1: the number of moves (nO) is unknown. Call "
            "resize_output(model, n_moves) before initialize, or set nO.")
    E232 = "resize_output: the number of moves must be positive, got {value}."
    E233 = "Parser model: feature ids must have shape (n_states, {n_feats}), got {shape}."
    E234 = ("Parser model: begin_update on a step that predict() returned; use "
            "model.begin_update(docs) for training.")
    E235 = "Parser model: this batch's finish() was already called; start a new batch."
    E236 = "Parser model: backprop_step after the batch's finish(); call it before finish()."
    E237 = "Parser model: d_scores must have shape {expected}, got {shape}."
    E238 = ("{name}: the number of {what} (nO) is unknown. Pass nO to the architecture, call "
            "model.set_dim('nO', n), or initialize with a label sample Y.")
    E239 = "fastpipe.TextCatBOW.v1: ngram_size must be between 1 and {max}, got {value}."
    E240 = "fastpipe.TextCatBOW.v1: length must be positive, got {value}."
    E241 = ("fastpipe.TextCatEnsemble.v1: linear_model has nO = {n_linear}, but the ensemble has "
            "{expected} classes: give both the same nO.")
    E242 = "FastpipeOps runs on the CPU only, not on {device!r}: leave the device at \"cpu\"."
    # entity ruler and its patterns (E250-E270); {where} names the pattern or file:line
    E250 = ("Patterns file not found: {path}. Pass the path of a JSONL file with one pattern per "
            "line.")
    E251 = "{where}: not valid JSON ({err}). Each line of a patterns file is one JSON object."
    E252 = ("Component {name!r}: phrase_matcher_attr {value!r} is not supported; use one of "
            "{known} (or null for ORTH).")
    E253 = ("{where}: the phrase has no tokens after tokenization; give a text with at least one "
            "token.")
    E254 = ("{where}: a pattern is a dict with 'label' and 'pattern', got {type}; write it like "
            "{{\"label\": \"ORG\", \"pattern\": \"Acme\"}}.")
    E255 = "{where}: unknown key(s) {keys}; a pattern has the keys {known}."
    E256 = "{where}: missing or empty 'label' (got {label!r}); give the entity label as a string."
    E257 = "{where}: 'id' must be a string, got {type}."
    E258 = "{where}: empty phrase pattern; give the text to match."
    E259 = "{where}: 'pattern' must be a string (a phrase) or a list of token dicts, got {type}."
    E260 = "{where}: empty token pattern; give at least one token dict."
    E261 = ("{where}: every token is optional ('?' or '*'); make at least one required (no OP, "
            "'+' or '!').")
    E262 = "{where}: a token pattern is a dict of attribute -> value, got {type}."
    E263 = "{where}: bad OP {value!r}; use one of {known} (or leave it out for exactly one token)."
    E264 = "{where}: {key} takes true or false, got {value!r}."
    E265 = "{where}: unknown attribute {key!r}; known: {known}."
    E266 = "{where}: {key} takes a value of type {kind} or one of {predicates}; got {value!r}."
    E267 = "{where}: {key} {predicate} takes a list of {kind}, got {value!r}."
    E268 = "{where}: {key} REGEX takes a string, got {value!r}."
    E269 = ("{where}: {key} REGEX {value!r} is not a valid regular expression: {err}. Fix it "
            "(Python's re syntax).")
    E270 = "{where}: unknown predicate {predicate!r} for {key}; use {known}."
    # other components (E280-E281)
    E280 = ("Component {name!r}: get_loss is not used by the transition components; they compute "
            "their loss step by step in update().")
    E281 = ("Component {name!r} (tok2vec) has no labels: add labels to the components that listen "
            "to it.")
    # corpus readers and augmenters (E300-E309)
    E300 = "No corpus path given (it is None). {hint}"
    E301 = "Corpus path {path!r} does not exist. {hint}"
    E302 = "shuffle_buffer must be at least 1, got {value!r}."
    E303 = ("The corpus at {where} gave no training examples{why}. A training loop needs at least "
            "one: check that the files hold documents (folders are searched for *{suffix} files).")
    E304 = ("{where}: not a JSON object ({err}). Each line of a JSONL corpus is one object like "
            "{{\"text\": \"...\"}}.")
    E305 = ("{where}: expected an object with a \"text\" string or a \"tokens\" list of "
            "non-empty strings, got {line!r}.")
    E306 = ("The JSONL corpus at {path!r} gave no examples (min_length = {min_length}, max_length "
            "= {max_length}). Check that its lines hold texts of a suitable length.")
    E307 = ("fastpipe.lower_case.v1: level must be between 0 and 1, got {value!r}. Set it in the "
            "augmenter's section of the config, e.g. level = 0.1.")
    # converters (E310-E333); {where} is file:line
    E310 = ("Cannot pick a converter for {path!r} from its extension {suffix!r}: known extensions "
            "are {known}. Name one with --converter ({converters}).")
    E311 = "{where}: not valid UTF-8 (byte {byte} of the line): {reason}. Save the file as UTF-8."
    E312 = "{where}: entity tag {tag!r} is not an IOB tag: expected {schemes}."
    E313 = "n_sents (the number of sentences per Doc) must be at least 1, got {value}."
    E314 = "{where}: expected 10 tab-separated columns ({columns}), found {n}."
    E315 = "{where}: ID {id!r}: expected a word number, a range like 3-4 or an empty node like 8.1."
    E316 = ("{where}: multiword token {id!r}: expected a range starting at word {start} and "
            "covering at least 2 words.")
    E317 = "{where}: expected word ID {expected}, found {found}{hint}."
    E318 = "{where}: the FORM column is empty; every word needs its text."
    E319 = "{where}: HEAD {head!r}: expected a word number (0 for the root) or _."
    E320 = ("{where}: multiword token ends at word {end} but the sentence has only {n} words: "
            "fix the range or add the words it covers.")
    E321 = ("{where}: HEAD {head} is outside the sentence: give a word number from 0 (the root) "
            "to {n}, or _.")
    E322 = "{where}: the HEAD column of the sentence starting here is not a tree: {err}"
    E323 = "{where}: could not build a Doc from the sentences starting here: {err}"
    E324 = ("{where}: expected a word and an entity tag separated by a tab or spaces, found "
            "{line!r}.")
    E325 = "{where}: {piece!r}: expected word|TAG or word|POS|TAG."
    E326 = "{where}: some pieces are word|POS|TAG and others word|TAG; use one form."
    E327 = ("{where}: header {header!r}: expected a tab-separated header with a label column "
            "({labels}) and a text column ({texts}).")
    E328 = "{where}: expected {expected} tab-separated columns as in the header, found {n}."
    E329 = "{where}: the label column is empty; give each text its label."
    E330 = "{where}: not a JSON object: {err}."
    E331 = "{where}: expected an object with a \"text\" string and a \"label\" or \"cats\"."
    E332 = "{where}: \"cats\" must be an object mapping labels to numbers."
    E333 = "{where}: expected a \"label\" (a non-empty string or an integer) or \"cats\"."
    # strict input: converters and reader bounds (E620-E634)
    E620 = ("{where}: the file holds no sentences ({lines} lines, none of them a word of "
            "{format}): check that it is the right file and that --converter names its format.")
    E621 = ("{where}: the file holds no examples: give at least one text with its label "
            "after the header (TSV) or one object per line (JSONL).")
    E622 = ("{where}: HEAD {head} is the word's own ID: a word cannot head itself; give its "
            "head's ID, or 0 if it is the root.")
    E623 = ("{where}: ID {id!r} is not an empty node: an empty node's ID is two numbers like "
            "8.1 (the word it follows, then 1, 2, ...).")
    E624 = ("{where}: empty node {id!r} is out of place: the next empty node here must be "
            "{expected} (it follows the word numbered before the dot).")
    E625 = ("{where}: MISC {misc!r} gives {key} more than once; keep one {key}= entry per "
            "word.")
    E626 = ("{where}: MISC entry {item!r}: SpaceAfter takes only the value No, on a word or "
            "on a multiword token's range line (not on the words inside the range).")
    E627 = ("{where}: word {second} has HEAD 0 but word {first} of this sentence is already "
            "its root: a sentence has exactly one root; attach one of them to a word.")
    E628 = ("{where}: multiword token {id!r} gives {columns}: a range line carries only ID, "
            "FORM and MISC; put the annotation on the words it covers.")
    E629 = ("{where}: header {header!r} names more than one {kind} column ({names}): rename "
            "or remove all but one.")
    E630 = ("{where}: the object gives {key!r} more than once; give each key once.")
    E631 = ("{where}: the object has both \"label\" and \"cats\"; give one of them.")
    # gold: examples (continued) (E340-E341)
    E340 = ("Example.from_dict takes the annotations as a dict (such as {{\"words\": [...], "
            "\"entities\": [...]}}), got {type}.")
    E341 = "Example {id!r}: its annotations do not make a valid reference Doc: {err}"
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
    # the nlp object as a spaCy user's code calls it: custom components, select_pipes, pipe,
    # bytes, loading with user code (E570-E589)
    E570 = ("@Language.{kind} takes the component's name (a str) first, as in "
            "@Language.{kind}(\"my_component\"), got {name!r}.")
    E571 = ("@Language.{kind}({name!r}) decorates {type}, which cannot be called: decorate a "
            "function{what}.")
    E572 = ("Factory {factory!r} (component {name!r}) returned {type}, which is not a component: "
            "a factory must return a callable that takes a Doc and returns it.")
    E573 = ("Component {name!r} returned {type} instead of a Doc: a component must return the "
            "Doc it was given (end the function with `return doc`).")
    E574 = ("select_pipes needs disable=[...] or enable=[...], each a component name or a list "
            "of them.")
    E575 = ("select_pipes: {names} are both enabled and disabled; name each component in only "
            "one of enable= and disable=.")
    E576 = "component_cfg names {name!r}, which is not a component of this pipeline ({names})."
    E577 = ("nlp.pipe(..., as_tuples=True) takes (text, context) pairs, got {item!r}; pass "
            "as_tuples=False for a stream of texts.")
    E578 = ("nlp.pipe: n_process must be a positive number of processes or -1 (one per CPU), "
            "got {value!r}.")
    E579 = ("Language.from_bytes: the data is not a pipeline written by nlp.to_bytes: {err}.")
    E580 = ("Language.from_bytes: the data holds the components {saved} but this pipeline has "
            "{names}; build the nlp object from the same config before calling from_bytes.")
    E581 = ("{path}: {where} names {registry} {name!r}, which is not registered: the code that "
            "registers it was not imported. Import it before loading, or let load import it: "
            "fastpipe.load(path, code=\"functions.py\").")
    E582 = ("Doc.to_json(underscore=...): fastpipe Docs have no extension attributes (doc._); "
            "put custom values in doc.user_data and write them yourself.")
    # distributed training on Ray (E400-E412)
    E400 = ("Distributed training needs Ray, which is not installed. Install it with: "
            "pip install fastpipe[ray]")
    E401 = "on_failure must be 'continue' or 'stop', not {value!r}."
    E402 = "--n-workers must be at least 1, got {value}."
    E403 = ("The workers were not ready after {seconds:.0f}s: check that the cluster has a CPU "
            "free for each worker and that Ray's worker logs show no error.")
    E404 = "A worker failed to start: {err}"
    E405 = ("The workers' models differ in their parameters' shapes; they must be built from the "
            "same config and data.")
    E406 = "Worker {rank} failed: {err}"
    E407 = ("Worker(s) {ranks} died; training stopped (--on-failure stop). With --on-failure "
            "continue the survivors train on without them.")
    E408 = "Every worker died; training stopped. The log says why each was lost."
    E409 = "Parameter {key}: shape {shape} does not match the model's {expected}."
    E410 = "Row pieces of {n_rows} rows in all for an array of {expected} rows."
    E411 = "assign_owners needs at least one worker rank."
    E412 = "No worker is left to own the parameters."
    # spaCy DocBin files (E500-E519)
    E500 = ("DocBin: {where} is neither a .fastpipe file (it does not start with the FPDOCBIN "
            "magic bytes) nor a spaCy .spacy file (zlib-compressed msgpack): check the path; a "
            "corpus in another format can be converted with `fastpipe convert`.")
    E501 = ("DocBin: could not read the spaCy DocBin data of {where}: {err}. The file is corrupt "
            "or truncated: write it again with spaCy's DocBin.to_disk.")
    E502 = ("DocBin: {where} decompresses to more than {limit} MiB (over {ratio} times its "
            "compressed size), far more than a .spacy corpus needs; it is corrupt or not a "
            "DocBin. Split a corpus that large into several .spacy files.")
    E503 = ("DocBin: {where} has the POS {value!r}, which a .spacy file cannot hold: spaCy "
            "stores only the universal POS tags ({known}). Write a .fastpipe file instead, or "
            "move the value to the tag.")
    E504 = ("DocBin: {where} has the morphology {value!r}, which a .spacy file cannot hold: "
            "spaCy needs Field=Value features joined by '|' (such as \"Number=Sing|Tense=Past\"). "
            "Write a .fastpipe file instead, or fix the features.")
    E505 = ("DocBin: format must be \"fastpipe\" or \"spacy\" (or None: from the file's "
            "suffix, .spacy for spaCy's), got {value!r}.")
    E506 = ("DocBinWriter writes .fastpipe files, not {path!r}: a .spacy file is written whole, "
            "so collect the Docs in a DocBin and call DocBin.to_disk({path!r}).")
    # spaCy's registered names and config sections: adapters, [pretraining], [initialize]
    # (E520-E549)
    E520 = ("[training.logger] progress_bar = {value!r}: a console logger's progress bar is one "
            "of {allowed} or null.")
    E521 = ("{name}: include_static_vectors = true needs static word vectors, which fastpipe does "
            "not have (they arrive with issue 15); set include_static_vectors = false.")
    E522 = ("{name}: pretrained_vectors = {value!r} needs static word vectors, which fastpipe "
            "does not have (they arrive with issue 15); set pretrained_vectors = null.")
    E523 = ("Static vectors arrive with issue 15 and fastpipe has none yet: set [initialize] "
            "vectors = null (for spaCy's configs, --paths.vectors null) instead of {value!r}.")
    E524 = ("fastpipe's lexemes take their attributes from the language data and cannot load a "
            "vocab_data file: set [initialize] vocab_data = null instead of {value!r}.")
    E525 = ("fastpipe has no lookup tables (lemmas and norms come from the language data): set "
            "[initialize] lookups = null.")
    E526 = ("[initialize] init_tok2vec = {path}: no such file; give the path of weights saved "
            "from a tok2vec model with model.to_bytes(), or null.")
    E527 = ("[initialize] init_tok2vec = {path}: the weights do not fit the model of component "
            "{component!r}{layer} ({err}); the file must hold weights fastpipe saved from the "
            "same architecture with the same settings.")
    E528 = ("[pretraining] component = {component!r} names no component of the pipeline "
            "({pipeline}); name the component whose model [initialize] init_tok2vec loads.")
    E529 = ("[pretraining] layer = {layer!r}: the model of component {component!r} has no layer "
            "of that name (its named layers: {refs}); leave layer = \"\" for the whole model.")
    E530 = ("{name}: fastpipe has no `pretrain` command yet, so this pretraining objective cannot "
            "be built; [pretraining] is checked but only its component and layer are used.")
    E531 = ("spacy.orth_variants.v1 is not supported: fastpipe has no orth-variant augmenter; "
            "use spacy.lower_case.v1 or augmenter = null in the corpus block.")
    E532 = ("[initialize.tokenizer] {settings}: this tokenizer has no initialize method to take "
            "these settings; remove them.")
    E533 = ("[initialize.tokenizer] {name}: not a setting of the tokenizer's initialize (its "
            "settings are {known}).")
    E534 = ("[nlp.vectors] @vectors = {name!r}: fastpipe's vectors table is spacy.Vectors.v1 "
            "(floret and other tables are not supported); use it, and fill it with [initialize] "
            "vectors.")
    E535 = ("Labels file not found: {path} (read_labels.v1 with require = true); write the "
            "file or set require = false.")
    E536 = "{path}: not a JSON labels file ({err}); it must hold a JSON list or object of labels."
    # components' spaCy settings: scorers, neg_prefix, incorrect spans, fuzzy patterns (E550-E569)
    E550 = ("Example {id!r}: the span ({start}, {end}, {label!r}) of doc.spans[{key!r}] (the "
            "ner's incorrect_spans_key) is also a gold entity; remove it from one of the two.")
    E551 = ("Component {name!r}: label_smoothing must be at least 0 and below {limit:.4f} for "
            "{n} labels (as in spaCy), got {value}; lower [components.{name}] label_smoothing.")
    E552 = ("Component {name!r}: scorer must be a function (examples, **kwargs) -> dict of "
            "scores, got {type}; register one with @fastpipe.registry.scorers(...) and name it "
            "in [components.{name}.scorer].")
    E553 = ("Component {name!r}: matcher_fuzzy_compare must be a function (text, pattern_text, "
            "fuzzy) -> bool, got {type}; name a registered one, such as "
            "fastpipe.levenshtein_compare.v1, in [components.{name}.matcher_fuzzy_compare].")
    E554 = ("{where}: {key} {predicate} takes a string or one of {{'IN': [...]}}, "
            "{{'NOT_IN': [...]}} of strings, got {value!r}.")
    # loading pipelines from others: sourcing cycles, config value kinds, saved component
    # state, tokenizer patterns, memory zones, start-up interrupts (E640-E659)
    E640 = ("{folder}: this pipeline folder is already being loaded when a component sources it "
            "again ({chain}), so loading would never end; point that component's `source` at "
            "another folder or give it a factory.")
    E641 = ("[components.{name}] factory = {value!r}: expected the name of a registered component "
            "factory (a string such as \"tagger\").")
    E642 = ("{where}: the saved state of component {name!r} cannot be used: {problem}. The file "
            "was edited or damaged; restore it, or save the pipeline again with nlp.to_disk.")
    E643 = ("{where}: the weights of component {name!r} do not fit its saved state: {problem}. "
            "The folder mixes files of different trainings or was edited; restore it, or save "
            "the pipeline again with nlp.to_disk.")
    E644 = ("{where}: the tokenizer's {name} pattern {pattern!r} could take exponential time on "
            "some text ({reason}), which would hang nlp(text); rewrite it so that no repeat "
            "holds two ways of matching the same text, or remove it.")
    E645 = ("A memory zone is already open on this StringStore; open zones with nlp.memory_zone(), "
            "which nests, rather than on the vocab or strings directly.")
    # safe writes: output locks, temporary files and folders (E600-E609)
    E600 = ("{folder} is in use by another fastpipe process (pid {pid}), which holds its lock "
            "file {lock}: wait for that run to finish or stop it, or write to another folder.")
    # resuming training: checkpoints and --resume (E610-E619)
    E610 = ("--resume: {path} holds no checkpoint ({checkpoint} is missing), so the run stopped "
            "before writing its first one; train without --resume to start afresh.")
    E611 = ("Resuming needs the output folder of the interrupted run: pass --output with the "
            "config, or give the folder itself (fastpipe train --resume OUTPUT_DIR).")
    E612 = ("{path} is a folder: pass a config file, or add --resume to continue the run saved "
            "in that folder.")
    E613 = ("The checkpoint {path} was written by a run with other settings ({settings}); "
            "resume with its own config (fastpipe train --resume {output}) or set them back "
            "(only [training] max_steps, patience, checkpoint_frequency and logger may change).")
    E614 = ("The checkpoint {path} cannot be read ({err}); it was written by another fastpipe "
            "version or changed by hand: train without --resume to start afresh.")
    E615 = ("The training batches differ from those of the run that wrote {path}: replaying its "
            "{step} steps, {detail}. Resume with the same training corpus, [training] batcher "
            "and seed.")
    E616 = ("The checkpoint's optimizer state does not fit this pipeline ({detail}); resume with "
            "the config the run started with, or train without --resume to start afresh.")
    E617 = ("The checkpoint {path} saved the optimizer's {name} as {value} at step {step}, but "
            "its schedule gives {now} there; resume with the schedules the run started with.")
    E618 = ("--output {output} and --resume {folder} name different folders; give the folder "
            "once, as --resume OUTPUT_DIR.")
    # the commands after training: package, apply, benchmark, assemble, find-threshold
    # (E660-E689)
    E660 = ("Package name {name!r}: use letters, digits and underscores only, starting with a "
            "letter or digit (the package is named LANG_NAME, e.g. en_news_small).")
    E661 = ("Package version {version!r} is not a version pip accepts; use numbers such as "
            "1.0.0 (optionally with a1, rc1, .post1 or .dev1).")
    E662 = "--build {value}: not something to build; use sdist, wheel, both (sdist,wheel) or none."
    E663 = ("The package folder {path} exists; pass --force to replace it, or give another "
            "OUTPUT_DIR or --version.")
    E664 = ("Building the sdist and wheel needs the `build` package: pip install build, or pass "
            "--build none to write the package folder only.")
    E665 = "python -m build failed on {path}: {output}"
    E666 = ("{path}: nothing to apply the pipeline to; give a .txt, .jsonl, .fastpipe or .spacy "
            "file, or a folder holding some.")
    E667 = ("{path}: fastpipe apply reads .txt (a document per line), .jsonl (a text field per "
            "line), .fastpipe and .spacy files, not {suffix!r} files.")
    E668 = ("{path}:{line}: not a JSON object with a string field {key!r}; fix the line, or pass "
            "--text-key with the field that holds the text.")
    E669 = ("Output {path}: fastpipe apply writes a .fastpipe corpus; give a path ending in "
            ".fastpipe.")
    E670 = ("{path}: no document with words to time the pipeline on; give a corpus (.fastpipe, "
            ".spacy, .txt or .jsonl) that holds text.")
    E671 = "--{option} must be at least {least}, got {value}."
    E672 = ("Component {name!r} is not in the pipeline at {model} (its components: {names}); "
            "give one of them.")
    E673 = ("Component {name!r} is a {factory!r}: find-threshold tunes textcat_multilabel "
            "and spancat components only (textcat's classes exclude each other, so it has no "
            "threshold to tune).")
    E674 = ("Score {key!r} is not among the scores of component {name!r} ({keys}); pass one "
            "of them as --scores-key.")
    E675 = ("{path}: the corpus has no documents with categories (doc.cats) for {name!r} to "
            "be scored on.")
    # morphology, the morphologizer and the senter (E700-E719)
    E700 = ("Morphological features {value!r}: the {what} {part!r} is not valid; write "
            "Field=Value pairs joined by '|', a field's values joined by ',' (for example "
            "'Case=Nom|PronType=Int,Rel'), or a dict such as {{'Case': 'Nom'}}.")
    E701 = ("Token morphology is set from a feature string, a dict, a MorphAnalysis, a "
            "StringStore key or None, not {type}.")
    # static word vectors: the table, `init vectors`, [initialize] vectors, the static
    # embedding layer (E720-E739)
    E720 = "Vectors: no vector for {key!r}; check `key in vectors` first, or add it."
    E721 = ("Vectors: a vector of width {width} does not fit this table of width {expected}; "
            "give {expected} numbers.")
    E722 = ("Vectors: row {row} is outside the table's {n_rows} rows; give a row below {n_rows} "
            "or leave row out to use a free one.")
    E723 = ("Vectors: only mode \"default\" is supported, not {mode!r} (fastpipe has no floret "
            "subword vectors); convert the vectors to a word2vec or GloVe text file.")
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
    # the trainable lemmatizer (edit trees) and the lookup lemmatizer (E740-E759)
    E740 = ("Component {name!r}: backoff must be \"orth\", \"lower\" or null (leave the lemma "
            "as it is), not {value!r}.")
    E741 = "Component {name!r}: {setting} must be a whole number of at least 1, not {value!r}."
    E742 = ("Component {name!r}: label {label!r} is not an edit tree ({why}); its labels are the "
            "trees initialize finds in the training lemmas (\"fastpipe init labels\" writes them), "
            "each [prefix_len, suffix_len, prefix_tree, suffix_tree] or [\"old\", \"new\"].")
    E743 = ("Component {name!r}: none of the {n_trees} edit trees in the training lemmas occurs "
            "min_tree_freq = {min_freq} times; lower min_tree_freq or train on more lemmas.")
    E744 = ("Component {name!r}: lemmatizer mode {mode!r} needs rule tables, and fastpipe ships "
            "none; set mode = \"lookup\" and give your own lemma_lookup table in "
            "[initialize.components.{name}.lookups], or train a trainable_lemmatizer.")
    E745 = ("Component {name!r}: the lemmatizer's model setting is unused (it looks lemmas up); "
            "set model = null.")
    E746 = ("Component {name!r} (mode \"lookup\") has no lemma_lookup table: give it one when "
            "it is initialized, as [initialize.components.{name}] lookups = \"FILE.json\", a "
            "[initialize.components.{name}.lookups.lemma_lookup] section of form = lemma pairs, "
            "or lemmatizer.initialize(lookups=...) in Python.")
    E747 = ("Component {name!r}: the lookups {where} are not a table of lemmas ({why}); give a "
            "JSON object or config section mapping each form to its lemma, both strings, either "
            "itself or under the key \"lemma_lookup\".")
    E748 = "Component {name!r}: cannot read the lookups file {path} ({err}); give a JSON file."
    E749 = ("spacy.LookupsDataLoader.v1 reads spaCy's spacy-lookups-data tables, and fastpipe "
            "ships no tables: give your own lemma_lookup table in the lemmatizer's "
            "[initialize.components] lookups (a JSON file or a config section).")
    # integration: spaCy's init labels files for the parser and ner (E760-E769)
    E760 = ("Component {name!r}: its initialize labels map move {move!r} to {value!r}; spaCy's "
            "init labels files map each move to an object of label counts, fastpipe's to a list "
            "of labels: write the file again with `init labels`.")
    # spancat, span_ruler and attribute_ruler (E770-E799)
    E770 = ("Span categorizer: a suggested span {span} (start, end) is empty or reversed; a "
            "suggester must give spans of at least one token, with start < end.")
    E771 = ("spancat suggester: the n-gram sizes must be whole numbers of at least 1 (and "
            "min_size <= max_size), not {sizes}.")
    E772 = ("Component {name!r}: the suggester must be a function of a list of Docs (such as "
            "fastpipe.ngram_suggester.v1 in a [components.{name}.suggester] block), not {type}.")
    E773 = ("Component {name!r}: max_positive must be null or a whole number of at least 1, "
            "not {value!r}.")
    E774 = ("Component {name!r}: {setting} must be a function of two lists of Spans (such as "
            "fastpipe.first_longest_spans_filter.v1 in an @misc block) or null, not {type}.")
    E775 = ("Component {name!r}: spans_key must be a non-empty string (the doc.spans key the "
            "matches go to) or null (no span group), not {value!r}.")
    E776 = ("Component {name!r}: the entities its ents_filter returned overlap ({err}); use a "
            "filter that keeps one span per token, such as "
            "fastpipe.first_longest_spans_filter.v1.")
    E777 = ("{where}: the patterns must be a non-empty list of token patterns (each a list of "
            "token dicts, as [[{{\"LOWER\": \"the\"}}]]), not {value}.")
    E778 = "{where}: index must be a whole number (the token of the match to set), not {value!r}."
    E779 = ("{where}: attrs must be a dict of the attributes to set, each one of {known}; got "
            "{value}.")
    E780 = ("{where}: attribute {key!r} takes a string (MORPH also a dict of features), not "
            "{value}.")
    E781 = ("{where}: a rule is a dict with the keys \"patterns\", \"attrs\" and (optional) "
            "\"index\", not {value}.")
    E782 = ("Component {name!r}: rule {rule} sets token {index} of its match, and the match "
            "{words} has no such token; give an index inside every match of its patterns.")
    # pictures (fastpipe.displacy) and training curves (fastpipe plot) (E690-E699)
    E690 = "displacy: {option} must be one of {choices}, not {value!r}."
    E691 = ("displacy: item {n} is not a manual {style!r} dict (it must have the keys {keys}, "
            "found {found}); pass Docs or Spans without manual=True, or dicts of that form.")
    E692 = ("displacy draws Docs and Spans (or dicts, with manual=True), not {type}; pass a Doc, "
            "a Span or a list of them.")
    E693 = ("displacy: the option collapse_phrases needs noun chunks, which fastpipe Docs do not "
            "have; leave it out (collapse_punct works).")
    E694 = ("displacy.serve cannot listen on {host}:{port} ({err}); pass another port= or "
            "auto_select_port=True.")
    E695 = ("fastpipe plot: cannot write a {suffix!r} picture to {path}; end the --output file "
            "name in one of {formats}.")
    E696 = ("fastpipe plot needs matplotlib, which is not installed: pip install "
            "'fastpipe[plot]' (or pip install matplotlib).")
    E697 = ("{path}: no training log with evaluations to plot ({why}); give the output folder "
            "of a fastpipe train run, which writes training_log.jsonl there.")
    E698 = ("{path}:{line}: not an evaluation of a training log ({why}); each line must be a "
            "JSON object with a number \"step\" and \"scores\" and \"losses\" objects.")
    E699 = ("fastpipe plot: --scores {missing} not in the log {path}, whose scores are "
            "{available}.")
    # pretraining: fastpipe pretrain and its objectives (E800-E819)
    E800 = ("{where}: the config has no [pretraining] settings, so there is nothing to pretrain; "
            "add spaCy's defaults with `fastpipe init fill-config {where} OUTPUT --pretraining`.")
    E801 = ("[pretraining] corpus = {corpus!r}: the section {corpus} has no path; give the raw "
            "text with --paths.raw_text TEXTS.jsonl (lines of {{\"text\": ...}}).")
    E802 = ("[{corpus}] path = {path}: no such file or folder; give a .jsonl file of raw texts "
            "(or a folder of them) with --paths.raw_text.")
    E803 = ("[pretraining.objective] {name}: the vocab has no static vectors to predict; set "
            "[initialize] vectors (--paths.vectors) to a folder `fastpipe init vectors` wrote, or "
            "use spacy.PretrainCharacters.v1.")
    E804 = ("[pretraining.objective] {name}: loss = {value!r} is not a loss it knows; use "
            "\"cosine\" or \"L2\".")
    E805 = ("[pretraining.objective] {name}: {setting} = {value!r} must be a whole number of at "
            "least 1.")
    E806 = ("--resume-path {path}: {why}; give a model*.bin file that fastpipe pretrain wrote "
            "with this config.")
    E807 = ("--resume-path {path}: cannot tell which epoch it ends (its name is not modelN.bin); "
            "give --epoch-resume, the number of the next epoch.")
    E808 = ("Output folder {path} exists and is not a folder; give fastpipe pretrain a folder "
            "for its weights.")
    E809 = ("--epoch-resume {value}: epochs count from 0, so give 0 or more.")
    # span_finder and find-threshold for spancat (E830-E839)
    E830 = ("fastpipe.SpanFinder.v1: the scorer layer gives {nO} outputs per token; the span "
            "finder needs 2 (start and end probabilities): set the scorer's nO = 2.")
    E831 = ("Component {name!r}: {setting} must be null (no bound) or a whole number of at "
            "least 1 (a length in tokens), not {value!r}.")
    E832 = ("Component {name!r}: spans_key must be a non-empty string (the doc.spans key the "
            "candidate spans go to), not {value!r}.")
    E833 = ("{path}: the corpus has no documents with spans in doc.spans[{key!r}] for {name!r} "
            "to be scored on; give a corpus annotated under that key.")
    E834 = ("find-threshold: THRESHOLD_KEY {key!r} is not a setting of component {name!r} "
            "that decides by a threshold; give \"threshold\".")
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
    # beam search for parser and ner (E860-E869)
    E860 = ("{name}: beam_width must be a whole number of at least 1 (1 decodes greedily), "
            "not {value!r}.")
    E861 = ("{name}: beam_density must be at least 0 and below 1 (the least probability of a "
            "kept candidate, relative to the beam's best), not {value!r}.")
    E862 = ("BeamBatch.gradients needs the golds: build the batch with golds= to train with it.")
    E863 = ("Component {name!r}: beam_update_prob must be between 0 and 1 (the share of "
            "batches trained with the beam update), not {value!r}.")
    # the character embedding and the Mish encoder (E870-E879)
    E870 = ("CharacterEmbed: width, rows, nM and nC must be positive whole numbers, got width "
            "{width}, rows {rows}, nM {nM}, nC {nC}.")
    E871 = ("MishWindowEncoder: width and depth must be positive and window_size at least 0, "
            "got width {width}, depth {depth}, window_size {window_size}.")


class Warnings(metaclass=ErrorsWithCodes):
    # gold
    W001 = ("Example {id!r}: {n} entity span(s) do not fall on token boundaries and are treated "
            "as missing: {spans}. Fix their character offsets to start and end on token "
            "boundaries.")
    # ml
    W002 = ("threadpoolctl is not installed, so the BLAS keeps its threads (slow on a busy "
            "machine): pip install threadpoolctl")
    # spaCy's config sections and loggers (W010-W019)
    W010 = ("The training log {path} already exists: it is kept as it is and this run writes no "
            "log lines to it; give another output_file or remove the file.")
    # language data (W030-W039)
    W030 = ("Language code {lang!r} has no data of its own in fastpipe: its tokenizer and lexical "
            "attributes use the generic rules of 'xx' (fastpipe.lang.xx); use 'xx' to say so, "
            "or add a fastpipe/lang/{lang}/ package.")
    # spaCy DocBin files (W500-W509)
    W500 = ("DocBin: {where} holds {what}, which fastpipe Docs do not store; they are left out "
            "of the Docs read from it.")


class FastpipeWarning(UserWarning):
    """The category of fastpipe's warnings: ``warnings.filterwarnings("ignore",
    category=FastpipeWarning)`` silences them."""


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
