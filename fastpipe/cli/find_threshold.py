"""``fastpipe find-threshold``: the decision threshold of a textcat_multilabel or spancat
component that scores best on a corpus. The pipeline runs over the corpus once; each threshold
tried only re-scores those predictions (textcat_multilabel: its scorer applies the threshold to
``doc.cats``; spancat: the span scores its model gave are kept, and each trial sets the spans
again from them, without running the model). The arguments are spaCy's: MODEL DATA COMPONENT
[THRESHOLD_KEY SCORES_KEY]."""
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import click

from ._app import app
from ._util import code_option, reporting_errors, setup_logging, verbose_option

TUNABLE = ("textcat_multilabel", "spancat")
#: The component setting the trials change (spaCy's THRESHOLD_KEY argument names it).
THRESHOLD_KEY = "threshold"
#: Docs per batch of the one prediction run.
BATCH_SIZE = 256


def _component(nlp, name: str, model) -> Tuple[Any, str]:
    """(the component, its factory)."""
    from ..errors import Errors

    if name not in nlp.component_names:
        raise ValueError(Errors.E672.format(name=name, model=model,
                                            names=", ".join(nlp.component_names)))
    factory = nlp.config["components"].get(name, {}).get("factory", name)
    if factory not in TUNABLE:
        raise ValueError(Errors.E673.format(name=name, factory=factory))
    return nlp.get_pipe(name), factory


def _predict_cats(nlp, proc, gold) -> Tuple[List, Callable[[], None]]:
    """The whole pipeline over the gold Docs: (the predicted Docs, nothing to redo per trial)."""
    return list(nlp.pipe(eg.predicted for eg in gold)), lambda: None


def _predict_spans(nlp, proc, gold) -> Tuple[List, Callable[[], None]]:
    """The components before the spancat over the gold Docs, then its model once per batch:
    (the Docs, a function that sets their spans again from the kept scores at the threshold
    now in ``proc.cfg``)."""
    from ..util import minibatch

    docs = [eg.predicted for eg in gold]
    for name, other in nlp.pipeline:
        if other is proc:
            break
        docs = list(other.pipe(docs) if hasattr(other, "pipe") else map(other, docs))
    kept = [(batch, proc.predict(batch)) for batch in minibatch(docs, BATCH_SIZE)]

    def annotate() -> None:
        for batch, spans_scores in kept:
            proc.set_annotations(batch, spans_scores)

    return docs, annotate


def find_threshold(model: Union[str, Path], data: Union[str, Path], component: str, *,
                   scores_key: Optional[str] = None, n_trials: int = 11,
                   output: Optional[Union[str, Path]] = None, code_path=None,
                   threshold_key: str = THRESHOLD_KEY) -> Dict[str, Any]:
    """Try ``n_trials`` thresholds evenly spread over [0, 1] for ``component`` of the pipeline
    ``model``, scoring its predictions on the corpus ``data`` by ``scores_key`` (by default
    cats_macro_f, or spans_{key}_f for a spancat). With ``output``, a copy of the pipeline
    using the best threshold is saved there. Returns {"best_threshold", "best_score", "scores":
    {threshold: score}, "original_threshold", "scores_key"}."""
    from thinc.api import Config

    from ..config import config_to_str, import_code
    from ..errors import Errors
    from ..gold.corpus import Corpus
    from ..gold.example import Example
    from ..language import load
    from ..util import replace_folder

    if n_trials < 2:
        raise ValueError(Errors.E671.format(option="n-trials", least=2, value=n_trials))
    if threshold_key != THRESHOLD_KEY:
        raise ValueError(Errors.E834.format(key=threshold_key, name=component))
    import_code(code_path)
    nlp = load(model)
    proc, factory = _component(nlp, component, model)
    if factory == "spancat":
        gold = [eg for eg in Corpus(data)(nlp) if proc.key in eg.reference.spans]
        if not gold:
            raise ValueError(Errors.E833.format(path=data, key=proc.key, name=component))
        scores_key = scores_key or f"spans_{proc.key}_f"
        predicted, annotate = _predict_spans(nlp, proc, gold)
    else:
        gold = [eg for eg in Corpus(data)(nlp) if eg.reference.cats]
        if not gold:
            raise ValueError(Errors.E675.format(path=data, name=component))
        scores_key = scores_key or "cats_macro_f"
        predicted, annotate = _predict_cats(nlp, proc, gold)
    examples = [Example(doc, eg.reference) for doc, eg in zip(predicted, gold)]
    original = proc.cfg["threshold"]
    scores = {}
    for i in range(n_trials):
        proc.cfg["threshold"] = threshold = round(i / (n_trials - 1), 6)
        annotate()
        result = proc.score(examples)
        if scores_key not in result:
            raise ValueError(Errors.E674.format(key=scores_key, name=component,
                                                keys=", ".join(sorted(result))))
        scores[threshold] = result[scores_key]
    # the best score; among equals, the threshold nearest the one in use
    best = max(scores, key=lambda t: (scores[t] if scores[t] is not None else float("-inf"),
                                      -abs(t - original)))
    if output is not None:
        proc.cfg["threshold"] = best

        def write(folder: Path) -> None:
            nlp.to_disk(folder)
            config = Config().from_disk(folder / "config.cfg", interpolate=False)
            config["components"][component]["threshold"] = best
            (folder / "config.cfg").write_text(config_to_str(config), encoding="utf8")

        replace_folder(output, write)
    proc.cfg["threshold"] = original
    return {"best_threshold": best, "best_score": scores[best], "scores": scores,
            "original_threshold": original, "scores_key": scores_key}


@app.command("find-threshold")
@click.argument("model", type=str)
@click.argument("data", type=click.Path(path_type=Path))
@click.argument("component", type=str)
@click.argument("threshold_key", type=str, required=False, default=None)
@click.argument("scores_key_arg", metavar="[SCORES_KEY]", type=str, required=False, default=None)
@click.option("--scores-key", "-k", default=None,
              help="The score to maximize (a key of the component's scores; default "
                   "cats_macro_f, or spans_KEY_f for a spancat).")
@click.option("--n-trials", "--n_trials", "-n", type=int, default=11, show_default=True,
              help="Thresholds to try, evenly spread from 0 to 1.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Save a copy of the pipeline with the best threshold here.")
@code_option
@verbose_option
def find_threshold_cli(model: str, data: Path, component: str, threshold_key: Optional[str],
                       scores_key_arg: Optional[str], scores_key: Optional[str], n_trials: int,
                       output: Optional[Path], code_path: Optional[Path], verbose: bool):
    """Find the threshold of the textcat_multilabel or spancat COMPONENT of the pipeline MODEL
    that scores best on the corpus DATA (.fastpipe or .spacy, with categories or spans).
    THRESHOLD_KEY (the setting to tune: threshold) and SCORES_KEY (the score to maximize, as
    --scores-key) may follow, in spaCy's order."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        result = find_threshold(model, data, component,
                                scores_key=scores_key_arg or scores_key, n_trials=n_trials,
                                output=output, code_path=code_path,
                                threshold_key=threshold_key or THRESHOLD_KEY)
    scores_key = result["scores_key"]
    click.echo(f"{'threshold':>9}  {scores_key}")
    for threshold, score in result["scores"].items():
        mark = "  <- best" if threshold == result["best_threshold"] else ""
        click.echo(f"{threshold:>9.3f}  {score:.4f}{mark}")
    click.echo(f"Best threshold {result['best_threshold']:.3f}: {scores_key} "
               f"{result['best_score']:.4f} (the pipeline uses "
               f"{result['original_threshold']:.3f})")
    if output is not None:
        click.echo(f"Saved the pipeline with threshold {result['best_threshold']:.3f} to "
                   f"{output}")
