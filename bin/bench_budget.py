#!/usr/bin/env python
"""The same wall-clock budget for spaCy 3.8 and fastpipe: which one buys the better pipeline?

    python bin/bench_budget.py --minutes N [--task ewt|sst2]
        [--fastpipe-config efficiency|accuracy|PATH]
        [--spacy-config efficiency|accuracy|PATH] [--pipeline tagger,parser,ner]
        [--eval-frequency K] [--levels "dep_las=78,79 ents_f=55"] [--select dep_las,ents_f]
        [--out DIR] [--corpora DIR] [--spacy-from DIR [--core K]]
        [--train-only | --score-only] [--prune]

Both systems train the same pipeline on the same corpora, each in its own process pinned to its
own core (one thread each), started together, with ``patience = 0`` and ``max_steps = 0``, and
each is stopped (SIGINT, then SIGKILL after ``--grace`` seconds) once N minutes of its clock
have passed. Configs: spaCy's ``spacy init config -o efficiency`` (or a path) for spaCy,
``fastpipe init config --optimize X`` (or a path) for fastpipe; with ``accuracy`` neither gets
static vectors.

``--task ewt`` (the default) trains tagger+parser+ner on EWT as below. ``--task sst2`` trains
textcat on SST-2 (``efficiency``: bag of words; ``accuracy``: the ensemble), from
bench_spacy_configs' ``.spacy`` files (cats POS / NEG), scored by spaCy's Scorer as that script
does (cats_score, cats_macro_f, and accuracy: the top class is the gold one); the best
checkpoint is the most accurate on dev, and there is no test split (SST-2's labelled files are
train and dev, and its training rows are phrases of the same sentences).

Corpora: EWT from ../shared/data, converted by ``spacy convert -c conllu -n 10`` (with MISC
``NER=`` rewritten to ``NE=``, as bench_spacy_configs does). The shared data has no test split,
so the script holds one out of the training file: every 10th document (``# newdoc``; 54 of 540
documents, 1,175 of 12,544 sentences) is the test set, and neither system trains on it. Dev is
the whole EWT dev file.

At every evaluation a benchmark logger (registered in each training process, wrapping the
config's own logger) saves the pipeline, with the optimizer's parameter averages swapped in as
each system does for model-best, to ``OUT/<system>/ckpt/<step>/`` and appends {step, seconds,
save_s} to ``OUT/<system>/checkpoints.jsonl``. The clock of a system runs from the moment both
processes were started, less the time its logger spent saving, so neither pays for the
benchmark (its deadline moves by the same amount). A logger is given only the pipeline, so the
training process keeps the loop's optimizer for it (spaCy: the ``optimizer`` argument of
``train_while_improving``; fastpipe: the [training] section its loop resolves). A checkpoint
gets its line only once it is whole (SIGINT is held while it is written): a folder without one
is skipped, as is a checkpoint taken after the deadline (fastpipe finishes the step under way,
evaluation included, after a SIGINT). Peak memory is each training process's peak RSS.

Then every checkpoint is scored on dev by ONE scorer, spaCy's ``Scorer``, through
bench_spacy_configs' prediction and scoring path (each checkpoint predicts the raw dev texts;
its Docs are scored against the gold ``.spacy`` docs), two checkpoints at a time. The best
checkpoint of each system (highest sum of the ``--select`` dev scores, by default LAS + ents F;
the earlier one on a tie) is scored on the test set. Reported: the best dev score of each metric
over the run, the test scores of the selected checkpoint, steps, peak memory, minutes each
system needs to reach dev levels (by default 90/95/99% of spaCy's best LAS and ents F, plus
``--levels``; a level counts as reached at the first evaluation at or above it) and the ratio of
those minutes, a plot of every metric over the minutes (``OUT/budget.png``) and everything as
JSON (``OUT/results.json``). ``--score-only`` scores the checkpoints already in OUT again;
``--train-only`` trains and stops there (with ``--spacy-from``, a fastpipe run can start on the
free core before spaCy's reference run has finished: score it with ``--score-only`` later);
``--prune`` deletes all but the selected ones once they are scored.
Progress goes to stderr; each system's own training output to ``OUT/<system>/train.log``.
"""
import argparse
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
import bench_spacy_configs as bsc  # noqa: E402  (corpora, prediction and spaCy's scorer)

SYSTEMS = ("spacy", "fastpipe")
METRICS = bsc.PIPELINE_METRICS
LABELS = {"tag_acc": "tag accuracy", "dep_uas": "UAS", "dep_las": "LAS",
          "sents_f": "sentences F", "ents_f": "entities F", "cats_score": "textcat score",
          "cats_macro_f": "textcat macro F", "accuracy": "accuracy"}
# What each --task trains on and how its checkpoints are scored and chosen: ``score`` is
# bench_spacy_configs' scoring task, ``select`` the default --select, ``level_metrics`` those
# whose default time-to-level rows are fractions of spaCy's best, ``test`` whether a test
# split is held out (SST-2's labelled files are train and dev, and its training rows are
# phrases of the same sentences, so a split held out of them would not be unseen text).
TASKS = {
    "ewt": {"name": "EWT", "pipeline": "tagger,parser,ner", "score": "pipeline",
            "metrics": bsc.PIPELINE_METRICS, "select": "dep_las,ents_f",
            "level_metrics": ("dep_las", "ents_f"), "test": True},
    "sst2": {"name": "SST-2", "pipeline": "textcat", "score": "textcat",
             "metrics": bsc.TEXTCAT_METRICS, "select": "accuracy",
             "level_metrics": ("accuracy",), "test": False},
}
LOGGER = "bench_budget.checkpoints.v1"
LOG_FILE = "checkpoints.jsonl"
START_VAR = "BENCH_BUDGET_START"
TEST_EVERY = 10          # every 10th EWT training document is the test set
LEVEL_FRACTIONS = (0.90, 0.95, 0.99)   # default levels: these fractions of spaCy's best
LEVEL_METRICS = TASKS["ewt"]["level_metrics"]
PLOT_RANGE = 20.0        # points of score shown below the best, in the plot


def progress(message: str) -> None:
    sys.stderr.write(f"[bench_budget {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# -- corpora ------------------------------------------------------------------------------------

def hold_out(text: str, every: int = TEST_EVERY):
    """(kept, held out): a CoNLL-U text's documents (each starting at a ``# newdoc`` line)
    split so that documents every-th, 2*every-th... (counting from 1) are held out."""
    documents = []
    for block in text.strip("\n").split("\n\n"):
        if block.startswith("# newdoc") or not documents:
            documents.append([])
        documents[-1].append(block)
    kept = [b for n, doc in enumerate(documents, 1) if n % every for b in doc]
    held = [b for n, doc in enumerate(documents, 1) if not n % every for b in doc]
    return "\n\n".join(kept) + "\n\n", "\n\n".join(held) + "\n\n"


def make_corpora(folder: Path, task: str = "ewt") -> dict:
    """The task's ``.spacy`` files (made once; a folder holding them is reused): EWT train,
    dev and test; SST-2 train and dev (bench_spacy_configs' files, cats POS / NEG)."""
    if task == "sst2":
        return bsc.sst2_corpora(folder)
    out = {split: folder / f"{split}.spacy" for split in ("train", "dev", "test")}
    if all(path.exists() for path in out.values()):
        return out
    folder.mkdir(parents=True, exist_ok=True)
    ewt = bsc.DATA / "en_ewt"
    train, test = hold_out((ewt / "en_ewt-ud-train.conllu").read_text(encoding="utf8"))
    texts = {"train": train, "test": test,
             "dev": (ewt / "en_ewt-ud-dev.conllu").read_text(encoding="utf8")}
    with tempfile.TemporaryDirectory() as tmp:
        for split, text in texts.items():
            source = Path(tmp) / f"{split}.conllu"
            source.write_text(bsc.rewrite_ner_keys(text), encoding="utf8")
            subprocess.run([sys.executable, "-m", "spacy", "convert", str(source), str(folder),
                            "-c", "conllu", "-n", "10"], check=True, capture_output=True,
                           env=child_env())
    return out


# -- configs ------------------------------------------------------------------------------------

def make_config(system: str, choice: str, pipeline: str, folder: Path) -> Path:
    """The system's config in ``folder``: its own ``init config`` for a preset name, a copy of
    a file otherwise; its logger wrapped by the benchmark's checkpoint logger."""
    config = folder / "config.cfg"
    folder.mkdir(parents=True, exist_ok=True)
    if choice in ("efficiency", "accuracy"):
        if system == "spacy":
            cmd = ["-m", "spacy", "init", "config", str(config), "-l", "en", "-p", pipeline,
                   "-o", choice, "--force"]
        else:
            cmd = ["-m", "fastpipe", "init", "config", str(config), "--lang", "en",
                   "--pipeline", pipeline, "--optimize", choice, "--force"]
        subprocess.run([sys.executable] + cmd, check=True, capture_output=True, env=child_env())
        if choice == "accuracy":
            # spaCy's preset asks for en_core_web_lg's vectors (and the textcat ensemble's
            # include_static_vectors): neither system gets static vectors
            bsc.without_static_vectors(config)
    else:
        if not Path(choice).is_file():
            sys.exit(f"--{system}-config {choice}: no such file; give a config path or "
                     "'efficiency' / 'accuracy'.")
        shutil.copyfile(choice, config)
    wrap_logger(config, folder / "ckpt")
    return config


def wrap_logger(config: Path, ckpt: Path) -> None:
    from thinc.api import Config

    cfg = Config().from_disk(config, interpolate=False)
    inner = cfg["training"].get("logger")
    if not inner:
        sys.exit(f"{config} has no [training.logger] block for the benchmark's logger to wrap.")
    cfg["training"]["logger"] = {"@loggers": LOGGER, "folder": str(ckpt), "inner": inner}
    cfg.to_disk(config)


# -- the training processes ---------------------------------------------------------------------

def child_env() -> dict:
    """One thread; fastpipe importable from this checkout whatever the installed copy says."""
    env = bsc.pinned_env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def train_command(system: str, config: Path, corpora: dict, eval_frequency) -> list:
    overrides = ["--paths.train", str(corpora["train"]), "--paths.dev", str(corpora["dev"]),
                 "--training.max_steps", "0", "--training.patience", "0"]
    if eval_frequency:
        overrides += ["--training.eval_frequency", str(eval_frequency)]
    return [sys.executable, str(HERE), "--internal-train", system, "--", "train", str(config)] \
        + overrides


def cores_for_two():
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        progress(f"only {len(cores)} core available: both systems share core {cores[0]}, "
                 "so each gets about half of it")
        return [cores[0], cores[0]]
    return cores[:2]


def pin_to(core: int) -> None:
    """In a training process before it starts: run on ``core`` only, and let SIGINT interrupt
    it even when this script was started with SIGINT ignored (a shell's background job)."""
    os.sched_setaffinity(0, {core})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def saved_seconds(log: Path) -> float:
    """The seconds a system's logger has spent saving, from its last whole line."""
    records = read_checkpoint_log(log)
    return records[-1]["saved_total_s"] if records else 0.0


def read_checkpoint_log(log: Path) -> list:
    """The lines of a checkpoints.jsonl; a last line cut off by a kill is left out."""
    if not log.exists():
        return []
    records = []
    for line in log.read_text(encoding="utf8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def run_both(commands: dict, out: Path, minutes: float, grace: float, cores=None) -> dict:
    """Start both training processes together (or the one in ``commands``), each on its own
    core (``cores``: one per command, by default the first two); stop each once its clock
    (less its saving time) has run ``minutes``; their exit status, CPU and peak memory."""
    cores = cores or cores_for_two()
    budget = minutes * 60
    env = child_env()
    start = time.time()
    env[START_VAR] = repr(start)
    procs, logs, runs = {}, {}, {}
    for system, core in zip(commands, cores):
        logs[system] = (out / system / "train.log").open("w", encoding="utf8")
        procs[system] = subprocess.Popen(
            commands[system], stdout=logs[system], stderr=subprocess.STDOUT, env=env,
            preexec_fn=lambda core=core: pin_to(core))
        runs[system] = {"core": core, "signalled_at_s": None}
    progress(f"started {' and '.join(f'{s} (core {c})' for s, c in zip(commands, cores))} for "
             f"{minutes:g} minutes each; their output: {out}/<system>/train.log")
    last_report = start
    while len(runs) > sum("rc" in r for r in runs.values()):
        time.sleep(1.0)
        now = time.time()
        for system, proc in procs.items():
            run = runs[system]
            if "rc" in run:
                continue
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = run["rc"] = os.waitstatus_to_exitcode(status)
                run.update(wall_s=now - start, cpu_s=usage.ru_utime + usage.ru_stime,
                           peak_mb=usage.ru_maxrss / 1024)
                logs[system].close()
                progress(f"{system} ended (exit {run['rc']}) after {(now - start) / 60:.1f} min")
                if run["signalled_at_s"] is None:
                    tail = (out / system / "train.log").read_text(errors="replace")[-2000:]
                    progress(f"{system} stopped before its time was up; the end of its log:\n"
                             + tail)
                continue
            saved = saved_seconds(out / system / LOG_FILE)
            if run["signalled_at_s"] is None and now - start - saved >= budget:
                run["signalled_at_s"], run["saved_s"] = now - start, saved
                progress(f"{system}: {minutes:g} minutes are up ({saved:.1f} s of saving "
                         "not counted): SIGINT")
                proc.send_signal(signal.SIGINT)
            elif (run["signalled_at_s"] is not None and not run.get("killed")
                  and now - start - run["signalled_at_s"] > grace):
                progress(f"{system} still running {grace:g} s after SIGINT: SIGKILL")
                proc.kill()
                run["killed"] = True
        if now - last_report >= 30:
            last_report = now
            progress(f"{(now - start) / 60:.1f} min: " + "; ".join(
                f"{s} {latest(out / s / LOG_FILE)}" for s in commands))
    return runs


def latest(log: Path) -> str:
    records = read_checkpoint_log(log)
    if not records:
        return "no evaluation yet"
    last = records[-1]
    own = last.get("score")
    return (f"step {last['step']} at {last['seconds'] / 60:.1f} min"
            + (f" (own score {own:.3f})" if isinstance(own, (int, float)) else ""))


# -- inside a training process ------------------------------------------------------------------

def checkpoint_logger(system: str, optimizer: dict):
    """The benchmark logger's factory for ``system``: ``inner`` is the config's own logger;
    ``optimizer`` is filled with the training loop's optimizer once the loop starts."""

    def make(inner, folder: str):
        def setup(nlp, stdout=sys.stdout, stderr=sys.stderr):
            inner_step, inner_finalize = inner(nlp, stdout=stdout, stderr=stderr)
            root = Path(folder)
            root.mkdir(parents=True, exist_ok=True)
            log = (root.parent / LOG_FILE).open("a", encoding="utf8")
            start = float(os.environ[START_VAR])
            saved = [0.0]

            def log_step(info):
                inner_step(info)
                if info is None:
                    return
                if "optimizer" not in optimizer:   # the loop was not entered as expected
                    raise RuntimeError(f"bench_budget's logger got no optimizer from {system}'s "
                                       "training loop, so it cannot save the averaged weights")
                tick = time.time()
                # a SIGINT from the deadline waits until the checkpoint is whole
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
                try:
                    with averaged(system, nlp, optimizer.get("optimizer")):
                        nlp.to_disk(root / str(info["step"]))
                    spent = time.time() - tick
                    score = info.get("score")
                    record = {"step": info["step"], "epoch": info.get("epoch"),
                              "seconds": tick - start - saved[0], "save_s": spent,
                              "saved_total_s": saved[0] + spent,
                              "score": float(score) if score is not None else None}
                    saved[0] += spent
                    log.write(json.dumps(record) + "\n")
                    log.flush()
                finally:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

            def finalize():
                inner_finalize()
                log.close()

            return log_step, finalize

        return setup

    return make


def averaged(system: str, nlp, optimizer):
    """The optimizer's parameter averages in the models for the block, as each system has
    them when it evaluates and saves model-best (nothing when the config keeps none)."""
    averages = getattr(optimizer, "averages", None)
    if not averages:
        return nullcontext()
    if system == "spacy":
        return nlp.use_params(averages)
    from fastpipe.training.step import use_averages

    return use_averages(nlp, averages)


def train_child(system: str, argv: list) -> None:
    """``spacy``/``fastpipe`` ``argv`` with the benchmark logger registered and the loop's
    optimizer kept for it (the logger is not given it)."""
    optimizer = {}
    factory = checkpoint_logger(system, optimizer)
    if system == "spacy":
        import spacy
        import spacy.training.loop as loop
        from spacy.cli import setup_cli

        spacy.registry.loggers(LOGGER)(factory)
        improving = loop.train_while_improving
        signature = inspect.signature(improving)

        def keeping_optimizer(*args, **kwargs):
            optimizer["optimizer"] = signature.bind(*args, **kwargs).arguments["optimizer"]
            return improving(*args, **kwargs)

        loop.train_while_improving = keeping_optimizer
        sys.argv = ["spacy"] + argv
        setup_cli()
        return
    import fastpipe
    import fastpipe.training.loop as loop
    from fastpipe.cli import app

    fastpipe.registry.loggers(LOGGER)(factory)
    resolve = loop.resolve_training

    def keeping_optimizer(*args, **kwargs):
        settings = resolve(*args, **kwargs)
        optimizer["optimizer"] = settings["optimizer"]
        return settings

    loop.resolve_training = keeping_optimizer
    app(args=argv, prog_name="fastpipe")


# -- scoring ------------------------------------------------------------------------------------

_GOLD = {}


def _score_task(task):
    """(system, step, split, scores or None, error or None) of one checkpoint, scored by
    spaCy's Scorer through bench_spacy_configs; runs in a worker process."""
    system, step, path, split, corpus, texts_file, kind = task
    if split not in _GOLD:
        _GOLD[split] = bsc.load_gold(Path(corpus))
    nlp, gold = _GOLD[split]
    with tempfile.TemporaryDirectory() as tmp:
        predictions = Path(tmp) / "pred.json"
        try:
            bsc.predict_child(system, path, texts_file, str(predictions), 1)
        except Exception as err:   # a checkpoint that does not load is reported, not fatal
            return system, step, split, None, f"{type(err).__name__}: {err}"
        docs = json.loads(predictions.read_text(encoding="utf8"))["docs"]
    return system, step, split, bsc.score(kind, nlp, gold, docs), None


def score_all(tasks: list, workers: int) -> list:
    """Every task's result, ``workers`` processes at a time, progress on stderr."""
    import multiprocessing

    results = []
    with multiprocessing.get_context("spawn").Pool(workers, maxtasksperchild=25) as pool:
        for n, result in enumerate(pool.imap_unordered(_score_task, tasks), 1):
            system, step, split, _, error = result
            if error:
                progress(f"{system} checkpoint {step} skipped: {error}")
            if n % 10 == 0 or n == len(tasks):
                progress(f"scored {n}/{len(tasks)} on {split}")
            results.append(result)
    return results


def checkpoints(folder: Path, limit_s: float) -> list:
    """The whole checkpoints of one system taken within ``limit_s`` seconds of its clock,
    in step order: those with a log line and a folder. Folders without a line (cut off
    mid-save) are reported and left out, as are checkpoints the loop took after the deadline
    (fastpipe ends the step under way, evaluation included, after its SIGINT)."""
    records = [r for r in read_checkpoint_log(folder / LOG_FILE)
               if (folder / "ckpt" / str(r["step"])).is_dir()]
    logged = {str(r["step"]) for r in records}
    late = [r["step"] for r in records if r["seconds"] > limit_s]
    if late:
        progress(f"{folder.name}: leaving out checkpoint(s) {', '.join(map(str, late))}, "
                 "taken after the time was up")
    records = [r for r in records if r["seconds"] <= limit_s]
    partial = sorted(p.name for p in (folder / "ckpt").glob("*")
                     if p.is_dir() and p.name not in logged)
    if partial:
        progress(f"{folder.name}: skipping checkpoint(s) {', '.join(partial)} (not whole)")
    return sorted(records, key=lambda r: r["step"])


def select_best(curve: list, keys):
    """The point of ``curve`` (dicts with ``scores``) with the highest sum of the ``keys``
    scores it has (None when no point has them); the earlier one on a tie."""
    best, best_total = None, None
    for point in curve:
        values = [point["scores"].get(k) for k in keys]
        values = [v for v in values if v is not None]
        if not values:
            continue
        total = sum(values)
        if best_total is None or total > best_total:
            best, best_total = point, total
    return best


def minutes_to_level(curve: list, metric: str, level: float):
    """The minutes of the first evaluation of ``curve`` scoring at least ``level`` on
    ``metric`` (None when none does). The points are in time order."""
    for point in curve:
        value = point["scores"].get(metric)
        if value is not None and value >= level:
            return point["seconds"] / 60
    return None


def parse_levels(text: str, metrics=METRICS) -> dict:
    """``"dep_las=78,79 ents_f=0.55"`` -> {"dep_las": [0.78, 0.79], "ents_f": [0.55]}
    (numbers above 1 are percentages); ``metrics``: the task's."""
    levels = {}
    for part in (text or "").replace(";", " ").split():
        metric, _, values = part.partition("=")
        if metric not in metrics or not values:
            raise ValueError(f"--levels {part!r}: write METRIC=V[,V...] with METRIC one of "
                             f"{', '.join(metrics)}")
        levels.setdefault(metric, []).extend(
            float(v) / 100 if float(v) > 1 else float(v) for v in values.split(","))
    return levels


def default_levels(spacy_best: dict, metrics=LEVEL_METRICS) -> dict:
    """90/95/99% of spaCy's best dev score of each of ``metrics`` (EWT: LAS and ents F)."""
    return {m: [round(spacy_best[m] * f, 4) for f in LEVEL_FRACTIONS]
            for m in metrics if spacy_best.get(m)}


def time_to_levels(curves: dict, levels: dict) -> list:
    rows = []
    for metric, values in levels.items():
        for level in sorted(set(values)):
            times = {s: minutes_to_level(curves.get(s, []), metric, level) for s in SYSTEMS}
            sp, fp = times["spacy"], times["fastpipe"]
            rows.append({"metric": metric, "level": level, "minutes": times,
                         "ratio": sp / fp if sp and fp else None})
    return rows


def best_per_metric(curve: list, metrics=METRICS) -> dict:
    return {m: max((p["scores"][m] for p in curve if p["scores"].get(m) is not None),
                   default=None) for m in metrics}


# -- report -------------------------------------------------------------------------------------

def pct(value) -> str:
    return "-" if value is None else f"{value * 100:.2f}"


def minutes_cell(value) -> str:
    return "not reached" if value is None else f"{value:.1f}"


def report(results: dict) -> str:
    metrics = results.get("metrics", METRICS)
    systems = results["systems"]
    sp, fp = systems["spacy"], systems["fastpipe"]
    loads = results.get("load_average_training") or {}
    load = lambda when: f"{loads[when][0]:.2f}" if when in loads else "-"  # noqa: E731
    lines = [f"\n{results['minutes']:g} minutes each; spaCy: {sp['config_choice']}, fastpipe: "
             f"{fp['config_choice']}; pipeline {results['pipeline']}; one thread each"
             f"{'' if results['cores'] >= 2 else ' (one core shared)'}; best checkpoint by dev "
             f"{' + '.join(results['select'])}; all scored by spaCy's Scorer; load average "
             f"{load('before')} before training, {load('after')} after"
             + (f"; spaCy's run taken from {results['spacy_from']} (made the same way, with "
                "fastpipe training on the other core)" if results.get("spacy_from") else "")
             + "\n",
             "| | spaCy | fastpipe | difference |", "|---|---|---|---|"]

    def row(name, a, b, fmt=pct, diff=True):
        d = (f"{(b - a) * 100:+.2f}" if diff and a is not None and b is not None else "")
        lines.append(f"| {name} | {fmt(a)} | {fmt(b)} | {d} |")

    count = lambda v: "-" if v is None else f"{v:,}"  # noqa: E731
    row("steps at the last evaluation", sp.get("steps"), fp.get("steps"), count, False)
    row("checkpoints scored", sp.get("n_scored"), fp.get("n_scored"), count, False)
    for m in metrics:
        row(f"best dev {LABELS[m]}", sp["best_dev"].get(m), fp["best_dev"].get(m))
    sel = lambda s: "-" if not s.get("selected") else (  # noqa: E731
        f"step {s['selected']['step']}, {s['selected']['seconds'] / 60:.1f} min")
    lines.append(f"| selected checkpoint | {sel(sp)} | {sel(fp)} | |")
    if results.get("test_split", True):
        for m in metrics:
            row(f"test {LABELS[m]}", (sp.get("test") or {}).get(m),
                (fp.get("test") or {}).get(m))
    mb = lambda v: "-" if v is None else f"{v:.0f} MB"  # noqa: E731
    row("peak memory", sp["run"].get("peak_mb"), fp["run"].get("peak_mb"), mb, False)
    share = lambda r: (f"{r['cpu_s'] / r['wall_s'] * 100:.0f}%" if r.get("wall_s")  # noqa: E731
                       else "-")
    lines.append(f"| CPU time / wall time (100%: a core of its own) | {share(sp['run'])} | "
                 f"{share(fp['run'])} | |")
    lines += ["", "| dev level | spaCy minutes | fastpipe minutes | spaCy / fastpipe |",
              "|---|---|---|---|"]
    for r in results["time_to_level"]:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        lines.append(f"| {LABELS[r['metric']]} {r['level'] * 100:.2f} | "
                     f"{minutes_cell(r['minutes']['spacy'])} | "
                     f"{minutes_cell(r['minutes']['fastpipe'])} | {ratio} |")
    for system in SYSTEMS:
        if not systems[system]["curve"]:
            lines.append(f"\n{system} finished no evaluation within the time: see "
                         f"{system}/train.log")
    return "\n".join(lines)


def plot(curves: dict, selected: dict, path: Path, title: str, minutes: float,
         metrics=METRICS) -> None:
    """Each metric over the minutes for both systems, and the steps over the minutes. The
    score panels show the top ``PLOT_RANGE`` points, where the systems' plateaus are."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = tuple(metrics) + ("steps",)
    columns = 3 if len(panels) > 4 else 2
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 4.25 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    colours = {"spacy": "tab:blue", "fastpipe": "tab:orange"}
    for ax, metric in zip(axes.flat, panels):
        for system in SYSTEMS:
            curve = curves.get(system) or []
            points = [(p["seconds"] / 60, p["step"] if metric == "steps"
                       else (p["scores"].get(metric) or 0) * 100) for p in curve
                      if metric == "steps" or p["scores"].get(metric) is not None]
            if not points:
                continue
            xs, ys = zip(*points)
            ax.plot(xs, ys, "-o", markersize=2, linewidth=1.2, color=colours[system],
                    label="spaCy" if system == "spacy" else "fastpipe")
            best = selected.get(system)
            if best and metric != "steps" and best["scores"].get(metric) is not None:
                ax.plot([best["seconds"] / 60], [best["scores"][metric] * 100], "*",
                        markersize=12, color=colours[system])
        if metric != "steps":
            top = max((p["scores"].get(metric) or 0) * 100 for c in curves.values() for p in c)
            ax.set_ylim(bottom=max(0.0, top - PLOT_RANGE), top=min(100.0, top + 1))
        ax.set_xlim(left=0, right=minutes * 1.02)
        ax.set_title(LABELS.get(metric, "training steps"))
        ax.set_xlabel("minutes (saving excluded)")
        ax.set_ylabel("steps" if metric == "steps" else "dev score (%)")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(title + "  (star: the selected checkpoint)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- main ---------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, required=True,
                        help="wall-clock minutes of training for each system")
    parser.add_argument("--fastpipe-config", default="efficiency",
                        help="efficiency, accuracy (fastpipe init config --optimize) or a path")
    parser.add_argument("--spacy-config", default="efficiency",
                        help="efficiency, accuracy (spacy init config -o) or a path")
    parser.add_argument("--task", choices=sorted(TASKS), default="ewt",
                        help="ewt: tagger, parser and ner on EWT (UD English), test split held "
                             "out of train; sst2: textcat on SST-2, dev only")
    parser.add_argument("--pipeline",
                        help="the components both configs are made for (with a preset name; "
                             "default: the task's, tagger,parser,ner or textcat)")
    parser.add_argument("--eval-frequency", type=int,
                        help="steps between evaluations (default: each config's own)")
    parser.add_argument("--levels", default="",
                        help='extra dev levels, e.g. "dep_las=78,79 ents_f=55" (percent or 0-1)')
    parser.add_argument("--select",
                        help="dev scores whose sum picks each system's best checkpoint "
                             "(default: dep_las,ents_f for ewt, accuracy for sst2)")
    parser.add_argument("--out", type=Path, default=Path("bench_budget_out"),
                        help="folder for the configs, logs, checkpoints, results and plot")
    parser.add_argument("--corpora", type=Path,
                        help="folder of the converted corpora, to share between runs "
                             "(default: OUT/corpora)")
    parser.add_argument("--grace", type=float, default=120.0,
                        help="seconds from SIGINT to SIGKILL")
    parser.add_argument("--spacy-from", type=Path,
                        help="an earlier OUT of the same task, minutes and spaCy config: take "
                             "spaCy's scored run from its results.json and train fastpipe only "
                             "(on --core), e.g. two fastpipe configs against one spaCy run, "
                             "each on its own core at the same time")
    parser.add_argument("--core", type=int,
                        help="with --spacy-from: the core fastpipe is pinned to")
    parser.add_argument("--score-only", action="store_true",
                        help="score the checkpoints already in --out again (no training)")
    parser.add_argument("--train-only", action="store_true",
                        help="train and stop before scoring (score later with --score-only); "
                             "with --spacy-from, spaCy's run need not have finished yet")
    parser.add_argument("--prune", action="store_true",
                        help="after scoring, delete every checkpoint but the selected ones")
    args = parser.parse_args(argv)
    task = TASKS[args.task]
    args.metrics = task["metrics"]
    args.pipeline = args.pipeline or task["pipeline"]
    try:
        args.extra_levels = parse_levels(args.levels, args.metrics)
    except ValueError as err:
        parser.error(str(err))
    args.select = [k.strip() for k in (args.select or task["select"]).split(",") if k.strip()]
    unknown = [k for k in args.select if k not in args.metrics]
    if unknown or not args.select:
        parser.error(f"--select {unknown[0] if unknown else ''!r}: choose from "
                     f"{', '.join(args.metrics)}")
    if args.core is not None and not args.spacy_from:
        parser.error("--core goes with --spacy-from (both systems get a core of their own)")
    if args.train_only and args.score_only:
        parser.error("--train-only and --score-only: choose one")
    return args


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--internal-train":
        train_child(sys.argv[2], sys.argv[4:])
        return
    args = parse_args()
    missing = check_requirements(args.task)
    if missing:
        sys.exit(missing)
    if args.spacy_from and not args.train_only:
        args.reused_spacy = reused_spacy(args)   # refused now, not after the training
    os.environ.update(child_env())   # the scoring workers: one thread each, and they
    sys.path.insert(0, str(ROOT))    # import fastpipe from this checkout (spawn copies sys.path)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    corpora = make_corpora((args.corpora or out / "corpora").resolve(), args.task)
    info = {"machine": bsc.machine(), "versions": bsc.versions(), "minutes": args.minutes,
            "task": args.task, "pipeline": args.pipeline, "metrics": list(args.metrics),
            "eval_frequency": args.eval_frequency, "select": args.select,
            "cores": len(os.sched_getaffinity(0)),
            "test_split": (f"every {TEST_EVERY}th document of EWT train"
                           if TASKS[args.task]["test"] else None)}
    runs_file = out / "runs.json"
    trained = trained_systems(args)
    if args.spacy_from:
        info["spacy_from"] = str(args.spacy_from.resolve())
    if args.score_only:
        runs = json.loads(runs_file.read_text()) if runs_file.exists() else \
            {s: {} for s in SYSTEMS}
    else:
        commands = {}
        for system in trained:
            folder = out / system
            if folder.exists():
                shutil.rmtree(folder)
            choice = args.spacy_config if system == "spacy" else args.fastpipe_config
            config = make_config(system, choice, args.pipeline, folder)
            commands[system] = train_command(system, config, corpora, args.eval_frequency)
        load_before = os.getloadavg()
        cores = [args.core] if args.spacy_from and args.core is not None else None
        runs = run_both(commands, out, args.minutes, args.grace, cores)
        runs["load_average"] = {"before": load_before, "after": os.getloadavg()}
        runs_file.write_text(json.dumps(runs, indent=2))
        if args.train_only:
            print(f"\ntrained; score the checkpoints in {out} with the same arguments and "
                  "--score-only in place of --train-only")
            return
    info["load_average_training"] = runs.get("load_average")
    results = score_and_report(args, out, corpora, runs, info)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(report(results))
    plotted = f" and {out / 'budget.png'}" if (out / "budget.png").exists() else ""
    print(f"\nwrote {out / 'results.json'}{plotted}")


def check_requirements(task: str = "ewt"):
    """Why the benchmark cannot run here (None when it can)."""
    import importlib.util

    if importlib.util.find_spec("spacy") is None:
        return ("bench_budget.py compares with spaCy: install it beside fastpipe "
                "(pip install spacy==3.8.18).")
    if task == "sst2":
        missing = [f for f in ("train.tsv", "dev.tsv") if not (bsc.DATA / "sst2" / f).is_file()]
        return (f"bench_budget.py --task sst2 trains on SST-2: {bsc.DATA / 'sst2'} has no "
                f"{' or '.join(missing)}.") if missing else None
    if not (bsc.DATA / "en_ewt" / "en_ewt-ud-train.conllu").is_file():
        return (f"bench_budget.py trains on EWT: {bsc.DATA / 'en_ewt'} should hold "
                "en_ewt-ud-train.conllu and en_ewt-ud-dev.conllu.")
    return None


def trained_systems(args) -> tuple:
    """The systems this run trains: fastpipe alone when spaCy's run is taken from elsewhere."""
    return ("fastpipe",) if args.spacy_from else SYSTEMS


def reused_spacy(args) -> dict:
    """spaCy's scored run from ``--spacy-from``'s results.json, checked to be comparable."""
    path = args.spacy_from / "results.json"
    if not path.is_file():
        sys.exit(f"--spacy-from {args.spacy_from}: no results.json there (run the benchmark "
                 "with spaCy first)")
    earlier = json.loads(path.read_text(encoding="utf8"))
    for key, value in (("task", args.task), ("minutes", args.minutes),
                       ("pipeline", args.pipeline), ("eval_frequency", args.eval_frequency)):
        if earlier.get(key, "ewt" if key == "task" else None) != value:
            sys.exit(f"--spacy-from {args.spacy_from}: its {key} is {earlier.get(key)!r}, "
                     f"this run's {value!r}; spaCy's run must have been made the same way")
    spacy = earlier["systems"]["spacy"]
    if spacy["config_choice"] != args.spacy_config:
        sys.exit(f"--spacy-from {args.spacy_from}: spaCy trained {spacy['config_choice']!r} "
                 f"there, --spacy-config is {args.spacy_config!r}")
    return spacy


def score_and_report(args, out: Path, corpora: dict, runs: dict, info: dict) -> dict:
    task = TASKS[args.task]
    kind = task["score"]
    texts = {}
    for split in ("dev", "test") if task["test"] else ("dev",):
        texts[split] = corpora[split].with_name(f"{split}_texts.json")
        if not texts[split].exists():
            _, gold = bsc.load_gold(corpora[split])
            texts[split].write_text(json.dumps([d.text for d in gold]), encoding="utf8")
    trained = trained_systems(args)
    found = {s: checkpoints(out / s, args.minutes * 60) for s in trained}
    for system in trained:
        if not found[system]:
            progress(f"{system} finished no evaluation within the time: nothing to score "
                     f"(see {out / system / 'train.log'})")
    tasks = [(s, r["step"], str(out / s / "ckpt" / str(r["step"])), "dev", str(corpora["dev"]),
              str(texts["dev"]), kind) for s in trained for r in found[s]]
    tasks.sort(key=lambda t: t[1])   # early checkpoints of both first
    workers = min(2, len(os.sched_getaffinity(0)))
    scored = {(s, step): scores for s, step, _, scores, _ in score_all(tasks, workers)} \
        if tasks else {}
    curves = {s: [dict(r, scores=scored[(s, r["step"])]) for r in found[s]
                  if scored.get((s, r["step"]))] for s in trained}
    selected = {s: select_best(curves[s], args.select) for s in trained}
    test_tasks = [(s, p["step"], str(out / s / "ckpt" / str(p["step"])), "test",
                   str(corpora["test"]), str(texts["test"]), kind)
                  for s, p in selected.items() if p and task["test"]]
    test = {s: scores for s, _, _, scores, _ in score_all(test_tasks, workers)} \
        if test_tasks else {}
    systems = {}
    if args.spacy_from:
        systems["spacy"] = args.reused_spacy
        curves["spacy"] = systems["spacy"]["curve"]
        selected["spacy"] = systems["spacy"]["selected"]
    for s in trained:
        cfg_choice = args.spacy_config if s == "spacy" else args.fastpipe_config
        systems[s] = {"config_choice": cfg_choice, "run": runs.get(s, {}),
                      "steps": found[s][-1]["step"] if found[s] else None,
                      "n_scored": len(curves[s]), "curve": curves[s],
                      "best_dev": best_per_metric(curves[s], args.metrics),
                      "selected": selected[s],
                      "test": test.get(s)}
    levels = default_levels(systems["spacy"]["best_dev"], task["level_metrics"])
    for metric, values in args.extra_levels.items():
        levels.setdefault(metric, []).extend(values)
    results = {**info, "systems": systems, "levels": levels,
               "time_to_level": time_to_levels(curves, levels)}
    title = (f"{task['name']} dev, {args.minutes:g} min each: spaCy "
             f"{systems['spacy']['config_choice']} vs fastpipe "
             f"{systems['fastpipe']['config_choice']}")
    if any(curves.values()):
        plot(curves, selected, out / "budget.png", title, args.minutes, args.metrics)
    if args.prune:
        for s in trained:
            keep = str(selected[s]["step"]) if selected[s] else None
            for path in (out / s / "ckpt").glob("*"):
                if path.name != keep:
                    shutil.rmtree(path, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
