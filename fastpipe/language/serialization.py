"""Saving and loading the nlp object: ``to_disk``/``from_disk`` (a folder swapped whole, see
``util.replace_folder``) and ``to_bytes``/``from_bytes``. A mixin of ``Language``."""
from pathlib import Path
from typing import Iterable

import srsly

from ..config import config_to_str
from ..errors import Errors
from ..util import recover_folder, replace_folder


class LanguageSerialization:
    """``Language``'s saving and loading methods (see the module docstring)."""

    def to_disk(self, path, *, exclude: Iterable[str] = ()):
        """Save the pipeline in the folder ``path``: config.cfg, meta.json, vocab/, tokenizer/
        and a folder per component. It is written beside ``path`` and renamed into place
        (``util.replace_folder``), so a save that is killed halfway leaves the pipeline that
        was there whole. A folder that holds more than a pipeline's parts (the user's other
        files) cannot be swapped without them: the pipeline is written into it in place."""
        path = Path(path)
        if _holds_only_a_pipeline(path, self.component_names):
            replace_folder(path, lambda folder: self._write_parts(folder, exclude))
        else:
            self._write_parts(path, exclude)

    def _write_parts(self, path: Path, exclude: Iterable[str]) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.cfg").write_text(config_to_str(self.config), encoding="utf8")
        srsly.write_json(path / "meta.json", dict(self.meta, pipeline=self.component_names))
        self.vocab.to_disk(path / "vocab")
        self.tokenizer.to_disk(path / "tokenizer")
        for name, proc in self._components:
            if name not in exclude and hasattr(proc, "to_disk"):
                proc.to_disk(path / name)

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> "LanguageSerialization":
        path = recover_folder(path)
        self.vocab.from_disk(path / "vocab")
        self.tokenizer.from_disk(path / "tokenizer")
        for name, proc in self._components:
            if name not in exclude and hasattr(proc, "from_disk") and (path / name).exists():
                proc.from_disk(path / name)
        self._link_listeners()
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The pipeline as bytes: its config, the vocab's strings and lexemes, the tokenizer,
        and each component's labels, settings and weights (components in ``exclude`` left
        out). ``from_bytes`` on an nlp object built from the same config reads them back."""
        exclude = set(exclude)
        components = {name: proc.to_bytes() for name, proc in self._components
                      if name not in exclude and hasattr(proc, "to_bytes")}
        return srsly.msgpack_dumps({"config": config_to_str(self.config),
                                    "vocab": self.vocab.to_bytes(),
                                    "tokenizer": self.tokenizer.to_bytes(),
                                    "components": components})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "LanguageSerialization":
        """Read what ``to_bytes`` wrote into this pipeline (built from the same config)."""
        try:
            msg = srsly.msgpack_loads(data)
            parts = (msg["vocab"], msg["tokenizer"], dict(msg["components"]))
        except Exception as err:  # not msgpack, or msgpack of something else
            raise ValueError(Errors.E579.format(err=f"{type(err).__name__}: {err}")) from None
        vocab_bytes, tokenizer_bytes, components = parts
        unknown = [name for name in components if name not in self.component_names]
        if unknown:
            raise ValueError(Errors.E580.format(saved=list(components), names=self.component_names))
        self.vocab.from_bytes(vocab_bytes)
        self.tokenizer.from_bytes(tokenizer_bytes)
        for name, proc in self._components:
            if name in components and name not in exclude and hasattr(proc, "from_bytes"):
                proc.from_bytes(components[name])
        self._link_listeners()
        return self


def _holds_only_a_pipeline(path: Path, names: Iterable[str]) -> bool:
    """Whether ``path`` is missing or holds nothing but the parts of a saved pipeline (of the
    components ``names`` or of the pipeline its meta.json lists), so that it can be replaced
    whole."""
    if not path.exists():
        return True
    if not path.is_dir():
        return False
    try:
        saved = srsly.read_json(path / "meta.json").get("pipeline", [])
    except Exception:  # no meta.json, or not one fastpipe wrote
        saved = []
    parts = {"config.cfg", "meta.json", "vocab", "tokenizer", *names,
             *(name for name in saved if isinstance(name, str))}
    return all(entry.name in parts for entry in path.iterdir())
