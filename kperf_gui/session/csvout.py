"""summary.csv: the Summary sheet of results.xlsx as plain text.

Same header, same column order, same rows and the same values as the sheet. Numbers are written
with the very text the workbook stores for them (``%.16g``, which is how openpyxl writes numbers),
so a reader of either file parses identical numbers; a whole number stored as a float therefore
reads ``128``, not ``128.0``. Booleans read ``True``/``False`` (what a workbook reader returns for
the sheet's TRUE/FALSE cells), empty cells are empty fields. UTF-8 without a byte-order mark,
``\\n`` line ends, no index column.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from kperf_gui.session.data import SUMMARY_COLUMNS, SessionData
from kperf_gui.session.reproducible import write_atomic
from kperf_gui.session.xlsx import CellValue, summary_rows


def field_text(value: CellValue) -> str:
    """The CSV text of one Summary cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return "%.16g" % value
    return value


def write_summary_csv(data: SessionData, path: Path) -> None:
    """Write summary.csv for ``data``; the same data always gives the same bytes."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in summary_rows(data):
        writer.writerow([field_text(v) for v in row])
    write_atomic(Path(path), text.getvalue().encode("utf-8"))
