"""Write a plan as TOML text: the inverse of ``tomllib.loads`` for the shapes a plan uses.

A plan is a dict of tables (``session``, ``target``, ``sweep``), an array of tables (``meters``)
and, inside tables, sub-tables (``target.precisions.<label>``). Values are strings, whole numbers,
numbers, true/false, dates and flat lists of those. The text is what :func:`kperf_gui.session.plan.parse`
reads and ``kperf run`` takes.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Mapping

from . import plan_schema as schema

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _string(k)  # "$" would let "k\n" through


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _float(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = repr(x)
    return text if any(c in text for c in ".en") else text + ".0"


def value(v: Any) -> str:
    """One TOML value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"a plan cannot hold {type(v).__name__} values ({v!r})")


def _is_table(v: Any) -> bool:
    return isinstance(v, Mapping)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and bool(v) and all(_is_table(x) for x in v)


def _order(path: str) -> tuple[str, ...]:
    """The keys of the table at ``path`` in the schema's order."""
    parts = path.split(".")
    if len(parts) == 3 and parts[:2] == ["target", "precisions"]:
        return schema.names_of("target.precisions.<label>")
    return schema.names_of(path)


def _ordered(table: Mapping[str, Any], path: str) -> list[tuple[str, Any]]:
    """The table's items, the plan's own keys in the schema's order, others as given."""
    known = _order(path)
    first = [(k, table[k]) for k in known if k in table]
    return first + [(k, v) for k, v in table.items() if k not in known]


def _body(table: Mapping[str, Any], path: str, lines: list[str]) -> None:
    """Plain keys first, then sub-tables and arrays of tables, each with its full header."""
    items = _ordered(table, path)
    for k, v in items:
        if v is None or _is_table(v) or _is_table_array(v):
            continue
        lines.append(f"{_key(k)} = {value(v)}")
    for k, v in items:
        sub = f"{path}.{_key(k)}"
        if _is_table(v):
            _section(v, sub, lines, array=False)
        elif _is_table_array(v):
            for item in v:
                _section(item, sub, lines, array=True)


def _section(table: Mapping[str, Any], path: str, lines: list[str], array: bool) -> None:
    plain = any(not (v is None or _is_table(v) or _is_table_array(v)) for v in table.values())
    if array or plain or not table:
        if lines:
            lines.append("")
        lines.append(f"[[{path}]]" if array else f"[{path}]")
    _body(table, path, lines)


def dump_plan(d: Mapping[str, Any]) -> str:
    """The plan ``d`` (shaped as ``tomllib`` reads a plan) as TOML text. ``None`` values are left
    out; dates are written as TOML dates. Sections and keys come in the schema's order."""
    lines: list[str] = []
    keys = [k for k in schema.SECTIONS if k in d] + [k for k in d if k not in schema.SECTIONS]
    for k in keys:
        v = d[k]
        if _is_table(v):
            _section(v, _key(k), lines, array=False)
        elif _is_table_array(v):
            for item in v:
                _section(item, _key(k), lines, array=True)
        elif v is not None and not (isinstance(v, (list, tuple)) and not v):
            raise TypeError(f"{k}: a plan's top level holds only tables")
    return "\n".join(lines) + "\n"
