"""report.pdf: every ISO/IEC 17025 7.8.2 item that applies, in English and Korean, numbered
"1 of N", reproducible; the client machine in the Session sheet; a missing Korean font is said,
never printed as boxes."""
from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from kperf_gui.session import pdffont
from kperf_gui.session.journal import open_readonly
from kperf_gui.session.journal_reader import load, open_session
from kperf_gui.session.report import build_report, session_language
from runhelp import kperf
from witnesshelp import make_session

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils, scripts/system-packages.txt)")


def pdf_text(path_or_bytes) -> str:
    """The PDF's text in reading order, runs of white space (a table cell's wrapped lines) as
    one space."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    return make_session(tmp_path_factory.mktemp("en") / "witnessed", family="vllm", requests=16,
                        output_tokens=128, failed=2, notes=("PSU B fan noisy",))


@pytest.fixture(scope="module")
def korean(tmp_path_factory) -> Path:
    return make_session(tmp_path_factory.mktemp("ko") / "witnessed", lang="ko", family="vllm",
                        requests=16, output_tokens=128)


def test_the_english_report_holds_every_required_item(english):
    text = pdf_text(english / "report.pdf")
    pages = len(re.findall(r"Page \d+ of (\d+)", text))
    total = int(re.search(r"Page 1 of (\d+)", text).group(1))
    assert pages == total >= 3  # every page numbered "x of N"
    for item in (
        "Test report",                                   # a) title
        "K-Perf Test Lab, 1 Test-ro, Seoul",             # b, c) the laboratory
        "witnessed-20260314T093000Z",                    # d) unique identification
        "System under test", "meta-llama/Llama-3.1-8B-Instruct",  # g) the item
        'HTTP 200: {"version": "0.9.1"}',                # ... and how it was identified
        "Identified from the server's own answers",
        "Method", "Metric definitions", "TTFT (ttft_ms_*)", "requests_per_point",  # f) method
        "Instruments", "WT310E", "91K000001", "2027-03-31",  # instruments, serial, calibration
        "2026-03-14T09:30:00Z", "2026-03-14T09:31:00Z",  # i) dates of testing
        "Date of issue (UTC)",                           # j) date of issue
        "Results", "TTFT", "p50", "(ms)", "Power", "(W)", "Energy", "(J)", "J/token",  # m) with units
        "measurement uncertainty",                       # uncertainty, or that it is not evaluated
        "The results relate only to the system under test",  # l)
        "Wall-plug power against tokens/s",              # the main graphs
        "Deviations", "Point 1 invalid", "request failed", "note: PSU B fan noisy",  # n)
        "amendments.jsonl",
        "Operator", "J. Kim", "Witness", "S. Park", "Signature",  # o) people, signature places
        "Operating system",                              # conditions: the client machine
        "Ambient temperature", "23.1",
        "Server's own token counts", "DISAGREE",
        "End of report",
    ):
        assert item in text, item
    pages = subprocess.run(["pdftotext", str(english / "report.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    assert "End of report" in pages[total - 1] and f"Page {total} of {total}" in pages[total - 1]


def test_the_korean_report_is_in_korean(korean):
    text = pdf_text(korean / "report.pdf")
    total = int(re.search(r"(\d+)쪽 중 1쪽", text).group(1))
    assert len(re.findall(rf"{total}쪽 중 \d+쪽", text)) == total
    for item in ("시험 성적서", "식별 정보", "시험기관", "시험 대상 시스템", "시험 방법",
                 "측정 장비", "교정 유효기간", "시험 결과", "첫 토큰", "p50", "전력", "(W)",
                 "이탈, 일시 정지 및 메모", "책임 및 서명", "시험자", "입회자", "성적서 끝",
                 "J. Kim", "S. Park", "91K000001"):
        assert item in text, item
    assert "?" not in text.replace("?)", "")  # no glyph was missing


def test_the_report_is_reproducible_and_rewritten_by_kperf_report(korean, tmp_path):
    folder = tmp_path / "k"
    shutil.copytree(korean, folder)
    first = (folder / "report.pdf").read_bytes()
    r = kperf("report", folder)
    assert r.returncode == 0, r.stderr
    assert (folder / "report.pdf").read_bytes() == first
    assert kperf("verify", folder).returncode == 0
    r = kperf("report", folder, "--lang", "en")
    assert r.returncode == 0 and "(en)" in r.stdout
    assert "Test report" in pdf_text(folder / "report.pdf")
    with closing(open_readonly(folder / "session.sqlite")) as conn:
        assert session_language(conn) == "en"  # recorded: a later export keeps it
    assert kperf("export", folder).returncode == 0
    assert "Test report" in pdf_text(folder / "report.pdf")
    assert kperf("verify", folder).returncode == 0


def test_no_korean_font_prints_english_and_says_so(korean, monkeypatch):
    monkeypatch.setattr(pdffont, "_candidates", lambda: [])
    monkeypatch.setattr(pdffont, "_cache", {})
    with closing(open_session(korean)) as conn:
        data = load(conn)
    with closing(open_readonly(korean / "session.sqlite")) as conn:
        conn.execute("SELECT 1")
        pdf, lang, notes = build_report(korean, data, conn)
    assert lang == "en"
    text = pdf_text(pdf)
    assert "no font with Hangul was found" in text and "Test report" in text
    assert any("fonts-nanum" in n for n in notes)


def test_hangul_without_a_font_is_replaced_and_said(tmp_path, monkeypatch):
    monkeypatch.setattr(pdffont, "_candidates", lambda: [])
    monkeypatch.setattr(pdffont, "_cache", {})
    folder = make_session(tmp_path / "s", notes=("전원 B 소음",))
    text = pdf_text(folder / "report.pdf")
    assert "Some characters cannot be printed" in text and "note: ?? B ??" in text


def test_the_client_machine_is_in_the_session_sheet(english):
    import platform

    from kperf_gui import __version__

    wb = openpyxl.load_workbook(english / "results.xlsx", read_only=True)
    rows = {(r[0], r[1]): r[2] for r in wb["Session"].iter_rows(values_only=True) if r[0]}
    assert rows[("Client machine", "Tool")] == f"K-Perf Lab {__version__}"
    assert rows[("Client machine", "Operating system")] == platform.platform()
    assert rows[("Client machine", "CPU")]
    assert rows[("Client machine", "Python")].startswith(f"CPython {platform.python_version()}")
    packages = rows[("Client machine", "Packages")]
    assert "numpy " in packages and "cryptography " in packages and "kperf-lab " in packages
