"""``kperf compare``: matching sweep points aligned on one row, every session's own figures, a
workbook and four PNGs, the same bytes for the same sessions, and plain one-line refusals."""
import datetime as _dt
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from kperf_gui.session.compare import (FIGURES, WORKBOOK, ComparedSession, CompareError, aligned,
                                       points, read_session, series, unique_labels,
                                       write_comparison)
from kperf_gui.session.data import SUMMARY_COLUMNS
from runhelp import kperf, tiny_plan

WHEN = _dt.datetime(2026, 3, 14, 9, 30, tzinfo=_dt.timezone.utc)


def summary(rows):
    full = []
    for i, r in enumerate(rows, start=1):
        row = {k: None for k in SUMMARY_COLUMNS}
        row.update(point=i, unit="token", model="m", valid=True, invalid_reason="")
        row.update(r)
        full.append(row)
    return pd.DataFrame(full, columns=list(SUMMARY_COLUMNS))


def session(name, rows, unit="token", started="2026-03-14T09:30:00Z"):
    return ComparedSession(folder=Path(f"/s/{name}"), label=name, name=name,
                           started_utc=started, status="finished", kind="openai", model="m",
                           unit=unit, interrupted=False, created=WHEN, summary=summary(rows))


def pt(prec, n_in, n_out, users, tps, ttft=None, tpw=None, jpt=None, valid=True, **more):
    return dict(precision=prec, input_tokens=n_in, output_tokens=n_out, concurrency=users,
                output_tokens_per_s=tps, ttft_ms_p50=ttft, output_tokens_per_s_per_w=tpw,
                joules_per_output_token=jpt, valid=valid, **more)


@pytest.fixture
def chips():
    a = session("chip-a", [pt("bf16", 128, 128, 1, 100.0, 20.0, 0.5, 2.0),
                           pt("bf16", 128, 128, 8, 700.0, 35.0, 2.0, 0.5),
                           pt("bf16", 1024, 128, 8, 500.0, 90.0, 1.5, 0.7)])
    b = session("chip-b", [pt("bf16", 128, 128, 8, 900.0, 30.0, 3.0, 0.33),
                           pt("bf16", 128, 128, 32, 2000.0, 80.0, 5.0, 0.2, valid=False,
                              invalid_reason="readings lost")])
    return [a, b]


def test_matching_points_share_a_row_and_keep_each_sessions_figures(chips):
    table = aligned(chips)
    keys = list(table[["precision", "input_tokens", "output_tokens", "concurrency"]]
                .itertuples(index=False, name=None))
    assert keys == [("bf16", 128, 128, 1), ("bf16", 128, 128, 8), ("bf16", 128, 128, 32),
                    ("bf16", 1024, 128, 8)]
    assert list(table["sessions"]) == [1, 2, 1, 1]
    row = table.iloc[1]
    assert row["output_tokens_per_s [chip-a]"] == 700.0
    assert row["output_tokens_per_s [chip-b]"] == 900.0
    assert row["ttft_ms_p50 [chip-b]"] == 30.0
    assert row["output_tokens_per_s_per_w [chip-a]"] == 2.0
    assert row["joules_per_output_token [chip-b]"] == 0.33
    assert pd.isna(table.iloc[0]["output_tokens_per_s [chip-b]"])  # not measured there
    assert bool(table.iloc[2]["valid [chip-b]"]) is False
    assert table.iloc[2]["invalid_reason [chip-b]"] == "readings lost"


def test_on_device_points_align_on_precision_and_jobs():
    npu = session("npu", [pt("default", None, None, 1, 30.0), pt("default", None, None, 4, 100.0)],
                  unit="inference")
    llm = session("llm", [pt("default", 128, 32, 4, 400.0)])
    table = aligned([npu, llm])
    assert len(table) == 3
    on_device = table[table["input_tokens"].isna()]
    assert list(on_device["concurrency"]) == [1, 4]
    assert on_device["output_tokens_per_s [llm]"].isna().all()


def test_series_split_groups_sorted_by_users_with_validity(chips):
    groups = series(chips[1], "output_tokens_per_s")
    assert [g[0] for g in groups] == ["bf16, in 128, out 128"]
    _, x, y, ok = groups[0]
    assert list(x) == [8.0, 32.0] and list(y) == [900.0, 2000.0] and list(ok) == [True, False]
    assert series(chips[0], "ttft_ms_p90") == []  # nothing measured: no line


def test_points_lists_every_row_with_its_session(chips):
    table = points(chips)
    assert list(table.columns) == ["session", *SUMMARY_COLUMNS]
    assert list(table["session"]) == ["chip-a"] * 3 + ["chip-b"] * 2


def test_repeated_names_get_their_start_time_then_a_number():
    s = [session("demo", [], started="t1"), session("demo", [], started="t2"),
         session("demo", [], started="t2"), session("other", [])]
    unique_labels(s)
    assert [x.label for x in s] == ["demo t1", "demo t2 #1", "demo t2 #2", "other"]


def test_workbook_and_figures_are_written_and_reproducible(chips, tmp_path):
    written = write_comparison(chips, tmp_path / "a")
    assert [p.name for p in written] == [WORKBOOK, *FIGURES]
    again = write_comparison(chips, tmp_path / "b")
    for one, two in zip(written, again):
        assert one.read_bytes() == two.read_bytes(), one.name
    book = load_workbook(tmp_path / "a" / WORKBOOK, read_only=True)
    assert book.sheetnames == ["Aligned", "Points", "Sessions", "Definitions"]
    rows = list(book["Aligned"].values)
    header = list(rows[0])
    assert header[:5] == ["precision", "input_tokens", "output_tokens", "concurrency", "sessions"]
    second = dict(zip(header, rows[2]))
    assert second["output_tokens_per_s [chip-a]"] == 700.0
    assert second["output_tokens_per_s [chip-b]"] == 900.0
    sessions = list(book["Sessions"].values)
    assert [r[0] for r in sessions[1:]] == ["chip-a", "chip-b"]
    names = [r[0] for r in book["Definitions"].values]
    assert "joules_per_output_token" in names and "output_tokens_per_s_per_w" in names
    for name in FIGURES:
        assert (tmp_path / "a" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_output_that_is_a_file_is_refused(chips, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(CompareError, match="is a file"):
        write_comparison(chips, f)


def test_folders_that_cannot_be_compared_are_said_plainly(tmp_path):
    with pytest.raises(CompareError, match="holds no session.sqlite"):
        read_session(tmp_path)
    (tmp_path / "session.sqlite").write_bytes(b"")
    conn = sqlite3.connect(tmp_path / "session.sqlite")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.commit()
    with pytest.raises(CompareError, match="did not close its journal"):
        read_session(tmp_path)
    conn.close()


def test_kperf_compare_two_real_sessions(tmp_path):
    folders = []
    for name, users in (("chip-a", "[1, 4]"), ("chip-b", "[4, 8]")):
        plan = tiny_plan(tmp_path, name=name, concurrency=users)
        r = kperf("run", plan, "--out", tmp_path / name)
        assert r.returncode in (0, 1), r.stderr
        folders.append(tmp_path / name)
    out = tmp_path / "cmp"
    r = kperf("compare", *folders, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "chip-a: 2 point(s)" in r.stdout and "chip-b: 2 point(s)" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted([WORKBOOK, *FIGURES])
    table = pd.read_excel(out / WORKBOOK, sheet_name="Aligned")
    assert list(table["concurrency"]) == [1, 4, 8]
    assert list(table["sessions"]) == [1, 2, 1]
    own = pd.read_csv(folders[0] / "summary.csv")
    at4 = table[table["concurrency"] == 4].iloc[0]
    assert at4["output_tokens_per_s [chip-a]"] == pytest.approx(
        float(own[own["concurrency"] == 4]["output_tokens_per_s"].iloc[0]))

    r = kperf("compare", folders[0], "--out", out)
    assert r.returncode == 2 and r.stderr.startswith("kperf: Give two or more")
    r = kperf("compare", folders[0], tmp_path / "nothing", "--out", out)
    assert r.returncode == 2 and "holds no session.sqlite" in r.stderr
    assert "Traceback" not in r.stderr
