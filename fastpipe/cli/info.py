"""``fastpipe info``: the versions and platform a bug report needs, and what a saved pipeline
holds (components, labels, sizes on disk, the scores its meta.json keeps)."""
import json
import platform
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import click

from ._app import app
from ._util import reporting_errors, setup_logging, verbose_option


def _version(module: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return "not installed"


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path`` (or of ``path`` itself when it is a file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def human_size(n_bytes: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n_bytes < 1000 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return ""  # not reached


def system_info() -> Dict[str, str]:
    """fastpipe's version and location, Python's, the platform's and the main libraries'."""
    from ..about import __version__

    return {
        "fastpipe": __version__,
        "location": str(Path(__file__).resolve().parents[1]),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "thinc": _version("thinc"),
        "numpy": _version("numpy"),
    }


def model_info(model: Union[str, Path]) -> Dict[str, Any]:
    """What the pipeline ``model`` (a folder, or an installed package's name) holds: its
    language, components, labels per component, bytes on disk per part, and meta.json's
    performance."""
    from ..language import load
    from .package import package_data_path

    nlp = load(model)
    path = Path(model) if Path(model).exists() else package_data_path(str(model))
    meta_path = path / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf8")) if meta_path.exists() else {}
    labels = {}
    for name, proc in nlp.components:
        found = getattr(proc, "labels", None)
        if found:
            labels[name] = sorted(str(label) for label in found)
    sizes = {p.name: folder_size(p) for p in sorted(path.iterdir())} if path.is_dir() else {}
    return {
        "path": str(path), "lang": nlp.lang, "name": meta.get("name"),
        "version": meta.get("version"), "pipeline": list(nlp.component_names),
        "labels": labels, "sizes": sizes, "size": sum(sizes.values()),
        "performance": meta.get("performance") or {},
    }


def _rows(model: Dict[str, Any]) -> List[tuple]:
    rows = [("path", model["path"]), ("lang", model["lang"])]
    rows += [(key, model[key]) for key in ("name", "version") if model[key]]
    rows.append(("pipeline", ", ".join(model["pipeline"]) or "(none)"))
    rows.append(("size on disk", human_size(model["size"])))
    for part, size in model["sizes"].items():
        rows.append((f"  {part}", human_size(size)))
    for name, labels in model["labels"].items():
        shown = ", ".join(labels[:30]) + (f", ... ({len(labels)} in all)" if len(labels) > 30
                                           else "")
        rows.append((f"labels: {name}", shown))
    for key, value in model["performance"].items():
        if isinstance(value, (int, float)) and value is not None:
            rows.append((f"score: {key}", f"{value:.4f}" if isinstance(value, float) else value))
    return rows


def format_info(info: Dict[str, Any], markdown: bool = False) -> str:
    """``info_of``'s result as aligned text, or as Markdown tables (for an issue)."""
    sections = [("fastpipe", list(info["system"].items()))]
    if info.get("model"):
        sections.append(("pipeline", _rows(info["model"])))
    lines = []
    for title, rows in sections:
        if markdown:
            lines += [f"## {title}", "", "| | |", "| --- | --- |"]
            lines += [f"| **{key.strip()}** | {str(value).replace('|', '/')} |"
                      for key, value in rows]
        else:
            width = max(len(key) for key, _ in rows)
            lines += [f"{title}:"] + [f"  {key:<{width}}  {value}" for key, value in rows]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def info_of(model: Optional[Union[str, Path]] = None) -> Dict[str, Any]:
    """The system's information, with the pipeline ``model``'s when given."""
    return {"system": system_info(), "model": model_info(model) if model else None}


@app.command("info")
@click.argument("model", required=False, default=None)
@click.option("--markdown", "-md", is_flag=True, default=False,
              help="Print Markdown tables, to paste into an issue.")
@click.option("--json", "as_json", is_flag=True, default=False, help="Print JSON.")
@verbose_option
def info_cli(model: Optional[str], markdown: bool, as_json: bool, verbose: bool):
    """Print fastpipe's, Python's and the platform's versions, and with MODEL (a pipeline's
    folder or an installed pipeline package's name) its components, labels, sizes on disk and
    scores."""
    setup_logging(verbose)
    with reporting_errors(verbose):
        info = info_of(model)
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        sys.stdout.write(format_info(info, markdown=markdown))
