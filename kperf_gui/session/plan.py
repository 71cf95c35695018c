"""The test plan: TOML with exactly the keys of CONTRACT.md, validated into typed objects.

Every mistake raises :class:`PlanError` naming the key's path and what is allowed; the command
line prints it as one line and exits 2.
"""
from __future__ import annotations

import datetime as _dt
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from drivers.meters import registry
from drivers.meters.base import Meter

from . import plan_schema as schema
from .plan_schema import Key

TARGET_KINDS = schema.TARGET_KINDS
NAME_RE = schema.NAME_RE
from drivers.redact import redact_text


class PlanError(ValueError):
    """A plan mistake: ``key`` is the path (``sweep.concurrency``), ``message`` what is allowed."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True)
class SessionInfo:
    """``[session]``; defaults and meanings are in :mod:`.plan_schema`."""

    name: str
    operator: str
    witness: str
    notes: str
    ambient_c: float | None
    allow_expired_calibration: bool
    lab: str
    location: str
    language: str  # the language of report.pdf


@dataclass(frozen=True)
class PrecisionRoute:
    base_url: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class TargetSpec:
    """``[target]``."""

    kind: str
    timeout_s: float
    base_url: str
    model: str
    api: Literal["completions", "chat"]
    api_key_env: str
    tokenizer: str
    precisions: dict[str, PrecisionRoute]
    model_path: str
    devices: tuple[int, ...]
    command: tuple[str, ...]
    parser: str
    settle_s: float
    regex: dict[str, str]
    cwd: str


@dataclass(frozen=True)
class MeterSpec:
    """One ``[[meters]]`` table."""

    driver: str
    resource: str
    elements: tuple[int, ...]
    rate_hz: float
    role: str
    calibration_due: _dt.date | None
    on_loss: str
    voltage_range: float | None  # None: auto
    current_range: float | None  # None: auto
    ranging: str  # "auto", or "pass": a ranging pass, then fixed ranges
    options: dict[str, Any]  # driver options
    max_uncertainty_pct: float
    frequency_hz: float | None = None  # the input's frequency (0: DC) where the meter measures none


@dataclass(frozen=True)
class SweepSpec:
    """``[sweep]``."""

    concurrency: tuple[int, ...]
    input_tokens: tuple[int, ...]
    output_tokens: tuple[int, ...]
    rate: float | None
    precision: tuple[str, ...]
    requests_per_point: int | None
    seconds_per_point: float | None
    warmup_requests: int | None
    idle_baseline_s: float
    seed: int
    workers: int | None  # None: as many as the load needs
    max_client_lag_ms: float = 20.0


@dataclass(frozen=True)
class Plan:
    session: SessionInfo
    target: TargetSpec
    meters: tuple[MeterSpec, ...]
    sweep: SweepSpec
    source: str = ""  # the TOML text as given

    @property
    def uses_tokens(self) -> bool:
        return self.target.kind in schema.TOKEN_KINDS

    def route(self, precision: str) -> PrecisionRoute | None:
        """Where ``precision`` is served, if the plan routes it elsewhere."""
        return self.target.precisions.get(precision)

    def recorded_only(self) -> list[str]:
        """Keys the plan sets that are recorded but do not act yet, as ``key = value`` texts."""
        return []


@dataclass(frozen=True)
class SweepPoint:
    """One point of the sweep (1-based ``index``)."""

    index: int
    precision: str
    input_tokens: int | None
    output_tokens: int | None
    concurrency: int


def point_count(sweep: SweepSpec) -> int:
    """How many points the sweep has."""
    return (len(sweep.precision) * max(1, len(sweep.input_tokens))
            * max(1, len(sweep.output_tokens)) * len(sweep.concurrency))


def points(plan: Plan) -> list[SweepPoint]:
    """The sweep's points in run order: precision, then input, output, concurrency."""
    s = plan.sweep
    ins: tuple[int | None, ...] = s.input_tokens or (None,)
    outs: tuple[int | None, ...] = s.output_tokens or (None,)
    out: list[SweepPoint] = []
    for prec in s.precision:
        for i in ins:
            for o in outs:
                for c in s.concurrency:
                    out.append(SweepPoint(len(out) + 1, prec, i, o, c))
    return out


# --- driver facts ---------------------------------------------------------------------------


def driver_class(name: str) -> type[Meter]:
    """The driver class of ``name``, for its facts (role, resource, power); the base class's
    facts where the name is not registered or its driver cannot be loaded (the run says why)."""
    try:
        return registry.get(name)
    except Exception:  # noqa: BLE001 - a missing or broken driver is reported when opened
        return Meter


# --- reading values by the schema -----------------------------------------------------------


def _kind(v: Any) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


def _plain(doc: str) -> str:
    return doc.replace("`", "")


def _table(raw: Any, key: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PlanError(key, "must be a table")
    return raw


def _no_unknown(raw: dict[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    for k in raw:
        if k not in allowed:
            where = f"{key}.{k}" if key else k
            raise PlanError(where, f"unknown key; allowed here: {', '.join(allowed)}")


def _number(k: Key, v: Any, where: str, whole: bool) -> float | int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (whole and not isinstance(v, int)):
        noun = "a whole number" if whole else "a number"
        raise PlanError(where, f"must be {noun} ({k.bounds_text()}), not {_kind(v)}")
    why = k.check_number(v)
    if why is not None:
        raise PlanError(where, f"{why} (got {v!r}; {k.bounds_text()})")
    return v if whole else float(v)


def _wholes(k: Key, v: Any, where: str) -> tuple[int, ...]:
    if isinstance(v, int) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list):
        raise PlanError(where, f"must be a {k.bounds_text()}, not {_kind(v)}")
    if not v:
        raise PlanError(where, f"must not be empty (a {k.bounds_text()})")
    if len(v) > k.most:
        raise PlanError(where, f"holds {len(v):,} values; at most {k.most:,}")
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int):
            raise PlanError(where, f"must hold whole numbers only, not {_kind(x)} {x!r}")
        why = k.check_number(x)
        if why is not None:
            raise PlanError(where, f"values {why} (got {x!r})")
    if len(set(v)) != len(v):
        raise PlanError(where, "must not repeat a value")
    return tuple(v)


def _labels(k: Key, v: Any, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        raise PlanError(where, "must be a non-empty list of labels such as [\"bf16\", \"fp8\"]")
    if len(v) > k.most:
        raise PlanError(where, f"holds {len(v):,} labels; at most {k.most:,}")
    if len(set(v)) != len(v):
        raise PlanError(where, "must not repeat a label")
    return tuple(v)


def _command(v: Any, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        try:
            parts = tuple(shlex.split(v))
        except ValueError as exc:
            raise PlanError(where, f"cannot be split into arguments ({exc})") from None
        if parts:
            return parts
    elif isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return tuple(v)
    raise PlanError(where, "must be a string or a non-empty list of strings")


def value(k: Key, v: Any, where: str) -> Any:
    """``v`` read as key ``k`` demands; :class:`PlanError` naming ``where`` otherwise."""
    t = k.type
    if t == "text":
        if not isinstance(v, str):
            raise PlanError(where, f"must be a string, not {_kind(v)}")
        return v
    if t == "flag":
        if not isinstance(v, bool):
            raise PlanError(where, "must be true or false")
        return v
    if t in ("whole", "number"):
        return _number(k, v, where, t == "whole")
    if t == "date":
        d = schema.check_date(v)
        if d is None:
            raise PlanError(where, "must be a date like 2027-03-31")
        return d
    if t == "choice":
        if not isinstance(v, str) or v not in k.choices:
            got = f" (got {v!r})" if isinstance(v, str) else f", not {_kind(v)}"
            raise PlanError(where, f"must be one of {', '.join(k.choices)}{got}")
        return v
    if t == "wholes":
        return _wholes(k, v, where)
    if t == "labels":
        return _labels(k, v, where)
    if t == "command":
        return _command(v, where)
    if t == "table":
        return dict(_table(v, where))
    raise AssertionError(f"plan key type {t!r}")  # pragma: no cover - the schema's own types


def _read(raw: Any, section: str, where: str, kind: str | None) -> dict[str, Any]:
    """Every key of ``section`` from table ``raw``: checked, or its default when absent.
    ``kind``: the target kind, for keys required only for some kinds."""
    t = _table(raw, where)
    _no_unknown(t, where, schema.names_of(section))
    out: dict[str, Any] = {}
    for k in schema.keys_of(section):
        required = k.required == schema.ALL or (kind is not None and kind in k.required)
        what = "" if k.required == schema.ALL else f" for kind '{kind}'"
        if k.name in t:
            out[k.name] = value(k, t[k.name], f"{where}.{k.name}")
            if required and out[k.name] == "":
                raise PlanError(f"{where}.{k.name}", f"must not be empty{what} "
                                f"({_plain(k.doc)})")
        elif required:
            raise PlanError(f"{where}.{k.name}", f"is required{what} ({_plain(k.doc)}; "
                            f"{k.bounds_text()})")
        else:
            out[k.name] = k.default
    return out


def _relative(path: str, base_dir: Path) -> str:
    p = Path(path).expanduser()
    return str(p if p.is_absolute() else base_dir / p)


# --- sections ------------------------------------------------------------------------------


def _session(raw: Any) -> SessionInfo:
    v = _read(raw, "session", "session", None)
    if not NAME_RE.match(v["name"]):
        raise PlanError("session.name", "must be 1-64 characters of A-Z a-z 0-9 . _ - "
                        f"(got {v['name']!r})")
    if v["name"] in (".", ".."):
        raise PlanError("session.name", "must not be '.' or '..'")
    return SessionInfo(**v)


def _precisions(raw: Any) -> dict[str, PrecisionRoute]:
    out: dict[str, PrecisionRoute] = {}
    for label, route in _table(raw, "target.precisions").items():
        where = f"target.precisions.{label}"
        v = _read(route, "target.precisions.<label>", where, None)
        out[label] = PrecisionRoute(**v)
    return out


def _target(raw: Any, base_dir: Path) -> TargetSpec:
    t = _table(raw, "target")
    kind = value(schema.key("target.kind"), t.get("kind"), "target.kind") if "kind" in t else None
    v = _read(t, "target", "target", kind)
    kind = v["kind"]
    base_url, env, tok = v["base_url"] or "", v["api_key_env"], v["tokenizer"]
    if base_url and not re.match(r"^https?://[^\s/]+", base_url):
        raise PlanError("target.base_url", f"must be an http:// or https:// URL (got {base_url!r})")
    if env and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", env):
        raise PlanError("target.api_key_env", "must be the NAME of an environment variable, "
                        "not the key itself")
    if tok:
        tok = _relative(tok, base_dir)
        if not Path(tok).is_file():
            raise PlanError("target.tokenizer", f"file not found: {tok} (give a local "
                            "tokenizer.json, or leave the key out to calibrate against the server)")
    regex = v["regex"] or {}
    for k, pattern in regex.items():
        if not isinstance(pattern, str):
            raise PlanError(f"target.regex.{k}", "must be a string (a regular expression)")
    if kind == "command" and v["parser"] == "regex":
        from drivers.targets.parsers import compile_regex_fields

        if not regex:
            raise PlanError("target.regex", "is required with parser = 'regex': a table of "
                            "field = \"regular expression with one (group)\"")
        try:
            compile_regex_fields(regex)
        except ValueError as exc:
            raise PlanError("target.regex", str(exc)) from None
    return TargetSpec(
        kind=kind, timeout_s=v["timeout_s"], base_url=base_url.rstrip("/"),
        model=v["model"] or "", api=v["api"], api_key_env=env, tokenizer=tok,
        precisions=_precisions(t.get("precisions", {})),
        model_path=_relative(v["model_path"], base_dir) if v["model_path"] else "",
        devices=v["devices"], command=v["command"] or (), parser=v["parser"] or "",
        settle_s=v["settle_s"], regex=regex,
        cwd=str(base_dir / v["cwd"]) if v["cwd"] else "",
    )


def _meter(raw: Any, i: int, known_drivers: list[str] | None) -> MeterSpec:
    path = f"meters[{i}]"
    v = _read(raw, "meters", path, None)
    driver = v["driver"]
    if known_drivers is not None and driver not in known_drivers:
        raise PlanError(f"{path}.driver", f"unknown driver {driver!r}; allowed: "
                        f"{', '.join(known_drivers)}")
    cls = driver_class(driver)
    options = v["options"] or {}
    if not v["resource"] and cls.needs_resource and options.get("simulate") is not True:
        raise PlanError(f"{path}.resource", "is required for an instrument (a VISA resource "
                        "such as TCPIP0::192.168.0.10::inst0::INSTR, or a serial port)")
    role = v["role"] or cls.default_role
    if not cls.gives_power and role == "wall":
        raise PlanError(f"{path}.role", f"{driver} reports no power, so it can only be "
                        "'auxiliary'")
    vr, cr = v["voltage_range"], v["current_range"]
    if v["ranging"] == "pass" and (vr is not None or cr is not None):
        raise PlanError(f"{path}.ranging", "'pass' sets the ranges itself; leave out "
                        "voltage_range and current_range, or use ranging = 'auto'")
    return MeterSpec(driver=driver, resource=v["resource"], elements=v["element"],
                     rate_hz=v["rate_hz"], role=role, calibration_due=v["calibration_due"],
                     on_loss=v["on_loss"], voltage_range=vr, current_range=cr,
                     ranging=v["ranging"], options=options,
                     max_uncertainty_pct=v["max_uncertainty_pct"],
                     frequency_hz=v["frequency_hz"])


def _sweep(raw: Any, kind: str) -> SweepSpec:
    t = _table(raw, "sweep")
    has_n, has_s = "requests_per_point" in t, "seconds_per_point" in t
    v = _read(t, "sweep", "sweep", kind)
    if has_n == has_s:
        raise PlanError("sweep.requests_per_point", "give exactly one of requests_per_point "
                        "or seconds_per_point" + (" (both are set)" if has_n else ""))
    sweep = SweepSpec(
        concurrency=v["concurrency"], input_tokens=v["input_tokens"] or (),
        output_tokens=v["output_tokens"] or (), rate=v["rate"], precision=v["precision"],
        requests_per_point=v["requests_per_point"], seconds_per_point=v["seconds_per_point"],
        warmup_requests=v["warmup_requests"], idle_baseline_s=v["idle_baseline_s"],
        seed=v["seed"], workers=v["workers"], max_client_lag_ms=v["max_client_lag_ms"])
    n = point_count(sweep)
    if n > schema.MAX_POINTS:
        raise PlanError("sweep", f"has {n:,} points (precisions x input lengths x output lengths "
                        f"x concurrencies); at most {schema.MAX_POINTS:,}")
    return sweep


def parse(text: str, base_dir: Path | None = None,
          known_drivers: list[str] | None = None) -> Plan:
    """Validate plan text. ``known_drivers`` limits ``meters[].driver`` (None: any name)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError("plan", f"is not valid TOML: {exc}") from None
    return from_dict(raw, base_dir, known_drivers, source=text)


def from_dict(raw: dict[str, Any], base_dir: Path | None = None,
              known_drivers: list[str] | None = None, source: str | None = None) -> Plan:
    """Validate a plan shaped as ``tomllib`` reads one. Its ``source`` is the TOML text it was
    read from, or else the text :func:`~.plan_toml.dump_plan` writes for it."""
    _no_unknown(raw, "", schema.SECTIONS)
    for section in ("session", "target", "sweep"):
        if section not in raw:
            raise PlanError(section, f"the [{section}] table is required")
    base = base_dir or Path.cwd()
    target = _target(raw["target"], base)
    meters_raw = raw.get("meters", [])
    if not isinstance(meters_raw, list):
        raise PlanError("meters", "must be an array of tables ([[meters]])")
    if len(meters_raw) > schema.MAX_METERS:
        raise PlanError("meters", f"holds {len(meters_raw)} meters; at most {schema.MAX_METERS}")
    meters = tuple(_meter(m, i, known_drivers) for i, m in enumerate(meters_raw))
    if source is None:
        from .plan_toml import dump_plan

        source = dump_plan(raw)
    return Plan(
        session=_session(raw["session"]),
        target=target,
        meters=meters,
        sweep=_sweep(raw["sweep"], target.kind),
        source=source,
    )


def load(path: str | Path, known_drivers: list[str] | None = None) -> Plan:
    """Read and validate a plan file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > schema.MAX_PLAN_BYTES:
            raise PlanError("plan", f"{p} is {size:,} bytes; a plan is at most "
                            f"{schema.MAX_PLAN_BYTES:,}")
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError("plan", f"file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError("plan", f"cannot be read: {exc}") from None
    return parse(text, p.resolve().parent, known_drivers)


def expired_meters(plan: Plan, today: _dt.date) -> list[str]:
    """Messages for meters whose calibration date has passed."""
    return [
        f"meters[{i}].calibration_due: calibration of {m.driver} at {m.resource or '-'} expired "
        f"on {m.calibration_due.isoformat()}"
        for i, m in enumerate(plan.meters)
        if m.calibration_due is not None and m.calibration_due < today
    ]


_SECRET_LINE = re.compile(r"(?im)^\s*(api_key|key|token|password|secret)\s*=.*$")


def without_secrets(text: str) -> str:
    """The plan text with any line that would carry a secret removed, and every URL's password and
    key-named query values masked (:func:`drivers.redact.redact_url`). The plan format holds only
    the *name* of the key's variable, so the first is a guard, not the main protection."""
    return redact_text(_SECRET_LINE.sub("# (removed: secret)", text))
