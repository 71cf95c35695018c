"""``kperf demo`` end to end: the folder's shape, energy against the simulator's exact integral,
verify before and after a changed byte, and byte-identical re-exports."""
import json
import sqlite3

import openpyxl
import pytest

from runhelp import kperf
from kperf_gui.session.data import SUMMARY_COLUMNS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "session"
    r = kperf("demo", "--out", out, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    return out, r.stdout


def test_demo_prints_a_line_per_point(demo):
    _, stdout = demo
    lines = [l for l in stdout.splitlines() if l.startswith("point ")]
    assert len(lines) == 6
    assert lines[0].startswith("point 1 of 6") and "left" in lines[0] and "elapsed" in lines[0]


def test_demo_folder_has_the_contract_shape(demo, check_shape):
    out, _ = demo
    check_shape(out)
    wb = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    head = [c.value for c in next(wb["Summary"].iter_rows(max_row=1))]
    assert head == list(SUMMARY_COLUMNS)


def test_energy_matches_the_simulators_exact_integral(demo):
    out, _ = demo
    summary = {r["point"]: r for r in _summary(out)}
    conn = sqlite3.connect(f"file:{out / 'session.sqlite'}?mode=ro", uri=True)
    truths = dict(conn.execute("SELECT id, truth FROM points").fetchall())
    conn.close()
    assert len(truths) == 6
    for point, truth in truths.items():
        exact = json.loads(truth)["sim_energy_j"]
        measured = float(summary[point]["energy_j"])
        assert abs(measured - exact) / exact < 0.03, (point, measured, exact)
        assert summary[point]["valid"] == "True"


def test_verify_then_change_a_byte(demo, tmp_path):
    import shutil

    out, _ = demo
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert kperf("verify", copy).returncode == 0
    data = bytearray((copy / "summary.csv").read_bytes())
    data[-3] = ord("7") if data[-3] != ord("7") else ord("8")
    (copy / "summary.csv").write_bytes(bytes(data))
    r = kperf("verify", copy)
    assert r.returncode == 1
    assert "summary.csv" in r.stdout


def test_second_export_gives_identical_bytes(demo, tmp_path):
    import shutil

    out, _ = demo
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    names = ["results.xlsx", "summary.csv", "plan.toml", "report.pdf"] + [
        f"plots/{p.name}" for p in (copy / "plots").glob("*.png")]
    before = {n: (copy / n).read_bytes() for n in names}
    r = kperf("export", copy)
    assert r.returncode == 0, r.stderr
    assert {n: (copy / n).read_bytes() for n in names} == before
    assert kperf("verify", copy).returncode == 0


def _summary(out):
    import csv

    with open(out / "summary.csv", newline="") as f:
        return [{**r, "point": int(r["point"])} for r in csv.DictReader(f)]
