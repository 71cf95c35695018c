"""Every plan key in one table: its path, value type, default, bounds, the target kinds it is for,
and one line of meaning.

The table drives the plan's parsing (:mod:`kperf_gui.session.plan`), the order in which a plan is
written (:mod:`kperf_gui.session.plan_toml`), the app's defaults, ranges and tooltips, and the key
table in README.md (``python -m kperf_gui.session.plan_schema README.md`` rewrites it; a test checks
it). CONTRACT.md names the same keys (a test checks that too). To add a key: add a row here, read
it in :mod:`kperf_gui.session.plan`, and regenerate README.

Every number has finite bounds that a real lab never meets, so a plan cannot ask for a run that
exhausts the machine or never ends; NaN and infinities are refused.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.targets.parsers import PARSERS

TARGET_KINDS: tuple[str, ...] = ("openai", "deepx", "command", "simulated")
TOKEN_KINDS: tuple[str, ...] = ("openai", "simulated")
"""Target kinds that stream tokens (prompts and answers have lengths)."""
ALL = TARGET_KINDS

MAX_POINTS = 10_000
"""The most sweep points one plan may have."""
MAX_LIST = 1_000
"""The most values one list of a plan may hold."""
MAX_METERS = 64
MAX_PLAN_BYTES = 1 << 20
"""The largest plan file read (1 MiB)."""


@dataclass(frozen=True)
class Key:
    """One plan key.

    ``path``: ``section.key``; ``meters[].key`` for each meter; ``<label>`` for a name the plan
    chooses. ``type``: ``text``, ``flag`` (true/false), ``whole`` (a whole number), ``number``,
    ``date``, ``wholes`` (a list of whole numbers; one number is taken as a list of one),
    ``labels`` (a list of texts; one text is a list of one), ``choice`` (one of ``choices``),
    ``command`` (a text or a list of texts), ``table`` or ``tables`` (an array of tables).
    ``low``/``high``: bounds of a number or of each value of a list (``low_open``: the low bound
    itself is refused). ``required``: the target kinds for which the key must be given.
    ``kinds``: the target kinds it applies to. ``default_text``: the default as the docs say it,
    where it is not a plain value (``None`` = the key's ``default``)."""

    path: str
    type: str
    doc: str
    default: Any = None
    default_text: str | None = None
    required: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ALL
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    most: int = MAX_LIST
    choices: tuple[str, ...] = ()
    in_contract: bool = True
    """False for a key accepted before CONTRACT.md names it (its wording is proposed)."""

    @property
    def section(self) -> str:
        """``session``, ``target``, ``meters``, ``sweep`` or ``target.precisions.<label>``."""
        head, _, _ = self.path.rpartition(".")
        return head.replace("[]", "") if head else self.path

    @property
    def name(self) -> str:
        """The key's own name inside its table."""
        return self.path.rpartition(".")[2]

    def bounds_text(self) -> str:
        """The allowed values in words, e.g. ``whole number 1 to 100,000``."""
        noun = {"text": "text", "flag": "true or false", "whole": "whole number",
                "number": "number", "date": "date (2027-03-31)", "table": "table",
                "tables": "array of tables", "command": "text or list of texts",
                "labels": "list of texts"}.get(self.type, "")
        if self.type == "choice":
            return " or ".join(f"`{c}`" for c in self.choices)
        if self.type == "wholes":
            noun = "list of whole numbers"
        if self.low is None and self.high is None:
            return noun
        low = _num_text(self.low) if self.low is not None else None
        high = _num_text(self.high) if self.high is not None else None
        if low is not None and self.low_open:
            span = f"above {low}" + (f", at most {high}" if high is not None else "")
        elif low is not None and high is not None:
            span = f"{low} to {high}"
        else:
            span = f"at least {low}" if low is not None else f"at most {high}"
        each = " each" if self.type == "wholes" else ""
        return f"{noun}, {span}{each}"

    def default_doc(self) -> str:
        """The default as README states it (empty when there is none)."""
        if self.default_text is not None:
            return self.default_text
        if self.default is None:
            return ""
        return _value_text(self.default)

    def check_number(self, value: float) -> str | None:
        """Why ``value`` is out of bounds (None when it is inside)."""
        if not math.isfinite(value):
            return "must be a finite number"
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return f"must be {'above' if self.low_open else 'at least'} {_num_text(self.low)}"
        if self.high is not None and value > self.high:
            return f"must be at most {_num_text(self.high)}"
        return None


def _num_text(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:g}"


def _value_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"`{v}`" if v else '`""`'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value_text(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


DAY_S = 86_400.0

KEYS: tuple[Key, ...] = (
    # --- [session] ------------------------------------------------------------------------
    Key("session.name", "text", "1-64 of `A-Z a-z 0-9 . _ -`; the folder name", required=ALL),
    Key("session.operator", "text", "the person measuring, recorded", default=""),
    Key("session.witness", "text", "the witness, recorded", default=""),
    Key("session.notes", "text", "free text, recorded", default=""),
    Key("session.ambient_c", "number", "ambient temperature in C, recorded", low=-100.0,
        high=100.0),
    Key("session.allow_expired_calibration", "flag", "run even if a meter's calibration date has "
        "passed; recorded", default=False),
    Key("session.lab", "text", "the laboratory's name and address, printed on report.pdf",
        default="", in_contract=False),
    Key("session.location", "text", "where the testing took place when not at the laboratory, "
        "printed on report.pdf", default="", in_contract=False),
    Key("session.language", "choice", "the language of report.pdf (the app sets its own)",
        default="en", choices=("en", "ko"), in_contract=False),
    # --- [target] -------------------------------------------------------------------------
    Key("target.kind", "choice", "what is measured", required=ALL, choices=TARGET_KINDS),
    Key("target.timeout_s", "number", "seconds per request or per program run", default=600.0,
        low=0.0, low_open=True, high=DAY_S),
    Key("target.base_url", "text", "the endpoint's `/v1` URL", required=("openai",),
        kinds=("openai",)),
    Key("target.model", "text", "the model name the endpoint serves", required=("openai",),
        kinds=TOKEN_KINDS, default_text="`sim-llm` for the simulated endpoint"),
    Key("target.api", "choice", "the endpoint's API", default="completions",
        choices=("completions", "chat"), kinds=TOKEN_KINDS),
    Key("target.api_key_env", "text", "the name of the variable holding the API key; the key is "
        "never written anywhere", default="", kinds=("openai",)),
    Key("target.tokenizer", "text", "a local `tokenizer.json`; without it prompt lengths are "
        "calibrated against the server", default="", kinds=TOKEN_KINDS),
    Key("target.precisions.<label>.base_url", "text", "where that precision is served (else the "
        "run pauses before it for the operator to switch the server)", kinds=TOKEN_KINDS),
    Key("target.precisions.<label>.model", "text", "the model name serving that precision",
        kinds=TOKEN_KINDS),
    Key("target.model_path", "text", "the compiled model file", required=("deepx",),
        kinds=("deepx",)),
    Key("target.devices", "wholes", "NPU ids", default=(0,), low=0, high=255, most=256,
        kinds=("deepx",)),
    Key("target.command", "command", "the program and its arguments (`{concurrency}`, "
        "`{seconds}` substituted)", required=("command",), kinds=("command",)),
    Key("target.parser", "choice", "how the program's output is read: a parser's name or "
        "`regex`", required=("command",), kinds=("command",), choices=tuple(PARSERS)),
    Key("target.settle_s", "number", "seconds at the start of a program's run not measured, when "
        "it reports no window of its own", default=0.0, low=0.0, high=DAY_S, kinds=("command",)),
    Key("target.regex", "table", "the `regex` parser's patterns, each with one group",
        kinds=("command",)),
    Key("target.cwd", "text", "the program's working folder", default="", kinds=("command",)),
    # --- [[meters]] -----------------------------------------------------------------------
    Key("meters", "tables", "the power meters and software channels; without a `wall` channel "
        "the power columns stay empty", most=MAX_METERS),
    Key("meters[].driver", "text", "a driver name (`kperf resources` lists them)", required=ALL),
    Key("meters[].resource", "text", "a VISA resource string or serial port (instruments)",
        default=""),
    Key("meters[].element", "wholes", "input element, or a list of elements", default=(1,),
        low=1, high=256, most=256),
    Key("meters[].rate_hz", "number", "readings per second asked of the meter", default=10.0,
        low=0.0, low_open=True, high=1000.0),
    Key("meters[].options", "table", "driver options, e.g. `{ timeout_ms = 500 }`, "
        "`{ simulate = true }`"),
    Key("meters[].voltage_range", "number", "a fixed voltage range in V", default_text="auto",
        low=0.0, low_open=True, high=100_000.0),
    Key("meters[].current_range", "number", "a fixed current range in A", default_text="auto",
        low=0.0, low_open=True, high=100_000.0),
    Key("meters[].ranging", "choice", "`pass`: a ranging pass at auto range, then the sweep at "
        "fixed ranges chosen from it", default="auto", choices=("auto", "pass")),
    Key("meters[].role", "choice", "`wall`: summed into the measured power; `auxiliary`: "
        "recorded, never summed", default_text="wall for analyzers, auxiliary for software "
        "channels", choices=("wall", "auxiliary")),
    Key("meters[].calibration_due", "date", "past it the run is refused unless allowed"),
    Key("meters[].max_uncertainty_pct", "number", "a point whose power or energy uncertainty "
        "exceeds it is invalid", default=1.0, low=0.0, low_open=True, high=100.0),
    Key("meters[].frequency_hz", "number", "the input's frequency in Hz (0 for DC), which "
        "chooses the band of the meter's accuracy table where the meter does not measure it; "
        "a frequency the meter measures comes first", default_text="measured by the meter, "
        "else none (the uncertainty columns then stay empty)", low=0.0, high=1_000_000.0,
        in_contract=False),
    Key("meters[].on_loss", "choice", "`continue`: mark the window invalid and go on; `stop`: "
        "end the run", default="continue", choices=("continue", "stop")),
    # --- [sweep] --------------------------------------------------------------------------
    Key("sweep.input_tokens", "wholes", "prompt lengths, up to the model's context",
        required=TOKEN_KINDS, kinds=TOKEN_KINDS, low=1, high=1_048_576),
    Key("sweep.output_tokens", "wholes", "answer lengths", required=TOKEN_KINDS,
        kinds=TOKEN_KINDS, low=1, high=1_048_576),
    Key("sweep.concurrency", "wholes", "concurrent users (closed loop), or parallel jobs on a "
        "device", required=ALL, low=1, high=100_000),
    Key("sweep.rate", "number", "requests per second, Poisson arrivals (open loop); "
        "`concurrency` then caps requests in flight", low=0.0, low_open=True, high=100_000.0),
    Key("sweep.precision", "labels", "precision labels", default=("default",), most=100),
    Key("sweep.requests_per_point", "whole", "measured requests per point (exactly one of this "
        "and `seconds_per_point`)", low=1, high=10_000_000),
    Key("sweep.seconds_per_point", "number", "measured seconds per point (exactly one of this "
        "and `requests_per_point`)", low=0.0, low_open=True, high=DAY_S),
    Key("sweep.warmup_requests", "whole", "per point, finished before measuring starts",
        default_text="= concurrency", low=0, high=10_000_000),
    Key("sweep.idle_baseline_s", "number", "idle power measured before the sweep, in seconds",
        default=10.0, low=0.0, high=DAY_S),
    Key("sweep.seed", "whole", "prompts and arrivals are reproducible from it", default=0, low=0,
        high=2**32 - 1),
    Key("sweep.workers", "whole", "load-generating processes, each its own event loop and "
        "connections, the point's users spread evenly over them",
        default_text="one per 64 users of the point, up to the cores", low=1, high=1024),
    Key("sweep.max_client_lag_ms", "number", "a point whose load client's event loop ran late "
        "by more than this at p99 (any load process) is invalid: the client, not the chip, set "
        "its figures", default=20.0, low=0.0, low_open=True, high=60_000.0, in_contract=False),
)

BY_PATH: dict[str, Key] = {k.path: k for k in KEYS}
SECTIONS: tuple[str, ...] = ("session", "target", "meters", "sweep")


def key(path: str) -> Key:
    """The key at ``path`` (``meters[].rate_hz``, ``target.precisions.<label>.model``)."""
    return BY_PATH[path]


def keys_of(section: str) -> tuple[Key, ...]:
    """The keys of one table, in the table's order: ``session``, ``target``, ``meters`` (one
    meter's keys), ``sweep`` or ``target.precisions.<label>``."""
    return tuple(k for k in KEYS if k.section == section and k.path != section)


def names_of(section: str) -> tuple[str, ...]:
    """The key names of one table, in order; sub-tables by their first name part."""
    out: list[str] = []
    prefix = section + "."
    for k in KEYS:
        path = k.path.replace("[]", "")
        if path.startswith(prefix):
            first = path[len(prefix):].split(".")[0]
            if first not in out:
                out.append(first)
    return tuple(out)


def contract_names() -> list[str]:
    """Every key CONTRACT.md's key table names (as it names it)."""
    return [k.path for k in KEYS if k.in_contract]


# --- README --------------------------------------------------------------------------------

README_START = "<!-- plan keys: generated by python -m kperf_gui.session.plan_schema -->"
README_END = "<!-- end of plan keys -->"


def markdown_table() -> str:
    """README's key table."""
    lines = ["| key | for | value | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for k in KEYS:
        req = "required" if k.required == ALL else (
            "required for " + ", ".join(k.required) if k.required else "")
        kinds = "all" if k.kinds == ALL else ", ".join(k.kinds)
        value = k.bounds_text()
        if k.type in ("wholes", "labels") and k.most < MAX_LIST:
            value += f"; at most {k.most:,} values"
        elif k.type in ("wholes", "labels"):
            value += f"; at most {MAX_LIST:,} values"
        if k.type == "tables":
            value += f"; at most {k.most} meters"
        default = k.default_doc()
        if req:
            default = req + (f"; {default}" if default else "")
        doc = k.doc if k.in_contract else f"{k.doc} (not yet in CONTRACT.md)"
        lines.append(f"| `{k.path}` | {kinds} | {value} | {default} | {doc} |")
    return "\n".join(lines)


def limits_text() -> str:
    """The bounds in CONTRACT.md's terms, as README states them."""
    def high(path: str) -> str:
        return _num_text(key(path).high or 0)

    return (
        "Every number has finite bounds that a real lab never meets, and `nan` and `inf` are "
        "refused: input and output lengths up to the model's context, at most "
        f"{high('sweep.input_tokens')} tokens; up to {high('sweep.concurrency')} concurrent "
        f"users; a point of at most {high('sweep.seconds_per_point')} s (24 h) or "
        f"{high('sweep.requests_per_point')} requests; an idle baseline and a request timeout "
        f"at most 24 h; meters read at most {high('meters[].rate_hz')} times a second. A sweep "
        f"has at most {MAX_POINTS:,} points (precisions x input lengths x output lengths x "
        f"concurrencies), a list at most {MAX_LIST:,} values, and a plan file at most "
        f"{MAX_PLAN_BYTES // 1024:,} KiB. A plan outside them is refused (exit 2, one line "
        "naming the key) before anything is measured.")


def readme_block() -> str:
    """The whole generated block of README, markers included."""
    limits = textwrap.fill(limits_text(), width=100, break_on_hyphens=False)
    return f"{README_START}\n{limits}\n\n{markdown_table()}\n{README_END}"


def rewrite_readme(path: Path) -> bool:
    """Put the current key table into README at ``path``; True when it changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    new = text[:start] + readme_block() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def readme_block_in(text: str) -> str:
    """The generated block as it stands in README's ``text``."""
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    return text[start:end]


def check_date(value: Any) -> _dt.date | None:
    """A TOML date, a datetime's date, or an ISO date text; None when it is none of those."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if target is None:
        print(markdown_table())
    else:
        print(f"{target}: {'rewritten' if rewrite_readme(target) else 'already current'}")
