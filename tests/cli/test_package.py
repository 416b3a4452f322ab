"""``fastpipe package``: a pipeline as an installable package, loaded by name once installed."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fastpipe
from fastpipe.cli.package import package, write_package
from tests.helpers.cli import assert_one_clear_error, run
from tests.helpers.tagger import train_toy_tagger

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    result, _ = train_toy_tagger(tmp_path_factory.mktemp("package"))
    return result.best_path


def test_package_folder_loads_and_carries_its_meta(model, tmp_path):
    folder = write_package(model, tmp_path, name="toy", version="1.2.0", description="A toy.")
    assert folder == tmp_path / "en_toy-1.2.0"
    meta = json.loads((folder / "meta.json").read_text())
    assert (meta["name"], meta["version"], meta["lang"]) == ("toy", "1.2.0", "en")
    assert meta["performance"]["tag_acc"] == 1.0
    data = folder / "en_toy" / "en_toy-1.2.0"
    assert json.loads((data / "meta.json").read_text()) == meta
    nlp = fastpipe.load(data)
    assert [t.tag_ for t in nlp("She eats red cherries .")] == ["PRP", "VBZ", "JJ", "NNS", "."]
    assert 'name = "en_toy"' in (folder / "pyproject.toml").read_text()


def test_package_refuses_bad_input(model, tmp_path):
    assert_one_clear_error(run("package", model, tmp_path, "--name", "my-toy"), "E660", "my-toy")
    assert_one_clear_error(run("package", model, tmp_path, "--name", "toy", "--version", "one"),
                           "E661")
    assert_one_clear_error(run("package", model, tmp_path, "--name", "toy", "--build", "egg"),
                           "E662", "egg")
    assert_one_clear_error(run("package", tmp_path, tmp_path, "--name", "toy"), "E093")
    assert run("package", model, tmp_path, "--name", "toy", "--build", "none").exit_code == 0
    assert_one_clear_error(run("package", model, tmp_path, "--name", "toy", "--build", "none"),
                           "E663", "--force")
    assert run("package", model, tmp_path, "--name", "toy", "--build", "none",
               "--force").exit_code == 0


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_loads_by_name(model, tmp_path):
    _, built = package(model, tmp_path / "out", name="toy", version="0.3.0")
    assert sorted(p.name for p in built) == ["en_toy-0.3.0-py3-none-any.whl",
                                             "en_toy-0.3.0.tar.gz"]
    wheel = next(p for p in built if p.suffix == ".whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True)
    script = ("import fastpipe, en_toy\n"
              "a = fastpipe.load('en_toy')\n"
              "b = en_toy.load(disable=['tagger'])\n"
              "print([t.tag_ for t in a('He sees small dogs .')], b.pipe_names, en_toy.__version__,"
              " en_toy.DATA_PATH.is_relative_to(__import__('sys').prefix))\n"
              "from fastpipe.cli.info import model_info\n"
              "info = model_info('en_toy')\n"
              "print(info['name'], info['version'], info['path'] == str(en_toy.DATA_PATH))\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))  # fastpipe from this checkout
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['PRP', 'VBZ', 'JJ', 'NNS', '.'] ['tok2vec'] 0.3.0 True", "toy 0.3.0 True"]
