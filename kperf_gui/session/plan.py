"""The test plan: TOML with exactly the keys of CONTRACT.md, validated into typed objects.

Every mistake raises :class:`PlanError` naming the key's path and what is allowed; the command
line prints it as one line and exits 2.
"""
from __future__ import annotations

import datetime as _dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.redact import redact_text

TARGET_KINDS = ("openai", "deepx", "command", "simulated")
APIS = ("completions", "chat")
ROLES = ("wall", "auxiliary")
ON_LOSS = ("continue", "stop")
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SOFTWARE_CHANNELS = ("nvml", "rapl", "furiosa-smi", "rbln-smi", "deepx-status")
RESOURCELESS = SOFTWARE_CHANNELS + ("simulated",)
NO_POWER = ("deepx-status",)
RANGING = ("auto", "pass")
REPORT_LANGUAGES = ("en", "ko")


class PlanError(ValueError):
    """A plan mistake: ``key`` is the path (``sweep.concurrency``), ``message`` what is allowed."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True)
class SessionInfo:
    name: str
    operator: str = ""
    witness: str = ""
    notes: str = ""
    ambient_c: float | None = None
    allow_expired_calibration: bool = False
    lab: str = ""  # the laboratory's name and address, for the report
    location: str = ""  # where the testing took place, when not at the laboratory
    language: str = "en"  # the language of report.pdf


@dataclass(frozen=True)
class PrecisionRoute:
    base_url: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class TargetSpec:
    kind: str
    timeout_s: float = 600.0
    base_url: str = ""
    model: str = ""
    api: str = "completions"
    api_key_env: str = ""
    tokenizer: str = ""
    precisions: dict[str, PrecisionRoute] = field(default_factory=dict)
    model_path: str = ""
    devices: tuple[int, ...] = (0,)
    command: tuple[str, ...] = ()
    parser: str = ""
    settle_s: float = 0.0
    regex: dict[str, str] = field(default_factory=dict)
    cwd: str = ""


@dataclass(frozen=True)
class MeterSpec:
    driver: str
    resource: str = ""
    elements: tuple[int, ...] = (1,)
    rate_hz: float = 10.0
    role: str = "wall"
    calibration_due: _dt.date | None = None
    on_loss: str = "continue"
    voltage_range: float | None = None  # None: auto
    current_range: float | None = None  # None: auto
    ranging: str = "auto"  # "auto", or "pass": a ranging pass, then fixed ranges
    options: dict[str, Any] = field(default_factory=dict)  # driver options


@dataclass(frozen=True)
class SweepSpec:
    concurrency: tuple[int, ...]
    input_tokens: tuple[int, ...] = ()
    output_tokens: tuple[int, ...] = ()
    rate: float | None = None
    precision: tuple[str, ...] = ("default",)
    requests_per_point: int | None = None
    seconds_per_point: float | None = None
    warmup_requests: int | None = None
    idle_baseline_s: float = 10.0
    seed: int = 0


@dataclass(frozen=True)
class Plan:
    session: SessionInfo
    target: TargetSpec
    meters: tuple[MeterSpec, ...]
    sweep: SweepSpec
    source: str = ""  # the TOML text as given

    @property
    def uses_tokens(self) -> bool:
        return self.target.kind in ("openai", "simulated")

    def route(self, precision: str) -> PrecisionRoute | None:
        """Where ``precision`` is served, if the plan routes it elsewhere."""
        return self.target.precisions.get(precision)


@dataclass(frozen=True)
class SweepPoint:
    """One point of the sweep (1-based ``index``)."""

    index: int
    precision: str
    input_tokens: int | None
    output_tokens: int | None
    concurrency: int


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


# --- validation helpers -------------------------------------------------------------------


def _table(raw: Any, key: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PlanError(key, "must be a table")
    return raw


def _no_unknown(raw: dict[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    for k in raw:
        if k not in allowed:
            where = f"{key}.{k}" if key else k
            raise PlanError(where, f"unknown key; allowed here: {', '.join(allowed)}")


def _str(raw: dict[str, Any], key: str, path: str, default: str | None = None) -> str:
    if key not in raw:
        if default is None:
            raise PlanError(f"{path}.{key}", "is required (a string)")
        return default
    v = raw[key]
    if not isinstance(v, str):
        raise PlanError(f"{path}.{key}", f"must be a string, not {_kind(v)}")
    return v


def _num(raw: dict[str, Any], key: str, path: str, default: float | None, minimum: float,
         strict: bool = False) -> float | None:
    if key not in raw:
        return default
    v = raw[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PlanError(f"{path}.{key}", f"must be a number, not {_kind(v)}")
    if v < minimum or (strict and v == minimum):
        op = ">" if strict else ">="
        raise PlanError(f"{path}.{key}", f"must be {op} {minimum:g} (got {v:g})")
    return float(v)


def _int(raw: dict[str, Any], key: str, path: str, default: int | None, minimum: int) -> int | None:
    if key not in raw:
        return default
    v = raw[key]
    if isinstance(v, bool) or not isinstance(v, int):
        raise PlanError(f"{path}.{key}", f"must be a whole number, not {_kind(v)}")
    if v < minimum:
        raise PlanError(f"{path}.{key}", f"must be >= {minimum} (got {v})")
    return v


def _int_list(raw: dict[str, Any], key: str, path: str, minimum: int, required: bool) -> tuple[int, ...]:
    where = f"{path}.{key}"
    if key not in raw:
        if required:
            raise PlanError(where, f"is required (a list of whole numbers >= {minimum})")
        return ()
    v = raw[key]
    if isinstance(v, int) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list):
        raise PlanError(where, f"must be a list of whole numbers >= {minimum}, not {_kind(v)}")
    if not v:
        raise PlanError(where, f"must not be empty (a list of whole numbers >= {minimum})")
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int):
            raise PlanError(where, f"must hold whole numbers only, not {_kind(x)} {x!r}")
        if x < minimum:
            raise PlanError(where, f"values must be >= {minimum} (got {x})")
    if len(set(v)) != len(v):
        raise PlanError(where, "must not repeat a value")
    return tuple(v)


def _choice(raw: dict[str, Any], key: str, path: str, allowed: tuple[str, ...],
            default: str) -> str:
    v = _str(raw, key, path, default)
    if v not in allowed:
        raise PlanError(f"{path}.{key}", f"must be one of {', '.join(allowed)} (got {v!r})")
    return v


def _kind(v: Any) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


# --- sections ------------------------------------------------------------------------------


def _session(raw: Any) -> SessionInfo:
    t = _table(raw, "session")
    _no_unknown(t, "session", ("name", "operator", "witness", "notes", "ambient_c",
                               "allow_expired_calibration", "lab", "location", "language"))
    name = _str(t, "name", "session")
    if not NAME_RE.match(name):
        raise PlanError("session.name", "must be 1-64 characters of A-Z a-z 0-9 . _ - "
                        f"(got {name!r})")
    if name in (".", ".."):
        raise PlanError("session.name", "must not be '.' or '..'")
    allow = t.get("allow_expired_calibration", False)
    if not isinstance(allow, bool):
        raise PlanError("session.allow_expired_calibration", "must be true or false")
    return SessionInfo(
        name=name,
        operator=_str(t, "operator", "session", ""),
        witness=_str(t, "witness", "session", ""),
        notes=_str(t, "notes", "session", ""),
        ambient_c=_num(t, "ambient_c", "session", None, -273.15),
        allow_expired_calibration=allow,
        lab=_str(t, "lab", "session", ""),
        location=_str(t, "location", "session", ""),
        language=_choice(t, "language", "session", REPORT_LANGUAGES, "en"),
    )


def _target(raw: Any, base_dir: Path) -> TargetSpec:
    t = _table(raw, "target")
    _no_unknown(t, "target", ("kind", "timeout_s", "base_url", "model", "api", "api_key_env",
                              "tokenizer", "precisions", "model_path", "devices", "command",
                              "parser", "settle_s", "regex", "cwd"))
    kind = _str(t, "kind", "target")
    if kind not in TARGET_KINDS:
        raise PlanError("target.kind", f"must be one of {', '.join(TARGET_KINDS)} (got {kind!r})")
    api = _str(t, "api", "target", "completions")
    if api not in APIS:
        raise PlanError("target.api", f"must be 'completions' or 'chat' (got {api!r})")
    base_url = _str(t, "base_url", "target", "")
    model = _str(t, "model", "target", "")
    if kind == "openai":
        if not base_url:
            raise PlanError("target.base_url", "is required for kind 'openai' (the endpoint's "
                            "/v1 URL, e.g. http://127.0.0.1:8000/v1)")
        if not model:
            raise PlanError("target.model", "is required for kind 'openai' (the served model name)")
    if base_url and not re.match(r"^https?://[^\s/]+", base_url):
        raise PlanError("target.base_url", f"must be an http:// or https:// URL (got {base_url!r})")
    env = _str(t, "api_key_env", "target", "")
    if env and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", env):
        raise PlanError("target.api_key_env", "must be the NAME of an environment variable, "
                        "not the key itself")
    tok = _str(t, "tokenizer", "target", "")
    if tok:
        p = Path(tok).expanduser()
        if not p.is_absolute():
            p = base_dir / p
        if not p.is_file():
            raise PlanError("target.tokenizer", f"file not found: {p} (give a local "
                            "tokenizer.json, or leave the key out to calibrate against the server)")
        tok = str(p)
    precisions: dict[str, PrecisionRoute] = {}
    for label, route in _table(t.get("precisions", {}), "target.precisions").items():
        r = _table(route, f"target.precisions.{label}")
        _no_unknown(r, f"target.precisions.{label}", ("base_url", "model"))
        precisions[label] = PrecisionRoute(
            base_url=r.get("base_url") if "base_url" in r else None,
            model=r.get("model") if "model" in r else None,
        )
        for k in ("base_url", "model"):
            if k in r and not isinstance(r[k], str):
                raise PlanError(f"target.precisions.{label}.{k}", "must be a string")
    model_path = _str(t, "model_path", "target", "")
    if model_path and not Path(model_path).expanduser().is_absolute():
        model_path = str(base_dir / model_path)  # relative to the plan file, like the tokenizer
    devices = _int_list(t, "devices", "target", 0, False) or (0,)
    command: tuple[str, ...] = ()
    if "command" in t:
        c = t["command"]
        if isinstance(c, str):
            import shlex
            command = tuple(shlex.split(c))
        elif isinstance(c, list) and all(isinstance(x, str) for x in c) and c:
            command = tuple(c)
        else:
            raise PlanError("target.command", "must be a string or a non-empty list of strings")
    parser = _str(t, "parser", "target", "")
    if kind == "deepx" and not model_path:
        raise PlanError("target.model_path", "is required for kind 'deepx' (the compiled "
                        "model file, e.g. /models/yolov8n.dxnn)")
    regex = dict(_table(t.get("regex", {}), "target.regex"))
    for k, v in regex.items():
        if not isinstance(v, str):
            raise PlanError(f"target.regex.{k}", "must be a string (a regular expression)")
    if kind == "command":
        from drivers.targets.parsers import PARSERS, compile_regex_fields

        if not command:
            raise PlanError("target.command", "is required for kind 'command'")
        if parser not in PARSERS:
            raise PlanError("target.parser", f"must be one of {', '.join(sorted(PARSERS))} "
                            f"(got {parser!r})")
        if parser == "regex":
            if not regex:
                raise PlanError("target.regex", "is required with parser = 'regex': a table of "
                                "field = \"regular expression with one (group)\"")
            try:
                compile_regex_fields(regex)
            except ValueError as exc:
                raise PlanError("target.regex", str(exc)) from None
    return TargetSpec(
        kind=kind,
        timeout_s=_num(t, "timeout_s", "target", 600.0, 0.0, strict=True) or 600.0,
        base_url=base_url.rstrip("/"),
        model=model,
        api=api,
        api_key_env=env,
        tokenizer=tok,
        precisions=precisions,
        model_path=model_path,
        devices=devices,
        command=command,
        parser=parser,
        settle_s=_num(t, "settle_s", "target", 0.0, 0.0) or 0.0,
        regex=regex,
        cwd=str(base_dir / _str(t, "cwd", "target", "")) if _str(t, "cwd", "target", "") else "",
    )


def _meter(raw: Any, i: int, known_drivers: list[str] | None) -> MeterSpec:
    path = f"meters[{i}]"
    t = _table(raw, path)
    _no_unknown(t, path, ("driver", "resource", "element", "rate_hz", "role", "calibration_due",
                          "on_loss", "voltage_range", "current_range", "ranging", "options"))
    driver = _str(t, "driver", path)
    if known_drivers is not None and driver not in known_drivers:
        raise PlanError(f"{path}.driver", f"unknown driver {driver!r}; allowed: "
                        f"{', '.join(known_drivers)}")
    resource = _str(t, "resource", path, "")
    simulated = isinstance(t.get("options"), dict) and t["options"].get("simulate") is True
    if not resource and driver not in RESOURCELESS and not simulated:
        raise PlanError(f"{path}.resource", "is required for an instrument (a VISA resource "
                        "such as TCPIP0::192.168.0.10::inst0::INSTR, or a serial port)")
    elements = _int_list(t, "element", path, 1, False) or (1,)
    rate = _num(t, "rate_hz", path, 10.0, 0.0, strict=True) or 10.0
    if rate > 1000:
        raise PlanError(f"{path}.rate_hz", f"must be at most 1000 (got {rate:g})")
    default_role = "auxiliary" if driver in SOFTWARE_CHANNELS else "wall"
    role = _str(t, "role", path, default_role)
    if role not in ROLES:
        raise PlanError(f"{path}.role", f"must be 'wall' or 'auxiliary' (got {role!r})")
    due = t.get("calibration_due")
    if due is not None:
        if isinstance(due, str):
            try:
                due = _dt.date.fromisoformat(due)
            except ValueError:
                raise PlanError(f"{path}.calibration_due", "must be a date like 2027-03-31") from None
        elif isinstance(due, _dt.datetime):
            due = due.date()
        elif not isinstance(due, _dt.date):
            raise PlanError(f"{path}.calibration_due", "must be a date like 2027-03-31")
    on_loss = _str(t, "on_loss", path, "continue")
    if on_loss not in ON_LOSS:
        raise PlanError(f"{path}.on_loss", f"must be 'continue' or 'stop' (got {on_loss!r})")
    if driver in NO_POWER and role == "wall":
        raise PlanError(f"{path}.role", f"{driver} reports no power, so it can only be "
                        "'auxiliary'")
    ranging = _str(t, "ranging", path, "auto")
    if ranging not in RANGING:
        raise PlanError(f"{path}.ranging", f"must be 'auto' or 'pass' (got {ranging!r})")
    vr = _num(t, "voltage_range", path, None, 0.0, strict=True)
    cr = _num(t, "current_range", path, None, 0.0, strict=True)
    if ranging == "pass" and (vr is not None or cr is not None):
        raise PlanError(f"{path}.ranging", "'pass' sets the ranges itself; leave out "
                        "voltage_range and current_range, or use ranging = 'auto'")
    options = dict(_table(t.get("options", {}), f"{path}.options"))
    return MeterSpec(driver, resource, elements, rate, role, due, on_loss, vr, cr, ranging, options)


def _sweep(raw: Any, kind: str) -> SweepSpec:
    t = _table(raw, "sweep")
    _no_unknown(t, "sweep", ("input_tokens", "output_tokens", "concurrency", "rate", "precision",
                             "requests_per_point", "seconds_per_point", "warmup_requests",
                             "idle_baseline_s", "seed"))
    tokens = kind in ("openai", "simulated")
    ins = _int_list(t, "input_tokens", "sweep", 1, tokens)
    outs = _int_list(t, "output_tokens", "sweep", 1, tokens)
    conc = _int_list(t, "concurrency", "sweep", 1, True)
    prec: tuple[str, ...] = ("default",)
    if "precision" in t:
        p = t["precision"]
        if isinstance(p, str):
            p = [p]
        if not isinstance(p, list) or not p or not all(isinstance(x, str) and x for x in p):
            raise PlanError("sweep.precision", "must be a non-empty list of labels such as "
                            "[\"bf16\", \"fp8\"]")
        if len(set(p)) != len(p):
            raise PlanError("sweep.precision", "must not repeat a label")
        prec = tuple(p)
    has_n, has_s = "requests_per_point" in t, "seconds_per_point" in t
    if has_n == has_s:
        raise PlanError("sweep.requests_per_point", "give exactly one of requests_per_point "
                        "or seconds_per_point" + (" (both are set)" if has_n else ""))
    n = _int(t, "requests_per_point", "sweep", None, 1)
    secs = _num(t, "seconds_per_point", "sweep", None, 0.0, strict=True)
    return SweepSpec(
        concurrency=conc,
        input_tokens=ins,
        output_tokens=outs,
        rate=_num(t, "rate", "sweep", None, 0.0, strict=True),
        precision=prec,
        requests_per_point=n,
        seconds_per_point=secs,
        warmup_requests=_int(t, "warmup_requests", "sweep", None, 0),
        idle_baseline_s=_num(t, "idle_baseline_s", "sweep", 10.0, 0.0) or 0.0,
        seed=_int(t, "seed", "sweep", 0, 0) or 0,
    )


def parse(text: str, base_dir: Path | None = None,
          known_drivers: list[str] | None = None) -> Plan:
    """Validate plan text. ``known_drivers`` limits ``meters[].driver`` (None: any name)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError("plan", f"is not valid TOML: {exc}") from None
    _no_unknown(raw, "", ("session", "target", "meters", "sweep"))
    for section in ("session", "target", "sweep"):
        if section not in raw:
            raise PlanError(section, f"the [{section}] table is required")
    base = base_dir or Path.cwd()
    target = _target(raw["target"], base)
    meters_raw = raw.get("meters", [])
    if not isinstance(meters_raw, list):
        raise PlanError("meters", "must be an array of tables ([[meters]])")
    meters = tuple(_meter(m, i, known_drivers) for i, m in enumerate(meters_raw))
    return Plan(
        session=_session(raw["session"]),
        target=target,
        meters=meters,
        sweep=_sweep(raw["sweep"], target.kind),
        source=text,
    )


def load(path: str | Path, known_drivers: list[str] | None = None) -> Plan:
    """Read and validate a plan file."""
    p = Path(path)
    try:
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
