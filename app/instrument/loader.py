"""Read an instrument (or a norm table) from YAML and report every problem as `PATH:LINE: msg`.

The YAML is read by ruamel's C loader; pydantic checks the structure, `checks.py` the
cross-references, and both report locations as paths into the document, which are mapped back
to lines on the nodes ruamel's C composer gives (same library, same YAML 1.2 rules, duplicate
keys refused alike). A file the C loader cannot read as plain data (broken YAML, self-containing
aliases) is read again by the round-trip loader, which keeps the line of every key and list
entry and says why; it is pure Python and slow (0.8 s for a 120-item instrument).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.errors import UserError
from app.instrument.checks import Loc, check_instrument, check_norms_for
from app.instrument.model import Instrument, NormTable

M = TypeVar("M", bound=BaseModel)
# Far deeper than any instrument (about 8 levels); deeper is a broken or hostile file, which
# would otherwise end in a RecursionError rather than a line to fix.
MAX_DEPTH = 50
MERGE_TAG = "tag:yaml.org,2002:merge"


class InstrumentError(UserError):
    """An instrument or norm file that cannot be used; `.problems` are `PATH:LINE: msg` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def load_instrument(path: str | Path) -> Instrument:
    """Load, validate and check an instrument file; its checksum is that of the file bytes."""
    data = _read(path)
    return _parse_instrument_bytes(data, str(path))


def parse_instrument(text: str, source_name: str) -> Instrument:
    """Like `load_instrument`, for text already in memory; `source_name` stands for PATH."""
    return _parse_instrument_bytes(text.encode("utf-8"), source_name)


def load_norms(path: str | Path, *, instrument: Instrument | None = None) -> NormTable:
    """Load a norm table file: the instrument's `norms:` block on its own (or under `norms:`).

    With `instrument`, also check that the table covers exactly its competencies and stages.
    """
    name = str(path)
    doc = _yaml(_read(path), name)
    # A copy of an instrument's block, `norms:` key and all, is accepted as well.
    # Lines are kept by every node, so locating within the block gives file lines.
    if isinstance(doc, CommentedMap) and list(doc) == ["norms"]:
        doc = doc["norms"]
    norms = _validate(NormTable, doc, name)
    if instrument is not None:
        problems = check_norms_for(instrument.competencies, norms, instrument.items)
        if problems:
            root = _root(doc, name)
            raise InstrumentError([_line(name, root, loc, msg) for loc, msg in problems])
    return norms


def _parse_instrument_bytes(data: bytes, name: str) -> Instrument:
    instrument = _fast(data, name)
    if instrument is None:
        # The C loader could not read it: the round trip says where and why.
        doc = _yaml(data, name)
        instrument = _validate(Instrument, doc, name)
        problems = check_instrument(instrument)
        if problems:
            root = _root(doc, name)
            raise InstrumentError([_line(name, root, loc, msg) for loc, msg in problems])
    instrument._checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    return instrument


def _fast(data: bytes, name: str) -> Instrument | None:
    """The instrument, read by the C loader; its problems (fields, cross-references) located
    on the nodes the C composer gives, 30 ms for a file the round trip takes 0.3 s over. None
    when the C loader cannot read the file as plain data (not YAML, not UTF-8, aliases that
    contain themselves, keys that are lists): the slow path reports those."""
    try:
        text = data.decode("utf-8")
        doc = YAML(typ="safe", pure=False).load(text)
        if not isinstance(doc, dict):
            return None
        plain = _plain(doc)
        instrument = Instrument.model_validate(plain)
    except ValidationError as exc:
        root = YAML(typ="safe", pure=False).compose(text)
        lines = [
            _line(name, root, tuple(err["loc"]), _message(err))
            for err in exc.errors(include_url=False)
        ]
        raise InstrumentError(list(dict.fromkeys(lines))) from None
    except (UnicodeDecodeError, YAMLError, ValueError, TypeError, RecursionError, _Unusable):
        return None
    problems = check_instrument(instrument)
    if problems:
        root = YAML(typ="safe", pure=False).compose(text)
        raise InstrumentError([_line(name, root, loc, msg) for loc, msg in problems])
    return instrument


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InstrumentError([f"{path}: file not found"]) from None
    except IsADirectoryError:
        raise InstrumentError([f"{path}: is a directory, not a file"]) from None
    except OSError as exc:
        raise InstrumentError([f"{path}: cannot read: {exc.strerror}"]) from None


def _yaml(data: bytes, name: str) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InstrumentError([f"{name}:{line}: not UTF-8 text"]) from None
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        # An error at the end of the stream is marked on the line after the last one.
        line = max(1, min(line, len(text.splitlines())))
        what = exc.problem or exc.context or "syntax error"
        raise InstrumentError([f"{name}:{line}: not valid YAML: {what}"]) from None
    except YAMLError as exc:
        # e.g. a ReaderError (a NUL or other forbidden character): it knows the position,
        # and its message goes on for a second line that would break the PATH:LINE format.
        position = getattr(exc, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else 1
        what = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise InstrumentError([f"{name}:{line}: not valid YAML: {what}"]) from None
    except RecursionError:
        raise InstrumentError([f"{name}:1: nested too deeply (over {MAX_DEPTH} levels)"]) from None


def _root(doc: Any, name: str) -> CommentedMap:
    if not isinstance(doc, CommentedMap):
        kind = "an empty document" if doc is None else _KINDS.get(type(doc), "a single value")
        raise InstrumentError(
            [f"{name}:1: expected a YAML mapping (key: value lines), found {kind}"]
        )
    return doc


_KINDS: dict[type, str] = {CommentedSeq: "a list", str: "a line of text"}


def _validate(model: type[M], doc: Any, name: str) -> M:
    root = _root(doc, name)
    try:
        return model.model_validate(_plain(root))
    except _Unusable as exc:
        raise InstrumentError([f"{name}:{_start_line(exc.node)}: {exc}"]) from None
    except ValidationError as exc:
        lines = [
            _line(name, root, tuple(err["loc"]), _message(err))
            for err in exc.errors(include_url=False)
        ]
        raise InstrumentError(list(dict.fromkeys(lines))) from None


def _message(err: Any) -> str:
    msg = str(err["msg"])
    value = err.get("input")
    if err["type"] == "string_type" and isinstance(value, int | float) and value is not True:
        # `version: 1.0` reads as a number; the author almost always meant a string.
        msg += f' (write it in quotes: "{value}")'
    return msg


class _Unusable(Exception):
    """A document no instrument can be read from, whatever its fields: `node` is where."""

    def __init__(self, node: Any, message: str) -> None:
        super().__init__(message)
        self.node = node


def _plain(node: Any, parents: list[int] | None = None) -> Any:
    """ruamel's round-trip types as plain Python, so pydantic sees ordinary dicts and lists."""
    if isinstance(node, Mapping | list):
        parents = [] if parents is None else parents
        if id(node) in parents:
            raise _Unusable(node, "an alias (*name) refers to a node that contains it")
        if len(parents) >= MAX_DEPTH:
            raise _Unusable(node, f"nested too deeply (over {MAX_DEPTH} levels)")
        parents.append(id(node))
        try:
            if isinstance(node, list):
                return [_plain(v, parents) for v in node]
            plain = {}
            for k, v in node.items():
                key = _plain(k, parents)
                if isinstance(key, dict | list):
                    raise _Unusable(node, "a key must be plain text, not a list or a mapping")
                plain[key] = _plain(v, parents)
            return plain
        finally:
            parents.pop()
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.date):
        # An unquoted `date: 2026-01-01` is a YAML date; the format keeps dates as text.
        return node.isoformat()
    return node


def _line(name: str, root: Any, loc: Loc, msg: str) -> str:
    line, shown = _locate(root, loc)
    where = _dotted(shown)
    return f"{name}:{line}: {where}: {msg}" if where else f"{name}:{line}: {msg}"


def _locate(root: Any, loc: Loc) -> tuple[int, list[str | int]]:
    """The 1-based line of `loc` in the document (a round-trip mapping or a composed node),
    and the parts of `loc` that are real keys.

    pydantic adds parts that are not in the document (the tag of a discriminated union,
    `[key]` for a bad dict key); those are skipped. A part that is missing (a required field)
    is reported on its parent's line.
    """
    node: Any = root
    line = _start_line(root)
    shown: list[str | int] = []
    for k, part in enumerate(loc):
        found = _child(node, part)
        if found is not None:
            line, node = found
            shown.append(part)
        elif k == len(loc) - 1 and part != "[key]":
            shown.append(part)  # a missing field: named, on its parent's line
        # else: a union tag or `[key]`; the line found so far is the right one
    return line, shown


def _child(node: Any, part: str | int) -> tuple[int, Any] | None:
    """The line of `part` in `node` and what it holds; None when it is not there."""
    if isinstance(node, CommentedMap) and part in node:
        return node.lc.key(part)[0] + 1, node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node.lc.item(part)[0] + 1, node[part]
    if isinstance(node, MappingNode):
        for key, value in _pairs(node):
            if isinstance(key, ScalarNode) and key.value == str(part):
                return key.start_mark.line + 1, value
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def _pairs(node: MappingNode) -> list[tuple[Any, Any]]:
    """A composed mapping's keys and values; those merged in (`<<: *anchor`) after its own,
    which win over them."""
    own = [(key, value) for key, value in node.value if key.tag != MERGE_TAG]
    merged = []
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            for source in value.value if isinstance(value, SequenceNode) else [value]:
                if isinstance(source, MappingNode):
                    merged += _pairs(source)
    return own + merged


def _start_line(node: Any) -> int:
    if isinstance(node, Node):
        return int(node.start_mark.line) + 1
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 1


def _dotted(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
