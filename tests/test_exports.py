"""The session exports: results.xlsx, summary.csv and plots/*.png, and their reproducibility."""
from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import subprocess
import sys
import textwrap
import time
import types
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.packaging.core
import openpyxl.writer.excel
import pytest

from kperf_gui.session import xlsx
from kperf_gui.session.csvout import FORMULA_START, write_summary_csv
from kperf_gui.session.data import SUMMARY_COLUMNS, SessionData
from kperf_gui.session.manifest import verify, write_manifest
from kperf_gui.session.plots import DPI, NO_WALL, SIZE_IN, build_figures, write_plots
from kperf_gui.session.xlsx import write_workbook
from tests.sessiondata_factory import CREATED, make_empty_session_data, make_session_data

SHEETS = ["Summary", "Requests", "Power", "Session", "Charts"]
TOKEN_PLOTS = [
    "power_vs_time.png", "tokens_vs_time.png", "power_vs_tokens.png",
    "throughput_vs_concurrency.png", "ttft_vs_concurrency.png",
    "tokens_per_watt_vs_concurrency.png", "per_user_vs_total.png",
]


def export_session(data: SessionData, folder: Path) -> Path:
    """A complete session folder as the contract describes it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "session.sqlite").write_bytes(b"")
    (folder / "plan.toml").write_text(data.plan_toml or '[session]\nname = "x"\n', encoding="utf-8")
    write_workbook(data, folder / "results.xlsx")
    write_summary_csv(data, folder / "summary.csv")
    write_plots(data, folder / "plots")
    write_manifest(folder)
    return folder


@pytest.fixture(scope="module")
def normal() -> SessionData:
    return make_session_data()


@pytest.fixture(scope="module")
def exported(normal, tmp_path_factory) -> Path:
    return export_session(normal, tmp_path_factory.mktemp("session") / "rngd-llama31-8b")


@pytest.fixture(scope="module")
def book(exported) -> openpyxl.Workbook:
    return openpyxl.load_workbook(exported / "results.xlsx")


def book_of(data: SessionData, tmp_path: Path, name: str = "results.xlsx") -> openpyxl.Workbook:
    write_workbook(data, tmp_path / name)
    return openpyxl.load_workbook(tmp_path / name)


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def chart_texts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        return [archive.read(n).decode("utf-8") for n in names]


# --- workbook -------------------------------------------------------------------------------


def test_workbook_has_the_contract_sheets_in_order(book):
    assert book.sheetnames == SHEETS


def test_summary_header_rows_and_cell_types(book, normal):
    sheet = book["Summary"]
    header = [c.value for c in sheet[1]]
    assert header == list(SUMMARY_COLUMNS)
    assert all(c.font.b for c in sheet[1])
    assert sheet.max_row == len(normal.summary) + 1
    column = {name: i for i, name in enumerate(SUMMARY_COLUMNS)}
    for row in sheet.iter_rows(min_row=2):
        for name in ("point", "concurrency", "ttft_ms_p50", "output_tokens_per_s", "energy_j"):
            assert row[column[name]].data_type == "n"
            assert isinstance(row[column[name]].value, (int, float))
        assert row[column["valid"]].data_type == "b"
        assert row[column["unit"]].value == "token"
        assert row[column["ttft_ms_p50"]].number_format == "0.0"
        assert row[column["output_tokens_per_s"]].number_format == "0.00"
        assert row[column["energy_j"]].number_format == "0.000"
    values = sheet_rows(sheet)[1:]
    assert [r[column["point"]] for r in values] == normal.summary["point"].tolist()
    failed = [r for r in values if r[column["requests_failed"]]]
    assert failed and all(r[column["valid"]] is False for r in failed)
    assert all(r[column["invalid_reason"]] is None for r in values if r[column["valid"]])


def test_missing_figures_are_empty_cells(tmp_path):
    data = make_session_data(unit="inference")
    sheet = book_of(data, tmp_path)["Summary"]
    column = {name: i for i, name in enumerate(SUMMARY_COLUMNS)}
    for row in sheet_rows(sheet)[1:]:
        for name in ("ttft_ms_p50", "tpot_ms_mean", "itl_ms_p99", "prefill_tokens_per_s",
                     "input_tokens", "output_tokens"):
            assert row[column[name]] is None
        assert row[column["unit"]] == "inference"
        assert isinstance(row[column["e2e_ms_p99"]], float)


def test_frozen_headers_widths_and_filters(book, normal):
    for name in SHEETS:
        assert book[name].freeze_panes == "A2", name
    assert book["Summary"].auto_filter.ref == f"A1:AI{len(normal.summary) + 1}"
    assert book["Requests"].auto_filter.ref == f"A1:M{len(normal.requests) + 1}"
    widths = [d.width for d in book["Summary"].column_dimensions.values()]
    assert widths and all(6 <= w <= 40 for w in widths)
    assert book["Summary"].column_dimensions["AE"].width >= len("output_tokens_per_s_per_w")


def test_requests_and_power_sheets_hold_the_frames(exported, normal):
    book = openpyxl.load_workbook(exported / "results.xlsx", read_only=True)
    requests = sheet_rows(book["Requests"])
    assert list(requests[0]) == list(normal.requests.columns)
    assert len(requests) == len(normal.requests) + 1
    power = sheet_rows(book["Power"])
    width = len(normal.power.columns)
    assert list(power[0][:width]) == list(normal.power.columns)
    assert power[0][width] is None
    assert list(power[0][width + 1:]) == [f"wall_{c}" for c in normal.wall.columns]
    assert len(power) == max(len(normal.power), len(normal.wall)) + 1
    first = normal.power.iloc[0]
    assert power[1][0] == pytest.approx(first["t_s"])
    assert power[1][3] == pytest.approx(first["watts"])
    assert power[1][width + 2] == pytest.approx(normal.wall["watts"].iloc[0])


def test_session_sheet_holds_info_and_definitions(book, normal):
    rows = sheet_rows(book["Session"])
    assert rows[0] == ("Section", "Item", "Value")
    for section, item, value in normal.info:
        assert (section, item, value) in rows
    assert ("Metric definitions", None, None) in rows
    for name, definition in normal.definitions:
        assert ("Metric definitions", name, definition) in rows
    assert not any(r[0] and str(r[0]).startswith("INTERRUPTED") for r in rows)


def test_interrupted_run_is_marked(tmp_path):
    book = book_of(make_session_data(interrupted=True), tmp_path)
    session = book["Session"]
    assert session["A1"].value.startswith("INTERRUPTED RUN:")
    assert "did not finish" in session["A1"].value
    assert session["A1"].font.b
    assert session.freeze_panes == "A3"
    assert [c.value for c in session[2]] == ["Section", "Item", "Value"]
    assert all(t.count("(interrupted)") == 1 for t in chart_texts(tmp_path / "results.xlsx"))


def test_native_charts_against_concurrency(exported, book, normal):
    charts = chart_texts(exported / "results.xlsx")
    assert len(charts) == 3
    assert all("<scatterChart>" in c and "lineMarker" in c for c in charts)
    assert "Output tokens/s vs concurrency" in charts[0]
    assert "TTFT vs concurrency" in charts[1] and "TTFT (ms)" in charts[1]
    assert "Mean wall power (W)" in charts[2]
    assert all("Concurrency (users)" in c for c in charts)
    groups = normal.summary.groupby(["precision", "input_tokens", "output_tokens"]).ngroups
    assert charts[0].count("<ser>") == groups
    assert charts[1].count("<ser>") == 2 * groups
    assert "bf16, in 1024, out 128" in charts[0]
    table = sheet_rows(book["Charts"])
    assert table[0] == ("series", "concurrency", "output_tokens_per_s", "ttft_ms_p50",
                        "ttft_ms_p99", "power_w_mean")
    assert len(table) == len(normal.summary) + 1


def test_inference_charts_speak_of_inferences_and_e2e(tmp_path):
    write_workbook(make_session_data(unit="inference"), tmp_path / "results.xlsx")
    charts = chart_texts(tmp_path / "results.xlsx")
    assert "Inferences/s vs concurrency" in charts[0]
    assert "E2E latency vs concurrency" in charts[1]
    assert not any("TTFT" in c for c in charts)
    assert "int8" in charts[0] and "fp16" in charts[0]


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    data = make_session_data()
    data.summary["model"] = "=HYPERLINK(\"x\")"
    data.summary.loc[0, "invalid_reason"] = "#N/A"
    data.summary.loc[1, "invalid_reason"] = "bad\x07byte"
    sheet = book_of(data, tmp_path)["Summary"]
    column = {name: i + 1 for i, name in enumerate(SUMMARY_COLUMNS)}
    assert sheet.cell(2, column["model"]).data_type == "s"
    assert sheet.cell(2, column["model"]).value == "=HYPERLINK(\"x\")"
    assert sheet.cell(2, column["invalid_reason"]).value == "#N/A"
    assert sheet.cell(3, column["invalid_reason"]).value == "badbyte"
    write_summary_csv(data, tmp_path / "summary.csv")
    assert_csv_matches_sheet(tmp_path)


def test_rows_beyond_the_sheet_limit_are_left_out_and_said(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 11)
    data = make_session_data()
    write_workbook(data, tmp_path / "results.xlsx")
    book = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    assert len(sheet_rows(book["Requests"])) == 11
    assert len(sheet_rows(book["Power"])) == 11
    notes = [r[2] for r in sheet_rows(book["Session"]) if r and r[0] == "Export"]
    assert f"first 10 of {len(data.requests)} rows" in notes[0]
    assert any(f"first 10 of {len(data.power)} rows" in n for n in notes)


def test_empty_session_exports(tmp_path):
    data = make_empty_session_data()
    folder = export_session(data, tmp_path / "stopped-early")
    sheet = openpyxl.load_workbook(folder / "results.xlsx")["Summary"]
    assert [c.value for c in sheet[1]] == list(SUMMARY_COLUMNS)
    assert sheet.max_row == 1
    assert chart_texts(folder / "results.xlsx") == []
    assert (folder / "summary.csv").read_text(encoding="utf-8") == ",".join(SUMMARY_COLUMNS) + "\n"
    assert sorted(p.name for p in (folder / "plots").iterdir()) == sorted(TOKEN_PLOTS)
    assert verify(folder) == []


# --- summary.csv ----------------------------------------------------------------------------


def assert_csv_matches_sheet(folder: Path) -> None:
    sheet = sheet_rows(openpyxl.load_workbook(folder / "results.xlsx", read_only=True)["Summary"])
    with open(folder / "summary.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == list(sheet[0])
    assert len(rows) == len(sheet)
    for csv_row, sheet_row in zip(rows[1:], sheet[1:]):
        assert len(csv_row) == len(sheet_row)
        for text, value in zip(csv_row, sheet_row):
            if value is None:
                assert text == ""
            elif isinstance(value, bool):
                assert text == str(value)
            elif isinstance(value, (int, float)):
                assert float(text) == value and math.isfinite(value)
                assert isinstance(value, int) == ("." not in text and "e" not in text)
            elif value.startswith(FORMULA_START):  # neutralised, as the Session sheet says
                assert text == "'" + value
            else:
                assert text == value


def test_csv_equals_the_summary_sheet(exported):
    assert_csv_matches_sheet(exported)


@pytest.mark.parametrize(
    "kind", [{"unit": "inference"}, {"with_power": False}, {"interrupted": True}],
    ids=["inference", "no-power", "interrupted"],
)
def test_csv_equals_the_summary_sheet_for_every_kind(kind, tmp_path):
    data = make_session_data(**kind)
    write_workbook(data, tmp_path / "results.xlsx")
    write_summary_csv(data, tmp_path / "summary.csv")
    assert_csv_matches_sheet(tmp_path)


FORMULAS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"open\")", "+SUM(1,2)", "@SUM(A1:A9)",
            "-2+3", "\t=1+1", "\n=1+1", "\uff1d1+1"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_looking_cells_are_neutralised_in_the_csv(formula, tmp_path):
    data = make_session_data()
    data.summary["model"] = formula
    data.summary["precision"] = "fp8"
    data.summary.loc[0, "precision"] = formula
    data.summary.loc[1, "invalid_reason"] = formula
    write_workbook(data, tmp_path / "results.xlsx")
    write_summary_csv(data, tmp_path / "summary.csv")
    with open(tmp_path / "summary.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    stored = xlsx.cell_value(formula)  # the sheet's text (control characters it cannot hold go)
    assert all(r["model"] == "'" + stored for r in rows)
    assert rows[0]["precision"] == "'" + stored and rows[1]["precision"] == "fp8"
    assert rows[1]["invalid_reason"] == "'" + stored
    # no field of the file starts a formula, and every other cell still equals the sheet
    assert not any(v.startswith(FORMULA_START) for r in rows for v in r.values())
    assert_csv_matches_sheet(tmp_path)
    # the workbook keeps the text itself (a text cell, never a formula) and says how the CSV differs
    book = openpyxl.load_workbook(tmp_path / "results.xlsx")
    summary = book["Summary"]
    model_col = list(SUMMARY_COLUMNS).index("model") + 1
    assert summary.cell(2, model_col).value == stored
    assert summary.cell(2, model_col).data_type == "s"


def test_every_formula_start_is_neutralised_and_nothing_else():
    from kperf_gui.session.csvout import csv_line, neutralised

    for start in ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"):
        assert neutralised(start + "1+1") == "'" + start + "1+1"
    for text in ("sim-llm", "bf16", " =1", "'=1", "1-2", "", "point 2 interrupted"):
        assert neutralised(text) == text
    # a carriage return inside a field is quoted, so the record stays one record
    assert list(csv.reader(io.StringIO(csv_line(["'\r=1", "x"]), newline=""))) == [["'\r=1", "x"]]


def test_negative_numbers_are_not_touched(tmp_path):
    data = make_session_data()
    data.summary["power_w_idle"] = -3.5
    write_summary_csv(data, tmp_path / "summary.csv")
    with open(tmp_path / "summary.csv", newline="", encoding="utf-8") as stream:
        assert {r["power_w_idle"] for r in csv.DictReader(stream)} == {"-3.5"}


def test_csv_is_utf8_with_newlines_and_no_index(exported, normal):
    raw = (exported / "summary.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert lines[0] == ",".join(SUMMARY_COLUMNS)
    assert lines[1].startswith("1,token,")
    assert len(lines) == len(normal.summary) + 2


# --- plots ----------------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def figure_texts(figure) -> str:
    axes = figure.axes[0]
    texts = [axes.get_title(), axes.get_xlabel(), axes.get_ylabel()]
    texts += [t.get_text() for t in axes.texts]
    legend = axes.get_legend()
    if legend is not None:
        texts += [t.get_text() for t in legend.get_texts()]
    return "\n".join(texts)


def test_plots_for_a_normal_session(exported):
    names = sorted(p.name for p in (exported / "plots").iterdir())
    assert names == sorted(TOKEN_PLOTS)
    expected = (round(SIZE_IN[0] * DPI), round(SIZE_IN[1] * DPI))
    for name in names:
        assert png_size(exported / "plots" / name) == expected
        assert b"Software" not in (exported / "plots" / name).read_bytes()


def test_plot_titles_and_labels(normal):
    texts = {name: figure_texts(f) for name, f in build_figures(normal).items()}
    assert "Power (W)" in texts["power_vs_time.png"]
    assert "idle baseline" in texts["power_vs_time.png"]
    assert "nvml GPU0 (auxiliary)" in texts["power_vs_time.png"]
    assert "Output tokens/s" in texts["tokens_vs_time.png"]
    for number in normal.summary["point"]:
        assert f"{number}: bf16" in texts["power_vs_tokens.png"]
    assert "Wall power (W)" in texts["power_vs_tokens.png"]
    assert "p50" in texts["ttft_vs_concurrency.png"] and "p99" in texts["ttft_vs_concurrency.png"]
    assert "p90" in texts["ttft_vs_concurrency.png"]
    assert "TTFT (ms)" in texts["ttft_vs_concurrency.png"]
    assert "per W" in texts["tokens_per_watt_vs_concurrency.png"]
    assert "per user" in texts["per_user_vs_total.png"]
    assert not any(NO_WALL in t for t in texts.values())


def test_plots_without_a_power_meter(tmp_path):
    data = make_session_data(with_power=False)
    written = write_plots(data, tmp_path / "plots")
    assert sorted(p.name for p in written) == sorted(TOKEN_PLOTS)
    texts = {name: figure_texts(f) for name, f in build_figures(data).items()}
    for name in ("power_vs_time.png", "tokens_vs_time.png", "power_vs_tokens.png",
                 "tokens_per_watt_vs_concurrency.png"):
        assert NO_WALL in texts[name], name
    assert NO_WALL not in texts["throughput_vs_concurrency.png"]


def test_plots_for_an_on_device_session(tmp_path):
    data = make_session_data(unit="inference")
    written = write_plots(data, tmp_path / "plots")
    names = sorted(p.name for p in written)
    assert "e2e_vs_concurrency.png" in names
    assert "ttft_vs_concurrency.png" not in names and "per_user_vs_total.png" not in names
    texts = {name: figure_texts(f) for name, f in build_figures(data).items()}
    assert "Inferences/s" in texts["throughput_vs_concurrency.png"]
    assert "Inferences/s" in texts["power_vs_tokens.png"]
    assert "E2E latency (ms)" in texts["e2e_vs_concurrency.png"]
    assert not any("TTFT" in t or "tokens/s" in t for t in texts.values())


def test_plots_of_an_interrupted_session_say_so():
    figures = build_figures(make_session_data(interrupted=True))
    assert all(f.axes[0].get_title().endswith("(interrupted)") for f in figures.values())


# --- reproducibility ------------------------------------------------------------------------


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_exports_are_identical_at_a_later_time(exported, normal, tmp_path, monkeypatch):
    later = _dt.timedelta(days=400, hours=5, seconds=7)
    real_time = time.time

    class LaterDatetime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return _dt.datetime.now(tz) + later

    shifted = types.SimpleNamespace(datetime=LaterDatetime, timezone=_dt.timezone)
    monkeypatch.setattr(time, "time", lambda: real_time() + later.total_seconds())
    monkeypatch.setattr(openpyxl.writer.excel, "datetime", shifted)
    monkeypatch.setattr(openpyxl.packaging.core, "datetime", shifted)
    again = export_session(normal, tmp_path / "rngd-llama31-8b")
    monkeypatch.undo()
    assert folder_bytes(again) == folder_bytes(exported)
    with zipfile.ZipFile(again / "results.xlsx") as archive:
        stamps = {i.date_time for i in archive.infolist()}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert stamps == {(2026, 3, 14, 9, 30, 0)}
    assert core.count(CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")) == 2


def test_exports_are_identical_in_another_process(exported, tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from kperf_gui.session.csvout import FORMULA_START, write_summary_csv
        from kperf_gui.session.xlsx import write_workbook
        from tests.sessiondata_factory import make_session_data
        out = Path(sys.argv[1])
        data = make_session_data()
        write_workbook(data, out / "results.xlsx")
        write_summary_csv(data, out / "summary.csv")
        """
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    expected = {k: v for k, v in folder_bytes(exported).items() if k in ("results.xlsx", "summary.csv")}
    assert folder_bytes(tmp_path) == expected


# --- the session folder ---------------------------------------------------------------------


def test_session_folder_is_intact_and_matches_the_contract(exported, check_shape):
    assert verify(exported) == []
    check_shape(exported)
