"""On-device targets through the whole pipeline: ``kperf run`` with DEEPX DX-RT (a fake
``dx_engine`` on the path of the child process only) and with a vendor benchmark program."""
import csv
import os
import sys

import openpyxl

from runhelp import ROOT, kperf

TESTS = ROOT / "tests"


def _summary(folder):
    with open(folder / "summary.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_deepx_run_summarises_inferences(tmp_path, check_shape, monkeypatch):
    shim = tmp_path / "site"
    shim.mkdir()
    (shim / "dx_engine.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(TESTS)!r})\n"
        "from fake_dx_engine import make_dx_engine\n"
        "_m = make_dx_engine(latency_s=0.01)\n"
        "globals().update({k: v for k, v in vars(_m).items() if not k.startswith('__')})\n"
        "__version__ = _m.__version__\n")
    model = tmp_path / "yolov8n.dxnn"
    model.write_bytes(b"model bytes")
    plan = tmp_path / "npu.toml"
    plan.write_text(f'[session]\nname = "npu"\n[target]\nkind = "deepx"\nmodel_path = "{model}"\n'
                    "devices = [0]\n[sweep]\nconcurrency = [1, 4]\nseconds_per_point = 1\n"
                    "idle_baseline_s = 0\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(shim), os.environ.get("PYTHONPATH", "")]))
    r = kperf("run", plan, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stdout + r.stderr
    folder = tmp_path / "o"
    check_shape(folder)
    rows = _summary(folder)
    assert [row["unit"] for row in rows] == ["inference", "inference"]
    one, four = rows
    assert one["ttft_ms_p50"] == "" and one["prefill_tokens_per_s"] == ""
    # each inference sleeps 10 ms in the fake runtime: about 100 per second per job
    assert 60 < float(one["output_tokens_per_s"]) < 105
    assert float(four["output_tokens_per_s"]) > 2.5 * float(one["output_tokens_per_s"])
    assert 10 <= float(one["e2e_ms_mean"]) < 20
    assert one["power_w_mean"] == "" and one["valid"] == "True"
    wb = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    session = [" ".join(str(c) for c in row if c is not None)
               for row in wb["Session"].iter_rows(values_only=True)]
    assert any("Vendor figures" in s and "fps 412.5" in s for s in session)
    assert any("no wall channel" in s for s in session)


def test_command_run_reads_the_programs_figures(tmp_path, check_shape):
    fake = TESTS / "data" / "command_outputs" / "fake_vendor.py"
    plan = tmp_path / "cmd.toml"
    plan.write_text(
        '[session]\nname = "cmd"\n[target]\nkind = "command"\n'
        f'command = ["{sys.executable}", "{fake}", "run_model.txt", "--loops", "{{concurrency}}"]\n'
        'parser = "run_model"\nsettle_s = 0\n'
        "[sweep]\nconcurrency = [1, 2]\nrequests_per_point = 1\nidle_baseline_s = 0\n")
    r = kperf("run", plan, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stdout + r.stderr
    folder = tmp_path / "o"
    check_shape(folder)
    rows = _summary(folder)
    assert len(rows) == 2 and rows[0]["unit"] == "inference"
    assert float(rows[0]["e2e_ms_mean"]) == 7.408  # Latency Average printed by the program
    assert float(rows[0]["output_tokens_per_s"]) > 0
    import sqlite3
    conn = sqlite3.connect(f"file:{folder / 'session.sqlite'}?mode=ro", uri=True)
    outputs = conn.execute("SELECT data FROM events WHERE kind = 'program_output'").fetchall()
    assert len(outputs) == 2 and "Benchmark Result" in outputs[0][0]
