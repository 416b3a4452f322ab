"""Text classification data (TSV or JSONL) to Docs with ``doc.cats``.

- TSV: a header line naming the columns, then one example per line, tab-separated. The label
  column is the one named ``label``, ``labels``, ``category``, ``class`` or ``target``; the
  text column the one named ``text``, ``sentence``, ``content``, ``review`` or ``document``
  (names compared case-insensitively; other columns are ignored). SST-2's ``label<TAB>sentence``
  and ``label<TAB>content`` both work.
- JSONL (chosen when the first line with content starts with ``{``): one object per line with
  ``"text"`` and either ``"label"`` (a string or number) or ``"cats"`` (``{label: score}``).

Each text is tokenized with the language's tokenizer. The labels are all those seen in the file,
in order of first appearance. An example with a ``label`` gets one-hot ``cats`` over all of them
(1.0 for its label, 0.0 for the rest: the classes are taken as exclusive); an example with
``cats`` keeps its scores and gets 0.0 for the labels it does not name. Labels are strings
(``1`` becomes ``"1"``). Every example is read before the first Doc is made, since the label set
is only known at the end of the file. Malformed input raises ConversionError with ``file:line``:
a header naming two label (or text) columns, a JSON object repeating a key or giving both
``label`` and ``cats``, and a file without a single example are refused too.
"""
import json
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ...errors import Errors
from ._util import ConversionError, where

LABEL_COLUMNS = ("label", "labels", "category", "class", "target")
TEXT_COLUMNS = ("text", "sentence", "content", "review", "document")

# An example: (text, its label or its cats dict)
_Record = Tuple[str, Union[str, Dict[str, float]]]


def textcat_to_docs(lines: Iterable[str], nlp, *, source: str = "<textcat>",
                    n_sents: Optional[int] = None) -> Iterator:
    """Yield one Doc per example of a TSV or JSONL file (``n_sents`` is accepted and unused).

    ``nlp`` must be a Language: its tokenizer splits the texts.
    """
    records = _read_records(lines, source)
    labels: Dict[str, None] = {}  # an ordered set
    for _, value in records:
        if isinstance(value, str):
            labels.setdefault(value)
        else:
            for label in value:
                labels.setdefault(label)
    tokenizer = nlp.tokenizer
    for text, value in records:
        doc = tokenizer(text)
        if isinstance(value, str):
            doc.cats = {label: 1.0 if label == value else 0.0 for label in labels}
        else:
            doc.cats = {label: value.get(label, 0.0) for label in labels}
        yield doc


def _read_records(lines: Iterable[str], source: str) -> List[_Record]:
    it = iter(enumerate(lines, 1))
    lineno = 0
    for lineno, line in it:
        if line.strip():
            records = (_read_jsonl if line.lstrip().startswith("{") else _read_tsv)(
                lineno, line, it, source)
            if records:
                return records
            break
    lineno = max(lineno, 1)
    raise ConversionError(source, lineno, Errors.E621.format(where=where(source, lineno)))


def _read_tsv(header_lineno: int, header: str, it, source: str) -> List[_Record]:
    names = [name.strip().lower() for name in header.split("\t")]
    for kind, known in (("label", LABEL_COLUMNS), ("text", TEXT_COLUMNS)):
        found = [name for name in names if name in known]
        if len(found) > 1:
            raise ConversionError(source, header_lineno, Errors.E629.format(
                where=where(source, header_lineno), header=header.strip(), kind=kind,
                names=", ".join(found)))
    label_col = next((names.index(n) for n in LABEL_COLUMNS if n in names), None)
    text_col = next((names.index(n) for n in TEXT_COLUMNS if n in names), None)
    if label_col is None or text_col is None:
        raise ConversionError(source, header_lineno, Errors.E327.format(
            where=where(source, header_lineno), header=header.strip(),
            labels=", ".join(LABEL_COLUMNS), texts=", ".join(TEXT_COLUMNS)))
    records = []
    for lineno, line in it:
        if not line.strip():
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) != len(names):
            raise ConversionError(source, lineno, Errors.E328.format(
                where=where(source, lineno), expected=len(names), n=len(cols)))
        label = cols[label_col].strip()
        if not label:
            raise ConversionError(source, lineno, Errors.E329.format(where=where(source, lineno)))
        records.append((cols[text_col], label))
    return records


def _read_jsonl(lineno: int, line: str, it, source: str) -> List[_Record]:
    records = [_parse_json_record(line, source, lineno)]
    for lineno, line in it:
        if line.strip():
            records.append(_parse_json_record(line, source, lineno))
    return records


def _parse_json_record(line: str, source: str, lineno: int) -> _Record:
    try:
        obj = json.loads(line, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise ConversionError(source, lineno,
                              Errors.E330.format(where=where(source, lineno), err=err)) from None
    except _RepeatedKey as err:
        raise ConversionError(source, lineno, Errors.E630.format(
            where=where(source, lineno), key=err.args[0])) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ConversionError(source, lineno, Errors.E331.format(where=where(source, lineno)))
    if "cats" in obj and "label" in obj:
        raise ConversionError(source, lineno, Errors.E631.format(where=where(source, lineno)))
    if "cats" in obj:
        cats = obj["cats"]
        if not isinstance(cats, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in cats.values()):
            raise ConversionError(source, lineno, Errors.E332.format(where=where(source, lineno)))
        return obj["text"], {str(k): float(v) for k, v in cats.items()}
    label = obj.get("label")
    if isinstance(label, bool) or not isinstance(label, (str, int)) or label == "":
        raise ConversionError(source, lineno, Errors.E333.format(where=where(source, lineno)))
    return obj["text"], str(label)


class _RepeatedKey(Exception):
    """A JSON object names a key twice (json.loads would keep the last silently)."""


def _unique_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _RepeatedKey(key)
        obj[key] = value
    return obj
