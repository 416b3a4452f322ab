"""Error messages of training data: Examples, alignment and entity tags, corpus readers and
augmenters, converters and their strict input checks, spaCy's DocBin files."""


class GoldErrors:
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
