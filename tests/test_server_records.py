"""The system under test on record: its answers about itself, its /metrics token counters per
family and their agreement with ours, llama.cpp's per-request timings, and the server's
/tokenize forms, against fixtures (llama.cpp's recorded from a real server)."""
from __future__ import annotations

import asyncio
import json
import subprocess

import openpyxl
import pytest

from drivers.targets.openai import OpenAITarget
from drivers.targets.server_state import fetch_state, metrics_text, root_of
from fake_openai import FakeOpenAI, Reply, json_reply, models_reply
from kperf_gui.clock import Clock
from kperf_gui.measure.server_counters import (FAMILIES, ScrapeError, compare, family_of,
                                               parse_scrape, server_tokens)
from witnesshelp import DATA, make_session, scrape

# family: (requests, prompt tokens each, output tokens each, failed requests, server deltas)
CASES = {
    "vllm": (16, 128, 128, 0, (2048, 2048)),
    "sglang": (64, 1024, 128, 0, (65536, 8192)),
    "furiosa_llm": (32, 1024, 128, 0, (32768, 4096)),
    "tgi": (24, 128, 32, 1, (3072, 768)),
    "llamacpp": (8, 128, 16, 0, (1024, 128)),
}


@pytest.mark.parametrize("family", sorted(CASES))
def test_each_familys_fixture_gives_its_deltas(family):
    before, after = scrape(family, "before"), scrape(family, "after")
    assert family_of(parse_scrape(after)) == family
    got = server_tokens(before, after)
    assert (got.family, got.prompt, got.generation, got.note) == (family, *CASES[family][4], "")


def test_unknown_names_are_kept_raw_and_counted_by_family_only():
    samples = parse_scrape(scrape("furiosa_llm", "after"))
    assert samples["process_cpu_seconds_total"] == [({}, 4127.33)]
    assert samples["python_gc_objects_collected_total"][0] == ({"generation": "0"}, 5319.0)
    assert family_of(parse_scrape("# TYPE foo_total counter\nfoo_total 3\n")) is None
    got = server_tokens("foo_total 1\n", "foo_total 3\n")
    assert got.family is None and "no token counters" in got.note
    with pytest.raises(ScrapeError):
        parse_scrape("this is { not prometheus")


def test_vllm_engines_are_summed_and_other_models_left_out():
    before = scrape("vllm", "before")
    after = scrape("vllm", "after")
    other = after + ('vllm:prompt_tokens_total{engine="0",model_name="other"} 99999.0\n')
    assert server_tokens(before, other, "meta-llama/Llama-3.1-8B-Instruct").prompt == 2048
    assert server_tokens(before, after, "no-such-model").prompt is None


def test_llamacpp_cached_prompt_tokens_count_as_prompt_tokens():
    after = parse_scrape(scrape("llamacpp", "after"))
    before = parse_scrape(scrape("llamacpp", "before"))
    computed = after["llamacpp:prompt_tokens_total"][0][1] - before["llamacpp:prompt_tokens_total"][0][1]
    cached = (after["llamacpp:prompt_tokens_cached_total"][0][1]
              - before["llamacpp:prompt_tokens_cached_total"][0][1])
    assert cached > 0 and computed + cached == 1024  # the server reused a shared prefix


def test_a_restarted_server_is_said_and_not_compared():
    got = server_tokens(scrape("vllm", "after"), scrape("vllm", "before"))
    assert got.prompt is None and "went down" in got.note and "restarted" in got.note
    agreement = compare(got, 2048, 2048)
    assert agreement.agrees is None and "not compared" in agreement.text()


def test_agreement_within_one_percent():
    server = server_tokens(scrape("vllm", "before"), scrape("vllm", "after"))
    assert compare(server, 2048, 2048).agrees is True
    assert compare(server, 2030, 2048).agrees is True  # 0.89 %
    off = compare(server, 2020, 2048)  # 1.39 %
    assert off.agrees is False and off.prompt_diff_pct == pytest.approx(1.386, abs=1e-3)
    assert "DISAGREE" in off.text()


@pytest.mark.parametrize("family", sorted(CASES))
def test_the_deltas_land_in_the_session(family, tmp_path):
    requests, prompt, output, failed, (sp, sg) = CASES[family]
    model = {"furiosa_llm": "furiosa-ai/Llama-3.1-8B-Instruct-FP8",
             "llamacpp": "tiny-random-llama"}.get(family, "meta-llama/Llama-3.1-8B-Instruct")
    folder = make_session(tmp_path / "s", family=family, requests=requests,
                          prompt_tokens=prompt, output_tokens=output, failed=failed, model=model)
    wb = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    rows = [tuple(r) for r in wb["Session"].iter_rows(values_only=True)]
    counters = [r for r in rows if r[0] == "Server counters"]
    assert len(counters) == 1 and counters[0][1] == "point 1"
    ours_p, ours_g = (requests - failed) * prompt, (requests - failed) * output
    text = counters[0][2]
    assert f"prompt tokens: server {sp}, ours {ours_p}" in text
    assert f"generated tokens: server {sg}, ours {ours_g}" in text
    if failed:
        assert text.startswith(f"{family} counters DISAGREE") and "1 request(s) failed" in text
    else:
        assert text.startswith(f"{family} counters agree within 1 %")
    identity = [r for r in rows if r[0] == "System under test"]
    assert ("System under test", "http://127.0.0.1:8000/version",
            'HTTP 200: {"version": "0.9.1"}') in identity
    report = subprocess.run(["pdftotext", "-layout", str(folder / "report.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout
    assert "Server's own token counts" in report and f"server {sp}" in report


# --- the server's answers about itself ----------------------------------------------------


def test_fetch_state_records_every_route_as_it_answered():
    with FakeOpenAI() as s:
        s.script("GET", "/v1/models", models_reply("m1"))
        s.script("GET", "/version", json_reply(200, {"version": "0.9.1"}))
        s.script("GET", "/health", Reply(200, [], {}, False))
        s.script("GET", "/metrics", Reply(200, [scrape("vllm", "before").encode()],
                                          {"content-type": "text/plain; version=0.0.4"}, False))
        state = asyncio.run(fetch_state(s.base_url, {"authorization": "Bearer k"}))
        assert {r.path for r in s.requests} == {"/v1/models", "/version", "/health", "/metrics",
                                                 "/props", "/info"}
        assert all(r.headers.get("authorization") == "Bearer k" for r in s.requests)
    answers = state["answers"]
    assert answers["/v1/models"] == {"status": 200, "json": {"object": "list", "data": [
        {"id": "m1", "object": "model"}]}}
    assert answers["/version"] == {"status": 200, "json": {"version": "0.9.1"}}
    assert answers["/health"] == {"status": 200}
    assert answers["/props"]["status"] == 404
    assert metrics_text(state) == scrape("vllm", "before")
    assert root_of(s.base_url) == s.url


def test_fetch_state_of_an_unreachable_server_says_so():
    state = asyncio.run(fetch_state("http://127.0.0.1:9/v1", timeout_s=1))
    assert all("error" in a for a in state["answers"].values())
    assert metrics_text(state) is None


def test_llamacpp_recorded_state_is_read():
    state = json.loads((DATA / "llamacpp" / "state_before.json").read_text())
    answers = state["answers"]
    assert answers["/health"] == {"status": 200, "json": {"status": "ok"}}
    assert answers["/v1/models"]["json"]["data"][0]["id"] == "tiny-random-llama"
    assert answers["/version"]["status"] == 404 and answers["/props"]["status"] == 200
    assert family_of(parse_scrape(metrics_text(state))) == "llamacpp"


# --- per-request timings and /tokenize, from the real llama.cpp server's answers -----------


def test_llamacpp_timings_of_the_final_chunk_land_in_the_request():
    raw = (DATA / "llamacpp" / "completion_stream.txt").read_bytes()
    final = [json.loads(l[6:]) for l in raw.decode().splitlines()
             if l.startswith("data: {") and '"timings"' in l][-1]
    with FakeOpenAI() as s:
        s.script("POST", "/v1/completions", Reply(200, [raw]))
        t = OpenAITarget(Clock().now, s.base_url, "tiny-random-llama")
        from drivers.targets.base import RequestSpec

        async def one():
            try:
                return await t.send(RequestSpec(0, "hello world the of and", 6, 4))
            finally:
                await t.close()

        result = asyncio.run(one())
    assert result.ok and result.prompt_tokens == 6 and result.completion_tokens == 4
    assert result.extra["server_timings"] == final["timings"]
    assert set(result.extra["server_timings"]) >= {"prompt_n", "prompt_ms", "predicted_n",
                                                   "predicted_ms"}


def test_llamacpp_tokenize_answers_as_recorded():
    prompt_form = json.loads((DATA / "llamacpp" / "tokenize_prompt_form.json").read_text())
    content_form = json.loads((DATA / "llamacpp" / "tokenize_content_form.json").read_text())
    assert prompt_form == {"status": 200, "body": {"tokens": []}}

    def reply(req):
        return json_reply(200, content_form["body"] if "content" in req.json()
                          else prompt_form["body"])

    with FakeOpenAI() as s:
        s.script("POST", "/tokenize", reply)
        t = OpenAITarget(Clock().now, s.base_url, "tiny-random-llama")

        async def count():
            try:
                return await t.tokenize("hello world")
            finally:
                await t.close()

        assert asyncio.run(count()) == len(content_form["body"]["tokens"]) == 3


def test_recorded_timings_show_the_prefix_cache():
    timings = json.loads((DATA / "llamacpp" / "timings.json").read_text())
    assert len(timings) == 8
    assert all(t["prompt_n"] + t["cache_n"] == 128 for t in timings)


def test_every_family_is_documented_in_the_fixtures_readme():
    readme = (DATA / "README.md").read_text()
    for family in FAMILIES:
        assert f"`{family}/`" in readme
