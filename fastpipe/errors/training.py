"""Error messages of the config, the training loop and the commands: batchers, Ray, safe writes,
resuming, the commands after training, pictures and curves, pretraining."""


class TrainingErrors:
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
