"""``fastpipe debug data``: what the corpora of a training config hold, and what is wrong
with them, before hours of training find out."""
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import click

from ._app import app
from ._util import (OVERRIDES_CONTEXT, code_option, overrides_from, reporting_errors,
                    setup_logging, verbose_option)

RARE = 10  # labels seen fewer times than this in the training data get a warning
MAX_IDS = 5  # example ids shown per problem
DEFAULT_MAX_CHARS = 1_000_000  # texts longer than nlp.max_length (or this) are reported


class _Stats:
    """Counts and problems found in one corpus."""

    def __init__(self):
        self.docs = self.tokens = self.sents = 0
        self.tags: Counter = Counter()
        self.pos: Counter = Counter()
        self.deps: Counter = Counter()
        self.ents: Counter = Counter()
        self.cats: Counter = Counter()  # documents where the label is positive (>= 0.5)
        self.docs_with = Counter()  # docs with tags/pos/deps/ents/cats annotation
        self.ids: Dict[str, List[str]] = {}  # problem kind -> example ids
        self.read_error: Optional[str] = None

    def note(self, kind: str, example_id) -> None:
        self.ids.setdefault(kind, []).append(str(example_id))

    def to_dict(self) -> Dict[str, Any]:
        return {
            "docs": self.docs, "sentences": self.sents, "tokens": self.tokens,
            "docs_with": dict(self.docs_with),
            "labels": {k: dict(getattr(self, k).most_common())
                       for k in ("tags", "pos", "deps", "ents", "cats") if getattr(self, k)},
            "issues": {k: {"count": len(v), "examples": _unique(v)[:MAX_IDS]}
                       for k, v in self.ids.items()},
            "read_error": self.read_error,
        }


def _unique(ids: List[str]) -> List[str]:
    return list(dict.fromkeys(ids))


def _analyze_doc(stats: _Stats, eg, max_chars: int) -> None:
    import numpy

    from ..gold.nonproj import is_nonproj_tree

    ref, pred, eid = eg.reference, eg.predicted, eg.id
    n = len(ref)
    stats.docs += 1
    stats.tokens += n
    if n == 0 or not ref.text.strip():
        stats.note("empty_docs", eid)
        return
    if len(ref.text) > max_chars:
        stats.note("long_texts", eid)
    strings = ref.vocab.strings
    sent_starts = [0]
    if ref.has_sents:
        sents = list(ref.sents)
        stats.sents += len(sents)
        sent_starts = [s.start for s in sents]
    for attr, counter, name in (("TAG", stats.tags, "tags"), ("POS", stats.pos, "pos"),
                                ("DEP", stats.deps, "deps")):
        if ref.has_annotation(attr):
            stats.docs_with[name] += 1
            keys = ref.to_array(attr)
            for key, count in zip(*numpy.unique(keys[keys != 0], return_counts=True)):
                counter[strings[int(key)]] += int(count)
            if attr == "TAG" and (keys == 0).any():
                stats.note("tokens_without_tag", eid)
    if ref.has_annotation("DEP"):
        heads = (ref.to_array("HEAD").astype(numpy.int64) + numpy.arange(n)).tolist()
        _check_tree(stats, heads, sent_starts + [n], eid, is_nonproj_tree)
    ents = ref.ents
    if ents:
        stats.docs_with["ents"] += 1
        starts = {t.idx for t in pred}
        ends = {t.idx + len(t.text) for t in pred}
        for ent in ents:
            stats.ents[ent.label_] += 1
            if ent.start_char not in starts or ent.end_char not in ends:
                stats.note("misaligned_entities", eid)
            if not ent.text.strip() or ent.text != ent.text.strip():
                stats.note("entities_with_whitespace", eid)
    cats = getattr(ref, "cats", None) or {}
    if cats:
        stats.docs_with["cats"] += 1
        positive = [label for label, value in cats.items() if value >= 0.5]
        for label in cats:
            stats.cats[label] += 0
        for label in positive:
            stats.cats[label] += 1
        if len(positive) != 1:
            stats.note("cats_not_one_positive", eid)


def _check_tree(stats: _Stats, heads: List[int], bounds: List[int], eid, is_nonproj) -> None:
    n = len(heads)
    for start, end in zip(bounds, bounds[1:]):
        sent = heads[start:end]
        if any(h < start or h >= end for h in sent):
            stats.note("heads_outside_sentence" if all(0 <= h < n for h in sent)
                       else "invalid_heads", eid)
            continue
        roots = [i for i, h in enumerate(sent, start) if h == i]
        if len(roots) != 1:
            stats.note("cyclic_heads" if not roots else "several_roots", eid)
            if not roots:
                continue
        local = [h - start for h in sent]
        if _has_cycle(local):
            stats.note("cyclic_heads", eid)
        elif is_nonproj(local):
            stats.note("nonprojective_trees", eid)


def _has_cycle(heads: List[int]) -> bool:
    n = len(heads)
    for i in range(n):
        node, steps = i, 0
        while heads[node] != node:
            node = heads[node]
            steps += 1
            if steps > n:
                return True
    return False


def _read(nlp, reader, max_chars: int) -> _Stats:
    stats = _Stats()
    try:
        for eg in reader(nlp):
            _analyze_doc(stats, eg, max_chars)
    except (ValueError, OSError) as err:  # unreadable or empty corpus: reported, not raised
        stats.read_error = str(err)
    return stats


# (issue kind, level, message) for the per-corpus issues
ISSUES = [
    ("empty_docs", "warning", "empty documents"),
    ("long_texts", "warning", "texts longer than nlp.max_length ({max_chars:,} characters)"),
    ("tokens_without_tag", "warning", "documents with some tokens without a tag"),
    ("misaligned_entities", "warning",
     "entities whose boundaries are not token boundaries of the tokenizer (they are not "
     "learned)"),
    ("entities_with_whitespace", "warning", "entities starting or ending with whitespace"),
    ("invalid_heads", "error", "heads pointing outside the document"),
    ("heads_outside_sentence", "error", "heads pointing outside their sentence"),
    ("cyclic_heads", "error", "sentences whose heads form a cycle (no single root)"),
    ("several_roots", "error", "sentences with more than one root"),
    ("nonprojective_trees", "warning",
     "non-projective trees (the parser learns them through pseudo-projective lifting)"),
]


def debug_data(config_path: Union[str, Path], *, overrides: Optional[Dict] = None,
               code_path=None) -> Dict[str, Any]:
    """Read the train and dev corpora a config names and report their size, the labels each
    component would learn (with counts) and the problems found. The report's "problems" are
    dicts with level ("error" or "warning"), where, msg, count and example ids; "n_errors"
    counts the errors."""
    from ..config import import_code, load_config
    from ..config_schema import validate_config, with_defaults
    from ..language import Language
    from ..training.initialize import resolve_corpus

    import_code(code_path)
    config = load_config(config_path, overrides or {}, interpolate=False)
    validate_config(with_defaults(config).interpolate(), where=str(config_path))
    nlp = Language.from_config(config)
    filled = nlp.config.interpolate()
    max_chars = int(getattr(nlp, "max_length", DEFAULT_MAX_CHARS) or DEFAULT_MAX_CHARS)
    report: Dict[str, Any] = {"config": str(config_path), "pipeline": nlp.pipe_names,
                              "corpora": {}, "components": {}, "problems": []}
    problems = report["problems"]
    corpora = {}
    for split in ("train", "dev"):
        dotted = filled["training"][f"{split}_corpus"]
        stats = _read(nlp, resolve_corpus(filled, dotted, where=str(config_path)), max_chars)
        corpora[split] = stats
        report["corpora"][split] = dict(stats.to_dict(), section=dotted)
        if stats.read_error or stats.docs == 0:
            problems.append({"level": "error", "where": dotted, "count": 0, "examples": [],
                             "msg": stats.read_error or "the corpus holds no documents"})
        for kind, level, msg in ISSUES:
            ids = stats.ids.get(kind, [])
            if ids:
                problems.append({"level": level, "where": dotted, "count": len(ids),
                                 "examples": _unique(ids)[:MAX_IDS],
                                 "msg": msg.format(max_chars=max_chars)})
    for name, proc in nlp.components:
        factory = getattr(proc, "factory_name", name)
        report["components"][name] = _check_component(name, factory, corpora, problems)
    report["n_errors"] = sum(p["level"] == "error" for p in problems)
    report["n_warnings"] = sum(p["level"] == "warning" for p in problems)
    return report


def _check_component(name: str, factory: str, corpora: Dict[str, _Stats], problems) -> Dict:
    train, dev = corpora["train"], corpora["dev"]
    attr = {"tagger": "tags", "textcat": "cats", "textcat_multilabel": "cats",
            "parser": "deps", "ner": "ents", "morphologizer": "pos"}.get(factory)
    info: Dict[str, Any] = {"factory": factory}
    if attr is None:
        return info
    labels: Counter = getattr(train, attr)
    info["labels"] = dict(labels.most_common())
    info["docs_with_annotation"] = train.docs_with[attr]

    def add(level, msg, labels_=None):
        problems.append({"level": level, "where": f"components.{name}", "count": len(labels_ or []),
                         "examples": list(labels_ or [])[:20], "msg": msg})

    if train.docs and not labels:
        add("error", f"the training data has no {attr} annotation for this {factory}")
        return info
    rare = [label for label, count in labels.items() if count < RARE]
    if rare:
        add("warning", f"labels with fewer than {RARE} training examples", rare)
    unseen = [label for label in getattr(dev, attr) if label not in labels]
    if unseen:
        add("warning", "labels in the dev data that the training data never shows", unseen)
    if factory == "textcat":
        if len(labels) < 2:
            add("error", "textcat (exclusive classes) needs at least two labels; use "
                         "textcat_multilabel for a single label", list(labels))
        bad = train.ids.get("cats_not_one_positive", [])
        if bad:
            problems.append({"level": "error", "where": f"components.{name}", "count": len(bad),
                             "examples": _unique(bad)[:MAX_IDS],
                             "msg": "textcat documents need exactly one positive label "
                                    "(use textcat_multilabel otherwise)"})
    return info


def format_report(report: Dict[str, Any]) -> List[str]:
    lines = [f"Config {report['config']}: pipeline {', '.join(report['pipeline']) or '(empty)'}",
             "", f"{'':<8}{'docs':>10}{'sentences':>12}{'tokens':>12}"]
    for split, stats in report["corpora"].items():
        lines.append(f"{split:<8}{stats['docs']:>10,}{stats['sentences']:>12,}"
                     f"{stats['tokens']:>12,}")
    for name, info in report["components"].items():
        if "labels" not in info:
            continue
        labels = info["labels"]
        lines += ["", f"{name} ({info['factory']}): {len(labels)} labels in "
                      f"{info['docs_with_annotation']:,} training documents"]
        width = max((len(str(k)) for k in labels), default=0)
        lines += [f"  {label:<{width}}  {count:>8,}" for label, count in labels.items()]
    lines.append("")
    if not report["problems"]:
        lines.append("No problems found.")
    for p in report["problems"]:
        count = f" ({p['count']:,})" if p["count"] else ""
        examples = f": {', '.join(map(str, p['examples']))}" if p["examples"] else ""
        lines.append(f"{p['level'].upper()} [{p['where']}] {p['msg']}{count}{examples}")
    lines.append(f"{report['n_errors']} error(s), {report['n_warnings']} warning(s)")
    return lines


@app.group("debug")
def debug_group():
    """Check configs and data before training."""


@debug_group.command("data", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@code_option
@click.option("--json", "as_json", is_flag=True, default=False,
              help="Print the report as JSON.")
@verbose_option
@click.pass_context
def debug_data_cli(ctx: click.Context, config_path: Path, code_path: Optional[Path],
                   as_json: bool, verbose: bool):
    """Report what the train and dev corpora of CONFIG_PATH hold: documents, sentences,
    tokens, the labels of each component with counts, and problems (labels with few
    examples, misaligned entities, invalid or cyclic heads, non-projective trees, empty or
    overlong documents). Exits with status 1 when it finds errors."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        report = debug_data(config_path, overrides=overrides_from(ctx), code_path=code_path)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        for line in format_report(report):
            click.echo(line)
    if report["n_errors"]:
        sys.exit(1)
