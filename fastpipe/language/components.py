"""Custom components: a user's factory or plain function (any callable Doc -> Doc) beside
fastpipe's pipes, as ``Language.factory`` and ``Language.component`` register them."""
import functools
import inspect
import types
from typing import Iterable, Iterator

from ..errors import Errors
from ..pipeline.base import Pipe
from ..tokens.doc import Doc


def _check_component_name(name, kind: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(Errors.E570.format(kind=kind, name=name))


def _check_callable(func, name: str, kind: str) -> None:
    if not callable(func):
        what = " (nlp, name, **settings) -> component" if kind == "factory" else " doc -> doc"
        raise TypeError(Errors.E571.format(kind=kind, name=name, type=type(func).__name__, what=what))


def _name_component(proc, name: str, factory_name: str) -> None:
    """Tell a pipe object its name and factory. Any other callable (a user's function) is
    left as it is: one function may be added under several names."""
    if isinstance(proc, Pipe):
        proc.name = name
        proc.factory_name = factory_name
    elif not isinstance(proc, (types.FunctionType, types.MethodType, types.BuiltinFunctionType,
                               functools.partial)) and hasattr(proc, "name"):
        try:
            proc.name = name
        except AttributeError:  # a read-only name is the object's own business
            pass


def _checked_doc(doc, name: str):
    if not isinstance(doc, Doc):
        raise ValueError(Errors.E573.format(name=name, type=type(doc).__name__))
    return doc


def _call_each(proc, name: str, docs: Iterable, kwargs: dict) -> Iterator:
    """A component without a ``pipe`` method, called on one Doc after another."""
    for doc in docs:
        yield _checked_doc(proc(doc, **kwargs), name)


def _takes_keyword(func, keyword: str) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return keyword in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
