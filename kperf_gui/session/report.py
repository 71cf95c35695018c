"""report.pdf: the printable test report, and the signature page ``kperf seal`` adds.

The report holds the items of ISO/IEC 17025:2017 7.8.2.1 that apply to a K-Perf session: a
title; the laboratory and the place of testing; a unique identification on every page with
"page x of N" and a clear end; the system under test and how it was identified; the method
(the sweep, the metric definitions); the instruments with serials and calibration dates; the
dates of testing and of issue; the results with units (and uncertainty where the session has
it), with the main graphs; deviations (invalid points, pauses, notes); the operator and the
witness with a place for each signature. It is written by every export from the journal alone,
printed with reportlab in the session's language (``session.language`` in the plan, or the
language ``kperf report --lang`` recorded), and is byte-for-byte reproducible: reportlab's
invariant mode, no clock, every date the session's own.

Signing never changes it (it is covered by the manifest); the signers' fingerprints and the
verification go on the signature page that ``kperf seal`` writes into ``signatures/``.
"""
from __future__ import annotations

import datetime as _dt
import io
import json
import math
import sqlite3
import tomllib
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate,
                                Spacer, Table, TableStyle)

from . import pdffont
from .data import SessionData
from .journal import open_readonly
from .report_text import LANGUAGES, PLOT_TITLES, head, tr, tr_tuple
from .reproducible import write_atomic
from .sut_record import identity_rows, point_agreements
from .sysinfo import system_rows

REPORT_NAME = "report.pdf"
REPORT_EVENT = "report"
"""The event ``kperf report --lang`` journals; its ``language`` decides later exports."""
MARGIN = 1.8 * cm
TOKEN_COLUMNS = ("point", "precision", "input_tokens", "output_tokens", "concurrency",
                 "requests_ok", "ttft_ms_p50", "tpot_ms_mean", "prefill_tokens_per_s",
                 "output_tokens_per_s", "output_tokens_per_s_per_user", "power_w_mean",
                 "energy_j", "joules_per_output_token", "output_tokens_per_s_per_w",
                 "power_w_uncertainty_pct", "valid")
INFERENCE_COLUMNS = ("point", "precision", "concurrency", "requests_ok", "e2e_ms_mean",
                     "requests_per_s", "power_w_mean", "energy_j", "joules_per_output_token",
                     "output_tokens_per_s_per_w", "power_w_uncertainty_pct", "valid")
GRAPHS = ("power_vs_tokens.png", "throughput_vs_concurrency.png", "ttft_vs_concurrency.png",
          "e2e_vs_concurrency.png", "tokens_per_watt_vs_concurrency.png")
_WEIGHTS = {"point": 0.95, "precision": 1.5, "concurrency": 0.9, "valid": 0.8,
            "requests_ok": 1.1, "power_w_uncertainty_pct": 0.85, "joules_per_output_token": 1.15}
DEVIATION_EVENTS = ("paused", "resumed", "error", "warning", "interrupted", "operator_action",
                    "note", "ranging")


class ReportError(Exception):
    """The report cannot be written; the message says why."""


@dataclass
class ReportResult:
    path: Path
    language: str
    notes: list[str] = field(default_factory=list)
    """What the reader should know: a font that was missing, characters not printable."""


# --- language ------------------------------------------------------------------------------


def plan_language(plan_text: str) -> str | None:
    try:
        value = tomllib.loads(plan_text).get("session", {}).get("language")
    except tomllib.TOMLDecodeError:
        return None
    return value if value in LANGUAGES else None


def session_language(conn: sqlite3.Connection) -> str:
    """The report language a session recorded: the latest ``kperf report --lang``, else the
    plan's ``session.language``, else English."""
    for (data,) in conn.execute("SELECT data FROM events WHERE kind = ? ORDER BY id DESC",
                                (REPORT_EVENT,)):
        try:
            lang = json.loads(data or "{}").get("language")
        except (ValueError, AttributeError):
            continue
        if lang in LANGUAGES:
            return str(lang)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    return plan_language(meta.get("plan", "")) or "en"


# --- the document --------------------------------------------------------------------------


class _Writer:
    """Builds flowables in one language and font, noting characters the font cannot print."""

    def __init__(self, lang: str, font: pdffont.FontChoice):
        self.lang = lang
        self.font = font
        self.lost_chars = False
        base = ParagraphStyle("base", fontName=font.regular, fontSize=9, leading=12)
        self.styles = {
            "body": base,
            "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
            "cell": ParagraphStyle("cell", parent=base, fontSize=7, leading=8.5),
            "cellb": ParagraphStyle("cellb", parent=base, fontName=font.bold, fontSize=7,
                                    leading=8.5),
            "title": ParagraphStyle("title", parent=base, fontName=font.bold, fontSize=18,
                                    leading=24, alignment=TA_CENTER, spaceAfter=4),
            "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10.5, leading=14,
                                       alignment=TA_CENTER, spaceAfter=12),
            "h1": ParagraphStyle("h1", parent=base, fontName=font.bold, fontSize=12,
                                 leading=16, spaceBefore=10, spaceAfter=4),
            "h2": ParagraphStyle("h2", parent=base, fontName=font.bold, fontSize=10,
                                 leading=13, spaceBefore=6, spaceAfter=3),
            "end": ParagraphStyle("end", parent=base, fontName=font.bold, alignment=TA_CENTER,
                                  spaceBefore=14),
        }

    def t(self, key: str) -> str:
        return tr(key, self.lang)

    @property
    def bullet(self) -> str:
        return "•" if self.font.has("•") else "-"

    @property
    def dash(self) -> str:
        return "–" if self.font.has("–") else "-"

    def text(self, value: Any) -> str:
        out, lost = pdffont.printable(str(value), self.font)
        self.lost_chars |= lost
        return escape(out)

    def p(self, value: Any, style: str = "body") -> Paragraph:
        return Paragraph(self.text(value).replace("\n", "<br/>"), self.styles[style])

    def table(self, rows: list[list[Any]], widths: list[float], header: bool = True,
              key_column: bool = False, style: str = "cell",
              heights: list[float | None] | None = None) -> Table:
        cells = [[c if isinstance(c, (Paragraph, Image)) else
                  self.p(c, "cellb" if (header and r == 0) or (key_column and i == 0) else style)
                  for i, c in enumerate(row)] for r, row in enumerate(rows)]
        table = Table(cells, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0)
        commands = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e9ef")))
        if key_column:
            commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f4f7")))
        table.setStyle(TableStyle(commands))
        return table

    def pairs(self, rows: Iterable[tuple[str, Any]], key_width: float = 4.8 * cm) -> Table:
        width = A4[0] - 2 * MARGIN
        return self.table([[k, v] for k, v in rows], [key_width, width - key_width],
                          header=False, key_column=True, style="small")


def _numbered(footer: Callable[[int, int], str], font: str) -> type[rl_canvas.Canvas]:
    """A canvas that prints ``footer(page, pages)`` at the foot of every page once the number of
    pages is known."""

    class Numbered(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self.setFont(font, 7.5)
                self.setFillColor(colors.HexColor("#444444"))
                self.drawCentredString(A4[0] / 2, 1.0 * cm, footer(number, total))
                super().showPage()
            super().save()

    return Numbered


def _fmt(value: Any, lang: str = "en") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, bool):
        return ("예" if value else "아니오") if lang == "ko" else ("yes" if value else "no")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        a = abs(value)
        if a >= 1000:
            return f"{value:,.0f}"
        if a >= 100:
            return f"{value:.1f}"
        if a >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    return str(value)


def _seconds(utc: str) -> str:
    """An ISO UTC time without its fraction of a second."""
    head, dot, rest = utc.partition(".")
    return head + ("Z" if dot and rest.endswith("Z") else "")


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _report_id(meta: dict[str, str], data: SessionData) -> str:
    stamp = data.created.astimezone(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{data.name or meta.get('name', 'session')}-{stamp}"


def _plan(meta: dict[str, str]) -> dict[str, Any]:
    try:
        return tomllib.loads(meta.get("plan", ""))
    except tomllib.TOMLDecodeError:
        return {}


def _story(w: _Writer, folder: Path, data: SessionData, conn: sqlite3.Connection,
           notes: list[str]) -> list[Any]:
    meta = _meta(conn)
    plan = _plan(meta)
    session = plan.get("session", {}) if isinstance(plan.get("session"), dict) else {}
    lang = w.lang
    width = A4[0] - 2 * MARGIN
    story: list[Any] = [w.p(w.t("title"), "title"), w.p(w.t("subtitle"), "subtitle")]
    for n in notes:
        story.append(w.p(n, "small"))
        story.append(Spacer(1, 4))

    # 1. identification
    story.append(w.p(w.t("identification"), "h1"))
    started, finished = _seconds(meta.get("started_utc", "")), _seconds(meta.get("finished_utc", ""))
    story.append(w.pairs([
        (w.t("report_id"), _report_id(meta, data)),
        (w.t("session"), meta.get("name", data.name)),
        (w.t("laboratory"), session.get("lab") or w.t("not_stated")),
        (w.t("location"), session.get("location") or (w.t("at_lab") if session.get("lab")
                                                       else w.t("not_stated"))),
        (w.t("tested"), f"{started} {w.dash} {finished}" if finished else started),
        (w.t("issued"), (finished or started)[:10]),
        (w.t("status"), meta.get("status", "")),
        (w.t("software"), meta.get("software", "")),
    ]))
    if data.interrupted:
        story.append(w.p(w.t("interrupted")))

    # 2. system under test
    story.append(w.p(w.t("sut"), "h1"))
    sut = [(w.t(label), meta[key]) for key, label in (
        ("target_kind", "target_kind"), ("target_base_url", "endpoint"), ("target_model", "model"),
        ("target_api", "api"), ("target_info", "detected"), ("target_capabilities", "capabilities"),
        ("prompt_lengths", "prompt_lengths")) if meta.get(key)]
    answers = identity_rows(conn)
    sut += [(key, value) for _, key, value in answers]
    story.append(w.pairs(sut))
    story.append(Spacer(1, 3))
    story.append(w.p(w.t("sut_how") if answers else w.t("sut_plan_only"), "small"))

    # 3. method
    story.append(w.p(w.t("method"), "h1"))
    story.append(w.p(w.t("method_text")))
    sweep = plan.get("sweep", {}) if isinstance(plan.get("sweep"), dict) else {}
    if sweep:
        story.append(w.p(w.t("sweep"), "h2"))
        story.append(w.pairs([(k, json.dumps(v, ensure_ascii=False) if not isinstance(v, str)
                               else v) for k, v in sweep.items()]))
    story.append(w.p(w.t("definitions"), "h2"))
    story.append(w.pairs(list(data.definitions), key_width=4.2 * cm))

    # 4. instruments
    story.append(w.p(w.t("instruments"), "h1"))
    inst = conn.execute("SELECT channel, maker, model, serial, firmware, role, rate_hz, "
                        "calibration_due, driver, resource FROM instruments ORDER BY id").fetchall()
    if inst:
        rows: list[list[Any]] = [list(tr_tuple("inst_head", lang))]
        for ch, maker, model, serial, fw, role, rate, due, driver, resource in inst:
            rows.append([f"{ch}\n{driver} {resource or ''}".strip(),
                         f"{maker or ''} {model or ''}".strip() or "-", serial or "-", fw or "-",
                         role, f"{rate:g}" if rate is not None else "-", due or "-"])
        story.append(w.table(rows, [3.6 * cm, 3.6 * cm, 2.4 * cm, 2.2 * cm, 1.6 * cm, 1.4 * cm,
                                    width - 14.8 * cm]))
    if not any(r[5] == "wall" for r in inst):
        story.append(w.p(w.t("no_instruments")))

    # 5. conditions
    story.append(w.p(w.t("conditions"), "h1"))
    cond = [(w.t("operator"), meta.get("operator") or "-"),
            (w.t("witness"), meta.get("witness") or "-"),
            (w.t("ambient"), meta.get("ambient_c") or "-")]
    if meta.get("notes"):
        cond.append((w.t("notes"), meta["notes"]))
    cond += [(key, value) for _, key, value in system_rows(meta)]
    if not system_rows(meta):
        cond += [(label, meta[key]) for key, label in (("host", "Host"), ("python", "Python"))
                 if meta.get(key)]
    story.append(w.pairs(cond))

    # 6. results
    story.append(PageBreak())
    story.append(w.p(w.t("results"), "h1"))
    summary = data.summary
    inference = data.unit == "inference"
    columns = [c for c in (INFERENCE_COLUMNS if inference else TOKEN_COLUMNS)
               if c in summary.columns]
    if len(summary):
        rows = [[head(c, lang) for c in columns]]
        for rec in summary.to_dict("records"):
            row = []
            for c in columns:
                if c == "requests_ok":
                    row.append(f"{_fmt(rec.get('requests_ok'))}/{_fmt(rec.get('requests_failed'))}")
                else:
                    row.append(_fmt(rec.get(c), lang))
            rows.append(row)
        weights = [_WEIGHTS.get(c, 1.0) for c in columns]
        story.append(w.table(rows, [width * x / sum(weights) for x in weights]))
    else:
        story.append(w.p(w.t("no_points")))
    story.append(Spacer(1, 4))
    unc = (summary["power_w_uncertainty_pct"] if "power_w_uncertainty_pct" in summary.columns
           else None)
    if unc is None or not unc.notna().any():
        story.append(w.p(w.t("uncertainty_missing"), "small"))
    else:
        story.append(w.p(w.t("uncertainty_method"), "small"))
    empty = [f"{key[:-len(' (empty)')]}: {value}" for section, key, value in data.info
             if section == "Uncertainty" and key.endswith(" (empty)")]
    if unc is not None and empty:
        story.append(w.p(w.t("uncertainty_empty") + "; ".join(empty), "small"))
    story.append(w.p(w.t("results_statement"), "small"))

    agreements = point_agreements(conn)
    if agreements:
        story.append(w.p(w.t("server_counters"), "h2"))
        story.append(w.p(w.t("server_counters_text"), "small"))
        story.append(w.table([[head("point", lang), w.t("server_counters")]] +
                             [[str(a.point), a.agreement.text()] for a in agreements],
                             [1.4 * cm, width - 1.4 * cm]))

    story.append(w.p(w.t("graphs"), "h2"))
    for name in GRAPHS:
        path = folder / "plots" / name
        if not path.is_file():
            continue
        caption = PLOT_TITLES.get(name, (name, name))[1 if lang == "ko" else 0]
        story.append(KeepTogether([w.p(caption, "small"),
                                   Image(str(path), width=15.5 * cm, height=15.5 * cm * 5 / 8)]))
        story.append(Spacer(1, 6))

    # 7. deviations
    story.append(w.p(w.t("deviations"), "h1"))
    deviations = []
    for rec in summary.to_dict("records"):
        if not rec.get("valid"):
            deviations.append(w.t("invalid_point").format(rec.get("point"),
                                                          rec.get("invalid_reason") or "-"))
    if meta.get("allow_expired_calibration") == "yes":
        deviations.append("session.allow_expired_calibration = true")
    for t_ns, kind, message in conn.execute(
            "SELECT t_ns, kind, message FROM events WHERE kind IN (%s) ORDER BY id"
            % ",".join("?" * len(DEVIATION_EVENTS)), DEVIATION_EVENTS):
        deviations.append(f"{t_ns / 1e9:.1f} s, {kind}: {message}")
    if deviations:
        for d in deviations:
            story.append(w.p(f"{w.bullet} {d}", "small"))
    else:
        story.append(w.p(w.t("no_deviations")))
    story.append(Spacer(1, 3))
    story.append(w.p(w.t("amendments_note"), "small"))

    # 8. people and signatures
    block = [w.p(w.t("signatures"), "h1"), w.p(w.t("signatures_text"), "small"),
             Spacer(1, 6)]
    sig_rows: list[list[Any]] = [["", w.t("name"), w.t("signature"), w.t("date")]]
    for role in ("operator", "witness"):
        sig_rows.append([w.t(role), meta.get(role) or "", "", ""])
    block.append(w.table(sig_rows, [2.6 * cm, 5.0 * cm, 6.0 * cm, width - 13.6 * cm],
                         style="body", heights=[None, 1.4 * cm, 1.4 * cm]))
    block.append(w.p(w.t("end"), "end"))
    story.append(KeepTogether(block))
    return story


def _font_for(lang: str) -> tuple[str, pdffont.FontChoice, list[str]]:
    font = pdffont.choose()
    notes = []
    if lang == "ko" and not font.hangul:
        notes.append(tr("font_missing", "en"))
        lang = "en"
    return lang, font, notes


def build_report(folder: Path, data: SessionData, conn: sqlite3.Connection,
                 lang: str | None = None) -> tuple[bytes, str, list[str]]:
    """The report's bytes, the language it is printed in and the notes about it."""
    lang = lang if lang in LANGUAGES else session_language(conn)
    lang, font, notes = _font_for(lang)
    writer = _Writer(lang, font)
    meta = _meta(conn)
    story = _story(writer, Path(folder), data, conn, notes)
    if writer.lost_chars:
        note = tr("chars_missing", lang).format(font.source)
        notes.append(note)
        story.insert(2, writer.p(note, "small"))
    report_id = _report_id(meta, data)
    page = tr("page", lang)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 0.4 * cm, invariant=1,
                            title=f"{tr('title', lang)} {report_id}", author="K-Perf Lab",
                            creator="K-Perf Lab", subject=report_id)
    footer = lambda n, total: f"{report_id}  {writer.dash}  {page.format(n, total)}"  # noqa: E731
    doc.build(story, canvasmaker=_numbered(footer, font.regular))
    return buffer.getvalue(), lang, notes


def write_report(folder: Path, data: SessionData, lang: str | None = None) -> ReportResult:
    """Write ``folder/report.pdf`` from the session's journal and exports."""
    folder = Path(folder)
    try:
        with closing(open_readonly(folder / "session.sqlite")) as conn:
            pdf, used, notes = build_report(folder, data, conn, lang)
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"the journal cannot be read for the report ({exc})") from None
    path = folder / REPORT_NAME
    write_atomic(path, pdf)
    return ReportResult(path, used, notes)


# --- the signature page ----------------------------------------------------------------------


def build_signature_page(name: str, manifest_sha256: str, checks: list[Any],
                         amendment_lines: list[str], verification: list[str], intact: bool,
                         lang: str) -> bytes:
    """The page ``kperf seal`` adds to ``signatures/``: who signed (fingerprints), the
    amendments and the verification result, from the facts given (no clock)."""
    lang, font, notes = _font_for(lang)
    w = _Writer(lang, font)
    width = A4[0] - 2 * MARGIN
    story: list[Any] = [w.p(w.t("sig_page_title"), "title"), w.p(name, "subtitle")]
    story += [w.p(n, "small") for n in notes]
    story.append(w.p(w.t("sig_page_text"), "small"))
    story.append(Spacer(1, 6))
    story.append(w.pairs([(w.t("manifest_digest"), manifest_sha256)]))
    story.append(w.p(w.t("sig_heading"), "h1"))
    rows: list[list[Any]] = [[w.t("role"), w.t("signer"), w.t("fingerprint"), w.t("signed_at"),
                              w.t("result")]]
    for c in checks:
        state = w.t("valid") if c.valid else w.t("missing") if not c.present else \
            f"{w.t('invalid')}: {c.problem}"
        rows.append([w.t(c.role), c.signer or "-", c.fingerprint or "-", c.signed_utc or "-",
                     state])
    story.append(w.table(rows, [2.0 * cm, 3.0 * cm, 5.6 * cm, 3.2 * cm, width - 13.8 * cm]))
    story.append(w.p(w.t("amendments"), "h1"))
    if amendment_lines:
        story += [w.p(f"{w.bullet} {line}", "small") for line in amendment_lines]
    else:
        story.append(w.p(w.t("none")))
    story.append(w.p(w.t("verification"), "h1"))
    story.append(w.p(w.t("intact") if intact else w.t("not_intact"), "h2"))
    story += [w.p(line, "small") for line in verification]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 0.4 * cm, invariant=1,
                            title=f"{tr('sig_page_title', lang)} {name}", author="K-Perf Lab",
                            creator="K-Perf Lab")
    page = tr("page", lang)
    doc.build(story, canvasmaker=_numbered(lambda n, t: f"{name}  {w.dash}  {page.format(n, t)}",
                                           font.regular))
    return buffer.getvalue()
