"""No credential from a URL in any stored file or printed line: the scrubber by hand, then a whole
run whose endpoint and meter URLs carry a password and a key-named query parameter."""
import base64
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

from drivers.redact import redact_text, redact_url
from kperf_gui.session.plan import without_secrets
from kperf_gui.sim.process import start_sim_server
from runhelp import kperf
from test_run_cli import closed_port


@pytest.mark.parametrize("url, shown", [
    ("http://user:SECRET@host:8000/v1", "http://user:***@host:8000/v1"),
    ("https://user:p%40ss@host/v1?x=1", "https://user:***@host/v1?x=1"),
    ("http://SECRETTOKEN@host/v1", "http://***@host/v1"),
    ("http://:SECRET@host/v1", "http://***@host/v1"),
    ("http://host:8000/v1?api_key=SECRET&api-version=2024-06-01",
     "http://host:8000/v1?api_key=***&api-version=2024-06-01"),
    ("http://h/v1?Token=SECRET;sig=SECRET2&model=m#frag",
     "http://h/v1?Token=***;sig=***&model=m#frag"),
    ("http://h/v1?access%5Ftoken=SECRET", "http://h/v1?access%5Ftoken=***"),
    ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
    ("TCPIP0::192.168.1.20::inst0::INSTR", "TCPIP0::192.168.1.20::inst0::INSTR"),
    ("", ""),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redact_text_finds_every_url_in_a_line():
    line = ("target: Cannot reach the endpoint at http://u:SECRET@10.0.0.5:8000/v1: connection "
            "refused; also 'https://x:SECRET2@h/v1?password=SECRET3'.")
    assert redact_text(line) == ("target: Cannot reach the endpoint at http://u:***@10.0.0.5:8000"
                                 "/v1: connection refused; also 'https://x:***@h/v1?password=***'.")
    plain = "no url here: api_key_env = KPERF_KEY"
    assert redact_text(plain) == plain


def test_plan_text_as_stored():
    plan = ('[target]\nkind = "openai"\nbase_url = "http://lab:SECRET@h:8000/v1?key=SECRET2"\n'
            'api_key = "SECRET3"\n')
    stored = without_secrets(plan)
    assert "SECRET" not in stored
    assert 'base_url = "http://lab:***@h:8000/v1?key=***"' in stored


# --- a whole run ------------------------------------------------------------------------------

SECRETS = ("SECRETPW", "SECRETQV", "SECRETMTR", "SECRETENVKEY")


def every_trace(folder: Path) -> list[str]:
    """Where any secret (or the Basic credentials made from it) appears: every file's bytes,
    every part inside every zip (results.xlsx, a sealed zip), and every value in the journal."""
    needles = [s.encode() for s in SECRETS]
    needles += [base64.b64encode(b"labuser:SECRETPW"), "SECRETPW".encode("utf-16-le")]
    found = []

    def look(where: str, data: bytes) -> None:
        found.extend(f"{where}: {n!r}" for n in needles if n in data)

    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        look(str(path), data)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    look(f"{path}!{name}", z.read(name))
        if path.suffix == ".sqlite":
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                look(f"{path} (dump)", "\n".join(conn.iterdump()).encode())
            finally:
                conn.close()
    return found


def plan_text(base_url: str, meter_url: str, name: str = "creds") -> str:
    return (f'[session]\nname = "{name}"\n\n[target]\nkind = "openai"\nbase_url = "{base_url}"\n'
            'model = "sim-llm"\napi_key_env = "KPERF_TEST_KEY"\n\n'
            f'[[meters]]\ndriver = "simulated"\nresource = "{meter_url}"\nrate_hz = 20\n\n'
            '[sweep]\ninput_tokens = [32]\noutput_tokens = [8]\nconcurrency = [1, 2]\n'
            'seconds_per_point = 1\nidle_baseline_s = 0.3\n')


def test_credentials_in_urls_leave_no_trace_in_any_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KPERF_TEST_KEY", "SECRETENVKEY")
    with start_sim_server(model="sim-llm") as sim:
        base = f"http://labuser:SECRETPW@127.0.0.1:{sim.port}/v1?api_key=SECRETQV&api-version=2"
        meter = f"http://meter:SECRETMTR@127.0.0.1:{sim.port}"
        plan = tmp_path / "plan.toml"
        plan.write_text(plan_text(base, meter))
        r = kperf("run", plan, "--out", tmp_path / "o", timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    folder = tmp_path / "o"
    assert every_trace(folder) == []
    assert not any(s in r.stdout + r.stderr for s in SECRETS)
    # the record still shows that credentials and a key were used
    shown = "http://labuser:***@127.0.0.1"
    stored_plan = (folder / "plan.toml").read_text()
    assert shown in stored_plan and "api_key=***" in stored_plan
    conn = sqlite3.connect(f"file:{folder / 'session.sqlite'}?mode=ro", uri=True)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        resource = conn.execute("SELECT resource FROM instruments").fetchone()[0]
    finally:
        conn.close()
    assert meta["target_base_url"].startswith(shown) and "api_key=***" in meta["target_base_url"]
    assert shown in meta["target_capabilities"]
    assert resource == f"http://meter:***@127.0.0.1:{sim.port}"
    session = [" ".join(str(c) for c in row if c is not None) for row in
               openpyxl.load_workbook(folder / "results.xlsx")["Session"].iter_rows(values_only=True)]
    assert any(shown in s for s in session)
    # sealing and verifying the folder keeps it clean as well
    assert kperf("verify", folder).returncode == 0


def test_an_error_naming_the_url_prints_it_masked(tmp_path, monkeypatch):
    monkeypatch.setenv("KPERF_TEST_KEY", "SECRETENVKEY")
    base = f"http://labuser:SECRETPW@127.0.0.1:{closed_port()}/v1?api_key=SECRETQV"
    plan = tmp_path / "plan.toml"
    plan.write_text(plan_text(base, "http://meter:SECRETMTR@127.0.0.1:1"))
    r = kperf("run", plan, "--out", tmp_path / "o", timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    line = r.stderr.strip()
    assert line.count("\n") == 0
    assert "http://labuser:***@127.0.0.1:" in line and "api_key=***" in line
    assert not any(s in r.stdout + r.stderr for s in SECRETS)
    assert not (tmp_path / "o").exists()


def test_a_bad_url_in_the_plan_is_refused_masked(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(plan_text("ftp://labuser:SECRETPW@host/v1", "http://127.0.0.1:1"))
    r = kperf("run", plan, "--out", tmp_path / "o")
    assert r.returncode == 2 and "target.base_url" in r.stderr
    assert "SECRETPW" not in r.stderr and "labuser:***@host" in r.stderr
