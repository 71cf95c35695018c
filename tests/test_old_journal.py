"""A journal written before the readings' statuses had a column per quantity (one ``flags``
text column) still exports: the same Summary, byte for byte, and the same flags on the Power
sheet. The fixture was written by the earlier code (f05dceb); three readings were then given an
over-range, a missing update and a power factor without data. ``summary.csv`` and
``power_flags.json`` are what the code before the status columns (main at 9f4c062) exports from
it."""
import csv
import json
import shutil

import openpyxl

from runhelp import ROOT, kperf

OLD = ROOT / "tests" / "data" / "old_session"


def test_an_older_journal_exports_as_it_did(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(OLD / "session.sqlite", folder / "session.sqlite")
    r = kperf("export", folder)
    assert r.returncode == 0, r.stdout + r.stderr
    # the columns it had, byte for byte; the uncertainty columns appended after them, empty
    # (the journal holds no accuracy tables or reading ranges), and the Session sheet says why
    with open(folder / "summary.csv", newline="") as f:
        now = list(csv.reader(f))
    with open(OLD / "summary.csv", newline="") as f:
        before = list(csv.reader(f))
    assert [row[:-2] for row in now] == before
    assert now[0][-2:] == ["power_w_uncertainty_pct", "energy_j_uncertainty_pct"]
    assert all(row[-2:] == ["", ""] for row in now[1:])
    book = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    session = [row for row in book["Session"].iter_rows(values_only=True)]
    assert ("Uncertainty", "Not computed", "the journal was written before accuracy tables and "
            "reading ranges were recorded") in [tuple(row[:3]) for row in session]
    rows = list(book["Power"].iter_rows(values_only=True))
    flags = rows[0].index("flags")
    got = [[row[0], row[1], row[flags] or ""] for row in rows[1:] if row[0] is not None]
    assert got == json.loads((OLD / "power_flags.json").read_text())
    assert kperf("verify", folder).returncode == 0


def test_a_new_journal_keeps_each_quantitys_status_as_data(tmp_path):
    from contextlib import closing

    from drivers.meters.base import ElementReading, Reading, Status
    from kperf_gui.session.journal import Journal, open_readonly
    from kperf_gui.session.journal_reader import wall_series
    from kperf_gui.session.records import InstrumentRecord, ReadingRow, flags_text

    db = tmp_path / "session.sqlite"
    j = Journal(db)
    j.put_instrument(InstrumentRecord(1, "yokogawa-wt300e#1", "yokogawa-wt300e", "r", "wall",
                                      "1", 10.0, "", "", "", "", "", "", "{}"))
    er = ElementReading(1, watts=5.0, volts=230.0, amps=9.9, pf=None,
                        status={"watts": Status.OK, "amps": Status.OVER_RANGE,
                                "pf": Status.NO_DATA})
    over = ReadingRow.measured(1, 100, 50, 150, Reading((er,), raw=b"x"), er)
    gone = ReadingRow.missing(1, 1, 200, 150, 250, "missing: timed out")
    j.put_readings([over, gone])
    j.close()
    assert over.status() == {"amps": "over_range", "pf": "no_data"}
    assert flags_text(over.note, over.status()) == "amps:over_range,pf:no_data"
    assert flags_text(gone.note, gone.status()) == "missing: timed out"
    with closing(open_readonly(db)) as conn:
        assert conn.execute("SELECT amps_status, pf_status, watts_status FROM readings "
                            "ORDER BY t_ns").fetchall() == [("over_range", "no_data", "ok"),
                                                            ("missing", "missing", "missing")]
        (series,) = wall_series(conn)
    assert series.name == "yokogawa-wt300e#1 element 1"
    assert series.status[0] == {"amps": "over_range", "pf": "no_data"}
