"""Sessions compared side by side (``kperf compare DIR DIR... --out DIR`` and the app's Compare
view): each session's Summary read from its journal, matching sweep points aligned, and a
workbook and PNGs of throughput, TTFT, tokens/s per W and J/token against concurrent users.

A sweep point matches another when precision, input length, output length and concurrency are
the same (on-device points have no lengths: they match on precision and parallel jobs). The
figures are the sessions' own Summary values, computed by the same function as their workbooks;
nothing is recomputed or averaged here. No Qt: the app calls this from a worker thread.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence
from zipfile import ZIP_DEFLATED, ZipFile

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import ScalarFormatter  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Font  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.writer.excel import ExcelWriter  # noqa: E402

from kperf_gui.measure.metrics import DEFINITIONS  # noqa: E402

from .data import SUMMARY_COLUMNS  # noqa: E402
from .journal import is_finalised  # noqa: E402
from .journal_reader import load, meta, open_session  # noqa: E402
from .reproducible import DEFLATE_LEVEL, normalise_zip, utc_naive, write_atomic  # noqa: E402
from .xlsx import cell_value, group_label  # noqa: E402

KEY = ("precision", "input_tokens", "output_tokens", "concurrency")
"""What makes two sweep points the same point."""

METRICS: tuple[tuple[str, str, str], ...] = (
    ("output_tokens_per_s", "throughput", "Throughput (output tokens/s)"),
    ("ttft_ms_p50", "ttft", "TTFT p50 (ms)"),
    ("output_tokens_per_s_per_w", "tokens_per_watt", "Tokens/s per W"),
    ("joules_per_output_token", "joules_per_token", "J/token"),
)
"""(Summary column, figure name, axis title) of each compared figure."""

FIGURES = tuple(f"{name}_vs_users.png" for _, name, _ in METRICS)
WORKBOOK = "comparison.xlsx"
SIZE_IN = (8.0, 5.0)
DPI = 120
_PNG_METADATA = {"Software": None}
_BOLD = Font(bold=True)


class CompareError(Exception):
    """A session cannot be compared; the message says why and what to do."""


@dataclass
class ComparedSession:
    """One session as the comparison sees it; ``label`` is unique among those compared."""

    folder: Path
    label: str
    name: str
    started_utc: str
    status: str
    kind: str
    model: str
    unit: str
    interrupted: bool
    created: _dt.datetime
    summary: pd.DataFrame

    @property
    def valid_points(self) -> int:
        return int(self.summary["valid"].map(_truthy).sum()) if len(self.summary) else 0


def read_session(folder: Path) -> ComparedSession:
    """A closed session's Summary and identity, read without changing a byte;
    :class:`CompareError` for a folder that holds no closed journal."""
    folder = Path(folder).resolve()
    db = folder / "session.sqlite"
    if not db.is_file():
        raise CompareError(f"{folder} holds no session.sqlite; give session folders written by "
                           "kperf or the app.")
    try:
        if not is_finalised(db):
            raise CompareError(f"{folder}: the run did not close its journal (interrupted or "
                               f"still running); run 'kperf export {folder}' once it has ended, "
                               "then compare it.")
        with closing(open_session(folder)) as conn:
            m = meta(conn)
            data = load(conn)
    except CompareError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged journal is said in one line
        raise CompareError(f"{db} cannot be read as a journal ({exc}).") from None
    model = m.get("target_model") or Path(m.get("target_model_path", "")).name
    return ComparedSession(
        folder=folder, label=data.name or folder.name, name=data.name,
        started_utc=m.get("started_utc", ""), status=m.get("status", ""),
        kind=m.get("target_kind", ""), model=model, unit=data.unit,
        interrupted=data.interrupted, created=data.created,
        summary=data.summary.reindex(columns=list(SUMMARY_COLUMNS)))


def read_sessions(folders: Sequence[Path]) -> list[ComparedSession]:
    """Every folder read, with unique labels; :class:`CompareError` for fewer than two or for
    the first that cannot be read."""
    if len(folders) < 2:
        raise CompareError("Give two or more session folders to compare.")
    seen: set[Path] = set()
    sessions = []
    for folder in folders:
        resolved = Path(folder).resolve()
        if resolved in seen:
            raise CompareError(f"{folder} is given twice; give each session once.")
        seen.add(resolved)
        sessions.append(read_session(Path(folder)))
    unique_labels(sessions)
    return sessions


def unique_labels(sessions: Sequence[ComparedSession]) -> None:
    """Label each session by its name; names that repeat get their start time, then a number."""
    names = [s.name or s.folder.name for s in sessions]
    for s, name in zip(sessions, names):
        s.label = name if names.count(name) == 1 else f"{name} {s.started_utc}".strip()
    labels = [s.label for s in sessions]
    for i, s in enumerate(sessions):
        if labels.count(s.label) > 1:
            s.label = f"{s.label} #{labels[:i + 1].count(labels[i])}"


def _key_value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (np.integer,)) or (isinstance(v, float) and v.is_integer()):
        return int(v)
    return v.item() if hasattr(v, "item") else v


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_key_value(row.get(k)) for k in KEY)


def _sort_key(key: tuple[Any, ...], precisions: list[str]) -> tuple[Any, ...]:
    prec, n_in, n_out, users = key
    order = precisions.index(prec) if prec in precisions else len(precisions)
    return (order, n_in is not None, n_in or 0, n_out or 0, users or 0)


def aligned(sessions: Sequence[ComparedSession]) -> pd.DataFrame:
    """One row per sweep point found in any session, matching points on one row: the key
    columns, ``sessions`` (how many sessions measured the point), then for each compared figure
    one column per session named ``<column> [<label>]``, then ``valid [<label>]``."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    precisions: list[str] = []
    for s in sessions:
        for row in s.summary.to_dict("records"):
            key = _key(row)
            if key[0] not in precisions:
                precisions.append(key[0])
            out = rows.setdefault(key, dict(zip(KEY, key), sessions=0))
            if f"valid [{s.label}]" in out:
                continue  # a point measured twice in one session: the first is compared
            out["sessions"] += 1
            for column, _, _ in METRICS:
                out[f"{column} [{s.label}]"] = row.get(column)
            out[f"valid [{s.label}]"] = _truthy(row.get("valid"))
            out[f"invalid_reason [{s.label}]"] = row.get("invalid_reason") or ""
    columns = list(KEY) + ["sessions"]
    for column, _, _ in METRICS:
        columns += [f"{column} [{s.label}]" for s in sessions]
    columns += [f"valid [{s.label}]" for s in sessions]
    columns += [f"invalid_reason [{s.label}]" for s in sessions]
    ordered = sorted(rows, key=lambda k: _sort_key(k, precisions))
    frame = pd.DataFrame([rows[k] for k in ordered], columns=columns)
    for k in ("input_tokens", "output_tokens", "concurrency"):
        frame[k] = frame[k].astype("Int64")
    return frame


def points(sessions: Sequence[ComparedSession]) -> pd.DataFrame:
    """Every session's Summary rows in one table, the session's label first."""
    frames = [s.summary.assign(session=s.label) for s in sessions]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame.reindex(columns=["session", *SUMMARY_COLUMNS])


Series = tuple[str, np.ndarray, np.ndarray, np.ndarray]


def series(session: ComparedSession, column: str) -> list[Series]:
    """``(group label, users, values, valid)`` per (precision, input, output) group of a session,
    sorted by users, finite values only. The app's Compare view and the PNGs draw these."""
    out: list[Series] = []
    summary = session.summary
    if summary.empty:
        return out
    df = summary.copy()
    for k in ("input_tokens", "output_tokens"):
        df[k] = df[k].astype(object).where(df[k].notna(), None)
    for (prec, n_in, n_out), rows in df.groupby(["precision", "input_tokens", "output_tokens"],
                                                sort=False, dropna=False):
        rows = rows.sort_values("concurrency", kind="stable")
        x = pd.to_numeric(rows["concurrency"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)
        ok = rows["valid"].map(_truthy).to_numpy(dtype=bool)
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.any():
            out.append((group_label(prec, None if pd.isna(n_in) else n_in,
                                    None if pd.isna(n_out) else n_out), x[keep], y[keep],
                        ok[keep]))
    return out


def _truthy(v: Any) -> bool:
    return v is True or str(v).lower() in ("true", "1")


# --- writing -------------------------------------------------------------------------------------

def write_comparison(sessions: Sequence[ComparedSession], out: Path) -> list[Path]:
    """Write ``comparison.xlsx`` and one PNG per compared figure into ``out`` (made if needed);
    returns their paths. The same sessions give the same bytes."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CompareError(f"--out: {out} is a file; give a folder.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CompareError(f"--out: {out} cannot be created ({exc.strerror or exc}).") from None
    when = max((s.created for s in sessions), default=_dt.datetime(2000, 1, 1,
                                                                    tzinfo=_dt.timezone.utc))
    written = [out / WORKBOOK]
    write_atomic(out / WORKBOOK, workbook_bytes(sessions, when))
    for (column, name, title), file_name in zip(METRICS, FIGURES):
        image = io.BytesIO()
        figure(sessions, column, title).savefig(image, format="png", dpi=DPI,
                                                metadata=_PNG_METADATA)
        write_atomic(out / file_name, image.getvalue())
        written.append(out / file_name)
    return written


def workbook_bytes(sessions: Sequence[ComparedSession], when: _dt.datetime) -> bytes:
    """Sheets ``Aligned`` (matching points on one row), ``Points`` (every session's Summary rows),
    ``Sessions`` (what was compared) and ``Definitions``."""
    book = Workbook()
    book.remove(book.active)
    stamp = utc_naive(when)
    book.properties.creator = "K-Perf Lab"
    book.properties.title = "Comparison: " + ", ".join(s.label for s in sessions)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.lastModifiedBy = None
    _sheet(book, "Aligned", aligned(sessions))
    _sheet(book, "Points", points(sessions))
    _sheet(book, "Sessions", pd.DataFrame(
        [{"label": s.label, "folder": str(s.folder), "name": s.name, "started_utc": s.started_utc,
          "status": s.status, "target_kind": s.kind, "model": s.model, "unit": s.unit,
          "points": len(s.summary), "valid_points": s.valid_points} for s in sessions],
        columns=["label", "folder", "name", "started_utc", "status", "target_kind", "model",
                 "unit", "points", "valid_points"]))
    wanted = {"output_tokens_per_s", "ttft_ms_p50", "output_tokens_per_s_per_w",
              "joules_per_output_token", "TTFT (ttft_ms_*)", "valid", "unit"}
    rows = [{"name": "matching points", "definition": "Sweep points with the same precision, "
             "input length, output length and concurrency, from the sessions' own Summary "
             "sheets; nothing is recomputed."}]
    rows += [{"name": n, "definition": d} for n, d in DEFINITIONS if n in wanted]
    _sheet(book, "Definitions", pd.DataFrame(rows, columns=["name", "definition"]))
    raw = io.BytesIO()
    archive = ZipFile(raw, "w", ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL)
    ExcelWriter(book, archive).save()  # not book.save(): it stamps the time of saving
    return normalise_zip(raw.getvalue(), when)


def _sheet(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = _BOLD
    for row in frame.itertuples(index=False):
        sheet.append([cell_value(None if v is pd.NA else v) for v in row])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)
                                            if v is not None and v is not pd.NA])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))


def figure(sessions: Sequence[ComparedSession], column: str, title: str) -> Figure:
    """One compared figure: a colour per session, a marker per (precision, input, output) group,
    invalid points hollow."""
    fig = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.add_subplot()
    mixed = len({s.unit for s in sessions}) > 1
    axes.set_title(f"{title} vs concurrent users", fontsize=11)
    axes.set_xlabel("Concurrent users (parallel jobs on a device)")
    axes.set_ylabel(title + (" (per inference where the unit is inference)" if mixed else ""),
                    fontsize=9 if mixed else None)
    axes.grid(True, alpha=0.3)
    markers = "osD^vP*Xph"
    users: list[float] = []
    missing = []
    for i, s in enumerate(sessions):
        groups = series(s, column)
        if not groups:
            missing.append(s.label)
        for j, (group, x, y, ok) in enumerate(groups):
            colour = f"C{i % 10}"
            marker = markers[j % len(markers)]
            axes.plot(x, y, color=colour, linewidth=1.2, marker=marker, markersize=5,
                      label=f"{s.label}: {group}" + (f" ({s.unit})" if mixed else ""))
            axes.scatter(x[~ok], y[~ok], facecolors="white", edgecolors=colour, marker=marker,
                         s=25, zorder=3)
            users.extend(x)
    if users:
        low, high = min(users), max(users)
        if low > 0 and high / low >= 8:
            axes.set_xscale("log", base=2)
            axes.xaxis.set_major_formatter(ScalarFormatter())
            axes.set_xticks(sorted(set(users)))
    if missing:
        axes.text(0.01, 0.01, "not measured in: " + ", ".join(missing), transform=axes.transAxes,
                  fontsize=7, color="0.35", va="bottom")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=7, loc="best", title="hollow: invalid point", title_fontsize=7)
    return fig
