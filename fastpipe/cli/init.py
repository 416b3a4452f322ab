"""``fastpipe init config`` (a starter config), ``fastpipe init fill-config`` (every default
written out) and ``fastpipe init labels`` (each component's labels, read from the corpus once)."""
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple, Union

import click

from ._app import app
from ._util import (OVERRIDES_CONTEXT, code_option, overrides_from, reporting_errors,
                    setup_logging, verbose_option)

OPTIMIZE = ("efficiency", "accuracy")
# Components that share the pipeline's tok2vec through a listener (the senter keeps its own
# small one, as its factory default does).
USES_TOK2VEC = ("tagger", "morphologizer", "trainable_lemmatizer", "parser", "ner", "spancat",
                "span_finder")
# The transition-based components' hidden layer: (hidden_width, maxout_pieces) per --optimize.
# A width of 128 did not pay in the runs below (sentences and entities lost 2 points), nor
# for the parser alone on the hybrid tok2vec (HYBRID; seed 1: LAS 81.34, entities 57.08
# against 81.31 and 59.89).
PARSER_SIZES = {"efficiency": (64, 2), "accuracy": (64, 2)}
# The parser's beam per --optimize (None: greedy, the "parser" factory). The accuracy preset
# uses spaCy's "beam_parser" with 8 histories and greedy updates (beam_update_prob 0: the beam
# searches only when it predicts; it parses about 5x slower). With the learning rate below it
# took the greedy preset's best dev LAS from 80.47 to 80.83 in bin/bench_budget.py
# --minutes 45; training on the beam's objective for half the batches (spaCy's 0.5), the
# parser's extra state tokens, a 384-wide tok2vec with dropout 0.3, a faster decay (to 0 at
# step 8,000), an encoder window of 2, L2 = 0.1 (it lifts LAS and costs entities), the ner on
# its own tok2vec and CharacterEmbed (with L2 0.01, 0.05 or 0.1) did not pass it on both LAS
# and entities; 16 or 32 histories on saved checkpoints changed nothing. A residual BiLSTM layer
# after the maxout layers reaches the plateau sooner and, with L2 0.1, LAS 81.18 (81.49 with
# CharacterEmbed), but entities 58.90 (57.92) (README, "Components"); with the ner's gradient
# doubled as well, it is the accuracy preset's tok2vec (HYBRID).
PARSER_BEAM = {"efficiency": None,
               "accuracy": {"beam_width": 8, "beam_density": 0.0001, "beam_update_prob": 0.0}}
# [training.optimizer] learn_rate per --optimize: None keeps spaCy's constant 0.001; a number
# is thinc's warmup_linear schedule, 250 steps up to 0.001 then down to 0 at that step
LEARN_RATE_DECAY_STEPS = {"efficiency": None, "accuracy": 20000}
# [training.optimizer] L2 (Adam's decoupled weight decay): spaCy's 0.01, or BOW_L2 when the
# pipeline is bag-of-words text classifiers alone (no tok2vec). bin/bench_budget.py --task
# sst2 --minutes 5, best / last dev accuracy of the bag of words (spaCy's, L2 0.01: 83.94 /
# 81.82): L2 0.01 83.72 / 79.82 (it peaked at step 8,000, then overfit), 0.1 83.83 / 82.68,
# 0.2 84.29 / 84.06 (84.0-84.3 from step 17,000 to the end, 172,000), 0.3 83.94 / 83.83,
# 0.5 83.49 / 83.26, 1.0 83.26 / 83.14.
BOW_L2 = 0.2
# Recommended model sizes: (tok2vec width, depth, NORM rows, subword rows, batch start, stop).
# Both presets average the parameters (use_averages): in 2000-step runs of tagger+parser+ner
# on EWT (one seed) averaging gave +1.4 LAS for 2% more CPU. The accuracy preset is judged by
# bin/bench_budget.py --minutes 45 (one core): with tok2vec 192 wide, 10,000/5,000 rows and
# dropout 0.1 (the best of the 2000-step runs: width 192 +1.1 LAS for 1.9x the CPU; depth 6,
# window 2, CharacterEmbed and MishWindowEncoder did not pay) it reached its plateau at about
# 5 minutes (dev LAS 80.27, entities 58.14 at best); 256 wide with 20,000/10,000 rows and
# dropout 0.2 (DROPOUT) went on improving to 25 minutes and ended above it on every
# score (LAS 80.47, entities 59.68, sentences 79.47). Hash rows cost memory, not CPU.
SIZES = {"efficiency": (96, 4, 5000, 2500, 100, 1000),
         "accuracy": (256, 4, 20000, 10000, 100, 1000)}
# [training] dropout per preset: the larger model overfits later with more of it
DROPOUT = {"efficiency": 0.1, "accuracy": 0.2}
# The accuracy preset's tok2vec and training for pipelines with a parser or an ner (None: the
# hashed attributes and maxout layers above alone, spaCy's L2 0.01): CharacterEmbed (a hashed
# LOWER and nC character slots of nM each) in place of the four hashed attributes, one residual
# BiLSTM layer after the maxout layers, L2 0.1 (weight decay: it keeps the model improving to
# the end of a 45-minute run instead of overfitting from minute 15) and twice the ner's gradient
# into the shared layers (grad_factor on its listener: decay alone costs the entities about 2
# points). bin/bench_budget.py --minutes 45, seeds 0-4 (bin/bench_seeds.py), best dev
# LAS / entities F: 81.24 / 59.08 on the mean (spaCy's efficiency config: 79.19 / 56.20); the
# preset before it, 80.83 / 59.84 and 80.95 / 57.99 (seeds 0 and 1). Measured on
# tagger+parser+ner only, so other pipelines keep the plain tok2vec.
HYBRID = {"efficiency": None,
          "accuracy": {"nM": 64, "nC": 8, "L2": 0.1, "ner_grad_factor": 2.0}}


def _tok2vec_block(width: int, depth: int, rows: int, sub_rows: int,
                   hybrid: Optional[dict] = None) -> str:
    """The shared tok2vec: hashed NORM, PREFIX, SUFFIX and SHAPE embeddings and ``depth``
    maxout layers; with ``hybrid`` (see HYBRID), CharacterEmbed and a residual BiLSTM layer
    after the maxout layers."""
    if hybrid is None:
        embed = ('@architectures = "fastpipe.MultiHashEmbed.v1"\n'
                 f'width = {width}\nattrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]\n'
                 f"rows = [{rows}, {sub_rows}, {sub_rows}, {sub_rows}]\n")
        encode, cnn, lstm = "", "[components.tok2vec.model.encode]\n", ""
    else:
        embed = ('@architectures = "fastpipe.CharacterEmbed.v1"\n'
                 f"width = {width}\nrows = {rows}\nnM = {hybrid['nM']}\nnC = {hybrid['nC']}\n")
        encode = '[components.tok2vec.model.encode]\n@layers = "chain.v1"\n\n'
        cnn = "[components.tok2vec.model.encode.*.cnn]\n"
        lstm = ('\n[components.tok2vec.model.encode.*.lstm]\n@layers = "residual.v1"\n\n'
                '[components.tok2vec.model.encode.*.lstm.layer]\n'
                f'@architectures = "fastpipe.BiLSTMEncoder.v1"\nwidth = {width}\ndepth = 1\n'
                "dropout = 0.0\n")
    return f"""[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "fastpipe.Tok2Vec.v1"

[components.tok2vec.model.embed]
{embed}include_static_vectors = false

{encode}{cnn}@architectures = "fastpipe.MaxoutWindowEncoder.v1"
width = {width}
depth = {depth}
window_size = 1
maxout_pieces = 3
{lstm}"""


def _listener(prefix: str, grad_factor: float = 1.0) -> str:
    """A Tok2VecListener of the shared tok2vec, as wide as its embedding (and its encoder);
    ``grad_factor`` scales the gradient the component sends back into it."""
    factor = "" if grad_factor == 1.0 else f"grad_factor = {grad_factor}\n"
    return f"""[{prefix}]
@architectures = "fastpipe.Tok2VecListener.v1"
width = ${{components.tok2vec.model.embed.width}}
upstream = "tok2vec"
{factor}"""


def _textcat_block(name: str, optimize: str, exclusive: bool, shared: bool) -> str:
    threshold = 0.0 if exclusive else 0.5
    head = f'[components.{name}]\nfactory = "{name}"\nthreshold = {threshold}\n\n'
    bow = ("@architectures = \"fastpipe.TextCatBOW.v1\"\n"
           f"exclusive_classes = {str(exclusive).lower()}\n"
           f"ngram_size = {1 if optimize == 'efficiency' else 2}\nno_output_layer = false\n")
    if optimize == "efficiency" or not shared:
        return head + f"[components.{name}.model]\n" + bow
    return (head + f"[components.{name}.model]\n@architectures = \"fastpipe.TextCatEnsemble.v1\"\n\n"
            + _listener(f"components.{name}.model.tok2vec") + "\n"
            + f"[components.{name}.model.linear_model]\n" + bow)


def _parser_block(name: str, optimize: str, hybrid: Optional[dict] = None) -> str:
    """parser or ner: a TransitionBasedParser over the shared tok2vec (a listener)."""
    hidden_width, maxout_pieces = PARSER_SIZES[optimize]
    grad_factor = hybrid["ner_grad_factor"] if hybrid is not None and name == "ner" else 1.0
    factory, settings = name, ""
    if name == "parser":
        beam = PARSER_BEAM[optimize]
        if beam is not None:
            factory = "beam_parser"
            settings = "".join(f"{key} = {value}\n" for key, value in beam.items())
        settings += "min_action_freq = 30\nlearn_tokens = false\n"
    return (f'[components.{name}]\nfactory = "{factory}"\n{settings}\n'
            f'[components.{name}.model]\n@architectures = "fastpipe.TransitionBasedParser.v1"\n'
            f'state_type = "{name}"\nextra_state_tokens = false\n'
            f"hidden_width = {hidden_width}\nmaxout_pieces = {maxout_pieces}\n"
            "use_upper = true\nnO = null\n\n"
            + _listener(f"components.{name}.model.tok2vec", grad_factor))


def _learn_rate(decay_steps: Optional[int]) -> Tuple[str, str]:
    """The optimizer's learn_rate: a line of [training.optimizer] for a constant rate, or a
    [training.optimizer.learn_rate] block for thinc's warmup_linear schedule."""
    if decay_steps is None:
        return "learn_rate = 0.001\n", ""
    return "", ("\n[training.optimizer.learn_rate]\n@schedules = \"warmup_linear.v1\"\n"
                f"warmup_steps = 250\ntotal_steps = {decay_steps}\ninitial_rate = 0.001\n")


def _span_finder_block() -> str:
    """span_finder: start and end probabilities per token from the shared tok2vec."""
    return ('[components.span_finder]\nfactory = "span_finder"\nspans_key = "sc"\n\n'
            '[components.span_finder.model]\n@architectures = "fastpipe.SpanFinder.v1"\n\n'
            '[components.span_finder.model.scorer]\n@layers = "fastpipe.LinearLogistic.v1"\n'
            'nO = 2\nnI = null\n\n' + _listener("components.span_finder.model.tok2vec"))


def _spancat_block(name: str, preset: bool) -> str:
    """spancat or spancat_singlelabel, pooled from the shared tok2vec: over n-grams of 1-3
    tokens, or (``preset``: a span_finder runs before it) over the span_finder's candidates."""
    suggester = ('@misc = "fastpipe.preset_spans_suggester.v1"\nspans_key = "sc"\n' if preset
                 else '@misc = "fastpipe.ngram_suggester.v1"\nsizes = [1, 2, 3]\n')
    return (f'[components.{name}]\nfactory = "{name}"\nspans_key = "sc"\n\n'
            f'[components.{name}.model]\n@architectures = "fastpipe.SpanCategorizer.v1"\n\n'
            f'[components.{name}.model.reducer]\n@layers = "fastpipe.mean_max_reducer.v1"\n'
            'hidden_size = 128\n\n'
            f'[components.{name}.model.scorer]\n@layers = "fastpipe.LinearLogistic.v1"\n'
            'nO = null\nnI = null\n\n'
            + _listener(f"components.{name}.model.tok2vec") + "\n"
            + f'[components.{name}.suggester]\n' + suggester)


def _senter_block() -> str:
    """The senter with its own small HashEmbedCNN, as its factory default has it."""
    return ('[components.senter]\nfactory = "senter"\n\n[components.senter.model]\n'
            '@architectures = "fastpipe.Tagger.v1"\n\n[components.senter.model.tok2vec]\n'
            '@architectures = "fastpipe.HashEmbedCNN.v1"\nwidth = 12\ndepth = 1\n'
            'embed_size = 2000\nwindow_size = 1\nmaxout_pieces = 2\n'
            'subword_features = true\n')


def _component_block(name: str, optimize: str, shared: bool, names: Sequence[str],
                     hybrid: Optional[dict] = None) -> str:
    if name in ("parser", "ner"):
        return _parser_block(name, optimize, hybrid)
    if name in ("tagger", "morphologizer", "trainable_lemmatizer"):
        return (f'[components.{name}]\nfactory = "{name}"\n\n[components.{name}.model]\n'
                '@architectures = "fastpipe.Tagger.v1"\n\n'
                + _listener(f"components.{name}.model.tok2vec"))
    if name == "senter":
        return _senter_block()
    if name == "span_finder":
        return _span_finder_block()
    if name == "spancat":
        return _spancat_block(name, preset="span_finder" in names[:names.index(name)])
    if name in ("textcat", "textcat_multilabel"):
        return _textcat_block(name, optimize, name == "textcat", shared)
    return f'[components.{name}]\nfactory = "{name}"\n'


def starter_config(lang: str = "en", pipeline: Sequence[str] = ("tagger",),
                   optimize: str = "efficiency") -> str:
    """The text of a starter config for ``pipeline`` (component factory names), with settings
    recommended for ``optimize`` ("efficiency": smaller and faster; "accuracy": larger, a
    decaying learning rate and a beam-search parser, and with a parser or an ner the HYBRID
    tok2vec and weight decay, chosen by bin/bench_budget.py).
    Raises ValueError naming a component that does not exist."""
    from ..errors import Errors
    from ..registry import registry

    if optimize not in OPTIMIZE:
        raise ValueError(Errors.E121.format(options=", ".join(OPTIMIZE), value=optimize))
    factories = sorted(registry.factories.get_all())
    names = [n.strip() for n in pipeline if n.strip()]
    if not names:
        raise ValueError(Errors.E122)
    for name in names:
        if name not in factories:
            raise ValueError(Errors.E112.format(name=name, available=", ".join(factories)))
    if len(set(names)) != len(names):
        raise ValueError(Errors.E123.format(names=", ".join(names)))
    width, depth, rows, sub_rows, start, stop = SIZES[optimize]
    constant_rate, rate_schedule = _learn_rate(LEARN_RATE_DECAY_STEPS[optimize])
    shared = any(n in USES_TOK2VEC for n in names) or (
        optimize == "accuracy" and any(n.startswith("textcat") for n in names))
    full = (["tok2vec"] if shared and "tok2vec" not in names else []) + names
    hybrid = HYBRID[optimize] if {"parser", "ner"} & set(names) else None
    l2 = BOW_L2 if not shared and all(n.startswith("textcat") for n in names) else 0.01
    if hybrid is not None:
        l2 = hybrid["L2"]
    blocks = [_tok2vec_block(width, depth, rows, sub_rows, hybrid)] if "tok2vec" in full else []
    blocks += [_component_block(n, optimize, shared, full, hybrid)
               for n in full if n != "tok2vec"]
    # the span_finder's candidates must exist while its followers train: it annotates, and so
    # does the tok2vec it listens to
    annotating = '["tok2vec", "span_finder"]' if "span_finder" in names else "[]"
    pipeline_json = "[" + ", ".join(f'"{n}"' for n in full) + "]"
    return f"""# Starter config written by `fastpipe init config`: lang={lang},
# pipeline={",".join(names)}, optimize={optimize}. `fastpipe init fill-config` shows every
# default this file leaves out.

[paths]
train = null
dev = null

[system]
seed = 0
gpu_allocator = null

[nlp]
lang = "{lang}"
pipeline = {pipeline_json}
batch_size = 1000

[components]

{chr(10).join(blocks)}
[corpora]

[corpora.train]
@readers = "fastpipe.Corpus.v1"
path = ${{paths.train}}
max_length = 0

[corpora.dev]
@readers = "fastpipe.Corpus.v1"
path = ${{paths.dev}}
max_length = 0

[training]
seed = ${{system.seed}}
dropout = {DROPOUT[optimize]}
accumulate_gradient = 1
patience = 1600
max_epochs = 0
max_steps = 20000
eval_frequency = 200
frozen_components = []
annotating_components = {annotating}

[training.optimizer]
@optimizers = "fastpipe.Adam.v1"
{constant_rate}L2 = {l2}
grad_clip = 1.0
use_averages = true
{rate_schedule}
[training.batcher]
@batchers = "fastpipe.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2

[training.batcher.size]
@schedules = "compounding.v1"
start = {start}
stop = {stop}
compound = 1.001

[training.logger]
@loggers = "fastpipe.ConsoleLogger.v1"
progress_bar = true

[initialize]
"""


def write_text(output: Union[str, Path], text: str, force: bool = True) -> None:
    """Write ``text`` to ``output`` ("-" is stdout) through a temporary file."""
    from ..errors import Errors
    from ..util import write_text_atomic

    if str(output) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output = Path(output)
    if output.exists() and not force:
        raise FileExistsError(Errors.E113.format(path=output, err="it exists (use --force)"))
    write_text_atomic(output, text if text.endswith("\n") else text + "\n")


def init_config(output: Union[str, Path], *, lang: str = "en",
                pipeline: Sequence[str] = ("tagger",), optimize: str = "efficiency",
                force: bool = False) -> str:
    """Write a starter config (see ``starter_config``) to ``output``; returns its text. The
    text is checked by building the pipeline it describes before it is written."""
    from ..config import load_config_from_str
    from ..language import Language

    text = starter_config(lang, pipeline, optimize)
    Language.from_config(load_config_from_str(text, where="starter config"))
    write_text(output, text, force=force)
    return text


def fill_config(base_path: Union[str, Path], output: Optional[Union[str, Path]] = None, *,
                overrides: Optional[Dict] = None, code_path=None, pretraining: bool = False):
    """The config at ``base_path`` with every default filled in (``nlp.config`` of the
    pipeline it builds), written to ``output`` when given ("-" is stdout). ${...} references
    are kept. With ``pretraining``, a [pretraining] section (spaCy's defaults under what the
    config sets) and its raw-text corpus are filled in too. Returns the filled Config."""
    from ..config import config_to_str, import_code, load_config
    from ..config_schema import validate_config, with_defaults
    from ..language import Language
    from ..training.pretrain import with_pretraining

    import_code(code_path)
    config = load_config(base_path, overrides or {}, interpolate=False)
    if pretraining:
        config = with_pretraining(config)
    validate_config(with_defaults(config).interpolate(), where=str(base_path))
    filled = Language.from_config(config).config
    if output is not None:
        write_text(output, config_to_str(filled))
    return filled


def config_diff(before: str, after: str, name: str = "config") -> str:
    """A unified diff of two config texts (empty when they are the same)."""
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"{name} (as written)", tofile=f"{name} (filled)")
    return "".join(lines)


def trainable_components(nlp) -> list:
    """(name, component) of the components that learn labels from examples."""
    return [(name, proc) for name, proc in nlp.components
            if callable(getattr(proc, "update", None)) and getattr(proc, "labels", None)]


def init_labels(config_path: Union[str, Path], output_dir: Union[str, Path], *,
                overrides: Optional[Dict] = None, code_path=None) -> Dict[str, Path]:
    """Initialize the pipeline of a training config on its training corpus and write each
    trainable component's labels to ``output_dir/NAME.json`` (a JSON list; the parser's and
    the ner's ``label_data``, spaCy's form, which keeps the parser's root labels), for
    ``[initialize.components.NAME.labels]`` to read with ``fastpipe.read_labels.v1`` instead of
    finding them in the corpus again. Returns {component: file}."""
    from ..config import import_code, load_config
    from ..training.initialize import init_nlp
    from ..util import write_json_atomic

    import_code(code_path)
    config = load_config(config_path, overrides or {}, interpolate=False)
    nlp = init_nlp(config, where=str(config_path))
    written = {}
    for name, proc in trainable_components(nlp):
        path = Path(output_dir) / f"{name}.json"
        data = getattr(proc, "label_data", None)
        if data is None:
            data = [str(label) for label in proc.labels]
        write_json_atomic(path, data)
        written[name] = path
    return written


@app.group("init")
def init_group():
    """Create config files (a starter config, or a complete one from a partial one) and
    label files."""


@init_group.command("config")
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--lang", "-l", default="en", show_default=True, help="Language code.")
@click.option("--pipeline", "-p", default="tagger", show_default=True,
              help="Comma-separated components, e.g. tagger,textcat.")
@click.option("--optimize", "-o", type=click.Choice(OPTIMIZE), default="efficiency",
              show_default=True, help="Smaller, faster models or larger, more accurate ones.")
@click.option("--force", "-F", is_flag=True, default=False, help="Overwrite OUTPUT if it exists.")
@verbose_option
def init_config_cli(output: Path, lang: str, pipeline: str, optimize: str, force: bool,
                    verbose: bool):
    """Write a starter config with recommended settings to OUTPUT ("-" for stdout)."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        init_config(output, lang=lang, pipeline=pipeline.split(","), optimize=optimize,
                    force=force)
    if str(output) != "-":
        click.echo(f"Saved the starter config to {output}")
        click.echo(f"Train with: fastpipe train {output} --output ./output "
                   f"--paths.train ./train.fastpipe --paths.dev ./dev.fastpipe")


@init_group.command("fill-config", context_settings=OVERRIDES_CONTEXT)
@click.argument("base_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
                default="-")
@code_option
@click.option("--diff", "-D", "show_diff", is_flag=True, default=False,
              help="Print what filling added or changed, as a unified diff (instead of the "
                   "filled config when OUTPUT is stdout).")
@click.option("--pretraining", "-pt", is_flag=True, default=False,
              help="Fill in a [pretraining] section too (spaCy's defaults; raw text from "
                   "--paths.raw_text), for `fastpipe pretrain`.")
@verbose_option
@click.pass_context
def fill_config_cli(ctx: click.Context, base_path: Path, output: Path,
                    code_path: Optional[Path], show_diff: bool, pretraining: bool,
                    verbose: bool):
    """Write BASE_PATH with every default filled in to OUTPUT (default: stdout), so that
    nothing the pipeline uses is hidden. Overrides (--section.key value) apply first."""
    from ..config import config_to_str

    setup_logging(verbose)
    to_stdout = str(output) == "-"
    with reporting_errors(verbose):
        filled = fill_config(base_path, None if show_diff and to_stdout else output,
                             overrides=overrides_from(ctx), code_path=code_path,
                             pretraining=pretraining)
    if show_diff:
        before = Path(base_path).read_text(encoding="utf8")
        sys.stdout.write(config_diff(before, config_to_str(filled), str(base_path)))
    if not to_stdout:
        click.echo(f"Saved the filled config to {output}")


@init_group.command("labels", context_settings=OVERRIDES_CONTEXT)
@click.argument("config_path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@code_option
@verbose_option
@click.pass_context
def init_labels_cli(ctx: click.Context, config_path: Path, output_dir: Path,
                    code_path: Optional[Path], verbose: bool):
    """Read the training corpus of CONFIG_PATH once and write each trainable component's
    labels to OUTPUT_DIR/NAME.json; point [initialize.components.NAME.labels] at them
    (@readers = "fastpipe.read_labels.v1") to skip that pass in later runs."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        written = init_labels(config_path, output_dir, overrides=overrides_from(ctx),
                              code_path=code_path)
    for name, path in written.items():
        click.echo(f"Saved the labels of {name} to {path}")
    if not written:
        click.echo("No component of this pipeline has labels to save.")
