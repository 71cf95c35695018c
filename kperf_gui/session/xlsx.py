"""results.xlsx: the Summary, Requests, Power and Session sheets and native charts, reproducible to the byte.

The workbook is written in openpyxl's streaming mode, so sheets with a million readings need little
memory. Its timestamps (document properties and zip entries) are the session's own start time.
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice, zip_longest
from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.writer.excel import ExcelWriter

from kperf_gui.session.data import SUMMARY_COLUMNS, SUMMARY_FORMATS, SessionData
from kperf_gui.session.reproducible import normalise_zip, utc_naive, write_atomic

CellValue = bool | int | float | str | None

MAX_SHEET_ROWS = 1_048_576
"""Excel's row limit; the header takes one of them."""
MAX_TEXT = 32_767
"""Excel's limit on the characters of one cell."""

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_GROUP_KEYS = ("precision", "input_tokens", "output_tokens")
_WIDTH_SAMPLE_ROWS = 2000


def cell_value(value: object) -> CellValue:
    """A value as the workbook stores it: missing values and infinities become empty cells."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_TEXT]
    return text or None


def summary_frame(data: SessionData) -> pd.DataFrame:
    """The Summary table with exactly the contract's columns, in the contract's order."""
    return data.summary.reindex(columns=list(SUMMARY_COLUMNS))


def summary_rows(data: SessionData) -> list[list[CellValue]]:
    """The Summary sheet's rows below the header, as the workbook stores them."""
    return [[cell_value(v) for v in row] for row in _rows(summary_frame(data))]


def group_label(precision: object, input_tokens: object, output_tokens: object) -> str:
    """A series name such as ``bf16, in 128, out 128``; empty parts are left out."""
    parts = []
    if not _missing(precision):
        parts.append(str(precision))
    if not _missing(input_tokens):
        parts.append(f"in {_plain(input_tokens)}")
    if not _missing(output_tokens):
        parts.append(f"out {_plain(output_tokens)}")
    return ", ".join(parts) or "all points"


def series_groups(summary: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Summary rows split by (precision, input_tokens, output_tokens), each sorted by concurrency."""
    if summary.empty:
        return []
    keys = [k for k in _GROUP_KEYS if k in summary.columns]
    if not keys:
        return [("all points", summary.sort_values("concurrency", kind="stable"))]
    groups = []
    for key, rows in summary.groupby(keys, dropna=False, sort=False):
        named = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        label = group_label(*(named.get(k) for k in _GROUP_KEYS))
        groups.append((label, rows.sort_values("concurrency", kind="stable")))
    return groups


def has_wall_power(data: SessionData) -> bool:
    """Whether the session has any summed wall-power reading."""
    return "watts" in data.wall.columns and bool(data.wall["watts"].notna().any())


def write_workbook(data: SessionData, path: Path) -> None:
    """Write results.xlsx for ``data``; the same data always gives the same bytes."""
    book = Workbook(write_only=True)
    stamp = utc_naive(data.created)
    book.properties.creator = "K-Perf Lab"
    book.properties.title = data.name
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.lastModifiedBy = None

    _write_summary(book.create_sheet("Summary"), data)
    notes = _write_table(book.create_sheet("Requests"), "Requests", data.requests, autofilter=True)
    notes += _write_power(book.create_sheet("Power"), data)
    _write_session(book.create_sheet("Session"), data, notes)
    _write_charts(book.create_sheet("Charts"), data)

    raw = io.BytesIO()
    # deflated at level 0 (stored blocks, cheap): normalise_zip deflates every entry again at
    # DEFLATE_LEVEL, and the bytes it writes depend only on the entries' contents
    archive = ZipFile(raw, "w", ZIP_DEFLATED, compresslevel=0)
    ExcelWriter(book, archive).save()
    write_atomic(Path(path), normalise_zip(raw.getvalue(), data.created))


def _write_summary(sheet: WriteOnlyWorksheet, data: SessionData) -> None:
    rows = summary_rows(data)
    columns = list(SUMMARY_COLUMNS)
    _set_widths(sheet, columns, rows, cap=40)
    formats = [SUMMARY_FORMATS[c] for c in columns]
    _declare_size(sheet, len(columns), len(rows) + 1)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, columns))
    for row in rows:
        sheet.append([_cell(sheet, v, number_format=f) for v, f in zip(row, formats)])
    sheet.auto_filter = AutoFilter(ref=_range(len(columns), len(rows) + 1))


def _write_table(
    sheet: WriteOnlyWorksheet, name: str, frame: pd.DataFrame, *, autofilter: bool
) -> list[str]:
    """Write a DataFrame with its own column names; returns notes when rows had to be left out."""
    columns = [str(c) for c in frame.columns]
    limit = MAX_SHEET_ROWS - 1
    rows = (_converted(r) for r in islice(_rows(frame), limit))
    written = min(len(frame), limit)
    sample = (_converted(r) for r in islice(_rows(frame), _WIDTH_SAMPLE_ROWS))
    _set_widths(sheet, columns, sample)
    _declare_size(sheet, len(columns), written + 1)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, columns))
    _stream_plain_rows(sheet, len(columns))
    for row in rows:
        sheet.append(_guarded(sheet, row))
    if autofilter and columns:
        sheet.auto_filter = AutoFilter(ref=_range(len(columns), written + 1))
    return _truncation_notes(name, written, len(frame))


def _write_power(sheet: WriteOnlyWorksheet, data: SessionData) -> list[str]:
    """Meter readings in long format; to their right, after one empty column, the summed wall power."""
    power, wall = data.power, data.wall
    columns = [str(c) for c in power.columns] + [""] + [f"wall_{c}" for c in wall.columns]
    limit = MAX_SHEET_ROWS - 1

    def rows(count: int) -> Iterator[list[CellValue]]:
        pairs = zip_longest(
            islice(_rows(power), count), islice(_rows(wall), count), fillvalue=None
        )
        for left, right in pairs:
            cells: list[CellValue] = (_converted(left) if left is not None
                                      else [None] * len(power.columns))
            cells.append(None)
            cells += _converted(right) if right is not None else [None] * len(wall.columns)
            yield cells

    _set_widths(sheet, columns, rows(_WIDTH_SAMPLE_ROWS))
    _declare_size(sheet, len(columns), min(max(len(power), len(wall)), limit) + 1)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, columns))
    _stream_plain_rows(sheet, len(columns))
    for row in rows(limit):
        sheet.append(_guarded(sheet, row))
    return _truncation_notes("Power", min(len(power), limit), len(power)) + _truncation_notes(
        "Power (wall columns)", min(len(wall), limit), len(wall)
    )


def _write_session(sheet: WriteOnlyWorksheet, data: SessionData, notes: Sequence[str]) -> None:
    rows: list[list[CellValue]] = [[cell_value(v) for v in row] for row in data.info]
    rows += [["Export", "Rows left out", note] for note in notes]
    definitions = [["Metric definitions", cell_value(n), cell_value(d)] for n, d in data.definitions]
    header = ["Section", "Item", "Value"]
    _set_widths(sheet, header, rows + definitions, cap=100)
    height = int(data.interrupted) + 1 + len(rows) + (len(definitions) + 2 if definitions else 0)
    _declare_size(sheet, len(header), height)
    sheet.freeze_panes = "A3" if data.interrupted else "A2"
    if data.interrupted:
        banner = (
            f"INTERRUPTED RUN: session {data.name} did not finish; the figures cover only what was "
            "journaled before it stopped."
        )
        sheet.append([_cell(sheet, banner, bold=True)])
    sheet.append(_header(sheet, header))
    for row in rows:
        sheet.append(_guarded(sheet, row, wrap_from=2))
    if definitions:
        sheet.append([])
        sheet.append([_cell(sheet, "Metric definitions", bold=True)])
        for row in definitions:
            sheet.append(_guarded(sheet, row, wrap_from=2))


def _write_charts(sheet: WriteOnlyWorksheet, data: SessionData) -> None:
    """A table of the charted figures, one block of rows per series, and the charts beside it
    (none when no point finished: a chart without series is not a valid chart)."""
    inference = data.unit == "inference"
    rate = "Inferences/s" if inference else "Output tokens/s"
    x_title = "Concurrency (jobs in flight)" if inference else "Concurrency (users)"
    latency = ("e2e_ms_mean", "e2e_ms_p99") if inference else ("ttft_ms_p50", "ttft_ms_p99")
    columns = ["series", "concurrency", "output_tokens_per_s", *latency, "power_w_mean"]
    suffix = " (interrupted)" if data.interrupted else ""

    frame = summary_frame(data)
    blocks: list[tuple[str, int, int]] = []
    rows: list[list[CellValue]] = []
    for label, group in series_groups(frame):
        first = len(rows) + 2
        rows += [[label, *(cell_value(v) for v in r)] for r in _rows(group[columns[1:]])]
        blocks.append((label, first, len(rows) + 1))

    _set_widths(sheet, columns, rows, cap=40)
    _declare_size(sheet, len(columns), len(rows) + 1)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, columns))
    for row in rows:
        sheet.append(_guarded(sheet, row))
    if not blocks:
        return

    def chart(title: str, y_title: str, series: Sequence[tuple[int, str]]) -> ScatterChart:
        figure = ScatterChart(scatterStyle="lineMarker")
        figure.title = title + suffix
        figure.style = 13
        figure.height, figure.width = 9, 18
        figure.x_axis.title, figure.y_axis.title = x_title, y_title
        figure.x_axis.delete = figure.y_axis.delete = False
        figure.legend.position = "b"
        for label, first, last in blocks:
            x = Reference(sheet, min_col=2, min_row=first, max_row=last)
            for column, name in series:
                y = Reference(sheet, min_col=column, min_row=first, max_row=last)
                line = Series(y, x, title=f"{label} {name}".strip())
                line.marker.symbol = "circle"
                figure.series.append(line)
        return figure

    latency_title = "E2E latency" if inference else "TTFT"
    latency_names = ("mean", "p99") if inference else ("p50", "p99")
    charts = [
        chart(f"{rate} vs concurrency", rate, [(3, "")]),
        chart(f"{latency_title} vs concurrency", f"{latency_title} (ms)",
              [(4, latency_names[0]), (5, latency_names[1])]),
        chart(
            "Wall power vs concurrency" + ("" if has_wall_power(data) else " (no wall power channel)"),
            "Mean wall power (W)",
            [(6, "")],
        ),
    ]
    anchor_column = get_column_letter(len(columns) + 2)
    for index, figure in enumerate(charts):
        sheet.add_chart(figure, f"{anchor_column}{2 + 20 * index}")


def _stream_plain_rows(sheet: WriteOnlyWorksheet, width: int) -> None:
    """From here on, write the sheet's rows as text where openpyxl would write the same text
    through an element tree per cell (most of an export's time on large tables): numbers,
    booleans and plain strings; any other cell (styled, a formula-looking or error-looking
    text, text with surrounding spaces) still goes through openpyxl's own cell writer. Call
    after the sheet's first row, which opens its writer."""
    writer = sheet._writer
    letters = [""] + [get_column_letter(i) for i in range(1, width + 2)]

    def write_row(xf, row, row_idx):  # type: ignore[no-untyped-def]
        raw = xf._file
        parts = [f'<row r="{row_idx}">']
        for col, value in enumerate(row, 1):
            if value is None:
                continue
            kind = type(value)
            if kind is float or kind is int:
                parts.append(f'<c r="{letters[col]}{row_idx}" t="n"><v>{"%.16g" % value}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{letters[col]}{row_idx}" t="b"><v>{int(value)}</v></c>')
            elif kind is str and value == value.strip():
                parts.append(f'<c r="{letters[col]}{row_idx}" t="inlineStr"><is><t>'
                             f'{_escape_cdata(value)}</t></is></c>')
            else:
                raw("".join(parts))
                parts = []
                cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
                cell.column, cell.row = col, row_idx
                write_cell(xf, sheet, cell, cell.has_style)
        parts.append("</row>")
        raw("".join(parts))

    writer.write_row = write_row
    sheet._values_to_row = lambda values, row_idx: values


def _truncation_notes(sheet: str, written: int, total: int) -> list[str]:
    if written >= total:
        return []
    return [f"The {sheet} sheet holds the first {written} of {total} rows; session.sqlite holds all."]


def _rows(frame: pd.DataFrame) -> Iterator[tuple]:
    columns = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]
    if not columns:
        return iter([()] * len(frame))
    return zip(*columns)


def _converted(row: Iterable[object]) -> list[CellValue]:
    return [cell_value(v) for v in row]


def _guarded(
    sheet: WriteOnlyWorksheet, row: Sequence[CellValue], wrap_from: int | None = None
) -> list:
    """Cells ready to append: text that Excel would read as a formula or an error stays text."""
    out = []
    for index, value in enumerate(row):
        wrap = wrap_from is not None and index >= wrap_from and isinstance(value, str)
        if wrap or _needs_text_type(value):
            out.append(_cell(sheet, value, wrap=wrap))
        else:
            out.append(value)
    return out


def _needs_text_type(value: CellValue) -> bool:
    return isinstance(value, str) and ((len(value) > 1 and value.startswith("=")) or value in ERROR_CODES)


def _cell(sheet: WriteOnlyWorksheet, value: CellValue, *, bold: bool = False, wrap: bool = False,
          number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if _needs_text_type(value):
        cell.data_type = "s"
    if bold:
        cell.font = _BOLD
    if wrap:
        cell.alignment = _WRAP
    if number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _header(sheet: WriteOnlyWorksheet, columns: Sequence[str]) -> list[WriteOnlyCell]:
    return [_cell(sheet, c or None, bold=True) for c in columns]


def _set_widths(
    sheet: WriteOnlyWorksheet, columns: Sequence[str], rows: Iterable[Sequence[CellValue]], cap: int = 60
) -> None:
    """Column widths from the header and the (first) rows, between 6 and ``cap`` characters."""
    widths = [len(c) + 2 for c in columns]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_length(value) + 2)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(6, min(width, cap))


def _display_length(value: CellValue) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, float):
        return min(len(repr(value)), 12)
    return max(len(line) for line in str(value).splitlines() or [""])


def _declare_size(sheet: WriteOnlyWorksheet, columns: int, rows: int) -> None:
    """Give a streamed sheet its <dimension>, which openpyxl's streaming writer looks up on the
    sheet; readers in read-only mode use it to return full-width rows."""
    reference = _range(columns, rows)
    sheet.calculate_dimension = lambda: reference


def _range(columns: int, rows: int) -> str:
    return f"A1:{get_column_letter(max(columns, 1))}{max(rows, 1)}"


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _plain(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
