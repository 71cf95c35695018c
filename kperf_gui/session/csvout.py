"""summary.csv: the Summary sheet of results.xlsx as plain text.

Same header, same column order, same rows and the same values as the sheet. Numbers are written
with the very text the workbook stores for them (``%.16g``, which is how openpyxl writes numbers),
so a reader of either file parses identical numbers; a whole number stored as a float therefore
reads ``128``, not ``128.0``. Booleans read ``True``/``False`` (what a workbook reader returns for
the sheet's TRUE/FALSE cells), empty cells are empty fields. UTF-8 without a byte-order mark,
``\\n`` line ends, no index column.

One exception, for safety: a text cell that a spreadsheet would read as a formula (it begins with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed, or their full-width forms) is
written with a leading apostrophe, as OWASP's advice on CSV injection says, so that opening the
file never runs it (:data:`FORMULA_NOTE`, also on the workbook's Session sheet). Numbers are
never touched: ``-3.5`` stays a number.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from kperf_gui.session.data import SUMMARY_COLUMNS, SessionData
from kperf_gui.session.reproducible import write_atomic
from kperf_gui.session.xlsx import CellValue, summary_rows


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a spreadsheet may take as the start of a formula (OWASP, CSV injection)."""

FORMULA_NOTE = ("A text cell that begins with =, +, -, @, a tab or a line break (or a full-width "
                "=, +, - or @) is written to summary.csv with a leading apostrophe (') so that a "
                "spreadsheet shows it as text and never runs it as a formula (OWASP's advice on "
                "CSV injection); every other cell is exactly as on the Summary sheet.")


def neutralised(text: str) -> str:
    """``text`` as a CSV field that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def field_text(value: CellValue) -> str:
    """The CSV text of one Summary cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return "%.16g" % value
    return neutralised(value)


def csv_line(fields: list[str] | tuple[str, ...]) -> str:
    """One CSV record ending in ``\\n``. A field holding a comma, a double quote or either line
    break is quoted (Python's csv writer leaves a lone carriage return unquoted when the line
    ends in ``\\n``, which splits the record for every reader)."""
    return ",".join('"' + f.replace('"', '""') + '"' if _NEEDS_QUOTES.search(f) else f
                    for f in fields) + "\n"


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def write_summary_csv(data: SessionData, path: Path) -> None:
    """Write summary.csv for ``data``; the same data always gives the same bytes."""
    text = io.StringIO()
    text.write(csv_line(SUMMARY_COLUMNS))
    for row in summary_rows(data):
        text.write(csv_line([field_text(v) for v in row]))
    write_atomic(Path(path), text.getvalue().encode("utf-8"))
