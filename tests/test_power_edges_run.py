"""No power figure without readings behind it, with the simulated meter (issue: a meter that dies
after point 1 of 3 with on_loss = "continue", and a server killed mid-run). The power columns stay
empty and the reason names the meter, instead of carrying a reading from seconds before."""
import csv
import json
import re

from kperf_gui.sim.process import start_sim_server
from test_run_cli import _start, _until

POWER = ("power_w_mean", "power_w_max", "energy_j", "joules_per_output_token",
         "output_tokens_per_s_per_w")


def finish(proc, seen):
    out, err = proc.communicate(timeout=120)
    events = seen + [json.loads(line) for line in out.splitlines()]
    return events, err


def summaries(events):
    return {e["point"]: e["summary"] for e in events if e["event"] == "point_finished"}


def csv_rows(folder):
    with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
        return {int(r["point"]): r for r in csv.DictReader(f)}


def test_a_meter_that_dies_after_point_1_of_3_gives_no_power_for_point_3(tmp_path):
    with start_sim_server(model="sim-llm") as meter_source:
        p = tmp_path / "plan.toml"
        p.write_text('[session]\nname = "meterdies"\n[target]\nkind = "simulated"\n'
                     f'[[meters]]\ndriver = "simulated"\nresource = "{meter_source.root_url}"\n'
                     'rate_hz = 10\non_loss = "continue"\n'
                     '[sweep]\ninput_tokens = [32]\noutput_tokens = [8]\nconcurrency = [1, 2, 4]\n'
                     'seconds_per_point = 2\nidle_baseline_s = 0.5\n')
        proc = _start(tmp_path, p)
        seen = _until(proc, lambda e: e["event"] == "point_finished" and e["point"] == 1)
        meter_source.stop()  # the meter's source goes: no reading from here on
        events, err = finish(proc, seen)
    assert proc.returncode == 1, err
    assert events[-1]["status"] == "finished"
    rows = summaries(events)
    assert rows[1]["valid"] is True and rows[1]["power_w_mean"] > 0
    three = rows[3]
    assert three["valid"] is False
    assert all(three[k] is None for k in POWER), {k: three[k] for k in POWER}
    reason = three["invalid_reason"]
    assert "simulated#1 element 1 has no power reading within one update period (0.10 s) of the " \
           "window's start and end" in reason
    assert "so the power columns are left empty" in reason
    assert re.search(r"simulated#1 element 1 lost readings \(0 of 2\d expected\)", reason)
    assert rows[2]["valid"] is False and "simulated#1 element 1" in rows[2]["invalid_reason"]
    # the exports say the same as the live row
    written = csv_rows(tmp_path / "o")[3]
    assert all(written[k] == "" for k in POWER) and written["invalid_reason"] == reason


def test_a_server_killed_mid_run_gives_no_power_and_names_the_meter(tmp_path, monkeypatch):
    with start_sim_server(model="sim-llm") as sim:
        p = tmp_path / "plan.toml"
        p.write_text('[session]\nname = "serverdies"\n[target]\nkind = "openai"\n'
                     f'base_url = "{sim.base_url}"\nmodel = "sim-llm"\n'
                     f'[[meters]]\ndriver = "simulated"\nresource = "{sim.root_url}"\nrate_hz = 10\n'
                     '[sweep]\ninput_tokens = [32]\noutput_tokens = [8]\nconcurrency = [1, 2]\n'
                     'requests_per_point = 4\nidle_baseline_s = 0.5\n')
        proc = _start(tmp_path, p)
        seen = _until(proc, lambda e: e["event"] == "point_finished" and e["point"] == 1)
        sim.stop()  # the server and the meter reading it go together
        events, err = finish(proc, seen)
    assert proc.returncode == 1, err
    two = summaries(events)[2]
    assert two["valid"] is False and two["requests_failed"] > 0
    assert all(two[k] is None for k in POWER), {k: two[k] for k in POWER}
    reason = two["invalid_reason"]
    assert "request(s) failed" in reason
    assert "simulated#1 element 1 has no power reading" in reason
    assert "so the power columns are left empty" in reason
    written = csv_rows(tmp_path / "o")[2]
    assert all(written[k] == "" for k in POWER) and written["invalid_reason"] == reason
