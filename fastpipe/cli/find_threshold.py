"""``fastpipe find-threshold``: the decision threshold of a textcat_multilabel component that
scores best on a corpus. The pipeline runs over the corpus once; each threshold tried only
re-scores those predictions."""
from pathlib import Path
from typing import Any, Dict, Optional, Union

import click

from ._app import app
from ._util import code_option, reporting_errors, setup_logging, verbose_option

TUNABLE = ("textcat_multilabel",)


def _component(nlp, name: str, model) -> Any:
    from ..errors import Errors

    if name not in nlp.component_names:
        raise ValueError(Errors.E672.format(name=name, model=model,
                                            names=", ".join(nlp.component_names)))
    factory = nlp.config["components"].get(name, {}).get("factory", name)
    if factory not in TUNABLE:
        raise ValueError(Errors.E673.format(name=name, factory=factory))
    return nlp.get_pipe(name)


def find_threshold(model: Union[str, Path], data: Union[str, Path], component: str, *,
                   scores_key: str = "cats_macro_f", n_trials: int = 11,
                   output: Optional[Union[str, Path]] = None, code_path=None) -> Dict[str, Any]:
    """Try ``n_trials`` thresholds evenly spread over [0, 1] for ``component`` of the pipeline
    ``model``, scoring its predictions on the corpus ``data`` by ``scores_key``. With
    ``output``, a copy of the pipeline using the best threshold is saved there. Returns
    {"best_threshold", "best_score", "scores": {threshold: score}}."""
    from thinc.api import Config

    from ..config import config_to_str, import_code
    from ..errors import Errors
    from ..gold.corpus import Corpus
    from ..gold.example import Example
    from ..language import load
    from ..util import replace_folder

    if n_trials < 2:
        raise ValueError(Errors.E671.format(option="n-trials", least=2, value=n_trials))
    import_code(code_path)
    nlp = load(model)
    proc = _component(nlp, component, model)
    gold = [eg for eg in Corpus(data)(nlp) if eg.reference.cats]
    if not gold:
        raise ValueError(Errors.E675.format(path=data, name=component))
    predicted = nlp.pipe(eg.predicted for eg in gold)
    examples = [Example(doc, eg.reference) for doc, eg in zip(predicted, gold)]
    original = proc.cfg["threshold"]
    scores = {}
    for i in range(n_trials):
        proc.cfg["threshold"] = threshold = round(i / (n_trials - 1), 6)
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
            "original_threshold": original}


@app.command("find-threshold")
@click.argument("model", type=str)
@click.argument("data", type=click.Path(path_type=Path))
@click.argument("component", type=str)
@click.option("--scores-key", "-k", default="cats_macro_f", show_default=True,
              help="The score to maximize (a key of the component's scores).")
@click.option("--n-trials", "-n", type=int, default=11, show_default=True,
              help="Thresholds to try, evenly spread from 0 to 1.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Save a copy of the pipeline with the best threshold here.")
@code_option
@verbose_option
def find_threshold_cli(model: str, data: Path, component: str, scores_key: str, n_trials: int,
                       output: Optional[Path], code_path: Optional[Path], verbose: bool):
    """Find the threshold of the textcat_multilabel COMPONENT of the pipeline MODEL that
    scores best on the corpus DATA (.fastpipe or .spacy, with categories)."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        result = find_threshold(model, data, component, scores_key=scores_key,
                                n_trials=n_trials, output=output, code_path=code_path)
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
