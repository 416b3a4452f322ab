#!/usr/bin/env python
"""spaCy 3.8's own configs and corpora, trained by spaCy and by fastpipe: speed and dev scores.

    python bin/bench_spacy_configs.py [--tasks pipeline,ud,spancat,textcat-bow,textcat-ensemble]
        [--systems spacy,fastpipe,fastpipe-own] [--steps N] [--eval-frequency M]
        [--seeds 0,1,2] [--output results.json] [--keep DIR]

Systems: ``spacy`` and ``fastpipe`` train from the SAME config file (spaCy's ``init config``
output) and the SAME ``.spacy`` corpora; ``fastpipe-own`` trains fastpipe from fastpipe's own
``fastpipe init config`` output for the same components and preset (its starter config: the
issue's "each system's starter config") on the same corpora, for the same steps.

Tasks:

* ``pipeline``: ``spacy init config -l en -p tagger,parser,ner -o efficiency``, on EWT
  (../shared/data/en_ewt) converted by ``spacy convert -c conllu -n 10`` (10 sentences per doc).
  EWT's MISC column writes entities as ``NER=B-PER``, a key spaCy's converter does not read (it
  reads ``NE=`` and ``name=``), so the script converts a temporary copy in which ``NER=`` is
  rewritten to ``NE=``. The converter reads a token without such a key as outside any entity,
  so EWT's 4 training sentences without entity annotation count as having none.
* ``ud``: ``spacy init config -l en -p tagger,morphologizer,trainable_lemmatizer,parser -o
  efficiency`` on the same EWT corpora: tag, pos, morph, lemma, UAS, LAS and sentences.
* ``spancat``: ``spacy init config -l en -p spancat -o efficiency`` on the EWT span task that
  bin/make_span_task.py writes (each entity and the base noun phrase around it, overlapping, in
  ``doc.spans["sc"]``; derived from EWT, CC BY-SA 4.0): spans_sc_f, _p and _r.
* ``textcat-bow``: ``spacy init config -l en -p textcat -o efficiency`` (TextCatBOW.v3).
* ``textcat-ensemble``: ``spacy init config -l en -p textcat -o accuracy`` (TextCatEnsemble.v2
  over a tok2vec of MultiHashEmbed + MaxoutWindowEncoder), with ``include_static_vectors`` set to
  false and ``paths.vectors`` to null for both systems: the preset asks for en_core_web_lg's
  static vectors, which this benchmark does not use.
  The textcat corpora: SST-2 (../shared/data/sst2) tsv rows, tokenized by ``spacy.blank("en")``
  and stored with spaCy's DocBin, cats {"POS", "NEG"} (exclusive, one of them 1.0).

Each run is ``python -m spacy train`` or ``python -m fastpipe train`` with
``--training.max_steps N --training.eval_frequency M --training.patience 0 --system.seed S``
over the config's own settings (patience 0, so that both systems run exactly N steps: the
configs' patience of 1600 steps would otherwise end some runs early, differently per seed), one
system after the other (never at the same time), each a fresh process with
OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS (and fastpipe's FASTPIPE_THREADS) set to
1. Reported per system, means over ``--seeds``:

* training: whole-process wall time (start-up, corpus reading, initialization, training,
  evaluations and saving), its CPU time, and training words / wall second. The words are each
  system's own count of the words in its N batches: fastpipe prints it; for spaCy, the script
  starts spaCy's CLI itself (exactly what ``python -m spacy`` runs) with spaCy's
  ``train_while_improving`` wrapped to record the last ``info["words"]``.
* prediction: words/s of each system's ``nlp.pipe`` over the raw dev texts with model-last,
  best of 3 passes, each system in its own process.
* dev scores of model-last and model-best, computed by ONE scorer for both: spaCy's ``Scorer``
  over spaCy Docs built from each system's predictions (words, spaces, tags, heads, deps,
  entities, cats, span groups) against the gold dev ``.spacy`` docs: tag_acc, dep_uas,
  dep_las, sents_f, ents_f for the pipeline; spans_sc_f/p/r for spancat (overlaps allowed);
  cats_score, cats_macro_f and accuracy (the top class is the gold one) for textcat. Beside
  them, each system's own scores from the last row of its training table.
* peak memory: the training process's peak resident set size (``ru_maxrss``).

``--keep DIR`` keeps the work folder (configs, corpora, logs, models) and reuses the corpora
and configs already in it; without it a temporary folder is removed at the end. The machine
(CPU model, cores, load average before and after each run) is in the JSON and the table header.
spaCy must be installed beside fastpipe (``pip install spacy==3.8.18``).
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
DATA = HERE.parent.parent.parent / "shared" / "data"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "FASTPIPE_THREADS")
SYSTEMS = ("spacy", "fastpipe", "fastpipe-own")
FASTPIPE_SYSTEMS = ("fastpipe", "fastpipe-own")
SPANS_KEY = "sc"   # the span group both systems' spancat writes (their default key)
# steps and eval frequency per task: minutes of spaCy training each on one core
TASKS = {
    "pipeline": {"pipeline": "tagger,parser,ner", "optimize": "efficiency",
                 "steps": 2000, "eval_frequency": 500},
    "ud": {"pipeline": "tagger,morphologizer,trainable_lemmatizer,parser",
           "optimize": "efficiency", "steps": 2000, "eval_frequency": 500},
    "spancat": {"pipeline": "spancat", "optimize": "efficiency",
                "steps": 3000, "eval_frequency": 500},
    "textcat-bow": {"pipeline": "textcat", "optimize": "efficiency",
                    "steps": 4000, "eval_frequency": 1000},
    # the ensemble starts slowly in both systems (about chance until step ~800 on SST-2)
    "textcat-ensemble": {"pipeline": "textcat", "optimize": "accuracy",
                         "steps": 2000, "eval_frequency": 500},
}
PIPELINE_METRICS = ("tag_acc", "dep_uas", "dep_las", "sents_f", "ents_f")
UD_METRICS = ("tag_acc", "pos_acc", "morph_acc", "lemma_acc", "dep_uas", "dep_las", "sents_f")
TEXTCAT_METRICS = ("cats_score", "cats_macro_f", "accuracy")
SPANCAT_METRICS = ("spans_sc_f", "spans_sc_p", "spans_sc_r")
PREDICT_REPEATS = 3


# -- preparation (spaCy is imported here: this is the side that makes spaCy's inputs) ----------

def prepare(task: str, work: Path) -> dict:
    """The task's config and corpora under ``work``, made once (a kept folder reuses them)."""
    folder = work / task
    folder.mkdir(parents=True, exist_ok=True)
    spec = TASKS[task]
    config = folder / "config.cfg"
    if not config.exists():
        subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(config), "-l", "en",
                        "-p", spec["pipeline"], "-o", spec["optimize"], "--force"],
                       check=True, capture_output=True, env=pinned_env())
        if task == "textcat-ensemble":
            without_static_vectors(config)
    own_config = folder / "config-fastpipe.cfg"
    if not own_config.exists():
        subprocess.run([sys.executable, "-m", "fastpipe", "init", "config", str(own_config),
                        "-l", "en", "-p", spec["pipeline"], "-o", spec["optimize"], "--force"],
                       check=True, capture_output=True, env=pinned_env(), cwd=REPO)
        if task == "textcat-ensemble":
            without_static_vectors(own_config)
    if task in ("pipeline", "ud"):
        corpora = ewt_corpora(work / "corpora-ewt")
    elif task == "spancat":
        corpora = span_corpora(work / "corpora-spans")
    else:
        corpora = sst2_corpora(work / "corpora-sst2")
    return {"config": config, "own_config": own_config, **corpora}


def without_static_vectors(config: Path) -> None:
    """Both systems train without static vectors: the accuracy preset's
    include_static_vectors = true and paths.vectors = "en_core_web_lg" become false and null."""
    from thinc.api import Config

    cfg = Config().from_disk(config, interpolate=False)
    for section in cfg["components"].values():
        for block in _blocks(section):
            if "include_static_vectors" in block:
                block["include_static_vectors"] = False
    if "vectors" in cfg.get("paths", {}):
        cfg["paths"]["vectors"] = None
    cfg.to_disk(config)


def _blocks(section: dict):
    """Every dict below ``section`` (a model block and its nested blocks), itself included."""
    yield section
    for value in section.values():
        if isinstance(value, dict):
            yield from _blocks(value)


def ewt_corpora(folder: Path) -> dict:
    """EWT train and dev as ``.spacy`` files made by ``spacy convert -n 10`` from copies whose
    MISC ``NER=`` keys are rewritten to ``NE=`` (the key spaCy's converter reads)."""
    out = {"train": folder / "en_ewt-ud-train.spacy", "dev": folder / "en_ewt-ud-dev.spacy"}
    if all(p.exists() for p in out.values()):
        return out
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for split in ("train", "dev"):
            source = DATA / "en_ewt" / f"en_ewt-ud-{split}.conllu"
            copy = Path(tmp) / source.name
            copy.write_text(rewrite_ner_keys(source.read_text(encoding="utf8")), encoding="utf8")
            subprocess.run([sys.executable, "-m", "spacy", "convert", str(copy), str(folder),
                            "-c", "conllu", "-n", "10"], check=True, capture_output=True,
                           env=pinned_env())
    return out


def span_corpora(folder: Path) -> dict:
    """The EWT span task (bin/make_span_task.py) as train.spacy and dev.spacy."""
    out = {"train": folder / "train.spacy", "dev": folder / "dev.spacy"}
    if not all(p.exists() for p in out.values()):
        subprocess.run([sys.executable, str(HERE.parent / "make_span_task.py"),
                        "--data", str(DATA / "en_ewt"), "--output", str(folder)],
                       check=True, capture_output=True, env=pinned_env(), cwd=REPO)
    return out


def rewrite_ner_keys(text: str) -> str:
    """The CoNLL-U text with each MISC field's ``NER=`` key renamed ``NE=``."""
    lines = []
    for line in text.split("\n"):
        cols = line.split("\t")
        if len(cols) == 10 and not line.startswith("#"):
            cols[9] = "|".join("NE=" + part[4:] if part.startswith("NER=") else part
                               for part in cols[9].split("|"))
            line = "\t".join(cols)
        lines.append(line)
    return "\n".join(lines)


def read_sst2(path: Path):
    """(text, is_positive) rows of an SST-2 tsv file (a header names the label column)."""
    lines = path.read_text(encoding="utf8").splitlines()
    header = lines[0].split("\t")
    label_col = header.index("label")
    text_col = 1 - label_col
    return [(cols[text_col], cols[label_col] == "1") for cols in (ln.split("\t") for ln in lines[1:])]


def sst2_corpora(folder: Path) -> dict:
    """SST-2 train and dev as spaCy DocBin files with exclusive cats POS / NEG."""
    out = {"train": folder / "train.spacy", "dev": folder / "dev.spacy"}
    if all(p.exists() for p in out.values()):
        return out
    import spacy
    from spacy.tokens import DocBin

    folder.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    for split, path in out.items():
        docbin = DocBin()
        for text, positive in read_sst2(DATA / "sst2" / f"{split}.tsv"):
            doc = nlp.make_doc(text)
            doc.cats = {"POS": float(positive), "NEG": float(not positive)}
            docbin.add(doc)
        docbin.to_disk(path)
    return out


# -- running one system in its own process ------------------------------------------------------

def pinned_env() -> dict:
    """The environment of every child: one thread, and this checkout's fastpipe importable
    wherever the child runs (as when it is installed in editable mode)."""
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_measured(cmd, log: Path, extra_env=None) -> dict:
    """Run ``cmd`` (output to ``log``); its wall time, CPU time, peak memory and exit status."""
    env = pinned_env()
    env.update(extra_env or {})
    load_before = os.getloadavg()[0]
    with log.open("w", encoding="utf8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "rc": proc.returncode,
            "load_before": load_before, "load_after": os.getloadavg()[0]}


def train(system: str, paths: dict, out: Path, steps: int, eval_frequency: int, seed: int) -> dict:
    overrides = ["--paths.train", str(paths["train"]), "--paths.dev", str(paths["dev"]),
                 "--training.max_steps", str(steps), "--training.eval_frequency",
                 str(eval_frequency), "--training.patience", "0", "--system.seed", str(seed)]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    log = out / "train.log"
    words_file = out / "words.json"
    if system == "spacy":
        cmd = [sys.executable, str(HERE), "--internal-spacy-train", str(words_file), "--",
               "train", str(paths["config"]), "--output", str(out)] + overrides
    else:
        config = paths["own_config" if system == "fastpipe-own" else "config"]
        cmd = [sys.executable, "-m", "fastpipe", "train", str(config),
               "--output", str(out)] + overrides
    result = run_measured(cmd, log)
    text = log.read_text(encoding="utf8", errors="replace")
    if result["rc"] != 0:
        sys.exit(f"{system} train failed (exit {result['rc']}); the end of {log}:\n{text[-3000:]}")
    if system == "spacy":
        words = json.loads(words_file.read_text())["words"] if words_file.exists() else None
    else:
        found = re.search(r"\(([\d,]+) steps, ([\d,]+) words", text)
        words = int(found.group(2).replace(",", "")) if found else None
    result["words"] = words
    result["words_per_s"] = words / result["wall_s"] if words else None
    result["own_scores"] = own_scores(text)
    return result


def own_scores(log_text: str) -> dict:
    """The last row of a training table (spaCy's or fastpipe's), column name -> number."""
    rows = []
    header = None
    for line in log_text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if re.match(r"^E\s+#", line):
            header = re.split(r"\s{2,}", line)
        elif header and re.match(r"^\d+\s+\d+\s", line):
            values = line.split()
            if len(values) == len(header):
                rows.append(dict(zip(header, values)))
    if not rows:
        return {}
    return {k: float(v) for k, v in rows[-1].items()
            if k not in ("E", "#") and re.match(r"^-?[\d.]+$", v)}


def predict(system: str, model: Path, texts_file: Path, out_file: Path, repeats: int,
            log: Path) -> dict:
    cmd = [sys.executable, str(HERE), "--internal-predict", system, str(model), str(texts_file),
           str(out_file), str(repeats)]
    result = run_measured(cmd, log)
    if result["rc"] != 0:
        text = log.read_text(encoding="utf8", errors="replace")
        sys.exit(f"{system} prediction failed; the end of {log}:\n{text[-3000:]}")
    return json.loads(out_file.read_text())


# -- child processes ------------------------------------------------------------------------------

def spacy_train_child(words_file: str, argv) -> None:
    """``python -m spacy <argv>``, recording the words of the training batches as they go."""
    import spacy.training.loop as loop
    from spacy.cli import setup_cli

    improving = loop.train_while_improving
    seen = {}

    def counted(*args, **kwargs):
        for batch, info, is_best in improving(*args, **kwargs):
            seen["words"] = info["words"]
            yield batch, info, is_best

    loop.train_while_improving = counted
    sys.argv = ["spacy"] + list(argv)
    try:
        setup_cli()
    finally:
        if seen:
            Path(words_file).write_text(json.dumps(seen))


def predict_child(system: str, model: str, texts_file: str, out_file: str, repeats: int) -> None:
    """Load ``model``, run nlp.pipe over the texts ``repeats`` times (timed) and write the
    predictions of the last pass as JSON."""
    if system == "spacy":
        import spacy as lib
    else:
        import fastpipe as lib   # fastpipe and fastpipe-own
    nlp = lib.load(model)
    texts = json.loads(Path(texts_file).read_text(encoding="utf8"))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        docs = list(nlp.pipe(texts))
        times.append(time.perf_counter() - start)
    names = set(nlp.pipe_names)
    out = []
    for doc in docs:
        record = {"words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc]}
        if "tagger" in names:
            record["tags"] = [t.tag_ for t in doc]
        if "morphologizer" in names:
            record["pos"] = [t.pos_ for t in doc]
            # an analysis without features is spaCy's "_" (an empty string reads as missing)
            record["morphs"] = [str(t.morph) or ("_" if t.pos_ else "") for t in doc]
        if "trainable_lemmatizer" in names:
            record["lemmas"] = [t.lemma_ for t in doc]
        if "parser" in names:
            record["heads"] = [t.head.i for t in doc]
            record["deps"] = [t.dep_ for t in doc]
        if "ner" in names:
            record["ents"] = [[e.start, e.end, e.label_] for e in doc.ents]
        if names & {"spancat", "spancat_singlelabel"}:
            group = doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else ()
            record["spans"] = [[s.start, s.end, s.label_] for s in group]
        if names & {"textcat", "textcat_multilabel"}:
            record["cats"] = dict(doc.cats)
        out.append(record)
    n_words = sum(len(d) for d in docs)
    Path(out_file).write_text(json.dumps({"times": times, "words": n_words,
                                          "words_per_s": n_words / min(times), "docs": out}))


# -- one scorer for both ---------------------------------------------------------------------------

def load_gold(dev: Path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    return nlp, list(DocBin().from_disk(dev).get_docs(nlp.vocab))


def parser_scores(examples) -> dict:
    """dep_uas/las and sents_p/r/f as spaCy's parser scores itself (its registered scorer):
    punctuation arcs left out by their label. (Scorer.score_deps with its default getter
    compares label ids with the ignored label strings, so it would count punctuation.)"""
    from spacy import registry

    return registry.scorers.get("spacy.parser_scorer.v1")()(examples)


def score(task: str, nlp, gold, predictions) -> dict:
    """spaCy's Scorer over spaCy Docs built from one system's predictions."""
    from spacy.scorer import Scorer
    from spacy.tokens import Doc, Span
    from spacy.training import Example

    examples = []
    for record, ref in zip(predictions, gold):
        n = len(record["words"])
        kwargs = {}
        if "tags" in record:
            kwargs["tags"] = record["tags"]
        if "heads" in record:
            kwargs["heads"] = record["heads"]
            kwargs["deps"] = [d or "dep" for d in record["deps"]]
        if "ents" in record:
            iob = ["O"] * n
            for start, end, label in record["ents"]:
                iob[start] = f"B-{label}"
                for i in range(start + 1, end):
                    iob[i] = f"I-{label}"
            kwargs["ents"] = iob
        doc = Doc(nlp.vocab, words=record["words"], spaces=record["spaces"], **kwargs)
        for token, pos, morph in zip(doc, record.get("pos", ()), record.get("morphs", ())):
            if pos:   # unset values stay missing, as in the system's own Doc
                token.pos_ = pos
            if morph:
                token.set_morph(morph)
        for token, lemma in zip(doc, record.get("lemmas", ())):
            if lemma:
                token.lemma_ = lemma
        if "cats" in record:
            doc.cats = record["cats"]
        if "spans" in record:
            doc.spans[SPANS_KEY] = [Span(doc, start, end, label=label)
                                    for start, end, label in record["spans"]]
        examples.append(Example(doc, ref))
    scores = {}
    if task == "ud":
        for attr in ("tag", "pos", "lemma"):
            scores.update(Scorer.score_token_attr(examples, attr))
        scores.update(Scorer.score_token_attr(examples, "morph",
                                              getter=lambda token, attr: token.morph.key))
        scores.update(parser_scores(examples))
        return {k: scores.get(k) for k in UD_METRICS}
    if task == "spancat":
        # as spaCy's spancat scores itself: its group of each Doc, overlaps allowed, Docs
        # whose reference has no such group left out
        scores.update(Scorer.score_spans(
            examples, f"spans_{SPANS_KEY}", allow_overlap=True,
            getter=lambda doc, attr: doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else [],
            has_annotation=lambda doc: SPANS_KEY in doc.spans))
        return {k: scores.get(k) for k in SPANCAT_METRICS}
    if task == "pipeline":
        scores.update(Scorer.score_token_attr(examples, "tag"))
        scores.update(parser_scores(examples))
        scores.update(Scorer.score_spans(examples, "ents"))
        return {k: scores.get(k) for k in PIPELINE_METRICS}
    labels = sorted(gold[0].cats)
    scores.update(Scorer.score_cats(examples, "cats", labels=labels, multi_label=False,
                                    threshold=0.0))
    right = sum(max(eg.predicted.cats, key=eg.predicted.cats.get)
                == max(eg.reference.cats, key=eg.reference.cats.get) for eg in examples)
    scores["accuracy"] = right / len(examples)
    return {k: scores.get(k) for k in TEXTCAT_METRICS}


# -- the benchmark ----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "load_at_start": os.getloadavg()}


def versions() -> dict:
    out = {}
    for name in ("spacy", "fastpipe", "thinc"):
        found = subprocess.run([sys.executable, "-c", f"import {name}; print({name}.__version__)"],
                               capture_output=True, text=True)
        out[name] = found.stdout.strip() or None
    return out


def run_task(task: str, work: Path, steps: int, eval_frequency: int, seeds, systems) -> list:
    paths = prepare(task, work)
    nlp, gold = load_gold(paths["dev"])
    texts_file = work / task / "dev_texts.json"
    texts_file.write_text(json.dumps([doc.text for doc in gold]), encoding="utf8")
    results = []
    for seed in seeds:
        for system in systems:
            out = work / task / f"{system}-seed{seed}"
            print(f"[{task}] seed {seed}: {system} train ...", flush=True)
            run = train(system, paths, out, steps, eval_frequency, seed)
            entry = {"task": task, "system": system, "seed": seed, "train": run}
            for which in ("model-last", "model-best"):
                model = out / which
                if not model.exists():
                    continue
                repeats = PREDICT_REPEATS if which == "model-last" else 1
                pred = predict(system, model, texts_file, out / f"{which}.pred.json", repeats,
                               out / f"{which}.predict.log")
                entry[which] = score(task, nlp, gold, pred["docs"])
                if which == "model-last":
                    entry["predict_words_per_s"] = pred["words_per_s"]
            results.append(entry)
            print(f"[{task}] seed {seed}: {system} {summary_line(entry)}", flush=True)
    return results


def summary_line(entry: dict) -> str:
    run = entry["train"]
    scores = ", ".join(f"{k} {v:.4f}" for k, v in entry.get("model-last", {}).items() if v is not None)
    return (f"train {run['wall_s']:.1f}s wall, {run['cpu_s']:.1f}s CPU, "
            f"peak {run['peak_mb']:.0f} MB; {scores}")


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def summarize(results: list) -> dict:
    summary = {}
    for task in dict.fromkeys(r["task"] for r in results):
        per_system = {}
        for system in SYSTEMS:
            runs = [r for r in results if r["task"] == task and r["system"] == system]
            if not runs:
                continue
            metrics = list(runs[0].get("model-last", {}))
            per_system[system] = {
                "train_wall_s": mean([r["train"]["wall_s"] for r in runs]),
                "train_cpu_s": mean([r["train"]["cpu_s"] for r in runs]),
                "train_words_per_s": mean([r["train"]["words_per_s"] for r in runs]),
                "predict_words_per_s": mean([r.get("predict_words_per_s") for r in runs]),
                "peak_mb": mean([r["train"]["peak_mb"] for r in runs]),
                "last": {m: mean([r["model-last"][m] for r in runs]) for m in metrics},
                "best": {m: mean([r.get("model-best", {}).get(m) for r in runs]) for m in metrics},
                "own": {k: mean([r["train"]["own_scores"].get(k) for r in runs])
                        for k in runs[0]["train"]["own_scores"]},
            }
        summary[task] = per_system
    return summary


def print_table(summary: dict, info: dict) -> None:
    m = info["machine"]
    print(f"\nmachine: {m['cpu']}, {m['cores']} cores, {m['platform']}; load at start "
          f"{m['load_at_start'][0]:.2f}; threads pinned to 1; seeds {info['seeds']}")

    def cell(v, fmt):
        return format(v, fmt) if v is not None else "-"

    for task, systems in summary.items():
        steps = info["steps"][task]
        print(f"\n{task}: {steps['steps']} steps, eval every {steps['eval_frequency']}")
        metrics = list(next(iter(systems.values()))["last"])
        head = (f"{'system':<13}{'train s':>9}{'CPU s':>8}{'train w/s':>11}{'pred w/s':>10}"
                f"{'peak MB':>9}" + "".join(f"{k:>14}" for k in metrics))
        print(head)
        for system, s in systems.items():
            row = (f"{system:<13}{cell(s['train_wall_s'], '9.1f')}{cell(s['train_cpu_s'], '8.1f')}"
                   f"{cell(s['train_words_per_s'], '11,.0f')}"
                   f"{cell(s['predict_words_per_s'], '10,.0f')}{cell(s['peak_mb'], '9.0f')}")
            row += "".join(f"{cell(s['last'][k], '14.4f')}" for k in metrics)
            print(row)
            print(f"{'':<60}best: " + ", ".join(f"{k} {cell(s['best'][k], '.4f')}" for k in metrics))
            print(f"{'':<60}own:  " + ", ".join(f"{k} {v:.2f}" for k, v in s["own"].items()
                                                 if v is not None))
        for name in FASTPIPE_SYSTEMS:
            if "spacy" in systems and name in systems:
                print(f"{name} vs spaCy: " + "; ".join(comparison(systems["spacy"], systems[name],
                                                                   metrics)))


def comparison(sp: dict, fp: dict, metrics) -> list:
    """How a fastpipe run compares with spaCy's: speed-ups, memory ratio, score differences."""
    parts = [f"train {sp['train_wall_s'] / fp['train_wall_s']:.2f}x (wall), "
             f"{sp['train_cpu_s'] / fp['train_cpu_s']:.2f}x (CPU)"]
    if sp["predict_words_per_s"] and fp["predict_words_per_s"]:
        parts.append(f"predict {fp['predict_words_per_s'] / sp['predict_words_per_s']:.2f}x")
    parts.append(f"peak memory {fp['peak_mb']:.0f} vs {sp['peak_mb']:.0f} MB")
    parts += [f"{k} {fp['last'][k] - sp['last'][k]:+.4f}" for k in metrics
              if fp["last"][k] is not None and sp["last"][k] is not None]
    return parts


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--internal-spacy-train":
        spacy_train_child(sys.argv[2], sys.argv[4:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--internal-predict":
        predict_child(*sys.argv[2:6], int(sys.argv[6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default=",".join(TASKS),
                        help=f"comma-separated, from {', '.join(TASKS)}")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated, from spacy, fastpipe (spaCy's config) and "
                             "fastpipe-own (fastpipe's init config)")
    parser.add_argument("--steps", type=int, help="training steps for every task (default: per task)")
    parser.add_argument("--eval-frequency", type=int, help="steps between evaluations (default: per task)")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, e.g. 0,1,2")
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument("--keep", type=Path, help="work folder to keep (and reuse corpora from)")
    args = parser.parse_args()
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        parser.error(f"unknown task {unknown[0]!r}: choose from {', '.join(TASKS)}")
    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    if not systems or any(name not in SYSTEMS for name in systems):
        parser.error(f"--systems {args.systems!r}: choose from {', '.join(SYSTEMS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_spacy_configs_"))
    work.mkdir(parents=True, exist_ok=True)
    steps = {t: {"steps": args.steps or TASKS[t]["steps"],
                 "eval_frequency": args.eval_frequency or min(TASKS[t]["eval_frequency"],
                                                              args.steps or TASKS[t]["steps"])}
             for t in tasks}
    info = {"machine": machine(), "versions": versions(), "seeds": seeds, "steps": steps,
            "systems": systems,
            "threads": {v: "1" for v in THREAD_VARS}}
    results = []
    try:
        for task in tasks:
            results += run_task(task, work, steps[task]["steps"], steps[task]["eval_frequency"],
                                seeds, systems)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarize(results)
    info["load_at_end"] = os.getloadavg()
    print_table(summary, info)
    if args.output:
        args.output.write_text(json.dumps({**info, "summary": summary, "runs": results}, indent=2))
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
