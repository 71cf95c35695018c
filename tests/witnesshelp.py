"""A finished session folder made in process, fast: a journal written through the run's own
Journal (one wall meter, one point of 8 requests, optional server states), then exported."""
from __future__ import annotations

import json
from pathlib import Path

from kperf_gui.session.export import export
from kperf_gui.session.journal import Journal
from kperf_gui.session.records import InstrumentRecord, PointRecord, ReadingRow, RequestRecord
from kperf_gui.session.sut_record import record_state
from kperf_gui.session.sysinfo import record_meta

DATA = Path(__file__).resolve().parent / "data" / "servers"
MODEL = "meta-llama/Llama-3.1-8B-Instruct"
PLAN = """[session]
name = "witnessed"
operator = "J. Kim"
witness = "S. Park"
lab = "K-Perf Test Lab, 1 Test-ro, Seoul"
language = "{lang}"

[target]
kind = "openai"
base_url = "http://127.0.0.1:8000/v1"
model = "{model}"

[[meters]]
driver = "yokogawa-wt300e"
resource = "TCPIP0::10.0.0.2::inst0::INSTR"
calibration_due = 2027-03-31

[sweep]
input_tokens = [128]
output_tokens = [16]
concurrency = [2]
requests_per_point = 8
"""
NS = 1_000_000_000


def scrape(family: str, which: str) -> str:
    return (DATA / family / f"metrics_{which}.txt").read_text()


def state(metrics: str | None, base_url: str = "http://127.0.0.1:8000/v1") -> dict:
    answers = {"/v1/models": {"status": 200, "json": {"object": "list", "data": [{"id": MODEL}]}},
               "/version": {"status": 200, "json": {"version": "0.9.1"}},
               "/health": {"status": 200}}
    if metrics is not None:
        answers["/metrics"] = {"status": 200, "text": metrics}
    return {"base_url": base_url, "answers": answers}


def make_session(folder: Path, *, family: str | None = None, lang: str = "en",
                 requests: int = 8, prompt_tokens: int = 128, output_tokens: int = 16,
                 failed: int = 0, notes: tuple[str, ...] = (), client: bool = True,
                 model: str = MODEL) -> Path:
    """Write and export a finished one-point session into ``folder``; ``family`` records the
    server's answers and that family's fixture scrapes around the point."""
    folder.mkdir(parents=True, exist_ok=True)
    j = Journal(folder / "session.sqlite", flush_s=0.01)
    meta = {"format": "kperf-session/1", "name": "witnessed", "operator": "J. Kim",
            "witness": "S. Park", "notes": "", "ambient_c": "23.1",
            "allow_expired_calibration": "no", "status": "finished",
            "started_utc": "2026-03-14T09:30:00Z", "finished_utc": "2026-03-14T09:31:00Z",
            "anchor_utc": "2026-03-14T09:30:00+00:00", "software": "K-Perf Lab 0.1.0",
            "plan": PLAN.format(lang=lang, model=model), "target_kind": "openai",
            "target_base_url": "http://127.0.0.1:8000/v1", "target_model": model,
            "target_api": "completions", "unit": "token", "idle_baseline_s": "0",
            "prompt_lengths": "exact through the server's /tokenize"}
    if client:
        meta.update(record_meta())
    j.put_meta(meta)
    j.put_instrument(InstrumentRecord(
        id=1, channel="yokogawa-wt300e#1", driver="yokogawa-wt300e",
        resource="TCPIP0::10.0.0.2::inst0::INSTR", role="wall", elements="1", rate_hz=10.0,
        maker="YOKOGAWA", model="WT310E", serial="91K000001", firmware="F1.04",
        calibration_due="2027-03-31", identity_raw="YOKOGAWA,WT310E,91K000001,F1.04",
        config="{}"))
    j.put_event(0, "session", "session witnessed started")
    if family is not None:
        record_state(j, 0, "before_run", state(None))
        record_state(j, 1 * NS, "before_point", state(scrape(family, "before")), point=1)
    start, end = 2 * NS, 6 * NS
    j.put_point(PointRecord(id=1, precision="default", input_tokens=prompt_tokens,
                            output_tokens=output_tokens, concurrency=2, model=model, unit="token",
                            started_ns=start, window_start_ns=start, window_end_ns=end,
                            finished_ns=end, status="finished", note=""))
    for seq in range(requests):
        sent = start + seq * NS // 2
        ok = seq >= failed
        chunks = [(sent + 50_000_000 + k * 10_000_000, 4) for k in range(output_tokens)] if ok else []
        j.put_request(RequestRecord(
            id=None, point=1, seq=seq, warmup=0, sent_ns=sent,
            first_ns=chunks[0][0] if ok else None, last_ns=chunks[-1][0] if ok else None,
            done_ns=(chunks[-1][0] if ok else sent) + 1_000_000, ok=int(ok),
            error="" if ok else "HTTP 503: overloaded", http_status=200 if ok else 503,
            input_tokens_requested=prompt_tokens,
            input_tokens_actual=prompt_tokens if ok else None,
            output_tokens_requested=output_tokens, output_tokens=output_tokens if ok else None,
            output_tokens_source="usage", chunks=len(chunks),
            extra=json.dumps({"server_timings": {"prompt_n": prompt_tokens, "prompt_ms": 10.7}})),
            chunks)
    j.put_readings([ReadingRow(1, 1, t, t - NS // 20, t + NS // 20, 250.0 + (t // NS), 230.0,
                               1.1, 0.99, None, ranges="", raw=b"")
                    for t in range(NS // 20, 8 * NS, NS // 10)])
    for text in notes:
        j.put_event(4 * NS, "note", text)
    if family is not None:
        record_state(j, 7 * NS, "after_point", state(scrape(family, "after")), point=1)
    j.put_event(8 * NS, "finished", "run finished: 1 of 1 points")
    j.close()
    export(folder)
    return folder
