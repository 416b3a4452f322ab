"""Error messages of the components: parser settings and transition systems, beam search, rulers,
the morphologizer and senter, lemmatizers, spancat and span_finder, and the spaCy settings they
take."""


class PipelineErrors:
    # the parser component's settings (E078-E079)
    E078 = "Component {name!r}: update_with_oracle_cut_size must be 0 or more, got {value}."
    E079 = ("[components.parser] learn_tokens = true is not supported: the parser works on the "
            "tokenizer's tokens. Set learn_tokens = false.")
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
    # morphology, the morphologizer and the senter (E700-E719)
    E700 = ("Morphological features {value!r}: the {what} {part!r} is not valid; write "
            "Field=Value pairs joined by '|', a field's values joined by ',' (for example "
            "'Case=Nom|PronType=Int,Rel'), or a dict such as {{'Case': 'Nom'}}.")
    E701 = ("Token morphology is set from a feature string, a dict, a MorphAnalysis, a "
            "StringStore key or None, not {type}.")
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
    # beam search for parser and ner (E860-E869)
    E860 = ("{name}: beam_width must be a whole number of at least 1 (1 decodes greedily), "
            "not {value!r}.")
    E861 = ("{name}: beam_density must be at least 0 and below 1 (the least probability of a "
            "kept candidate, relative to the beam's best), not {value!r}.")
    E862 = ("BeamBatch.gradients needs the golds: build the batch with golds= to train with it.")
    E863 = ("Component {name!r}: beam_update_prob must be between 0 and 1 (the share of "
            "batches trained with the beam update), not {value!r}.")
