"""Error messages of the nlp object: Language and its pipeline, custom components and user code,
loading and sourcing pipelines, spaCy's registered names and config sections."""


class LanguageErrors:
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
