"""fastpipe's messages, each with a code that tests and users can grep for.

Every message a user can see is raised as ``SomeError(Errors.E0xx.format(...))`` (or warned with
``Warnings.W0xx``); reading the attribute renders it as ``"[E0xx] ..."``. A message names what
was wrong (the value, file and line, setting, component or example) and says what to do. Where a
message points at a place (a file and line, a config setting, a pattern), the place comes first,
right after the code: ``[E314] train.conllu:12: expected 10 tab-separated columns ...``.

The codes live beside the rooms that raise them, one module each (``core``, ``gold``, ``ml``,
``pipeline``, ``language``, ``training``), grouped by comments that give their ranges;
``Errors`` is composed of them (raise through ``Errors``, whose attribute reads as
``"[Exxx] ..."``; a room class's own attribute is the bare text), and a code is defined in one
room only (a test says so). A code that is retired is not reused. Only checks that no call
through the public API can trigger (a kernel's shapes on arrays fastpipe built itself) raise
plain inline messages.
"""

from .core import CoreErrors
from .gold import GoldErrors
from .language import LanguageErrors
from .ml import MLErrors
from .pipeline import PipelineErrors
from .training import TrainingErrors


class ErrorsWithCodes(type):
    def __getattribute__(self, code):
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(CoreErrors, GoldErrors, MLErrors, PipelineErrors, LanguageErrors, TrainingErrors,
             metaclass=ErrorsWithCodes):
    """Every error message, each room's codes in one class: ``Errors.E001`` is ``"[E001] ..."``."""


class Warnings(metaclass=ErrorsWithCodes):
    # gold
    W001 = ("Example {id!r}: {n} entity span(s) do not fall on token boundaries and are treated "
            "as missing: {spans}. Fix their character offsets to start and end on token "
            "boundaries.")
    # ml
    W002 = ("threadpoolctl is not installed, so the BLAS keeps its threads (slow on a busy "
            "machine): pip install threadpoolctl")
    # spaCy's config sections and loggers (W010-W019)
    W010 = ("The training log {path} already exists: it is kept as it is and this run writes no "
            "log lines to it; give another output_file or remove the file.")
    # language data (W030-W039)
    W030 = ("Language code {lang!r} has no data of its own in fastpipe: its tokenizer and lexical "
            "attributes use the generic rules of 'xx' (fastpipe.lang.xx); use 'xx' to say so, "
            "or add a fastpipe/lang/{lang}/ package.")
    # spaCy DocBin files (W500-W509)
    W500 = ("DocBin: {where} holds {what}, which fastpipe Docs do not store; they are left out "
            "of the Docs read from it.")


class FastpipeWarning(UserWarning):
    """The category of fastpipe's warnings: ``warnings.filterwarnings("ignore",
    category=FastpipeWarning)`` silences them."""


class ConfigError(ValueError):
    """A config, its overrides or the code it relies on is invalid.

    ``errors`` lists every problem found, each a dict with ``loc`` (the path of the setting:
    ``["training", "optimizer", "learn_rate"]``), ``value`` (the value given, or absent when the
    setting is missing) and ``msg`` (what was wrong or what was expected). ``str(err)`` is the
    title followed by one line per problem: ``[section] key = value: msg``.
    """

    def __init__(self, title: str, errors=(), *, where: str = ""):
        self.title = title
        self.errors = [dict(e) for e in errors]
        self.where = where
        ValueError.__init__(self, self._format())

    def _format(self) -> str:
        where = f" (in {self.where})" if self.where else ""
        if self.title.endswith(":"):
            lines = [self.title[:-1] + where + ":"]
        else:
            lines = [self.title + where]
        for error in self.errors:
            lines.append("  " + format_config_location(error))
        return "\n".join(lines)


def format_config_location(error: dict) -> str:
    """One problem as ``[section] key = value: msg`` (``value`` only when one was given)."""
    import json

    loc = [str(part) for part in error.get("loc", ())]
    if len(loc) >= 2:
        text = f"[{'.'.join(loc[:-1])}] {loc[-1]}"
    elif loc:
        text = f"[{loc[0]}]"
    else:
        text = "(config)"
    if "value" in error:
        try:
            value = json.dumps(error["value"])
        except (TypeError, ValueError):
            value = repr(error["value"])
        if len(value) > 80:
            value = value[:77] + "..."
        text += f" = {value}"
    return f"{text}: {error.get('msg', 'invalid')}"
