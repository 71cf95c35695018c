"""The system under test on record in a real run: the client machine, the server's answers before
the run, its /metrics before and after each point with its token counts beside ours (a point
where they disagree is invalid), prompts made exact through the server's /tokenize, the
server's per-request timings in the Requests sheet, and notes given during the run."""
import io
import json
import sqlite3
import threading
from contextlib import closing

import openpyxl
import pytest

from fake_openai import FakeOpenAI, Reply, json_reply, models_reply, sse
from kperf_gui.run import runners
from kperf_gui.run.events import EventSink, note_command, parse_note
from kperf_gui.run.prompts import CALIBRATED, PREPARED
from kperf_gui.run.sweep import Hooks, SweepRun
from kperf_gui.session.plan import parse
from kperf_gui.sim.process import start_sim_server
from runhelp import tiny_plan
from test_run_cli import _start, _until

MODEL = "fake-llm"


def run_plan(text, folder, sim_url=None, hooks=()):
    """Preflight and run ``text`` in process; returns (exit code, events, SweepRun)."""
    out = io.StringIO()
    run = SweepRun(parse(text, folder.parent), folder, Hooks(events=EventSink(out)),
                   sim_url=sim_url)
    run.point_hooks.extend(hooks)
    try:
        run.preflight()
    except Exception:
        run.shutdown()
        raise
    code = run.run()
    return code, [json.loads(line) for line in out.getvalue().splitlines()], run


def sheet(folder, name):
    wb = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    if name == "Session":
        return rows
    head = next(i for i, r in enumerate(rows) if r and r[0] == "point")
    return [dict(zip(rows[head], r)) for r in rows[head + 1:] if r and r[0] is not None]


def section(rows, name):
    return [(r[1], r[2]) for r in rows if r and r[0] == name]


def server_states(folder):
    with closing(sqlite3.connect(folder / "session.sqlite")) as conn:
        return [json.loads(d) for (d,) in conn.execute(
            "SELECT data FROM events WHERE kind = 'server_state' ORDER BY id")]


SIM_PLAN = """
[session]
name = "sut"
operator = "J. Kim"

[target]
kind = "simulated"

[sweep]
input_tokens = [24]
output_tokens = [6]
concurrency = [1, 3]
requests_per_point = 5
idle_baseline_s = 0
"""


def test_the_simulator_on_record_and_its_counters_agree_with_ours(tmp_path):
    folder = tmp_path / "o"
    with start_sim_server() as sim:
        code, events, _ = run_plan(SIM_PLAN, folder, sim.root_url)
    assert code == 0
    states = server_states(folder)
    assert [(s["phase"], s["point"]) for s in states] == [
        ("before_run", None), ("before_point", 1), ("after_point", 1), ("before_point", 2),
        ("after_point", 2)]
    assert set(states[0]["answers"]) == {"/v1/models", "/version", "/health", "/props", "/info",
                                         "/metrics"}
    assert set(states[1]["answers"]) == {"/metrics"}
    rows = sheet(folder, "Session")
    machine = dict(section(rows, "Client machine"))
    assert machine["Tool"].startswith("K-Perf Lab") and machine["Python"] and machine["CPU"]
    assert "numpy" in machine["Packages"]
    sut = dict(section(rows, "System under test"))
    assert sut[f"{sim.root_url}/version"].startswith("HTTP 200")
    counters = section(rows, "Server counters")
    # warm-up included: (1 + 5) requests of 24 tokens in, 6 out; then (3 + 5)
    assert counters == [
        ("point 1", "vllm counters agree within 1 %: prompt tokens: server 144, ours 144 "
                    "(+0.00 %); generated tokens: server 36, ours 36 (+0.00 %)"),
        ("point 2", "vllm counters agree within 1 %: prompt tokens: server 192, ours 192 "
                    "(+0.00 %); generated tokens: server 48, ours 48 (+0.00 %)")]
    requests = sheet(folder, "Requests")
    assert {r["prompt_length"] for r in requests} == {PREPARED}
    assert all(r["input_tokens_actual"] == 24 for r in requests)
    target = dict(section(rows, "Target"))
    assert target["Prompt lengths"] == "exact through the server's /tokenize (14 of 14 prompts)"
    assert all(e["summary"]["valid"] for e in events if e["event"] == "point_finished")


class FakeServer:
    """A server whose tokenizer is not one token per word (a word longer than six letters is
    two, plus a first token), with /tokenize (vLLM's or llama.cpp's form), vLLM /metrics
    counters, and llama.cpp's ``timings`` in each stream's last chunk. ``stranger`` tokens are
    added to the counters as if another client used the server during the run."""

    def __init__(self, server, tokenize="vllm"):
        self.server = server
        self.prompt = 0
        self.generation = 0
        self.stranger = 0
        self.lock = threading.Lock()
        server.script("GET", "/v1/models", models_reply(MODEL))
        server.script("POST", "/v1/completions", self.complete)
        server.script("GET", "/metrics", self.metrics)
        if tokenize == "vllm":
            server.script("POST", "/tokenize", lambda q: json_reply(
                200, {"count": self.count(q.json()["prompt"])}))
        elif tokenize == "llamacpp":
            server.script("POST", "/tokenize", self.llamacpp_tokenize)

    @staticmethod
    def count(text):
        return 1 + sum(2 if len(w) > 6 else 1 for w in text.split())

    def llamacpp_tokenize(self, q):
        body = q.json()
        if "content" not in body:
            return json_reply(400, {"error": {"message": "content is required"}})
        return json_reply(200, {"tokens": list(range(self.count(body["content"])))})

    def complete(self, q):
        body = q.json()
        n_in, n_out = self.count(body["prompt"]), body["max_tokens"]
        with self.lock:
            self.prompt += n_in + self.stranger
            self.generation += n_out
        chunks = [{"choices": [{"index": 0, "text": f" w{i}"}]} for i in range(n_out)]
        last = {"choices": [], "usage": {"prompt_tokens": n_in, "completion_tokens": n_out},
                "timings": {"prompt_n": n_in, "prompt_ms": 1.5, "predicted_n": n_out,
                            "predicted_ms": 4.25}}
        return Reply(200, [sse(*chunks, last, "[DONE]")])

    def metrics(self, q):
        with self.lock:
            text = ("# TYPE vllm:prompt_tokens_total counter\n"
                    f'vllm:prompt_tokens_total{{model_name="{MODEL}"}} {self.prompt}\n'
                    "# TYPE vllm:generation_tokens_total counter\n"
                    f'vllm:generation_tokens_total{{model_name="{MODEL}"}} {self.generation}\n')
        return Reply(200, [text.encode()], {"content-type": "text/plain"}, False)


def fake_plan(base_url, sweep="requests_per_point = 4"):
    return f"""
[session]
name = "fake"
operator = "J. Kim"

[target]
kind = "openai"
base_url = "{base_url}"
model = "{MODEL}"

[sweep]
input_tokens = [40]
output_tokens = [5]
concurrency = [2]
{sweep}
idle_baseline_s = 0
"""


@pytest.mark.parametrize("tokenize", ["vllm", "llamacpp"])
def test_prompts_are_exact_through_the_servers_tokenize(tmp_path, tokenize):
    folder = tmp_path / "o"
    with FakeOpenAI() as server:
        fake = FakeServer(server, tokenize)
        code, _, _ = run_plan(fake_plan(server.base_url), folder)
        asked = [q for q in server.requests if q.path == "/tokenize"]
    assert code == 0
    requests = sheet(folder, "Requests")
    assert len(requests) == 6  # two warm-up, four measured
    assert {r["prompt_length"] for r in requests} == {PREPARED}
    assert [r["input_tokens_actual"] for r in requests] == [40] * 6
    # the server's llama.cpp timings reach the Requests sheet
    figures = json.loads(requests[0]["runtime_figures"])
    assert figures["server_timings"] == {"predicted_ms": 4.25, "predicted_n": 5,
                                         "prompt_ms": 1.5, "prompt_n": 40}
    assert asked and len(asked) < 60  # a few counts a prompt, not a bisection's worth
    summary = sheet(folder, "Summary")
    assert summary[0]["valid"] is True
    counters = section(sheet(folder, "Session"), "Server counters")
    assert counters[0][1].startswith("vllm counters agree within 1 %: prompt tokens: server "
                                     "240, ours 240")


def test_without_tokenize_prompts_stay_calibrated_and_say_so(tmp_path):
    folder = tmp_path / "o"
    with FakeOpenAI() as server:
        FakeServer(server, tokenize=None)
        code, _, _ = run_plan(fake_plan(server.base_url), folder)
    assert code == 0
    requests = sheet(folder, "Requests")
    assert {r["prompt_length"] for r in requests} == {CALIBRATED}
    target = dict(section(sheet(folder, "Session"), "Target"))
    assert target["Prompt lengths"].startswith("calibrated against the server")


def test_a_server_that_did_more_than_we_asked_makes_the_point_invalid(tmp_path):
    folder = tmp_path / "o"
    with FakeOpenAI() as server:
        fake = FakeServer(server)
        fake.stranger = 3  # another client's prompt tokens with each of ours
        code, events, _ = run_plan(fake_plan(server.base_url), folder)
    assert code == 1
    live = [e["summary"] for e in events if e["event"] == "point_finished"]
    summary = sheet(folder, "Summary")
    assert summary[0]["valid"] is False and live[0]["valid"] is False
    reason = ("the server's own token counters disagree with ours by more than 1 %: prompt "
              "tokens 258 by the server's /metrics, 240 by ours (+7.5 %)")
    assert summary[0]["invalid_reason"] == reason == live[0]["invalid_reason"]
    counters = section(sheet(folder, "Session"), "Server counters")
    assert "DISAGREE" in counters[0][1]
    # the server's counters were scraped again while they disagreed, each scrape on record
    after = [s for s in server_states(folder) if s["phase"] == "after_point"]
    assert len(after) == 4


def test_a_timed_point_that_outruns_its_prepared_prompts_says_which(tmp_path, monkeypatch):
    monkeypatch.setattr(runners, "PREPARE_PER_USER_S", 0.5)
    folder = tmp_path / "o"
    with FakeOpenAI() as server:
        FakeServer(server)
        code, events, run = run_plan(fake_plan(server.base_url, "seconds_per_point = 1"),
                                     folder)
    assert code == 0
    # two warm-up prompts and 2 users x (0.5 x 1 s + 1) measured ones were counted ahead
    requests = sheet(folder, "Requests")
    exact = [r for r in requests if r["prompt_length"] == PREPARED]
    rest = [r for r in requests if r["prompt_length"] == CALIBRATED]
    assert [r["seq"] for r in exact] == [0, 1, 2, 3, 4]
    assert rest and [r["seq"] for r in rest] == list(range(5, 5 + len(rest)))
    warned = [e["message"] for e in events if e["event"] == "log" and e["level"] == "warning"]
    assert any(f"{len(rest)} of {len(requests)} requests were sent with calibrated prompts, "
               "beyond the 5 counted" in m for m in warned)
    target = dict(section(sheet(folder, "Session"), "Target"))
    assert target["Prompt lengths"].startswith(
        f"exact through the server's /tokenize (5 of {len(requests)} prompts; the other "
        f"{len(rest)} calibrated against the server")


def test_note_command_forms():
    assert parse_note("plain words  ") == ("plain words", "")
    line = note_command("two\nlines", "S. Park")
    assert "\n" not in line and line.startswith("note ")
    assert parse_note(line.removeprefix("note ")) == ("two\nlines", "S. Park")
    assert parse_note('{"no text": 1}') == ('{"no text": 1}', "")


def test_notes_on_standard_input_land_in_the_event_log(tmp_path):
    p = tiny_plan(tmp_path, precision='["bf16", "fp8"]')
    proc = _start(tmp_path, p)
    seen = _until(proc, lambda e: e["event"] == "operator_action")
    proc.stdin.write(note_command("Fan noise\nfrom rack 3", "S. Park") + "\n")
    proc.stdin.write("note   \n")
    proc.stdin.write("note switched by hand\n")
    proc.stdin.flush()
    seen += _until(proc, lambda e: e["event"] == "log" and "switched by hand" in e["message"])
    proc.stdin.write("continue\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    events = seen + [json.loads(line) for line in out.splitlines()]
    assert proc.returncode == 0, err
    logs = [(e["level"], e["message"]) for e in events if e["event"] == "log"]
    assert ("warning", "Note not recorded: The note is empty; write what should be on record.") \
        in logs
    folder = tmp_path / "o"
    with closing(sqlite3.connect(folder / "session.sqlite")) as conn:
        notes = conn.execute("SELECT message, data FROM events WHERE kind = 'note' "
                             "ORDER BY id").fetchall()
    assert notes == [("Fan noise\nfrom rack 3", '{"author": "S. Park"}'),
                     ("switched by hand", "")]
    switched = [s for s in server_states(folder) if s["phase"] == "after_switch"]
    assert len(switched) == 1 and switched[0]["precision"] == "fp8"
    sut = section(sheet(folder, "Session"), "System under test")
    assert any(item.endswith("/v1/models (after the switch to fp8)") for item, _ in sut)


def test_a_ranging_point_sends_other_prompts_than_its_testing_point(tmp_path):
    """The ranging pass runs every point once before the testing pass: with the same prompts,
    a server's prefix cache would answer the testing pass's prefills for free."""
    from kperf_gui.session.plan import points

    plan = parse(fake_plan("http://127.0.0.1:9/v1"), tmp_path)
    runner = runners.OpenAIRunner(runners.RunnerEnv(plan, lambda run: None))
    pt = points(plan)[0]

    def prompts(pid):
        run = runners.PointRun(pt, pid, None, MODEL, pid < 0, 0)
        make, _ = runner.make_request(None, run)
        return {make(seq).prompt.split(":")[0] for seq in range(6)}

    assert len(prompts(1)) == 6 and prompts(1).isdisjoint(prompts(-1))
    assert prompts(1) == prompts(1)  # and each is reproducible from the seed


def test_a_point_measured_again_sends_other_prompts_than_its_interrupted_attempt(tmp_path):
    """After a pause inside its window a point is measured again: with the interrupted
    attempt's prompts, a server's prefix cache would answer the new attempt's prefills."""
    from kperf_gui.session.plan import points

    plan = parse(fake_plan("http://127.0.0.1:9/v1"), tmp_path)
    runner = runners.OpenAIRunner(runners.RunnerEnv(plan, lambda run: None))
    pt = points(plan)[0]

    def prompts(attempt, ranging=False):
        run = runners.PointRun(pt, -1 if ranging else 1, None, MODEL, ranging, 0,
                               attempt=attempt)
        make, _ = runner.make_request(None, run)
        return {make(seq).prompt.split(":")[0] for seq in range(6)}

    first, again, third = prompts(0), prompts(1), prompts(2)
    assert first.isdisjoint(again) and again.isdisjoint(third) and first.isdisjoint(third)
    assert again.isdisjoint(prompts(0, ranging=True)) and again == prompts(1)
