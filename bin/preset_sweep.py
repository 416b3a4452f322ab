"""Short controlled runs of tagger+parser+ner on EWT for choosing `init config --optimize
accuracy`: one variant of the efficiency starter config per run, same seed and steps, one
thread; records the training process's CPU seconds and the dev scores of every evaluation.

    python bin/preset_sweep.py eff w192 acc --steps 2000 --output sweep.jsonl

The corpora are EWT train and dev converted with `fastpipe convert -n 10` into --corpus (made
from ../shared/data/en_ewt when missing). Each line of --output is one run: its overrides, the
command, CPU and wall seconds, and tag/UAS/LAS/sents/ents per evaluation. `--seed N` runs
another seed. The variants are VARIANTS below; `char` and `mish` swap the embedding or the
encoder for CharacterEmbed and MishWindowEncoder."""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EWT = ROOT.parent / "shared" / "data" / "en_ewt"
WIDE = {"components.tok2vec.model.embed.width": "192", "components.tok2vec.model.encode.width": "192"}
AVERAGES = {"training.optimizer.use_averages": "true"}
ROWS = {"components.tok2vec.model.embed.rows": "[10000,5000,5000,5000]"}
VARIANTS = {
    "eff": {},
    "avg": AVERAGES,
    "w192": WIDE,
    "w256": {"components.tok2vec.model.embed.width": "256",
             "components.tok2vec.model.encode.width": "256"},
    "d6": {"components.tok2vec.model.encode.depth": "6"},
    "rows2x": ROWS,
    "win2": {"components.tok2vec.model.encode.window_size": "2"},
    "drop02": {"training.dropout": "0.2"},
    "hid128": {"components.parser.model.hidden_width": "128",
               "components.ner.model.hidden_width": "128"},
    "char": {}, "mish": {},
    "acc": {**WIDE, **ROWS, **AVERAGES},
    "acc_d6": {**WIDE, **ROWS, **AVERAGES, "components.tok2vec.model.encode.depth": "6"},
}
CHAR_EMBED = """[components.tok2vec.model.embed]
@architectures = "fastpipe.CharacterEmbed.v1"
width = 96
rows = 5000
nM = 16
nC = 8
include_static_vectors = false
feature = "LOWER"

"""
MISH_ENCODER = """[components.tok2vec.model.encode]
@architectures = "fastpipe.MishWindowEncoder.v1"
width = 96
depth = 4
window_size = 1

"""
SCORES = ("tag_acc", "dep_uas", "dep_las", "sents_f", "ents_f")


def fastpipe_cmd(*args) -> list:
    return [sys.executable, "-m", "fastpipe", *map(str, args)]


def prepare(folder: Path) -> dict:
    """The corpora and the three configs (efficiency, with CharacterEmbed, with Mish)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("train", "dev"):
        if not (folder / f"en_ewt-ud-{name}.fastpipe").exists():
            subprocess.run(fastpipe_cmd("convert", EWT / f"en_ewt-ud-{name}.conllu", folder),
                           check=True, cwd=ROOT)
    eff = folder / "eff.cfg"
    subprocess.run(fastpipe_cmd("init", "config", eff, "-p", "tagger,parser,ner", "-o",
                                "efficiency", "--force"), check=True, cwd=ROOT)
    text = eff.read_text(encoding="utf8")
    embed = text[text.index("[components.tok2vec.model.embed]"):
                 text.index("[components.tok2vec.model.encode]")]
    encode = text[text.index("[components.tok2vec.model.encode]"):
                  text.index("[components.tagger]")]
    (folder / "char.cfg").write_text(text.replace(embed, CHAR_EMBED), encoding="utf8")
    (folder / "mish.cfg").write_text(text.replace(encode, MISH_ENCODER), encoding="utf8")
    return {"eff": eff, "char": folder / "char.cfg", "mish": folder / "mish.cfg"}


def run_variant(name: str, configs: dict, folder: Path, steps: int, seed: int) -> dict:
    out = folder / "runs" / f"{name}-s{seed}"
    cmd = fastpipe_cmd("train", configs.get(name, configs["eff"]), "--output", out,
                       "--paths.train", folder / "en_ewt-ud-train.fastpipe",
                       "--paths.dev", folder / "en_ewt-ud-dev.fastpipe",
                       "--training.max_steps", steps, "--training.eval_frequency", 1000,
                       "--training.patience", 0, "--training.logger.progress_bar", "false",
                       "--system.seed", seed)
    for key, value in VARIANTS[name].items():
        cmd += [f"--{key}", value]
    env = dict(os.environ, FASTPIPE_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log = [json.loads(line) for line in (out / "training_log.jsonl").read_text().splitlines()]
    evals = [{"step": e["step"], **{k: round(100 * e["scores"].get(k, 0.0), 2) for k in SCORES}}
             for e in log]
    return {"name": name, "seed": seed, "overrides": VARIANTS[name], "cmd": " ".join(map(str, cmd)),
            "cpu_s": round(cpu, 1), "wall_s": round(time.time() - start, 1), "evals": evals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "preset_sweep")
    parser.add_argument("--output", type=Path, default=Path("preset_sweep.jsonl"))
    args = parser.parse_args()
    configs = prepare(args.corpus)
    for name in args.variants:
        result = run_variant(name, configs, args.corpus, args.steps, args.seed)
        with args.output.open("a", encoding="utf8") as f:
            f.write(json.dumps(result) + "\n")
        last = result["evals"][-1]
        print(name, f"CPU {result['cpu_s']} s", " ".join(f"{k} {last[k]}" for k in SCORES))


if __name__ == "__main__":
    main()
