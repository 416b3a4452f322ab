"""``fastpipe evaluate``: score a trained pipeline on a corpus."""
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import click

from ._app import app
from ._util import code_option, reporting_errors, setup_logging, verbose_option

# Readable names of the flat scores, in the order they are shown.
SCORE_LABELS = [
    ("token_acc", "TOK"), ("token_p", "TOK P"), ("token_r", "TOK R"), ("token_f", "TOK F"),
    ("tag_acc", "TAG"), ("pos_acc", "POS"), ("morph_acc", "MORPH"), ("lemma_acc", "LEMMA"),
    ("sents_p", "SENT P"), ("sents_r", "SENT R"), ("sents_f", "SENT F"),
    ("dep_uas", "UAS"), ("dep_las", "LAS"),
    ("ents_p", "NER P"), ("ents_r", "NER R"), ("ents_f", "NER F"),
    ("cats_score", "TEXTCAT"), ("cats_micro_f", "CATS MICRO F"),
    ("cats_macro_f", "CATS MACRO F"), ("cats_macro_auc", "CATS MACRO AUC"),
    ("speed", "SPEED"),
]


def evaluate_model(model_path: Union[str, Path], data_path: Union[str, Path], *,
                   output_path: Optional[Union[str, Path]] = None,
                   code_path: Optional[Union[str, Path]] = None, use_gpu: int = -1,
                   gold_preproc: bool = False, batch_size: Optional[int] = None,
                   displacy_path: Optional[Union[str, Path]] = None, displacy_limit: int = 25
                   ) -> Dict[str, Any]:
    """Load the pipeline at ``model_path``, score it on the `.fastpipe` corpus at
    ``data_path`` (a file or a folder) and return ``nlp.evaluate``'s scores; with
    ``output_path`` they are also written there as JSON, and with ``displacy_path`` pictures
    of the first ``displacy_limit`` documents go in that folder (``write_pictures``)."""
    from ..config import import_code
    from ..errors import Errors
    from ..gold.corpus import Corpus
    from ..language import load
    from ..training.initialize import setup_gpu
    from ..util import write_json_atomic

    setup_gpu(use_gpu)  # a GPU id is refused before anything is read or run
    import_code(code_path)
    data_path = Path(data_path)
    if not data_path.exists():
        raise FileNotFoundError(Errors.E115.format(path=data_path))
    nlp = load(model_path)
    examples = list(Corpus(data_path, gold_preproc=gold_preproc)(nlp))
    scores = nlp.evaluate(examples, batch_size=batch_size) if batch_size else \
        nlp.evaluate(examples)
    if displacy_path is not None:
        write_pictures(nlp, examples[:displacy_limit], displacy_path)
    if output_path is not None:
        write_json_atomic(Path(output_path), scores)
    return scores


# What --displacy-path writes: file, displacy style, the annotation a Doc needs to be drawn.
PICTURES = [("parses.html", "dep", "DEP"), ("entities.html", "ent", "ENT_IOB")]


def write_pictures(nlp, examples, folder: Union[str, Path]) -> List[Path]:
    """The pipeline's analyses of the examples' texts as pages in ``folder``: parses.html
    (dependencies) when it parses, entities.html when it finds entities."""
    from .. import displacy
    from ..util import write_text_atomic

    docs = list(nlp.pipe(eg.reference.text for eg in examples))
    written = []
    for name, style, attr in PICTURES:
        if any(doc.has_annotation(attr) for doc in docs):
            written.append(Path(folder) / name)
            write_text_atomic(written[-1], displacy.render(docs, style=style, page=True))
    return written


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key == "speed":
        return f"{value:,.0f} words/s"
    if isinstance(value, float):
        return f"{value * 100:.2f}" if 0.0 <= value <= 1.0 else f"{value:.3f}"
    return str(value)


def format_scores(scores: Dict[str, Any]) -> List[str]:
    """The scores as text lines: a table of the overall scores, then one table per nested
    per-label score (labels x P/R/F)."""
    rows: List[Tuple[str, str]] = []
    known = {k for k, _ in SCORE_LABELS}
    for key, label in SCORE_LABELS:
        if key in scores and not isinstance(scores[key], dict):
            rows.append((label, _fmt(key, scores[key])))
    for key, value in scores.items():
        if key not in known and not isinstance(value, dict):
            rows.append((key, _fmt(key, value)))
    width = max((len(r[0]) for r in rows), default=0)
    lines = [f"{name:<{width}}  {value:>10}" for name, value in rows]
    for key, value in scores.items():
        if not isinstance(value, dict) or not value:
            continue
        per_label = {k: v for k, v in value.items() if isinstance(v, dict)}
        lines.append("")
        lines.append(key.upper().replace("_", " "))
        if per_label:
            cols = sorted({c for v in per_label.values() for c in v})
            lw = max(len(str(k)) for k in per_label)
            lines.append(f"{'':<{lw}}  " + "  ".join(f"{c.upper():>7}" for c in cols))
            for label, vals in per_label.items():
                lines.append(f"{label:<{lw}}  " + "  ".join(
                    f"{_fmt(c, vals.get(c)):>7}" for c in cols))
        else:
            lw = max(len(str(k)) for k in value)
            for label, v in value.items():
                lines.append(f"{label:<{lw}}  {_fmt(label, v):>7}")
    return lines


@app.command("evaluate")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.argument("data_path", type=click.Path(path_type=Path))
@click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the scores to this JSON file.")
@code_option
@click.option("--gpu-id", "-g", default=-1, show_default=True, type=int,
              help="-1: the CPU. fastpipe runs on the CPU only, so a GPU id (0 or more) is "
                   "refused.")
@click.option("--gold-preproc", "-G", is_flag=True, default=False,
              help="Use the corpus's own tokens and sentences instead of the tokenizer's.")
@click.option("--displacy-path", "-dp", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write pictures of parses (parses.html) and entities "
                                 "(entities.html) of the first documents to this folder.")
@click.option("--displacy-limit", "-dl", type=click.IntRange(min=1), default=25,
              show_default=True, help="How many documents --displacy-path draws.")
@verbose_option
def evaluate_cli(model_path: Path, data_path: Path, output_path: Optional[Path],
                 code_path: Optional[Path], gpu_id: int, gold_preproc: bool,
                 displacy_path: Optional[Path], displacy_limit: int, verbose: bool):
    """Score the pipeline at MODEL_PATH on the corpus DATA_PATH (a .fastpipe or .spacy file, or
    a folder of them) and print the scores."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        scores = evaluate_model(model_path, data_path, output_path=output_path,
                                code_path=code_path, use_gpu=gpu_id, gold_preproc=gold_preproc,
                                displacy_path=displacy_path, displacy_limit=displacy_limit)
    click.echo(f"Scores of {model_path} on {data_path}")
    for line in format_scores(scores):
        click.echo(line)
    if output_path is not None:
        click.echo(f"Saved the scores to {output_path}")
    if displacy_path is not None:
        drawn = [name for name, _, _ in PICTURES if (displacy_path / name).exists()]
        click.echo(f"Saved pictures of the first {displacy_limit} documents to "
                   f"{displacy_path}: {', '.join(drawn) or 'none (no parses or entities)'}")
