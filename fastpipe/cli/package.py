"""``fastpipe package``: a saved pipeline as an installable Python package.

The package ``{lang}_{name}`` ships the pipeline's folder inside it and offers
``load(**overrides)``; once installed, ``fastpipe.load("{lang}_{name}")`` finds it by name.
The sdist and the wheel are built with ``python -m build`` without an isolated environment
(the package itself needs only setuptools to build, and nothing is downloaded).
"""
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence, Union

import click

from ._app import app
from ._util import reporting_errors, setup_logging, verbose_option

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
# A release number with an optional pre-, post- or dev-release part (PEP 440's common forms).
VERSION_RE = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")
BUILDS = ("sdist", "wheel")

INIT_TEMPLATE = '''"""The {lang} pipeline {name!r} {version}, packaged by fastpipe {fastpipe_version}."""
from pathlib import Path

import fastpipe

__version__ = {version!r}
#: The pipeline's folder, shipped inside this package.
DATA_PATH = Path(__file__).parent / {data_dir!r}


def load(**overrides):
    """The pipeline, loaded with fastpipe.load (``disable=``, ``exclude=``... pass through)."""
    return fastpipe.load(DATA_PATH, **overrides)
'''

PYPROJECT_TEMPLATE = '''[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = {name}
version = {version}
description = {description}
requires-python = ">=3.9"
dependencies = [{requirement}]

[tool.setuptools]
packages = [{name}]
include-package-data = true
'''


def package_data_path(name: str) -> Optional[Path]:
    """The pipeline folder of the installed pipeline package ``name``, or None when no
    importable module of that name ships one."""
    if not NAME_RE.match(name) or importlib.util.find_spec(name) is None:
        return None
    data_path = getattr(importlib.import_module(name), "DATA_PATH", None)
    return Path(data_path) if data_path is not None else None


def _check_args(model_dir: Path, name: str, version: str, build: Sequence[str]):
    from ..errors import Errors

    if not (model_dir / "config.cfg").exists():
        raise FileNotFoundError(Errors.E093.format(path=model_dir))
    if not NAME_RE.match(name):
        raise ValueError(Errors.E660.format(name=name))
    if not VERSION_RE.match(version):
        raise ValueError(Errors.E661.format(version=version))
    unknown = [b for b in build if b not in BUILDS]
    if unknown:
        raise ValueError(Errors.E662.format(value=",".join(unknown)))


def write_package(model_dir: Union[str, Path], output_dir: Union[str, Path], *, name: str,
                  version: str, description: str = "", force: bool = False) -> Path:
    """Write the source folder of the package ``{lang}_{name}`` for the pipeline at
    ``model_dir`` under ``output_dir``; returns the folder (``{lang}_{name}-{version}``)."""
    from ..about import __version__ as fastpipe_version
    from ..errors import Errors
    from ..util import replace_folder

    model_dir = Path(model_dir)
    _check_args(model_dir, name, version, ())
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf8")) if meta_path.exists() else {}
    lang = meta.get("lang") or _lang_of(model_dir)
    full_name = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    folder = Path(output_dir) / f"{full_name}-{version}"
    if folder.exists() and not force:
        raise FileExistsError(Errors.E663.format(path=folder))
    data_dir = f"{full_name}-{version}"
    meta = {**meta, "lang": lang, "name": name, "version": version,
            "description": description or meta.get("description", ""),
            "fastpipe_version": f">={fastpipe_version}"}

    def write(root: Path) -> None:
        package = root / full_name
        shutil.copytree(model_dir, package / data_dir)
        (package / data_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n",
                                                      encoding="utf8")
        (root / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf8")
        (package / "__init__.py").write_text(INIT_TEMPLATE.format(
            lang=lang, name=name, version=version, fastpipe_version=fastpipe_version,
            data_dir=data_dir), encoding="utf8")
        strings = {"name": full_name, "version": version,
                   "requirement": f"fastpipe>={fastpipe_version}",
                   "description": meta["description"] or f"fastpipe pipeline {full_name}"}
        # a JSON string is a TOML basic string
        (root / "pyproject.toml").write_text(PYPROJECT_TEMPLATE.format(
            **{key: json.dumps(value) for key, value in strings.items()}), encoding="utf8")
        (root / "MANIFEST.in").write_text(f"include meta.json\nrecursive-include {full_name} *\n"
                                          "global-exclude *.py[cod] __pycache__\n",
                                          encoding="utf8")

    return replace_folder(folder, write)


def _lang_of(model_dir: Path) -> str:
    from thinc.api import Config

    return Config().from_disk(model_dir / "config.cfg", interpolate=False)["nlp"]["lang"]


def build_package(folder: Union[str, Path], build: Sequence[str] = BUILDS) -> list:
    """Build ``build`` (sdist and/or wheel) of the package source ``folder`` into its
    ``dist/`` with ``python -m build``; returns the files made."""
    from ..errors import Errors

    folder = Path(folder)
    if not build:
        return []
    if importlib.util.find_spec("build") is None:
        raise OSError(Errors.E664)
    dist = folder / "dist"
    before = set(dist.iterdir()) if dist.exists() else set()
    cmd = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist)]
    if set(build) != set(BUILDS):  # both: the wheel is built from the sdist, which checks it
        cmd += [f"--{kind}" for kind in BUILDS if kind in build]
    done = subprocess.run(cmd + [str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise OSError(Errors.E665.format(path=folder, output=" | ".join(tail)))
    return sorted(set(dist.iterdir()) - before)


def package(model_dir: Union[str, Path], output_dir: Union[str, Path], *, name: str,
            version: str, build: Sequence[str] = BUILDS, description: str = "",
            force: bool = False):
    """Write the package of the pipeline at ``model_dir`` and build it; returns (the package
    folder, the files built)."""
    _check_args(Path(model_dir), name, version, build)
    folder = write_package(model_dir, output_dir, name=name, version=version,
                           description=description, force=force)
    return folder, build_package(folder, build)


@app.command("package")
@click.argument("model_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", "-n", required=True,
              help="The package's name after the language code: en_NAME.")
@click.option("--version", "-v", "version", default="0.0.0", show_default=True,
              help="The package's version.")
@click.option("--description", "-d", default="", help="One line about the pipeline.")
@click.option("--build", "-b", "build", default="sdist,wheel", show_default=True,
              help="What to build: sdist, wheel, both (comma-separated) or none.")
@click.option("--force", "-F", is_flag=True, default=False,
              help="Replace the package folder if it exists.")
@verbose_option
def package_cli(model_dir: Path, output_dir: Path, name: str, version: str, description: str,
                build: str, force: bool, verbose: bool):
    """Make an installable Python package of the pipeline at MODEL_DIR under OUTPUT_DIR; after
    `pip install` of its wheel, fastpipe.load("LANG_NAME") loads it."""
    setup_logging(verbose)
    kinds = [] if build.strip() == "none" else [b.strip() for b in build.split(",") if b.strip()]
    with reporting_errors(verbose):
        click.echo(f"Writing the package of {model_dir}...", err=True)
        folder, built = package(model_dir, output_dir, name=name, version=version,
                                build=kinds, description=description, force=force)
    click.echo(f"Saved the package source to {folder}")
    for path in built:
        click.echo(f"Built {path}")
